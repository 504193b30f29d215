"""When units reached a stage, as spans of days: what the dashboards count on many days at once.

A unit's status on a day is the furthest among its holders' records (practices.history). For a
set of statuses that takes in every status above its lowest (a *threshold*: "adopted", or
"adopted or piloting"), the unit is in the set on a day exactly when one of its holders'
records is, so each record's days in the set can be added to its units' spans, era by era
(between two days on which the units or the successions change, every unit's holders stay
the same), and the spans of a unit merged. A count on a day is then two bisections.

The spans are computed from the records a History holds, or, for a History of units only, by
PostgreSQL (window and `range_agg`) without reading the steps into Python at all; elsewhere
(SQLite) the records are read and the spans computed here. A test holds the three to each
other and to `History.adopters`.
"""

import bisect
import datetime
from collections import defaultdict

from django.db import connection
from django.db.models import F, Window
from django.db.models.functions import Lead

from practices.models import STATUS_RANK


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
    (end excluded; `date.max` while it lasts) on which the unit ranked at least that."""
    if history.has_records:
        return _from_records(history, kinds, thresholds)
    if connection.vendor == "postgresql":
        return _from_postgresql(history, kinds, thresholds)
    return _from_records(history.with_records(details=False), kinds, thresholds)


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
            end = end or datetime.date.max
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
    return [{key: _merged(spans) for key, spans in each.items()} for each in found]


def _from_postgresql(history, kinds, thresholds):
    owned = owners(history, kinds)
    agency_ids, unit_ids, era_starts, era_ends = [], [], [], []
    for agency_id, eras in owned.items():
        for era_start, era_end, units in eras:
            for unit_id in units:
                agency_ids.append(agency_id)
                unit_ids.append(unit_id)
                era_starts.append(era_start)
                era_ends.append(era_end)
    # Each step with the day its record's next step counts from (None for the latest).
    steps = history.public_steps().annotate(
        stop=Window(Lead("counting"), partition_by=F("adoption_id"), order_by=["counting", "pk"])
    )
    steps = steps.values(
        "status",
        "counting",
        "stop",
        practice=F("adoption__practice_id"),
        agency=F("adoption__agency_id"),
    ).order_by()
    steps_sql, steps_params = steps.query.sql_with_params()
    lowest = min(thresholds)
    statuses = [status for status, rank in STATUS_RANK.items() if rank >= lowest]
    columns, column_params = [], []
    for t in thresholds:
        columns.append("range_agg(span) FILTER (WHERE status = ANY(%s))")
        column_params.append([status for status, rank in STATUS_RANK.items() if rank >= t])
    sql = f"""
        WITH steps AS ({steps_sql}),
        owners AS (
            SELECT * FROM unnest(%s::integer[], %s::integer[], %s::date[], %s::date[])
                AS o (agency, unit, era_start, era_end)
        ),
        spans AS (
            SELECT s.practice, o.unit, s.status,
                   daterange(GREATEST(s.counting, o.era_start),
                             LEAST(COALESCE(s.stop, %s::date), o.era_end)) AS span
            FROM steps s JOIN owners o ON o.agency = s.agency
            WHERE s.status = ANY(%s)
              AND COALESCE(s.stop, %s::date) > s.counting
              AND s.counting < o.era_end AND COALESCE(s.stop, %s::date) > o.era_start
        )
        SELECT practice, unit, {", ".join(columns)} FROM spans GROUP BY practice, unit
    """  # noqa: S608 (the steps' SQL is Django's, with its parameters; the rest is fixed)
    never = datetime.date.max
    params = [
        *steps_params,
        agency_ids,
        unit_ids,
        era_starts,
        era_ends,
        never,
        statuses,
        never,
        never,
        *column_params,
    ]
    found = [{} for _ in thresholds]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for practice_id, unit_id, *ranges in cursor.fetchall():
            for each, multirange in zip(found, ranges, strict=True):
                if multirange:
                    each[practice_id, unit_id] = [(r.lower, r.upper) for r in multirange]
    return found


def _merged(spans):
    """Overlapping or touching [start, end) spans joined into one."""
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


class Reach:
    """For each (practice, unit), the spans of days [start, end) over which the unit had
    reached a threshold (`end` is `date.max` while it still has); counted on any day by
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
