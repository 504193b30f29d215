"""The national overview: every practice's coverage of the provinces and the ministries on a day,
its trend, and the regions and units furthest behind.

Statuses are counted from the units' spans of days at each stage (`practices.reach`), as on the
practice dashboard (`dashboards.practice_stats`), whose groups, rules and region order this
module shares; the spans are read from the database (`dashboards.spans`), computed again only
for the practices whose records changed. Reads: the units' two queries, the practices', the
spans' two, whatever the data size (and one more for the steps of stale practices).
"""

import datetime
from dataclasses import dataclass

from dashboards import cache, periods, spans
from dashboards.practice_stats import (
    GROUPS,
    NO_REGION,
    PROVINCES,
    Shares,
    region_sort_key,
)
from practices.history import History
from practices.models import PracticePage

UNITS_BEHIND_SHOWN = 10

RULES = {
    "coverage": (
        "Số đơn vị đã áp dụng (và đã áp dụng hoặc đang thí điểm) mỗi giải pháp trên số đơn vị "
        "cùng loại tồn tại vào ngày xem; kết quả của đơn vị tiền thân và sở, cục trực thuộc được "
        "tính cho đơn vị hiện thời, mỗi đơn vị một lần."
    ),
    "trend": (
        "Tỷ lệ đơn vị đã áp dụng vào cuối mỗi quý, vào ngày trước và ngày sắp xếp đơn vị có "
        "hiệu lực, và vào ngày xem; mẫu số là số đơn vị tồn tại vào từng ngày đó."
    ),
    "regions": (
        "Tỷ lệ các cặp (tỉnh, thành phố × giải pháp) đã áp dụng trong mỗi vùng: tổng số giải "
        "pháp các tỉnh, thành phố của vùng đã áp dụng, chia cho số tỉnh, thành phố của vùng nhân "
        "số giải pháp. Vùng có tỷ lệ thấp nhất đứng đầu."
    ),
    "units": (
        "Các đơn vị tồn tại vào ngày xem đã áp dụng ít giải pháp nhất; cùng số giải pháp thì xếp "
        "theo tên."
    ),
}


@dataclass
class Coverage(Shares):
    units: int
    adopted: int
    adopted_or_piloting: int


@dataclass
class PracticeRow:
    practice: PracticePage
    coverage: dict  # group key → Coverage

    @property
    def cells(self):
        """(group, Coverage) in the order of GROUPS."""
        return [(group, self.coverage[group.key]) for group in GROUPS]


@dataclass
class TrendPoint:
    practice: PracticePage
    on: datetime.date
    units: int
    adopted: int

    @property
    def share(self):
        return self.adopted / self.units if self.units else 0.0


@dataclass
class RegionBehind:
    region: str
    units: int
    pairs: int  # units × practices
    adopted_pairs: int

    @property
    def share(self):
        return self.adopted_pairs / self.pairs if self.pairs else 0.0


@dataclass
class UnitBehind:
    unit: object  # Agency
    adopted: int
    practices: int


@dataclass
class Overview:
    on: datetime.date
    practices: list
    rows: list  # [PracticeRow]
    trends: dict  # group key → [TrendPoint]
    regions: list  # [RegionBehind], furthest behind first
    units_behind: dict  # group key → [UnitBehind]
    units: dict  # group key → number of units on `on`


def live_practices():
    return list(
        PracticePage.objects.live()
        .select_related("category")
        .order_by("category__sort_order", "category__name", "title")
    )


def trend_dates(history, first, on):
    """Quarter ends from `first` (the first day a public step counts from) to `on`, the day
    before and the day of each succession, and `on` itself."""
    if first is None or first > on:
        return []
    days = {on}
    quarter = periods.Quarter.of(first)
    while quarter.end < on:
        days.add(quarter.end)
        quarter = quarter.next()
    for effective in history.succession_dates():
        days |= {effective - datetime.timedelta(days=1), effective}
    return sorted(day for day in days if first <= day <= on)


def overview(on, history=None):
    history = history or History.load_units()
    practices = live_practices()
    rows = [PracticeRow(practice, {}) for practice in practices]
    stored = spans.stored_reach(history, [practice.id for practice in practices])
    adopted, reached = stored.adopted, stored.adopted_or_piloting
    units = {group.key: history.units_on(on, group.kinds) for group in GROUPS}
    adopted_by_unit = {unit.id: 0 for group in GROUPS for unit in units[group.key]}
    for row in rows:
        for group in GROUPS:
            adopters = adopted.units(row.practice.id, on, group.kinds)
            for unit_id in adopters:
                adopted_by_unit[unit_id] += 1
            row.coverage[group.key] = Coverage(
                len(units[group.key]),
                len(adopters),
                reached.count(row.practice.id, on, group.kinds),
            )

    trends = {group.key: [] for group in GROUPS}
    for day in trend_dates(history, stored.first_day, on):
        for group in GROUPS:
            count = len(history.units_on(day, group.kinds))
            for practice in practices:
                count_adopted = adopted.count(practice.id, day, group.kinds)
                trends[group.key].append(TrendPoint(practice, day, count, count_adopted))

    return Overview(
        on=on,
        practices=practices,
        rows=rows,
        trends=trends,
        regions=regions_behind(units[PROVINCES.key], adopted_by_unit, len(practices)),
        units_behind={
            group.key: units_behind(units[group.key], adopted_by_unit, len(practices))
            for group in GROUPS
        },
        units={group.key: len(units[group.key]) for group in GROUPS},
    )


def regions_behind(units, adopted_by_unit, practice_count):
    found = {}
    for unit in units:
        region = unit.region or NO_REGION
        row = found.setdefault(region, RegionBehind(region, 0, 0, 0))
        row.units += 1
        row.pairs += practice_count
        row.adopted_pairs += adopted_by_unit[unit.id]
    return sorted(found.values(), key=lambda row: (row.share, region_sort_key(row.region)))


def units_behind(units, adopted_by_unit, practice_count):
    ordered = sorted(units, key=lambda unit: (adopted_by_unit[unit.id], unit.sort_name))
    return [
        UnitBehind(unit, adopted_by_unit[unit.id], practice_count)
        for unit in ordered[:UNITS_BEHIND_SHOWN]
    ]


def cached_overview(on):
    """`overview`, computed once per data version (dashboards.cache)."""
    return cache.cached(f"overview:{on.isoformat()}", lambda: overview(on))
