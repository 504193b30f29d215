"""The lists of the site as tables to download: each made by the query the page itself
uses, with the page's filters, so that a file holds exactly the rows the page shows.

Column names are the import format's (`practices.resources.columns`) where one exists, and
the values are written as an export writes them (dates dd/mm/yyyy, statuses and evidence
levels as their codes), so that a downloaded list of records is also a file to import.
Only what the public pages show is written: approved records of published practices, and
of evidence, the public link and the address of the evidence view (which asks the
permission policy itself), never a storage path.
"""

import dataclasses
import html
from collections.abc import Iterable

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.html import strip_tags

from indicators.models import IndicatorValue
from indicators.resources import IndicatorValueResource
from kb.links import absolute_url
from practices import history, queries
from practices.evidence.storage import evidence_url
from practices.models import Agency
from practices.periods import Successions
from practices.resources.widgets import DateWidget
from practices.resources.writers import batches
from search import queries as search_queries
from search.results import MAX_PAGE, PAGE_SIZE

BATCH = 1000  # records read at a time: a download of any size holds one batch


@dataclasses.dataclass
class Table:
    name: str  # the file's name, without its extension
    headers: list
    rows: Iterable  # lists of cells in the order of `headers`


def _date(value):
    return DateWidget().render(value)


# --- Records (a practice's adopters, an agency's records) ---------------------------------

RECORD_COLUMNS = [
    "practice",
    "practice_title",
    "agency",
    "agency_slug",
    "agency_name",
    "status",
    "decided_on",
    "instrument",
    "evidence_url",
    "evidence_file",
    "evidence_level",
    "results",
    "notes",
    "url",
]


def _results(adoption):
    return "; ".join(
        f"{result.indicator.name}: {result.display_value}"
        + (" (chỉ tiêu)" if result.kind == "target" else "")
        for result in adoption.results.all()
    )


def _record_row(request, adoption):
    """A record as its row in the tables of the practice and agency pages."""
    file_url = evidence_url(adoption.evidence_file.name) if adoption.evidence_file else ""
    return [
        adoption.practice.slug,
        adoption.practice.title,
        adoption.agency.code,
        adoption.agency.slug,
        adoption.agency.name,
        adoption.status,
        _date(adoption.decided_on),
        adoption.instrument,
        adoption.evidence_url,
        absolute_url(request, file_url) if file_url else "",
        adoption.evidence_level,
        _results(adoption),
        adoption.notes,
        absolute_url(request, adoption),
    ]


def practice_adopters(request, practice, on=None):
    """The units that recorded `practice` (`queries.practice_adoption`), in the page's order,
    with the current units each record now belongs to."""
    adoption = queries.practice_adoption(practice, on)
    suffix = f"-ngay-{on:%Y-%m-%d}" if on else ""
    return Table(
        f"ap-dung-{practice.slug}{suffix}",
        [*RECORD_COLUMNS, "current_units"],
        (
            [
                *_record_row(request, row.adoption),
                "; ".join(unit.code for unit in row.current_units),
            ]
            for row in adoption.adopters
        ),
    )


def agency_records(request, agency, on=None, practice_slug=""):
    """An agency's records (`queries.agency_records`), every page of them, read a batch at a
    time."""
    found = queries.agency_records(agency, on, practice_slug)

    def rows():
        for batch in batches(found.records.iterator(chunk_size=BATCH), BATCH):
            if on is not None:
                batch = history.read_as_of(batch, on)
            prefetch_related_objects(batch, queries.RESULTS)
            for adoption in batch:
                yield _record_row(request, adoption)

    suffix = f"-{found.practice.slug}" if found.practice else ""
    suffix += f"-ngay-{on:%Y-%m-%d}" if on else ""
    return Table(f"ghi-nhan-{agency.slug}{suffix}", RECORD_COLUMNS, rows())


# --- The catalogue, the matrix, the agencies -----------------------------------------------

CATALOGUE_COLUMNS = ["slug", "title", "category", "summary", "adopter_count", "url"]


def catalogue(request):
    """The catalogue as filtered (`queries.catalogue`): practice, category, summary and the
    number of units that adopted it (of the chosen status, when one is chosen)."""
    found = queries.catalogue(request.GET)
    return Table(
        "danh-muc-giai-phap",
        CATALOGUE_COLUMNS,
        (
            [p.slug, p.title, p.category.code, p.summary, p.adopter_count, absolute_url(request, p)]
            for p in found.practices
        ),
    )


def matrix(scope_key, on=None):
    """The replication matrix (`queries.replication_matrix`): a row per unit, a column per
    practice (its slug) holding the status of the unit's furthest record, empty for none."""
    found = queries.replication_matrix(scope_key, on)
    suffix = f"-ngay-{on:%Y-%m-%d}" if on else ""
    return Table(
        f"ma-tran-{found.scope.key}{suffix}",
        ["agency", "agency_slug", "agency_name", *(p.slug for p in found.practices)],
        (
            [row.agency.code, row.agency.slug, row.agency.name, *(c.status for c in row.cells)]
            for row in found.rows
        ),
    )


AGENCY_COLUMNS = [
    "code",
    "slug",
    "name",
    "short_name",
    "kind",
    "parent",
    "region",
    "region_8",
    "valid_from",
    "valid_to",
    "successors",
    "record_count",
    "url",
]


def agencies(request):
    """The list of agencies as filtered (`queries.agency_directory_units`), every page."""
    units, _ = queries.agency_directory_units(request.GET)
    units = units.prefetch_related(Prefetch("successors", Agency.objects.order_by("sort_name")))

    def rows():
        for batch in batches(units.iterator(chunk_size=BATCH), BATCH):
            for unit in queries.with_record_counts(batch):
                yield [
                    unit.code,
                    unit.slug,
                    unit.name,
                    unit.short_name,
                    unit.kind,
                    unit.parent.slug if unit.parent else "",
                    unit.region,
                    unit.region_8,
                    _date(unit.valid_from),
                    _date(unit.valid_to),
                    "; ".join(successor.slug for successor in unit.successors.all()),
                    unit.record_count,
                    absolute_url(request, unit),
                ]

    return Table("co-quan-don-vi", AGENCY_COLUMNS, rows())


# --- Search results, indicator values -----------------------------------------------------

SEARCH_COLUMNS = ["rank", "type", "title", "category", "agency", "snippet", "missing", "url"]
SEARCH_ROWS = PAGE_SIZE * MAX_PAGE  # as many as the pages can show


def search_results(request, search_request):
    """The results of a search (`search.queries.run`), up to as many as its pages show."""
    search_request.page, search_request.page_size = 1, SEARCH_ROWS
    found = search_queries.run(search_request)
    return Table(
        "ket-qua-tim-kiem",
        SEARCH_COLUMNS,
        (
            [
                rank,
                hit.type,
                hit.title,
                hit.category,
                hit.agency,
                html.unescape(strip_tags(hit.snippet)),  # the text, without its marks
                "; ".join(hit.missing),
                absolute_url(request, hit.url),
            ]
            for rank, hit in enumerate(found.hits, start=1)
        ),
    )


def indicator_values(indicator_code="", agency=None):
    """Indicator values (all public), in the columns their import reads, of one indicator
    (`chi-so`) and of one unit (`co-quan`) when asked: as its page shows them, its own and
    those of the units it succeeded."""
    values = IndicatorValue.objects.select_related("indicator", "agency").order_by(
        "indicator__code", "agency__sort_name", "period_start", "period_kind", "kind", "pk"
    )
    if indicator_code:
        values = values.filter(indicator__code=indicator_code)
    if agency is not None:
        values = values.filter(
            agency_id__in=Successions.load().predecessors({agency.pk}) | {agency.pk}
        )
    resource = IndicatorValueResource()
    name = "chi-so" + (f"-{indicator_code}" if indicator_code else "")
    name += f"-{agency.slug}" if agency is not None else ""
    return Table(
        name,
        resource.get_export_headers(),
        (resource.export_resource(value) for value in values.iterator(chunk_size=BATCH)),
    )
