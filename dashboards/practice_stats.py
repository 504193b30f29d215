"""The diffusion of one practice: who adopted it when, counted against the units of each day.

Every status comes from `practices.history.History` (the one rule for "who had reached what by
a date"), so these figures agree with the matrix and the `?ngay=` pages. Provinces and
ministries are counted apart, each against the units of its kinds that existed on the day:
63 provinces until 30/6/2025 and 34 from 1/7/2025, the ministries before and after 1/3/2025. A
pre-reform adopter counts under its successor once, never twice (History's lineage).

The rules each figure follows are written out in `RULES` and shown on the page as they are.
Reads: History's few queries, one for the practice's sources and one for the "Học tập từ"
links, whatever the data size.
"""

import datetime
import statistics
from dataclasses import dataclass, field

from django.db.models import Min

from dashboards import cache, periods
from kb.models import Source
from practices.history import History
from practices.models import (
    CENTRAL_KINDS,
    PROVINCIAL_KINDS,
    Adoption,
    AdoptionStatus,
)

ADOPTED = frozenset({AdoptionStatus.ADOPTED})
ADOPTED_OR_PILOTING = frozenset({AdoptionStatus.ADOPTED, AdoptionStatus.PILOTING})
ANY_STATUS = frozenset(AdoptionStatus.values)
NO_REGION = "Chưa xác định"
# Nghị quyết 81/2023/QH15's six socio-economic regions, north to south.
REGION_ORDER = (
    "Trung du và miền núi phía Bắc",
    "Đồng bằng sông Hồng",
    "Bắc Trung Bộ và duyên hải miền Trung",
    "Tây Nguyên",
    "Đông Nam Bộ",
    "Đồng bằng sông Cửu Long",
)
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Group:
    """Units counted together: the provinces, or the ministries."""

    key: str
    label: str  # "Tỉnh, thành phố"
    noun: str  # "tỉnh, thành phố", as in "34 tỉnh, thành phố"
    kinds: tuple
    has_regions: bool


PROVINCES = Group("tinh-thanh", "Tỉnh, thành phố", "tỉnh, thành phố", PROVINCIAL_KINDS, True)
MINISTRIES = Group("bo-nganh", "Bộ, cơ quan ngang bộ", "bộ, cơ quan ngang bộ", CENTRAL_KINDS, False)
GROUPS = (PROVINCES, MINISTRIES)


# Diffusion research's adopter categories (Rogers): by the share of the units that had adopted
# before a unit, among the units that exist on the day shown.
@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    upper: float  # a unit is in this stage if the share adopted before it is below this
    band: str  # the band, in words


STAGES = (
    Stage("tien-phong", "Tiên phong", 0.025, "2,5 % đầu tiên"),
    Stage("ap-dung-som", "Áp dụng sớm", 0.16, "13,5 % tiếp theo"),
    Stage("so-dong-som", "Số đông sớm", 0.50, "34 % tiếp theo"),
    Stage("so-dong-muon", "Số đông muộn", 0.84, "34 % tiếp theo"),
    Stage("theo-sau", "Theo sau", float("inf"), "16 % cuối cùng"),
)

RULES = {
    "curve": (
        "Số đơn vị đã áp dụng (và đã áp dụng hoặc đang thí điểm) vào mỗi ngày có thay đổi, "
        "trong số các đơn vị tồn tại vào chính ngày đó. Kết quả của đơn vị tiền thân và của sở, "
        "cục trực thuộc được tính cho đơn vị hiện thời, mỗi đơn vị một lần; đơn vị đã dừng áp "
        "dụng không còn được tính."
    ),
    "quarters": (
        "Mỗi đơn vị được tính một lần, vào quý lần đầu đạt “Đã áp dụng”. Đơn vị mới hình thành "
        "sau sắp xếp chỉ được tính nếu trước đó chưa đơn vị tiền thân nào đã áp dụng; vì vậy "
        "tổng các quý có thể lớn hơn số đơn vị đã áp dụng hiện nay."
    ),
    "stages": (
        "Các đơn vị đã áp dụng được xếp theo ngày lần đầu đạt “Đã áp dụng” (kể cả qua đơn vị "
        "tiền thân). Nhóm của một đơn vị tính theo tỷ lệ số đơn vị đã áp dụng trước nó trên tổng "
        "số đơn vị cùng loại tồn tại vào ngày xem: dưới 2,5 % là Tiên phong; 2,5–16 % là Áp dụng "
        "sớm; 16–50 % là Số đông sớm; 50–84 % là Số đông muộn; từ 84 % trở lên là Theo sau "
        "(theo các nhóm người áp dụng trong nghiên cứu lan tỏa đổi mới). Các đơn vị áp dụng "
        "cùng ngày cùng một nhóm."
    ),
    "median_publication": (
        "Trung vị số ngày từ ngày công bố giải pháp (ngày đăng sớm nhất trong các nguồn của "
        "giải pháp) đến ngày mỗi đơn vị đang áp dụng lần đầu đạt “Đã áp dụng”. Đơn vị áp dụng "
        "trước ngày công bố được tính với số ngày âm."
    ),
    "median_first": (
        "Trung vị số ngày từ ngày đơn vị đầu tiên áp dụng đến ngày mỗi đơn vị khác đang áp dụng "
        "lần đầu đạt “Đã áp dụng”."
    ),
    "regions": (
        "Tỉnh, thành phố tồn tại vào ngày xem, theo sáu vùng kinh tế - xã hội (Nghị quyết "
        "81/2023/QH15); “Chưa xác định” khi dữ liệu tham chiếu chưa gán vùng."
    ),
    "learned": (
        "Kết quả áp dụng đã công bố có ghi “Học tập từ” một kết quả đã công bố khác; mũi tên đi "
        "từ đơn vị được học tập đến đơn vị học tập."
    ),
}


class Shares:
    """The shares of a count of units: `units`, `adopted` and `adopted_or_piloting`."""

    @property
    def adopted_share(self):
        return self.adopted / self.units if self.units else 0.0

    @property
    def adopted_or_piloting_share(self):
        return self.adopted_or_piloting / self.units if self.units else 0.0


@dataclass
class CurvePoint(Shares):
    on: datetime.date
    units: int
    adopted: int
    adopted_or_piloting: int


@dataclass
class Denominator:
    """The number of units over a span of days."""

    units: int
    start: datetime.date
    end: datetime.date | None  # None: to the day shown


@dataclass
class Adopter:
    unit: object  # the Agency counted (one that exists on the day shown)
    first_on: datetime.date
    step: object  # the History step giving its status
    via: object | None  # the Agency that made the record, when not the unit itself
    rank: int = 0  # 1 + the number of units that adopted strictly earlier
    stage: Stage | None = None
    days_from_publication: int | None = None
    days_from_first: int | None = None


@dataclass
class RegionRow(Shares):
    region: str
    units: int
    adopted: int
    adopted_or_piloting: int


@dataclass
class Median:
    days: float | None
    count: int  # the adopters it is taken over
    before: int = 0  # of which adopted before the reference day (negative values)

    @property
    def months(self):
        return None if self.days is None else self.days / DAYS_PER_MONTH


@dataclass
class GroupStats:
    group: Group
    units: int  # units on the day shown
    curve: list
    denominators: list
    quarters: list  # [periods.Quarter with .count]
    adopters: list
    stage_counts: list  # [(Stage, n)]
    from_publication: Median
    from_first: Median
    regions: list = field(default_factory=list)

    @property
    def now(self):
        return self.curve[-1] if self.curve else None


@dataclass
class Edge:
    learner: object  # Agency
    learner_on: datetime.date
    learner_adoption_id: int
    source: object  # Agency
    source_on: datetime.date | None
    source_adoption_id: int
    source_practice_title: str | None  # when the source is another practice's record


@dataclass
class PracticeStats:
    practice_id: int
    on: datetime.date
    published_on: datetime.date | None
    groups: list
    edges: list


def practice_stats(practice, on, history=None):
    """Everything the practice dashboard shows, as it stood on `on`."""
    history = history or History.load(practice_ids=[practice.id])
    published_on = publication_day(practice)
    groups = [group_stats(history, practice.id, group, on, published_on) for group in GROUPS]
    return PracticeStats(
        practice.id, on, published_on, groups, learned_from(history, practice.id, on)
    )


def publication_day(practice):
    """The practice's publication: the earliest `published_on` among its sources (None when
    none is dated). Read from the database, not from a page's in-memory form."""
    dated = Source.objects.filter(practices__id=practice.pk, published_on__isnull=False)
    return dated.aggregate(first=Min("published_on"))["first"]


def step_days(history, practice_id, kinds):
    """The days the practice's steps count from, for the records made by units of `kinds` or
    by their departments: the only records that can change these units' statuses."""
    days = set()
    for (record_practice, agency_id), steps in history.records.items():
        agency = history.agencies.get(agency_id)
        if record_practice != practice_id or agency is None:
            continue
        parent = history.agencies.get(agency.parent_id)
        if agency.kind in kinds or (parent is not None and parent.kind in kinds):
            days.update(step.counts_from for step in steps)
    return sorted(days)


def curve_dates(history, practice_id, kinds, on):
    """The days the curve can change on, up to `on`: every day a step of these units' records
    counts from, every day a succession takes effect, and every day the number of units
    changes."""
    steps = step_days(history, practice_id, kinds)
    if not steps or steps[0] > on:
        return []
    days = set(steps) | set(history.succession_dates())
    for agency in history.agencies.values():
        if agency.kind in kinds:
            if agency.valid_from:
                days.add(agency.valid_from)
            if agency.valid_to:
                days.add(agency.valid_to + datetime.timedelta(days=1))
    return sorted(day for day in days if steps[0] <= day <= on) + ([] if on in days else [on])


def curve(history, practice_id, kinds, on):
    adopted, reached = history.reach(kinds, ADOPTED, ADOPTED_OR_PILOTING)
    return [
        CurvePoint(
            day,
            len(history.units_on(day, kinds)),
            adopted.count(practice_id, day, kinds),
            reached.count(practice_id, day, kinds),
        )
        for day in curve_dates(history, practice_id, kinds, on)
    ]


def denominators(points):
    """The spans of days over which the number of units stays the same."""
    spans = []
    for point in points:
        if spans and spans[-1].units == point.units:
            continue
        if spans:
            spans[-1].end = point.on - datetime.timedelta(days=1)
        spans.append(Denominator(point.units, point.on, None))
    return spans


def denominator_words(spans, noun):
    """ "63 tỉnh, thành phố đến 30/06/2025; 34 tỉnh, thành phố từ 01/07/2025"."""
    if len(spans) == 1:
        return f"{spans[0].units} {noun}"
    parts = []
    for index, span in enumerate(spans):
        if index == 0:
            parts.append(f"{span.units} {noun} đến {span.end:%d/%m/%Y}")
        elif span.end is None:
            parts.append(f"{span.units} {noun} từ {span.start:%d/%m/%Y}")
        else:
            parts.append(f"{span.units} {noun} từ {span.start:%d/%m/%Y} đến {span.end:%d/%m/%Y}")
    return "; ".join(parts)


def new_adopters_by_quarter(history, practice_id, kinds, on):
    """[Quarter] from the first quarter with a new adopter to `on`'s, each with `count` (the
    rule: RULES["quarters"])."""
    firsts = []
    for agency in history.agencies.values():
        if agency.kind not in kinds or (agency.valid_from and agency.valid_from > on):
            continue
        last_day = min(agency.valid_to, on) if agency.valid_to else on
        first = history.first_on(agency.id, practice_id, ADOPTED, last_day)
        # Reached through a predecessor before the unit existed: counted there already.
        if first is not None and (agency.valid_from is None or first >= agency.valid_from):
            firsts.append(first)
    return periods.count_by_quarter(firsts, on)


def stage_for(rank, units):
    share_before = (rank - 1) / units if units else 0.0
    for stage in STAGES:
        if share_before < stage.upper:
            return stage
    return STAGES[-1]


def adopters(history, practice_id, kinds, on, published_on):
    """The units adopting on `on`, in the order they first adopted, each with its stage."""
    units = history.units_on(on, kinds)
    reached = history.adopters(practice_id, on, kinds, ADOPTED)
    rows = []
    for unit in units:
        step = reached.get(unit.id)
        if step is None:
            continue
        first = history.first_on(unit.id, practice_id, ADOPTED, on)
        via = history.agencies.get(step.agency_id) if step.agency_id != unit.id else None
        rows.append(Adopter(unit, first, step, via))
    rows.sort(key=lambda row: (row.first_on, row.unit.sort_name))
    first_day = rows[0].first_on if rows else None
    earlier = 0
    for index, row in enumerate(rows):
        if index and row.first_on != rows[index - 1].first_on:
            earlier = index
        row.rank = earlier + 1
        row.stage = stage_for(row.rank, len(units))
        row.days_from_first = (row.first_on - first_day).days
        if published_on is not None:
            row.days_from_publication = (row.first_on - published_on).days
    return rows, len(units)


def median_from_publication(rows, published_on):
    if published_on is None:
        return Median(None, 0)
    days = [row.days_from_publication for row in rows]
    return Median(
        statistics.median(days) if days else None, len(days), sum(1 for d in days if d < 0)
    )


def median_from_first(rows):
    # The first adopter is the reference, not one of the values.
    days = [row.days_from_first for row in rows[1:]]
    return Median(statistics.median(days) if days else None, len(days))


def by_region(history, practice_id, kinds, on):
    units = history.units_on(on, kinds)
    reached = history.adopters(practice_id, on, kinds, ADOPTED_OR_PILOTING)
    rows = {}
    for unit in units:
        region = unit.region or NO_REGION
        row = rows.setdefault(region, RegionRow(region, 0, 0, 0))
        row.units += 1
        step = reached.get(unit.id)
        if step is not None:
            row.adopted_or_piloting += 1
            row.adopted += step.status == AdoptionStatus.ADOPTED
    return sorted(rows.values(), key=lambda row: region_sort_key(row.region))


def region_sort_key(region):
    if region in REGION_ORDER:
        return (0, REGION_ORDER.index(region), "")
    return (2 if region == NO_REGION else 1, 0, region)


def group_stats(history, practice_id, group, on, published_on):
    points = curve(history, practice_id, group.kinds, on)
    rows, units = adopters(history, practice_id, group.kinds, on, published_on)
    stage_counts = [(stage, sum(1 for row in rows if row.stage is stage)) for stage in STAGES]
    return GroupStats(
        group=group,
        units=units,
        curve=points,
        denominators=denominators(points),
        quarters=new_adopters_by_quarter(history, practice_id, group.kinds, on),
        adopters=rows,
        stage_counts=stage_counts,
        from_publication=median_from_publication(rows, published_on),
        from_first=median_from_first(rows),
        regions=by_region(history, practice_id, group.kinds, on) if group.has_regions else [],
    )


def _first_counted(history, practice_id, agency_id):
    steps = history.records.get((practice_id, agency_id))
    return steps[0].counts_from if steps else None


def learned_from(history, practice_id, on):
    """Who learned from whom for this practice, as it stood on `on`: public records on both
    ends (the learners are this practice's public records, which History holds), one query."""
    public = Adoption.objects.public()
    links = (
        public.filter(practice_id=practice_id, adapted_from__in=public.values("pk"))
        .order_by()
        .values_list(
            "pk",
            "agency_id",
            "adapted_from_id",
            "adapted_from__agency_id",
            "adapted_from__practice_id",
            "adapted_from__practice__title",
            "adapted_from__decided_on",
        )
    )
    edges = []
    for pk, agency_id, source_pk, source_agency_id, source_practice_id, title, decided in links:
        learner_on = _first_counted(history, practice_id, agency_id)
        if learner_on is None or learner_on > on:
            continue
        same_practice = source_practice_id == practice_id
        source_on = (
            _first_counted(history, practice_id, source_agency_id) if same_practice else decided
        )
        if source_on is not None and source_on > on:
            continue
        edges.append(
            Edge(
                learner=history.agencies[agency_id],
                learner_on=learner_on,
                learner_adoption_id=pk,
                source=history.agencies[source_agency_id],
                source_on=source_on,
                source_adoption_id=source_pk,
                source_practice_title=None if same_practice else title,
            )
        )
    edges.sort(key=lambda edge: (edge.learner_on, edge.learner.sort_name))
    return edges


def cached_practice_stats(practice, on):
    """`practice_stats`, computed once per data version (dashboards.cache)."""
    return cache.cached(
        f"practice-stats:{practice.pk}:{on.isoformat()}", lambda: practice_stats(practice, on)
    )
