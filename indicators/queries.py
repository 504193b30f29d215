"""The reads of indicator values for the public pages, each in a fixed number of queries.

`before_after(practice, on)`: for each indicator the practice aims to move, the measured values
of the units that had adopted it by `on`, each unit's series aligned on its own adoption date,
beside the units that had not adopted it, read in the same calendar periods.

- Adopters, non-adopters and adoption dates come from `practices.history.History`: the
  provinces, cities, ministries and ministerial agencies that existed on `on`; a unit has
  adopted when its furthest status (its own records, its departments', its predecessors') is
  "Đã áp dụng", and its adoption date is the first day its records reached that status.
- A unit's values are its own and its predecessors' (values stay with the unit that reported
  them, as adoptions do): after the 2025 reform, new Bắc Ninh's series before 1/7/2025 is the
  two merged provinces' figures, each labelled with the unit that reported it.
- **The alignment rule.** A value sits at the number of months from the month of adoption to
  the last month of its period (a figure is read when its period closes): Quý IV/2024 for an
  adoption on 15/11/2024 is month +1, Tháng 10/2024 month −1, the month of adoption itself 0.
  Months −12…+12 are shown. One period kind per indicator: the one most values have.
- **Beside them.** For each adopter's value, the average of the non-adopters' values for the
  same indicator and period: the comparison is of the same calendar periods, so a trend that
  every unit shares shows on both lines. The chart draws, per month, the adopters' average
  and the average of those same-period comparisons.

It shows association, not cause: units choose when to adopt, and what moves their figures
is more than one practice. The pages say so.

`agency_indicators(agency)`: the unit's own series and, across the reform, its predecessors'
(labelled), with the national targets of the same indicators.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from dashboards import cache
from indicators import periods
from indicators.models import IndicatorValue, ValueKind
from practices.history import History
from practices.models import CENTRAL_KINDS, PROVINCIAL_KINDS, AdoptionStatus
from practices.periods import Successions, labelled

WINDOW = 12  # months either side of the adoption
KINDS = (*PROVINCIAL_KINDS, *CENTRAL_KINDS)
FINEST_FIRST = {
    periods.PeriodKind.MONTH: 0,
    periods.PeriodKind.QUARTER: 1,
    periods.PeriodKind.YEAR: 2,
}


def months_between(earlier, later):
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def mean(numbers):
    numbers = list(numbers)
    return sum(numbers, Decimal(0)) / len(numbers) if numbers else None


@dataclass
class Point:
    offset: int  # months from the adoption month to the period's last month
    period_label: str
    period_start: datetime.date
    value: Decimal
    reported_by: object  # the Agency that reported it (the adopter or a predecessor)
    comparison: Decimal | None  # the non-adopters' average for the same period


@dataclass
class AdopterSeries:
    unit: object
    adopted_on: datetime.date
    points: list


@dataclass
class MonthRow:
    offset: int
    adopters: Decimal | None
    adopter_count: int
    comparison: Decimal | None


@dataclass
class IndicatorBeforeAfter:
    indicator: object
    period_kind: str
    adopters: list  # AdopterSeries with at least one point in the window
    rows: list  # MonthRow per month with a value
    comparison_units: int  # how many units had not adopted
    targets: list  # national targets of the indicator

    @property
    def period_kind_label(self):
        return periods.PeriodKind(self.period_kind).label.lower()


@dataclass
class BeforeAfter:
    on: datetime.date
    indicators: list  # every linked indicator, in name order
    results: list  # IndicatorBeforeAfter, for the indicators with values in the window
    adopter_count: int
    unit_count: int

    @property
    def missing(self):
        """The linked indicators for which no adopter has a value around its adoption."""
        shown = {result.indicator.pk for result in self.results}
        return [indicator for indicator in self.indicators if indicator.pk not in shown]


def _owners(history, units, on):
    """{agency id: the units on `on` whose series it belongs to}: each unit and its
    predecessors (by the successions in effect then)."""
    owners = defaultdict(set)
    for unit in units:
        for agency_id in {unit.id} | history.predecessors(unit.id, on):
            owners[agency_id].add(unit.id)
    return owners


def before_after(practice, on=None):
    """See the module docstring; five queries whatever the number of units and values (four
    when no unit has adopted)."""
    on = on or timezone.localdate()
    return cache.cached(
        f"indicators:before-after:{practice.pk}:{on.isoformat()}",
        lambda: _before_after(practice, on),
    )


def _before_after(practice, on):
    indicators = list(practice.indicators.order_by("name"))
    history = History.load(practice_ids=[practice.pk])
    units = history.units_on(on, KINDS)
    adopters = history.adopters(practice.pk, on, KINDS, (AdoptionStatus.ADOPTED,))
    adopted_on = {
        unit_id: history.first_on(unit_id, practice.pk, (AdoptionStatus.ADOPTED,), on)
        for unit_id in adopters
    }
    owners = _owners(history, units, on)
    dates = [day for day in adopted_on.values() if day is not None]
    if not dates or not indicators:
        return BeforeAfter(on, indicators, [], len(adopters), len(units))
    # Only the periods that can fall within a window (a year's value ends 11 months after it
    # starts), so that a cold read does not load every value of the indicators.
    first = periods.containing(periods.PeriodKind.YEAR, min(dates)).replace(
        year=min(dates).year - 2
    )
    last = min(on, _add_months(max(dates), WINDOW))
    values = list(
        IndicatorValue.objects.filter(indicator__in=indicators)
        .filter(
            Q(
                agency__in=list(owners),
                kind=ValueKind.MEASURE,
                period_start__gte=first,
                period_start__lte=last,
            )
            | Q(agency__isnull=True, kind=ValueKind.TARGET)
        )
        .values_list("indicator_id", "agency_id", "period_kind", "period_start", "value", "kind")
        .order_by("period_start")
    )
    results = []
    for indicator in indicators:
        measured = [v for v in values if v[0] == indicator.pk and v[5] == ValueKind.MEASURE]
        targets = [v for v in values if v[0] == indicator.pk and v[1] is None]
        if not measured:
            continue
        counted = Counter(v[2] for v in measured)
        kind = max(counted, key=lambda k: (counted[k], -FINEST_FIRST[k]))
        measured = [v for v in measured if v[2] == kind]
        result = _indicator(indicator, kind, measured, owners, adopters, adopted_on, history)
        if result.adopters:
            result.comparison_units = len(units) - len(adopters)
            result.targets = [(periods.label(v[2], v[3]), v[4]) for v in targets]
            results.append(result)
    return BeforeAfter(on, indicators, results, len(adopters), len(units))


def _indicator(indicator, kind, measured, owners, adopters, adopted_on, history):
    comparison = defaultdict(list)  # period start → the non-adopters' values
    for _, agency_id, _, start, value, _ in measured:
        if owners.get(agency_id, set()) - set(adopters):
            comparison[start].append(value)
    comparison = {start: mean(found) for start, found in comparison.items()}
    series = {}
    for _, agency_id, _, start, value, _ in measured:
        for unit_id in owners.get(agency_id, ()):
            if unit_id not in adopters or adopted_on.get(unit_id) is None:
                continue
            offset = months_between(adopted_on[unit_id], periods.end(kind, start))
            if abs(offset) > WINDOW:
                continue
            unit = history.agencies[unit_id]
            entry = series.setdefault(unit_id, AdopterSeries(unit, adopted_on[unit_id], []))
            entry.points.append(
                Point(
                    offset,
                    periods.label(kind, start),
                    start,
                    value,
                    history.agencies[agency_id],
                    comparison.get(start),
                )
            )
    by_offset = defaultdict(list)
    for entry in series.values():
        for point in entry.points:
            by_offset[point.offset].append(point)
    rows = [
        MonthRow(
            offset,
            mean(p.value for p in found),
            len({p.reported_by.pk for p in found}),
            mean(p.comparison for p in found if p.comparison is not None),
        )
        for offset, found in sorted(by_offset.items())
    ]
    ordered = sorted(series.values(), key=lambda s: (s.adopted_on, s.unit.sort_name))
    return IndicatorBeforeAfter(indicator, kind, ordered, rows, 0, [])


# --- One agency ----------------------------------------------------------------------------------


@dataclass
class SeriesPoint:
    period_label: str
    period_start: datetime.date
    period_end: datetime.date
    value: Decimal
    kind: str
    reported_by: object
    own: bool
    source: str
    instrument: str

    @property
    def reported_by_label(self):
        return labelled(self.reported_by)

    @property
    def kind_label(self):
        return "Số đo" if self.kind == ValueKind.MEASURE else "Chỉ tiêu của đơn vị"


@dataclass
class AgencySeries:
    indicator: object
    points: list  # SeriesPoint, by period
    targets: list  # the national targets (IndicatorValue) of the indicator

    @property
    def inherited(self):
        return any(not point.own for point in self.points)


@dataclass
class AgencyIndicators:
    agency: object
    predecessors: list
    series: list = field(default_factory=list)


def agency_indicators(agency):
    """See the module docstring; two queries whatever the number of values. Kept by the
    process only: the agency page keeps its drawn section (`{% cache %}`), and pickling every
    value into Django's cache cost more than reading them."""
    return cache.cached(
        f"indicators:agency:{agency.pk}", lambda: _agency_indicators(agency), shared=False
    )


def _agency_indicators(agency):
    lineage = Successions.load().predecessors({agency.pk})
    values = list(
        IndicatorValue.objects.filter(
            Q(agency_id__in=lineage | {agency.pk}) | Q(agency__isnull=True, kind=ValueKind.TARGET)
        )
        .select_related("indicator", "agency")
        .order_by("indicator__name", "period_start", "kind", "agency__sort_name")
    )
    national = defaultdict(list)
    own = defaultdict(list)
    indicators = {}
    predecessors = {}
    for value in values:
        if value.agency_id is None:
            national[value.indicator_id].append(value)
            continue
        indicators[value.indicator_id] = value.indicator
        if value.agency_id != agency.pk:
            predecessors[value.agency_id] = value.agency
        own[value.indicator_id].append(
            SeriesPoint(
                value.period_label,
                value.period_start,
                value.period_end,
                value.value,
                value.kind,
                value.agency,
                value.agency_id == agency.pk,
                value.source,
                value.instrument,
            )
        )
    series = [
        AgencySeries(indicators[pk], own[pk], national.get(pk, []))
        for pk in sorted(indicators, key=lambda pk: indicators[pk].name)
    ]
    ordered = sorted(predecessors.values(), key=lambda unit: (unit.sort_name, unit.pk))
    return AgencyIndicators(agency, ordered, series)
