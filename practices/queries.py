"""Every read the public pages make, in one place.

Each function runs a fixed number of SQL queries whatever the number of agencies and
adoptions: succession chains are walked in Python over one query of the `Succession` table,
never with a query per unit.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from kb.models import KnowledgePage, KnowledgePageTag
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
    """The succession graph, loaded with one query and walked in memory."""

    def __init__(self, links):
        self.predecessors = defaultdict(set)
        self.successors = defaultdict(set)
        for predecessor_id, successor_id in links:
            self.predecessors[successor_id].add(predecessor_id)
            self.successors[predecessor_id].add(successor_id)

    @classmethod
    def load(cls):
        return cls(Succession.objects.values_list("predecessor_id", "successor_id"))

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

    def roll_up(self, agency_id, units):
        """The units among `units` whose records include those of `agency_id`.

        A unit holds its own records and those of every predecessor, never a successor's:
        a record rolls forward in time, not back.
        """
        if agency_id in units:
            return {agency_id}
        return self.descendants(agency_id) & units


def _owner_id(adoption):
    """A department's adoption counts for the province or ministry it belongs to."""
    agency = adoption.agency
    if agency.kind == AgencyKind.DEPARTMENT and agency.parent_id:
        return agency.parent_id
    return agency.id


def _adoptions_rolling_into(unit_ids, lineage, **filters):
    """Adoptions by `unit_ids`, their predecessors, and departments of either, in one query."""
    relevant = set(unit_ids)
    for unit_id in unit_ids:
        relevant |= lineage.ancestors(unit_id)
    return (
        Adoption.objects.public()
        .filter(Q(agency_id__in=relevant) | Q(agency__parent_id__in=relevant))
        .filter(**filters)
        .select_related("agency")
    )


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

    @property
    def adopted_count(self):
        return sum(1 for cell in self.cells if cell.status == AdoptionStatus.ADOPTED)


@dataclass
class Matrix:
    scope: MatrixScope
    scopes: dict
    practices: list
    rows: list
    column_totals: list


def replication_matrix(scope_key):
    """Agencies × practices for one scope, each cell the furthest stage reached.

    A row collects the adoptions of the unit itself, of its predecessors and of their
    departments; four queries in all.
    """
    scope = MATRIX_SCOPES.get(scope_key) or MATRIX_SCOPES[DEFAULT_SCOPE]
    lineage = Lineage.load()
    agencies = list(
        Agency.objects.filter(kind__in=scope.kinds).valid_on(scope.date).order_by("sort_name")
    )
    practices = list(live_practices())
    unit_ids = {agency.id for agency in agencies}
    column = {practice.id: index for index, practice in enumerate(practices)}
    cells = {agency.id: [MatrixCell() for _ in practices] for agency in agencies}

    adoptions = _adoptions_rolling_into(unit_ids, lineage)
    if scope.is_historic:
        # A snapshot of the past shows what was decided by then, not what came later.
        adoptions = adoptions.filter(decided_on__lte=scope.date)
    for adoption in adoptions:
        if adoption.practice_id not in column:
            continue
        for unit_id in lineage.roll_up(_owner_id(adoption), unit_ids):
            cell = cells[unit_id][column[adoption.practice_id]]
            cell.count += 1
            if _better(adoption, cell.adoption):
                cell.adoption = adoption

    rows = [MatrixRow(agency, cells[agency.id]) for agency in agencies]
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


def _with_results(queryset):
    return queryset.prefetch_related(
        Prefetch("results", queryset=AdoptionResult.objects.select_related("indicator"))
    )


def practice_adoption(practice):
    """Who adopted `practice` (and which current unit each record now belongs to), and who not."""
    lineage = Lineage.load()
    current = list(
        Agency.objects.filter(kind__in=PROVINCIAL_KINDS + CENTRAL_KINDS)
        .current()
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

    adopters, covered, status_counts = [], set(), defaultdict(int)
    for adoption in adoptions:
        adoption.public_source = adoption.adapted_from if adoption.source_is_public else None
        rolled = lineage.roll_up(_owner_id(adoption), unit_ids)
        covered |= rolled
        status_counts[adoption.status] += 1
        adopters.append(
            AdopterRow(adoption, sorted((by_id[i] for i in rolled), key=lambda a: a.sort_name))
        )
    adopters.sort(key=lambda row: (-row.adoption.rank, row.adoption.agency.sort_name))
    not_adopted = [agency for agency in current if agency.id not in covered]
    return PracticeAdoption(adopters, not_adopted, dict(status_counts))


@dataclass
class AgencyProfile:
    agency: Agency
    adoptions: list  # own and inherited, each with `inherited` set when from another unit
    not_adopted: list
    predecessors: list
    successors: list
    departments: list


def agency_profile(agency):
    """An agency's own adoptions plus those it inherited from predecessors or departments."""
    lineage = Lineage.load()
    adoptions = list(
        _with_results(
            _adoptions_rolling_into({agency.id}, lineage).select_related(
                "practice", "practice__category"
            )
        ).order_by("practice__category__sort_order", "practice__title", "-decided_on")
    )
    for adoption in adoptions:
        adoption.inherited = adoption.agency_id != agency.id
    covered = {a.practice_id for a in adoptions if a.status != AdoptionStatus.DISCONTINUED}
    not_adopted = [p for p in live_practices() if p.id not in covered]

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
    return AgencyProfile(agency, adoptions, not_adopted, predecessors, successors, departments)


AGENCY_PERIODS = {"hien-nay": "Đang tồn tại", "truoc-day": "Đã giải thể, sáp nhập"}


def agency_directory(params):
    """The public list of agencies, filtered by kind, period, region and a folded name search."""
    agencies = Agency.objects.select_related("parent").annotate(
        adoption_count=Count("adoptions", filter=Q(adoptions__live=True), distinct=True)
    )
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
    return {
        "agencies": agencies.order_by("sort_name", "valid_from"),
        "kinds": AgencyKind.choices,
        "periods": AGENCY_PERIODS,
        "regions": regions(),
        "selected": {"loai": kind, "thoi-ky": period, "vung": region, "q": params.get("q", "")},
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
