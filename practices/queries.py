"""Every read the public pages make, in one place.

Each function runs a fixed number of SQL queries whatever the number of agencies and
adoptions: succession chains are walked in Python over one query of the `Succession` table,
never with a query per unit.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.functional import cached_property

from kb.models import KnowledgePage, KnowledgePageTag
from practices import history
from practices.models import (
    CENTRAL_KINDS,
    PROVINCIAL_KINDS,
    Adoption,
    AdoptionResult,
    AdoptionStatus,
    Agency,
    AgencyKind,
    PracticeCategory,
    PracticePage,
    Succession,
)
from practices.text import fold, sort_key

# The last days of the pre-reform structures (see fixtures/reference/README.md).
LAST_DAY_OF_63_PROVINCES = datetime.date(2025, 6, 30)
LAST_DAY_OF_22_CENTRAL_AGENCIES = datetime.date(2025, 2, 28)
NO_REGION = "Chưa xác định"


@dataclass(frozen=True)
class MatrixScope:
    key: str
    label: str
    kinds: tuple
    on: datetime.date | None  # None means today

    @property
    def date(self):
        return self.on or timezone.localdate()

    @property
    def is_historic(self):
        return self.on is not None


MATRIX_SCOPES = {
    scope.key: scope
    for scope in [
        MatrixScope("tinh-thanh", "34 tỉnh, thành phố (từ 01/7/2025)", PROVINCIAL_KINDS, None),
        MatrixScope(
            "tinh-thanh-2008-2025",
            "63 tỉnh, thành phố (01/8/2008 – 30/6/2025)",
            PROVINCIAL_KINDS,
            LAST_DAY_OF_63_PROVINCES,
        ),
        MatrixScope("bo-nganh", "Bộ, cơ quan ngang bộ (từ 01/3/2025)", CENTRAL_KINDS, None),
        MatrixScope(
            "bo-nganh-2021-2025",
            "Bộ, cơ quan ngang bộ (nhiệm kỳ 2021 – 28/02/2025)",
            CENTRAL_KINDS,
            LAST_DAY_OF_22_CENTRAL_AGENCIES,
        ),
    ]
}
DEFAULT_SCOPE = "tinh-thanh"


class Lineage:
    """The succession graph on a day, loaded with one query and walked in memory."""

    def __init__(self, links):
        self.predecessors = defaultdict(set)
        self.successors = defaultdict(set)
        for predecessor_id, successor_id in links:
            self.predecessors[successor_id].add(predecessor_id)
            self.successors[predecessor_id].add(successor_id)

    @classmethod
    def load(cls, on=None):
        """The successions in effect on `on` (today by default): on 28/02/2025 the ministry
        that absorbed another on 01/03/2025 did not yet hold its records."""
        links = Succession.objects.filter(effective_on__lte=on or timezone.localdate())
        return cls(links.values_list("predecessor_id", "successor_id"))

    def _walk(self, start, edges):
        seen, stack = set(), [start]
        while stack:
            for nxt in edges.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    def ancestors(self, agency_id):
        """Every unit that (transitively) became `agency_id`."""
        return self._walk(agency_id, self.predecessors)

    def descendants(self, agency_id):
        """Every unit `agency_id` (transitively) became."""
        return self._walk(agency_id, self.successors)

    def lineage(self, agency_id):
        """`agency_id` and every unit that (transitively) became it."""
        return {agency_id} | self.ancestors(agency_id)

    def closure(self, agency_id):
        """`agency_id` and every unit it (transitively) became."""
        return {agency_id} | self.descendants(agency_id)


# --- The records of a unit ------------------------------------------------------------------
#
# One definition, used by every page and the API: a unit's records are the public adoptions
# recorded against the unit itself, against every unit that (transitively) became it (by the
# successions in effect: today, or on the day of a historic matrix), and against the
# departments of any of these. Records roll forward in time, never back: a successor's record
# is never one of its predecessors'. `records_of` reads them for given
# units; `record_holders` answers the inverse question for one record, so that counts for a
# whole page of units come from one query; tests/practices/test_record_counts.py holds the two
# to each other and to every page that shows a count.


def records_of(unit_ids, lineage, adoptions=None):
    """The records of the units `unit_ids` (of any of them), one query.

    For a past day, pass the lineage of that day and read the records as they stood then
    with `practices.history.as_of`. `adoptions` narrows a queryset of public adoptions
    instead of starting from all of them.
    """
    relevant = set()
    for unit_id in unit_ids:
        relevant |= lineage.lineage(unit_id)
    records = Adoption.objects.public() if adoptions is None else adoptions
    # The makers as a subquery on the units, not an OR across the join to them: the database
    # then finds the records by their maker's index instead of reading every record.
    makers = Agency.objects.filter(
        Q(id__any=sorted(relevant)) | Q(parent_id__any=sorted(relevant))
    ).values("id")
    return records.filter(agency_id__in=makers)


def record_holders(agency_id, parent_id, units, lineage):
    """The units among `units` whose records (`records_of`) include a record made by
    `agency_id`, whose parent is `parent_id`."""
    holders = lineage.closure(agency_id)
    if parent_id is not None:
        holders |= lineage.closure(parent_id)
    return holders & units


def record_counts(unit_ids):
    """{unit id: number of its records} for every unit in `unit_ids`; two queries."""
    lineage = Lineage.load()
    units = set(unit_ids)
    counts = dict.fromkeys(units, 0)
    made_by = records_of(units, lineage).values_list("agency_id", "agency__parent_id")
    for agency_id, parent_id in made_by:
        for unit_id in record_holders(agency_id, parent_id, units, lineage):
            counts[unit_id] += 1
    return counts


def with_record_counts(agencies):
    """`agencies` as a list, each with `record_count` set (see `record_counts`)."""
    agencies = list(agencies)
    counts = record_counts({agency.id for agency in agencies})
    for agency in agencies:
        agency.record_count = counts[agency.id]
    return agencies


def _better(candidate, incumbent):
    """The furthest stage wins; at one stage, the earlier decision (undated ones last), then the
    record entered first, so the cell does not depend on the order the rows come in."""
    if incumbent is None:
        return True
    if candidate.rank != incumbent.rank:
        return candidate.rank > incumbent.rank
    return _reached_first(candidate) < _reached_first(incumbent)


def _reached_first(adoption):
    return (adoption.decided_on or datetime.date.max, adoption.pk)


def live_practices():
    return (
        PracticePage.objects.live()
        .select_related("category")
        .order_by("category__sort_order", "category__name", "title")
    )


@dataclass
class MatrixCell:
    adoption: Adoption | None = None
    count: int = 0
    practice: object = None  # the column's practice

    @property
    def status(self):
        return self.adoption.status if self.adoption else ""

    @property
    def status_label(self):
        return self.adoption.get_status_display() if self.adoption else "Chưa ghi nhận"


@dataclass
class MatrixRow:
    agency: Agency
    cells: list = field(default_factory=list)
    record_count: int = 0  # the unit's records (`records_of`) in the matrix's scope

    @property
    def adopted_count(self):
        return sum(1 for cell in self.cells if cell.status == AdoptionStatus.ADOPTED)


@dataclass
class MatrixGroup:
    """Consecutive columns of one category, headed together."""

    category: PracticeCategory
    span: int


@dataclass
class Matrix:
    scope: MatrixScope
    scopes: dict
    practices: list
    rows: list
    column_totals: list

    @property
    def groups(self):
        groups = []
        for practice in self.practices:
            if groups and groups[-1].category.id == practice.category_id:
                groups[-1].span += 1
            else:
                groups.append(MatrixGroup(practice.category, 1))
        return groups


def scope_on(scope, on):
    """`scope`'s kind of units as they stood on `on` (a `?ngay=`)."""
    kind = "Tỉnh, thành phố" if scope.kinds == PROVINCIAL_KINDS else "Bộ, cơ quan ngang bộ"
    return MatrixScope(scope.key, f"{kind} vào ngày {on:%d/%m/%Y}", scope.kinds, on)


def replication_matrix(scope_key, on=None):
    """Agencies × practices for one scope, each cell the furthest stage reached.

    A row holds the unit's records (`records_of`); four queries in all, five for a past date
    (`on`, or a historic scope's), where each record shows its status of that day
    (practices.history).
    """
    scope = MATRIX_SCOPES.get(scope_key) or MATRIX_SCOPES[DEFAULT_SCOPE]
    if on is not None:
        scope = scope_on(scope, on)
    lineage = Lineage.load(scope.date)
    agencies = list(
        Agency.objects.filter(kind__in=scope.kinds).valid_on(scope.date).order_by("sort_name")
    )
    practices = list(live_practices())
    unit_ids = {agency.id for agency in agencies}
    column = {practice.id: index for index, practice in enumerate(practices)}
    cells = {agency.id: [MatrixCell(practice=p) for p in practices] for agency in agencies}
    record_count = dict.fromkeys(unit_ids, 0)

    records = records_of(unit_ids, lineage).select_related("agency")
    adoptions = records
    if scope.is_historic:
        # A snapshot of the past shows each record as it stood then, not what came later.
        adoptions = history.as_of(records, scope.date, history.steps_by_adoption(records))
    for adoption in adoptions:
        holders = record_holders(adoption.agency_id, adoption.agency.parent_id, unit_ids, lineage)
        for unit_id in holders:
            record_count[unit_id] += 1
            if adoption.practice_id not in column:
                continue
            cell = cells[unit_id][column[adoption.practice_id]]
            cell.count += 1
            if _better(adoption, cell.adoption):
                cell.adoption = adoption

    rows = [MatrixRow(agency, cells[agency.id], record_count[agency.id]) for agency in agencies]
    totals = [
        sum(1 for row in rows if row.cells[i].status == AdoptionStatus.ADOPTED)
        for i in range(len(practices))
    ]
    return Matrix(scope, MATRIX_SCOPES, practices, rows, totals)


@dataclass
class AdopterRow:
    adoption: Adoption
    current_units: list  # the units valid today that this record rolls up into


@dataclass
class PracticeAdoption:
    adopters: list
    not_adopted: list
    status_counts: dict
    on: datetime.date | None = None  # a past day the picture is of; None: today


RESULTS = Prefetch("results", queryset=AdoptionResult.objects.select_related("indicator"))


def _with_results(queryset):
    return queryset.prefetch_related(RESULTS)


def practice_adoption(practice, on=None):
    """Who adopted `practice` (and which current unit each record now belongs to), and who not;
    with `on`, as it stood that day, among the units of that day (practices.history)."""
    lineage = Lineage.load(on)
    current = list(
        Agency.objects.filter(kind__in=PROVINCIAL_KINDS + CENTRAL_KINDS)
        .valid_on(on or timezone.localdate())
        .order_by("sort_name")
    )
    by_id = {agency.id: agency for agency in current}
    unit_ids = set(by_id)
    adoptions = (
        _with_results(
            practice.adoptions.filter(live=True).select_related(
                "agency", "agency__parent", "adapted_from__agency", "evidence_document"
            )
        )
        # "Học tập từ" links only to a record the public can see.
        .annotate(
            source_is_public=Exists(
                Adoption.objects.public().filter(pk=OuterRef("adapted_from_id"))
            )
        )
        .order_by("agency__sort_name")
    )
    if on is not None:
        adoptions = history.as_of(adoptions, on, history.steps_by_adoption(adoptions))

    adopters, covered, status_counts = [], set(), defaultdict(int)
    for adoption in adoptions:
        adoption.public_source = adoption.adapted_from if adoption.source_is_public else None
        rolled = record_holders(adoption.agency_id, adoption.agency.parent_id, unit_ids, lineage)
        covered |= rolled
        status_counts[adoption.status] += 1
        adopters.append(
            AdopterRow(adoption, sorted((by_id[i] for i in rolled), key=lambda a: a.sort_name))
        )
    adopters.sort(key=lambda row: (-row.adoption.rank, row.adoption.agency.sort_name))
    not_adopted = [agency for agency in current if agency.id not in covered]
    return PracticeAdoption(adopters, not_adopted, dict(status_counts), on)


@dataclass
class AgencyProfile:
    agency: Agency
    page: object  # the page of its records the table lists (`trang`), see `adoptions`
    record_count: int  # all its records (on `on`), own and inherited
    statuses: object  # a queryset of (practice id, status) of all of them, read when asked
    predecessors: list
    successors: list
    departments: list
    on: datetime.date | None = None  # a past day the picture is of; None: today
    practice: object = None  # the practice the table is narrowed to (`giai-phap`), or None

    @property
    def adoptions(self):
        """The records of the page shown, each with `inherited` set when from another unit."""
        return self.page.object_list

    @cached_property
    def not_adopted(self):
        """The live practices none of its records had reached (discontinued ones count as
        not), read when asked: the page shows the gap list instead."""
        covered = {pid for pid, status in self.statuses if status != AdoptionStatus.DISCONTINUED}
        return [p for p in live_practices() if p.id not in covered]

    @property
    def existed(self):
        """Whether the unit existed on the day shown."""
        return self.on is None or self.agency.is_valid_on(self.on)


RECORDS_PER_PAGE = 50
# A practice's long texts, which a table of records never shows.
PRACTICE_TEXT = ("summary", "body", "legal_basis")


@dataclass
class AgencyRecords:
    records: object  # a queryset, in the table's order
    practice: object  # the practice they are narrowed to, or None
    count: int  # of `records`
    total: int  # of all the unit's records (on `on`)
    statuses: object  # a queryset of (practice id, status) of all of them


def agency_records(agency, on=None, practice_slug="", lineage=None):
    """An agency's records (`records_of`) as its page lists them: its own, its departments'
    and its predecessors'; with `on`, annotated as they stood that day
    (`history.annotate_as_of`, the pages' rule in SQL); of one practice's only when
    `practice_slug` names one of them."""
    records = records_of({agency.id}, lineage or Lineage.load(on))
    if on is not None:
        records = history.annotate_as_of(records, on)
    statuses = records.values_list("practice_id", "status_then" if on else "status")
    practice, total = None, records.count()
    count = total
    if practice_slug:
        practice = PracticePage.objects.filter(slug=practice_slug).first()
        narrowed = records.filter(practice=practice) if practice else records.none()
        narrowed_count = narrowed.count() if practice else 0
        if narrowed_count:
            records, count = narrowed, narrowed_count
        else:
            practice = None
    shown = (
        records.select_related("agency", "practice", "practice__category")
        .defer(*(f"practice__{name}" for name in PRACTICE_TEXT))
        .order_by("practice__category__sort_order", "practice__title", "-decided_on", "pk")
    )
    return AgencyRecords(shown, practice, count, total, statuses)


def agency_profile(agency, on=None, practice_slug="", page_number=None):
    """An agency's records (`agency_records`), one page of them (`page_number`): the link a
    record gives (`Adoption.get_absolute_url`) lands on it with `practice_slug`. Reads only
    the page's records in full, however many it has."""
    lineage = Lineage.load(on)
    found = agency_records(agency, on, practice_slug, lineage)
    paginator = Paginator(found.records, RECORDS_PER_PAGE)
    paginator.count = found.count  # counted above: no second COUNT query
    page = paginator.get_page(page_number)
    # "1 2 3 … 31": a province's records fill dozens of pages.
    page.numbers = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    if on is None:
        adoptions = list(page.object_list)
    else:
        adoptions = history.read_as_of(page.object_list, on)
    for adoption in adoptions:
        adoption.inherited = adoption.agency_id != agency.id
    prefetch_related_objects(adoptions, RESULTS)
    page.object_list = adoptions

    direct_predecessors = lineage.predecessors.get(agency.id, set())
    direct_successors = lineage.successors.get(agency.id, set())
    related = Agency.objects.filter(
        Q(id__in=direct_predecessors | direct_successors) | Q(parent=agency)
    ).order_by("sort_name")
    predecessors, successors, departments = [], [], []
    for other in related:
        if other.id in direct_predecessors:
            predecessors.append(other)
        elif other.id in direct_successors:
            successors.append(other)
        else:
            departments.append(other)
    return AgencyProfile(
        agency,
        page,
        found.total,
        found.statuses,
        predecessors,
        successors,
        departments,
        on,
        found.practice,
    )


AGENCY_PERIODS = {"hien-nay": "Đang tồn tại", "truoc-day": "Đã giải thể, sáp nhập"}


def agency_directory_units(params):
    """The public list of agencies, filtered by kind, period, region and a folded name
    search, in its order; and the filters as chosen."""
    agencies = Agency.objects.select_related("parent")
    kind = params.get("loai", "")
    if kind in AgencyKind.values:
        agencies = agencies.filter(kind=kind)
    period = params.get("thoi-ky", "hien-nay")
    today = timezone.localdate()
    if period == "hien-nay":
        agencies = agencies.current()
    elif period == "truoc-day":
        agencies = agencies.filter(valid_to__lt=today)
    region = params.get("vung", "")
    if region:
        agencies = agencies.filter(region=region)
    query = fold(params.get("q", ""))[:100]
    if query:
        agencies = agencies.filter(Q(name_folded__contains=query) | Q(code__iexact=query))
    selected = {"loai": kind, "thoi-ky": period, "vung": region, "q": params.get("q", "")}
    return agencies.order_by("sort_name", "valid_from", "pk"), selected


def agency_directory(params, per_page):
    """One page (`trang`) of `agency_directory_units`, each unit with its `record_count`."""
    agencies, selected = agency_directory_units(params)
    page = Paginator(agencies, per_page).get_page(params.get("trang"))
    page.object_list = with_record_counts(page.object_list)
    return {
        "page": page,
        "kinds": AgencyKind.choices,
        "periods": AGENCY_PERIODS,
        "regions": regions(),
        "selected": selected,
    }


def regions():
    return list(
        Agency.objects.exclude(region="")
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Catalogue:
    practices: list
    facets: dict
    selected: dict
    total: int


CATALOGUE_FILTERS = {
    "nhom": "Nhóm giải pháp",
    "vung": "Vùng",
    "loai": "Loại cơ quan",
    "trang-thai": "Trạng thái",
}


def catalogue(params):
    """Practices filtered by category and by who adopted them (region, agency kind, status).

    Each facet counts the practices the list would hold if that value were chosen, keeping
    the other filters; one grouped query per facet.
    """
    selected = {key: params.get(key, "") for key in CATALOGUE_FILTERS}

    def adoption_filter(skip=None):
        q = Q()
        if selected["vung"] and skip != "vung":
            q &= Q(agency__region=selected["vung"])
        if selected["loai"] and skip != "loai":
            q &= Q(agency__kind=selected["loai"])
        if selected["trang-thai"] and skip != "trang-thai":
            q &= Q(status=selected["trang-thai"])
        return q

    def practice_ids_matching(skip=None):
        q = adoption_filter(skip)
        if not q:
            return None
        return Adoption.objects.public().filter(q).values("practice_id")

    def filtered_practices(skip=None):
        practices = live_practices()
        if selected["nhom"] and skip != "nhom":
            practices = practices.filter(category__code=selected["nhom"])
        ids = practice_ids_matching(skip)
        if ids is not None:
            practices = practices.filter(id__in=ids)
        return practices

    practices = list(filtered_practices())
    adopter_counts = dict(
        Adoption.objects.public()
        .filter(adoption_filter(), practice__in=[p.id for p in practices])
        .filter(status=selected["trang-thai"] or AdoptionStatus.ADOPTED)
        .values("practice_id")
        .annotate(n=Count("agency_id", distinct=True))
        .values_list("practice_id", "n")
    )
    for practice in practices:
        practice.adopter_count = adopter_counts.get(practice.id, 0)

    category_counts = dict(
        filtered_practices(skip="nhom")
        .order_by()
        .values("category__code")
        .annotate(n=Count("id"))
        .values_list("category__code", "n")
    )
    facets = {
        "nhom": [
            FacetValue(c.code, c.name, category_counts.get(c.code, 0), c.code == selected["nhom"])
            for c in PracticeCategory.objects.all()
        ]
    }

    def adoption_facet(key, field_name, labels):
        practices_in_scope = filtered_practices(skip=key).values("id")
        counts = dict(
            Adoption.objects.public()
            .filter(adoption_filter(skip=key), practice__in=practices_in_scope)
            .order_by()
            .values(field_name)
            .annotate(n=Count("practice_id", distinct=True))
            .values_list(field_name, "n")
        )
        return [
            FacetValue(value, label, counts.get(value, 0), value == selected[key])
            for value, label in labels
        ]

    facets["vung"] = adoption_facet("vung", "agency__region", [(r, r) for r in regions()])
    facets["loai"] = adoption_facet("loai", "agency__kind", AgencyKind.choices)
    facets["trang-thai"] = adoption_facet("trang-thai", "status", AdoptionStatus.choices)
    return Catalogue(practices, facets, selected, len(practices))


def home_overview():
    today = timezone.localdate()
    return {
        "practice_count": PracticePage.objects.live().count(),
        "adoption_count": Adoption.objects.public().filter(status=AdoptionStatus.ADOPTED).count(),
        "adopting_agency_count": Adoption.objects.public()
        .filter(status=AdoptionStatus.ADOPTED)
        .values("agency_id")
        .distinct()
        .count(),
        "current_province_count": Agency.objects.provincial().valid_on(today).count(),
        "categories": PracticeCategory.objects.annotate(
            practice_count=Count("practices", filter=Q(practices__live=True), distinct=True)
        ).order_by("sort_order", "name"),
        "recent": Adoption.objects.public()
        .select_related("agency", "practice")
        .order_by("-decided_on", "-pk")[:6],
    }


def knowledge_index(index_page, params):
    pages = (
        KnowledgePage.objects.child_of(index_page)
        .live()
        .specific()
        .prefetch_related("tags")
        .order_by("title")
    )
    tag = params.get("the", "")
    if tag:
        pages = pages.filter(tags__slug=tag)
    tags = sorted(
        KnowledgePageTag.objects.filter(content_object__live=True)
        .values("tag__name", "tag__slug")
        .annotate(n=Count("id"))
        .order_by(),
        key=lambda tag: sort_key(tag["tag__name"]),
    )
    return {"pages": pages, "tags": tags, "selected_tag": tag}
