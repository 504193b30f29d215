"""Who had reached what by a date: the one rule for `?ngay=` and for every dashboard.

A record's steps (`AdoptionStep`) say when it reached each status. As of a date, a record's
status is that of its latest step counting by then; a unit's status for a practice is the
furthest one among its records: its own, its departments', and those of the units that became
it by the successions in effect on that date (records roll forward in time, never back, as in
practices.queries). The units are those that existed on the date: 63 provinces until
30/6/2025 and 34 from 1/7/2025; the ministries change on 1/3/2025. So a province whose two
predecessors had both adopted counts once after the reform, and twice (as two units) before.

An undated step (old records carry no decision date) counts from the day it was entered, or
from its unit's last day if that came first: it was decided by then at the latest.

`History.load()` reads everything it needs in three queries, whatever the data size, and
answers in memory.
"""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce, Least, TruncDate
from django.utils import timezone

from practices.models import (
    STATUS_RANK,
    Adoption,
    AdoptionStatus,
    AdoptionStep,
    Agency,
    Succession,
    step_order,
)

EARLIEST_DATE = datetime.date(2000, 1, 1)
DATE_PARAM = "ngay"


class DateError(ValueError):
    """A `?ngay=` that is not a date the site can show; its text is for the reader."""


def parse_date(value, today=None):
    """The date of a `?ngay=` value (YYYY-MM-DD, or dd/mm/yyyy as officials write it), None
    when empty; a DateError in Vietnamese otherwise."""
    value = (value or "").strip()
    if not value:
        return None
    today = today or timezone.localdate()
    date = None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            date = datetime.datetime.strptime(value[:10], pattern).date()
            break
        except ValueError:
            continue
    if date is None or len(value) > 10:
        raise DateError(
            f"Ngày “{value[:40]}” không đúng dạng năm-tháng-ngày, ví dụ 2025-07-01 "
            "(hoặc 01/07/2025)."
        )
    if date < EARLIEST_DATE:
        raise DateError(f"Chỉ xem được từ ngày {EARLIEST_DATE:%d/%m/%Y}.")
    if date > today:
        raise DateError(
            f"Ngày {date:%d/%m/%Y} chưa đến: hãy chọn một ngày đến hôm nay ({today:%d/%m/%Y})."
        )
    return date


def date_from(params):
    """`(date or None, error text or None)` from a request's GET parameters."""
    try:
        return parse_date(params.get(DATE_PARAM, "")), None
    except DateError as error:
        return None, str(error)


def counts_from(on, entered_on, unit_ends):
    """The day from which a step counts (see the module docstring)."""
    if on is not None:
        return on
    if unit_ends is not None and unit_ends < entered_on:
        return unit_ends
    return entered_on


@dataclass(frozen=True, slots=True)
class Step:
    adoption_id: int
    practice_id: int
    agency_id: int
    status: str
    on: datetime.date | None  # as recorded; None on old undated records
    counts_from: datetime.date
    instrument: str
    evidence_url: str

    @property
    def rank(self):
        return STATUS_RANK[self.status]

    def get_status_display(self):
        return AdoptionStatus(self.status).label


def _better(candidate, incumbent):
    """The furthest stage wins; at one stage the earlier, then the record entered first."""
    if incumbent is None:
        return True
    if candidate.rank != incumbent.rank:
        return candidate.rank > incumbent.rank
    return (candidate.counts_from, candidate.adoption_id) < (
        incumbent.counts_from,
        incumbent.adoption_id,
    )


class History:
    """The public records' steps, the units and their successions, held in memory."""

    def __init__(self, agencies, links, steps):
        self.agencies = {agency.id: agency for agency in agencies}
        self.children = defaultdict(list)
        for agency in agencies:
            if agency.parent_id is not None:
                self.children[agency.parent_id].append(agency.id)
        self.links = links  # [(predecessor_id, successor_id, effective_on)]
        self.records = defaultdict(list)  # (practice_id, agency_id) → [Step] by counts_from
        for step in steps:
            self.records[step.practice_id, step.agency_id].append(step)
        for record_steps in self.records.values():
            record_steps.sort(key=lambda step: (step.counts_from, step.adoption_id))
        self._keys = {key: [s.counts_from for s in value] for key, value in self.records.items()}
        self._predecessors = {}
        self._before = {}
        self._succession_days = sorted({effective_on for _, _, effective_on in links})

    @classmethod
    def load(cls, practice_ids=None):
        agencies = list(
            Agency.objects.only(
                "id",
                "slug",
                "code",
                "name",
                "short_name",
                "kind",
                "region",
                "parent_id",
                "valid_from",
                "valid_to",
                "sort_name",
            ).order_by("sort_name", "valid_from")
        )
        links = list(
            Succession.objects.values_list("predecessor_id", "successor_id", "effective_on")
        )
        rows = AdoptionStep.objects.filter(adoption__in=Adoption.objects.public()).values_list(
            "adoption_id",
            "adoption__practice_id",
            "adoption__agency_id",
            "status",
            "on",
            "adoption__created_at",
            "instrument",
            "evidence_url",
        )
        if practice_ids is not None:
            rows = rows.filter(adoption__practice_id__in=list(practice_ids))
        ends = {agency.id: agency.valid_to for agency in agencies}
        tz = timezone.get_current_timezone()
        steps = [
            Step(
                adoption_id,
                practice_id,
                agency_id,
                status,
                on,
                counts_from(on, timezone.localtime(created, tz).date(), ends.get(agency_id)),
                instrument,
                evidence_url,
            )
            for adoption_id, practice_id, agency_id, status, on, created, instrument, evidence_url in (
                rows.order_by()
            )
        ]
        return cls(agencies, links, steps)

    # --- units -------------------------------------------------------------------------------

    def units_on(self, date, kinds):
        """The units of `kinds` that existed on `date`, in name order."""
        return [a for a in self.agencies.values() if a.kind in kinds and a.is_valid_on(date)]

    def predecessors(self, unit_id, date):
        """Every unit that (transitively) became `unit_id` by the successions in effect on
        `date`."""
        key = (unit_id, date)
        if key not in self._predecessors:
            before = self._links_before(date)
            seen, stack = set(), [unit_id]
            while stack:
                for nxt in before.get(stack.pop(), ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
            self._predecessors[key] = seen
        return self._predecessors[key]

    def _links_before(self, date):
        """successor id → its direct predecessors, by the successions in effect on `date`;
        built once per set of links in effect (they change on a few days only)."""
        in_effect = bisect.bisect_right(self._succession_days, date)  # how many days passed
        if in_effect not in self._before:
            before = defaultdict(set)
            for predecessor_id, successor_id, effective_on in self.links:
                if effective_on <= date:
                    before[successor_id].add(predecessor_id)
            self._before[in_effect] = before
        return self._before[in_effect]

    def holders(self, unit_id, date):
        """The units whose records are `unit_id`'s on `date`: itself, the units that became
        it, and the departments of any of these."""
        lineage = {unit_id} | self.predecessors(unit_id, date)
        departments = {child for parent in lineage for child in self.children.get(parent, ())}
        return lineage | departments

    # --- statuses ----------------------------------------------------------------------------

    def record_step_on(self, practice_id, agency_id, date):
        """The step giving one record's status on `date`, or None if it had none yet."""
        key = (practice_id, agency_id)
        dates = self._keys.get(key)
        if not dates:
            return None
        index = bisect.bisect_right(dates, date)
        return self.records[key][index - 1] if index else None

    def step_on(self, unit_id, practice_id, date):
        """The step that gives the unit its furthest status for the practice on `date`."""
        best = None
        for agency_id in self.holders(unit_id, date):
            step = self.record_step_on(practice_id, agency_id, date)
            if step is not None and _better(step, best):
                best = step
        return best

    def status_on(self, unit_id, practice_id, date):
        step = self.step_on(unit_id, practice_id, date)
        return step.status if step else None

    def first_on(self, unit_id, practice_id, statuses, date=None):
        """The first day the unit's records (lineage as of `date`, today by default) reached
        one of `statuses`, or None."""
        date = date or timezone.localdate()
        first = None
        for agency_id in self.holders(unit_id, date):
            for step in self.records.get((practice_id, agency_id), ()):
                if step.status in statuses and step.counts_from <= date:
                    if first is None or step.counts_from < first:
                        first = step.counts_from
                    break
        return first

    def adopters(self, practice_id, date, kinds, statuses=(AdoptionStatus.ADOPTED,)):
        """{unit id: Step} for the units of `kinds` on `date` whose status is in `statuses`."""
        found = {}
        for unit in self.units_on(date, kinds):
            step = self.step_on(unit.id, practice_id, date)
            if step is not None and step.status in statuses:
                found[unit.id] = step
        return found

    def change_dates(self, practice_id=None):
        """Every day on which a status counts from (for one practice, or all), in order:
        where a curve can change, besides the days successions take effect."""
        days = {
            step.counts_from
            for (pid, _), steps in self.records.items()
            if practice_id is None or pid == practice_id
            for step in steps
        }
        return sorted(days)

    def succession_dates(self):
        return sorted({effective_on for _, _, effective_on in self.links})


@dataclass(frozen=True, slots=True)
class RecordedStep:
    pk: int
    status: str
    on: datetime.date | None
    instrument: str
    evidence_url: str


def steps_by_adoption(adoptions):
    """{adoption id: [its steps, in order]} for a queryset of adoptions; one query."""
    found = defaultdict(list)
    rows = AdoptionStep.objects.filter(adoption__in=adoptions.values("pk")).values_list(
        "adoption_id", "pk", "status", "on", "instrument", "evidence_url"
    )
    for adoption_id, *step in rows.order_by():
        found[adoption_id].append(RecordedStep(*step))
    for steps in found.values():
        steps.sort(key=step_order)
    return found


def annotate_as_of(adoptions, date):
    """A queryset of adoptions with `status_then`, `decided_then`, `instrument_then` (their
    latest step counting by `date`, by the same rule as `counts_from`), without those that had
    none: for the API, which filters and pages in SQL."""
    entered = TruncDate("adoption__created_at")
    steps = (
        AdoptionStep.objects.filter(adoption=OuterRef("pk"))
        .annotate(
            counting=Coalesce("on", Least(entered, Coalesce("adoption__agency__valid_to", entered)))
        )
        .filter(counting__lte=date)
        .order_by("-counting", "-pk")
    )
    return adoptions.annotate(
        status_then=Subquery(steps.values("status")[:1]),
        decided_then=Subquery(steps.values("on")[:1]),
        instrument_then=Subquery(steps.values("instrument")[:1]),
    ).filter(status_then__isnull=False)


def as_of(adoptions, date, steps):
    """The adoptions as they stood on `date`: each one's status, date, instrument and link
    replaced by those of its latest step counting by then; those with none are left out.
    `steps` is `steps_by_adoption`'s answer."""
    kept = []
    for adoption in adoptions:
        entered = timezone.localtime(adoption.created_at).date()
        counting = [
            (counts_from(step.on, entered, adoption.agency.valid_to), index, step)
            for index, step in enumerate(steps.get(adoption.pk, ()))
        ]
        counting = [item for item in counting if item[0] <= date]
        if not counting:
            continue
        then = max(counting, key=lambda item: item[:2])[2]
        adoption.status = then.status
        adoption.decided_on = then.on
        adoption.instrument = then.instrument
        adoption.evidence_url = then.evidence_url
        adoption.as_of = date
        kept.append(adoption)
    return kept
