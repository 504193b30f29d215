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
import contextlib
import datetime
import gc
import operator
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Least, TruncDate
from django.utils import timezone

from practices import reach
from practices.models import (
    PUBLIC_ADOPTIONS,
    STATUS_RANK,
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


def counting_day():
    """`counts_from` in SQL, for a queryset of steps: the one rule, read by `History.load` and
    `annotate_as_of` (the date a record was entered is taken in the site's time zone)."""
    entered = TruncDate("adoption__created_at")
    return Coalesce("on", Least(entered, Coalesce("adoption__agency__valid_to", entered)))


class Step(NamedTuple):
    # A tuple, not a dataclass: History.load makes one per step of every public record.
    adoption_id: int
    practice_id: int
    agency_id: int
    status: str
    on: datetime.date | None  # as recorded; None on old undated records
    counts_from: datetime.date
    instrument: str = ""  # "" when loaded without details
    evidence_url: str = ""

    @property
    def rank(self):
        return STATUS_RANK[self.status]

    def get_status_display(self):
        return AdoptionStatus(self.status).label


_by_day = operator.attrgetter("counts_from", "adoption_id")  # a record's steps, in order


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

    def __init__(self, agencies, links, steps=None):
        self.agencies = {agency.id: agency for agency in agencies}
        self.has_records = steps is not None  # False: units only (`load_units`)
        steps = steps or ()
        self.children = defaultdict(list)
        for agency in agencies:
            if agency.parent_id is not None:
                self.children[agency.parent_id].append(agency.id)
        self.links = links  # [(predecessor_id, successor_id, effective_on)]
        self.records = defaultdict(list)  # (practice_id, agency_id) → [Step] by counts_from
        for step in steps:
            self.records[step.practice_id, step.agency_id].append(step)
        for record_steps in self.records.values():
            record_steps.sort(key=_by_day)
        self._keys = {}  # (practice id, agency id) → its steps' days, made when first asked
        self._predecessors = {}
        self._before = {}
        self._succession_days = sorted({effective_on for _, _, effective_on in links})
        # The days on which the units that exist, or the successions in effect, change:
        # between two of them, every unit's holders stay the same.
        days = set(self._succession_days)
        for agency in agencies:
            if agency.valid_from:
                days.add(agency.valid_from)
            if agency.valid_to:
                days.add(agency.valid_to + datetime.timedelta(days=1))
        self._era_starts = sorted(days)
        self._units = {}
        self._reach = {}

    @classmethod
    def load(cls, practice_ids=None, agency_ids=None, details=True):
        """Everything public, or the records of `practice_ids` and of `agency_ids` only;
        without `details`, the steps carry no instrument and no link (counting needs
        neither, and they are most of what is read). Three queries."""
        return cls.load_units().with_records(practice_ids, agency_ids, details)

    @classmethod
    def load_units(cls):
        """The units and their successions, without any record (two queries): to choose
        whose records to read (`with_records`)."""
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
        return cls(agencies, links)

    @staticmethod
    def public_steps():
        """The public records' steps, each with `counting`: the day it counts from."""
        # The public records as a join: much faster than `adoption__in=…public()` here.
        public = {f"adoption__{name}": value for name, value in PUBLIC_ADOPTIONS.items()}
        return AdoptionStep.objects.filter(**public).annotate(counting=counting_day())

    def first_change_date(self):
        """The earliest day a public step counts from, or None without any: from the
        records held, or from the database's."""
        if not self.has_records:
            return self.public_steps().aggregate(first=Min("counting"))["first"]
        return min((steps[0].counts_from for steps in self.records.values()), default=None)

    def with_records(self, practice_ids=None, agency_ids=None, details=True):
        """The same units with the public records of `practice_ids` and `agency_ids` (all
        when None); one query (none when either is empty). Records read apart are put
        together with `adding`."""
        wanted = Q()
        if practice_ids is not None:
            wanted &= Q(adoption__practice_id__in=list(practice_ids))
        if agency_ids is not None:
            wanted &= Q(adoption__agency_id__in=list(agency_ids))
        fields = ["adoption_id", "adoption__practice_id", "adoption__agency_id", "status", "on"]
        fields.append("counting")
        if details:
            fields += ["instrument", "evidence_url"]
        # In the order of their pk, so that two steps of one day keep the order they were
        # entered in (the later counts), as everywhere else (`step_order`).
        rows = self.public_steps().filter(wanted).values_list(*fields).order_by("pk")
        with _collection_paused():
            steps = [Step(*row) for row in rows]
            return History(list(self.agencies.values()), self.links, steps)

    def adding(self, other):
        """The same units with the records of both Histories (read for different units or
        practices: a record held by both is taken from this one)."""
        records = dict(other.records) | dict(self.records)
        steps = [step for record_steps in records.values() for step in record_steps]
        return History(list(self.agencies.values()), self.links, steps)

    # --- units -------------------------------------------------------------------------------

    def units_on(self, date, kinds):
        """The units of `kinds` that existed on `date`, in name order."""
        key = (bisect.bisect_right(self._era_starts, date), tuple(sorted(kinds)))
        if key not in self._units:
            self._units[key] = [
                a for a in self.agencies.values() if a.kind in kinds and a.is_valid_on(date)
            ]
        return self._units[key]

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
        if dates is None:
            dates = self._keys[key] = [step.counts_from for step in self.records.get(key, ())]
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

    def reach(self, kinds, *status_sets):
        """When each unit of `kinds` had a status in each of `status_sets`, for every
        practice: a `practices.reach.Reach` per set, for counting on many days at once
        (asking `adopters` day after day would read every unit's records again on each).
        From the records held, or, on a History of units only (`load_units`), from the
        database's."""
        thresholds = [reach.threshold(statuses) for statuses in status_sets]
        kinds = tuple(sorted(kinds))
        missing = sorted({t for t in thresholds if (kinds, t) not in self._reach})
        if missing:
            with _collection_paused():
                for threshold, periods in zip(
                    missing, reach.periods(self, kinds, missing), strict=True
                ):
                    self._reach[kinds, threshold] = reach.Reach(periods, self.agencies)
        found = [self._reach[kinds, threshold] for threshold in thresholds]
        return found[0] if len(found) == 1 else found

    def eras(self):
        """[(first day, day after the last)] of every stretch of days over which the units
        and their holders stay the same, from the earliest date to the latest."""
        bounds = [datetime.date.min, *self._era_starts, datetime.date.max]
        return list(zip(bounds, bounds[1:], strict=False))

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


@contextlib.contextmanager
def _collection_paused():
    """Python's cyclic garbage collector off for a while: making a tuple per step of every
    record (none of which can form a cycle) sets it off over and over, and it then walks
    every object in the process, half of what loading costs."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
    """A queryset of adoptions with `status_then`, `decided_then`, `instrument_then` and
    `evidence_url_then` (their
    latest step counting by `date`, by the same rule as `counts_from`), without those that had
    none: for the API, which filters and pages in SQL."""
    steps = (
        AdoptionStep.objects.filter(adoption=OuterRef("pk"))
        .annotate(counting=counting_day())
        .filter(counting__lte=date)
        .order_by("-counting", "-pk")
    )
    return adoptions.annotate(
        status_then=Subquery(steps.values("status")[:1]),
        decided_then=Subquery(steps.values("on")[:1]),
        instrument_then=Subquery(steps.values("instrument")[:1]),
        evidence_url_then=Subquery(steps.values("evidence_url")[:1]),
    ).filter(status_then__isnull=False)


def read_as_of(adoptions, date):
    """The instances of `annotate_as_of(queryset, date)`, each one's status, date, instrument
    and link replaced by those of that day: the records as the pages show them then."""
    found = list(adoptions)
    for adoption in found:
        adoption.status = adoption.status_then
        adoption.decided_on = adoption.decided_then
        adoption.instrument = adoption.instrument_then
        adoption.evidence_url = adoption.evidence_url_then
        adoption.as_of = date
    return found


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
