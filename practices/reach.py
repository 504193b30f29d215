"""When units reached a stage, as spans of days: what the dashboards count on many days at once.

A unit's status on a day is the furthest among its holders' records (practices.history). For a
set of statuses that takes in every status above its lowest (a *threshold*: "adopted", or
"adopted or piloting"), the unit is in the set on a day exactly when one of its holders'
records is, so each record's days in the set can be added to its units' spans, era by era
(between two days on which the units or the successions change, every unit's holders stay
the same), and the spans of a unit merged. A count on a day is then two bisections.

The spans are computed from the records a History holds (read first, without their details,
for a History of units only). A test holds them to `History.adopters`.

Measured at 50,000 records (BENCHMARKS.md, "Dashboards"), computing them in PostgreSQL (a
window for each step's end, `range_agg` per unit) took longer than reading the steps and
computing here: the scan and the parsing of the ranges cost more than the loop.
"""

import bisect
import datetime
from collections import defaultdict

from kb.spans import merged
from practices.models import STATUS_RANK

FOREVER = datetime.date.max  # the end of a span that still lasts


def threshold(statuses):
    """The lowest rank of `statuses`, which must take in every status above it."""
    ranks = {STATUS_RANK[status] for status in statuses}
    assert all(rank in ranks for rank in STATUS_RANK.values() if rank >= min(ranks)), statuses
    return min(ranks)


def owners(history, kinds):
    """agency id → [(era's first day, day after its last, the units of `kinds` that its
    records count for in that era)], in date order."""
    owned = defaultdict(list)
    for start, end in history.eras():
        day = start if start != datetime.date.min else end - datetime.timedelta(days=1)
        found = defaultdict(list)
        for unit in history.units_on(day, kinds):
            for holder in history.holders(unit.id, day):
                found[holder].append(unit.id)
        for agency_id, unit_ids in found.items():
            owned[agency_id].append((start, end, unit_ids))
    return owned


def periods(history, kinds, thresholds):
    """For each threshold, {(practice id, unit id): [(start, end)]}: the merged spans of days
    (end excluded; `FOREVER` while it lasts) on which the unit ranked at least that."""
    if not history.has_records:
        history = history.with_records(details=False)
    return _from_records(history, kinds, thresholds)


def _from_records(history, kinds, thresholds):
    owned = owners(history, kinds)
    found = [defaultdict(list) for _ in thresholds]
    # status → the spans a step of that status extends (those whose threshold it reaches)
    extends = {
        status: [spans for t, spans in zip(thresholds, found, strict=True) if rank >= t]
        for status, rank in STATUS_RANK.items()
    }
    for (practice_id, agency_id), steps in history.records.items():
        eras = owned.get(agency_id)
        if not eras:
            continue
        for index, step in enumerate(steps):
            reached = extends[step.status]
            if not reached:
                continue
            start = step.counts_from
            end = steps[index + 1].counts_from if index + 1 < len(steps) else None
            end = end or FOREVER
            if end <= start:  # a later step of the same day took its place
                continue
            for era_start, era_end, unit_ids in eras:
                if era_end <= start:
                    continue
                if era_start >= end:
                    break
                span = (max(start, era_start), min(end, era_end))
                for unit_id in unit_ids:
                    for spans in reached:
                        spans[practice_id, unit_id].append(span)
    return [{key: merged(spans) for key, spans in each.items()} for each in found]


class Reach:
    """For each (practice, unit), the spans of days [start, end) over which the unit had
    reached a threshold (`end` is `FOREVER` while it still has); counted on any day by
    bisection."""

    def __init__(self, periods, agencies):
        self.periods = periods
        self._units = defaultdict(list)  # practice id → [(unit id, spans)]
        starts, ends = defaultdict(list), defaultdict(list)  # (practice id, kind) → days
        for (practice_id, unit_id), spans in periods.items():
            self._units[practice_id].append((unit_id, spans))
            kind = agencies[unit_id].kind
            for start, end in spans:
                starts[practice_id, kind].append(start)
                ends[practice_id, kind].append(end)
        self._starts = {key: sorted(days) for key, days in starts.items()}
        self._ends = {key: sorted(days) for key, days in ends.items()}
        self._kinds = {agency.id: agency.kind for agency in agencies.values()}

    def count(self, practice_id, date, kinds):
        """How many units of `kinds` had reached the threshold on `date`."""
        total = 0
        for kind in kinds:
            starts = self._starts.get((practice_id, kind))
            if starts:
                total += bisect.bisect_right(starts, date)
                total -= bisect.bisect_right(self._ends[practice_id, kind], date)
        return total

    def units(self, practice_id, date, kinds):
        """The ids of the units of `kinds` that had reached the threshold on `date`."""
        found = set()
        for unit_id, spans in self._units.get(practice_id, ()):
            if self._kinds[unit_id] in kinds and any(s <= date < e for s, e in spans):
                found.add(unit_id)
        return found
