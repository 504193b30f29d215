"""What each public record looks like in search, and the Elasticsearch mapping that holds it.

The node has no analysis plugins, so Vietnamese folding happens here, in Python: every text
field is stored twice, as written (NFC) and folded (`practices.text.fold_aligned`), and both
are analysed by the built-in `standard` analyzer. A query matches the folded copy whatever
the diacritics typed, and the original copy adds score when the diacritics agree.
"""

import functools

from django.utils.html import strip_tags

from elasticsearch.dsl import Completion, Document, Integer, Keyword, Text

from kb.models import KnowledgePage
from practices.models import Adoption, AdoptionStatus, Agency, AgencyKind, PracticePage
from practices.text import fold, fold_aligned, normalise
from search.models import DocumentType

MAX_BODY_CHARS = 20_000
STATUS_LABELS = dict(AdoptionStatus.choices)


class ContentDocument(Document):
    """One public record: a practice, an adoption, an agency or a knowledge-base page."""

    type = Keyword()
    title = Text(analyzer="standard")
    title_folded = Text(analyzer="standard")
    body = Text(analyzer="standard")
    body_folded = Text(analyzer="standard")
    url = Keyword(index=False)
    category = Keyword()
    region = Keyword()
    agency_kind = Keyword()
    agency_code = Keyword()
    status = Keyword()
    year = Integer()
    # Suggestions as you type: inputs are folded, so "ho so" and "hồ sơ" complete alike.
    suggest = Completion(analyzer="simple", preserve_separators=True)

    class Index:
        # A replica on another node when the cluster has more than one: a node lost, its
        # copy answers (and none on a single node, which would stay yellow for ever).
        settings = {"number_of_shards": 1, "auto_expand_replicas": "0-1"}


def _text(parts, sep=" "):
    """The text of `parts` as stored, and folded (`fold_aligned`).

    Made part by part: no step of `normalise` looks across a space or a colon, folding goes
    character by character, and the same names and labels come back on thousands of rows.
    """
    pieces = [_forms(str(part)) for part in parts if part]
    text = sep.join(text for text, _ in pieces)[:MAX_BODY_CHARS]
    return text, sep.join(folded for _, folded in pieces)[:MAX_BODY_CHARS]


def _forms(part):
    # Names, titles and labels are cached; a page's body is not (it seldom comes back, and
    # thousands of them would hold tens of MB).
    return _short_forms(part) if len(part) <= SHORT_PART_CHARS else _forms_of(part)


def _forms_of(part):
    text = normalise(part)
    return text, fold_aligned(text)


SHORT_PART_CHARS = 300
_short_forms = functools.lru_cache(maxsize=8192)(_forms_of)


def _stream_text(stream_value):
    parts = []
    for block in stream_value:
        for piece in block.block.get_searchable_content(block.value):
            parts.append(strip_tags(str(piece)))
    return " ".join(parts)


def _row(key, doc_type, title_parts, body_parts, url, **facets):
    title, title_folded = _text(title_parts, sep=": ")
    body, body_folded = _text(body_parts)
    return {
        "key": key,
        "type": doc_type,
        "title": title,
        "body": body,
        "url": url,
        "title_folded": title_folded,
        "body_folded": body_folded,
        "category": facets.get("category") or "",
        "region": facets.get("region") or "",
        "agency_kind": facets.get("agency_kind") or "",
        "agency_code": facets.get("agency_code") or "",
        "status": facets.get("status") or "",
        "year": facets.get("year"),
    }


def _practice_year(page):
    """The year of the earliest cited source, else the year the page was first published."""
    dated = [source.published_on for source in page.sources.all() if source.published_on]
    if dated:
        return min(dated).year
    return page.first_published_at.year if page.first_published_at else None


def practice_row(page):
    return _row(
        f"practice:{page.pk}",
        DocumentType.PRACTICE,
        (page.title,),
        (page.summary, _stream_text(page.body), page.legal_basis, page.category.name),
        page.url,
        category=page.category.code,
        year=_practice_year(page),
    )


def adoption_row(adoption, results=None):
    """`results`: the adoption's results, when the caller has them (else they are read)."""
    agency, practice = adoption.agency, adoption.practice
    if results is None:
        results = adoption.results.all()
    results = " ".join(f"{r.indicator.name} {r.display_value} {r.note}" for r in results)
    owner = agency.parent if agency.kind == AgencyKind.DEPARTMENT and agency.parent else agency
    return _row(
        f"adoption:{adoption.pk}",
        DocumentType.ADOPTION,
        (agency.name, practice.title),
        (
            STATUS_LABELS.get(adoption.status, adoption.status),  # get_status_display, cached
            adoption.instrument,
            adoption.notes,
            results,
            agency.short_name,
            owner.name if owner != agency else "",
        ),
        adoption.get_absolute_url(),
        category=practice.category.code,
        region=agency.region,
        agency_kind=agency.kind,
        agency_code=agency.code,
        status=adoption.status,
        year=adoption.decided_on.year if adoption.decided_on else None,
    )


def agency_row(agency):
    return _row(
        f"agency:{agency.pk}",
        DocumentType.AGENCY,
        (agency.name,),
        (
            agency.short_name,
            agency.name_en,
            agency.get_kind_display(),
            agency.parent.name if agency.parent else "",
            agency.region,
            f"mã {agency.code}",
            agency.period_label,
            agency.notes,
        ),
        agency.get_absolute_url(),
        region=agency.region,
        agency_kind=agency.kind,
        agency_code=agency.code,
    )


def guidance_row(page):
    page = page.specific
    extra = [getattr(page, name, "") for name in ("term", "abbreviation", "document_number")]
    return _row(
        f"guidance:{page.pk}",
        DocumentType.GUIDANCE,
        (page.title,),
        (
            *extra,
            page.summary,
            _stream_text(page.body),
            " ".join(tag.name for tag in page.tags.all()),
        ),
        page.url,
        year=page.published_on.year if page.published_on else None,
    )


def public_rows():
    """Every public record, prepared for search, with a bounded number of queries per type."""
    for page in PracticePage.objects.live().select_related("category").prefetch_related("sources"):
        yield practice_row(page)
    adoptions = (
        Adoption.objects.public()
        .select_related("agency", "agency__parent", "practice", "practice__category")
        .prefetch_related("results__indicator")
    )
    for adoption in adoptions.iterator(chunk_size=2000):
        yield adoption_row(adoption)
    for agency in Agency.objects.select_related("parent").iterator(chunk_size=2000):
        yield agency_row(agency)
    for page in KnowledgePage.objects.live().specific().prefetch_related("tags"):
        yield guidance_row(page)


INDEXED_FIELDS = [
    "type",
    "title",
    "title_folded",
    "body",
    "body_folded",
    "url",
    "category",
    "region",
    "agency_kind",
    "agency_code",
    "status",
    "year",
]
SUGGEST_WEIGHTS = {
    DocumentType.PRACTICE: 40,
    DocumentType.GUIDANCE: 30,
    DocumentType.AGENCY: 20,
    DocumentType.ADOPTION: 10,
}
# Leading words people leave out when they type a unit's name ("bắc ninh", not "tỉnh bắc ninh").
UNIT_PREFIXES = ("tinh ", "thanh pho ", "tp ", "bo ", "so ", "cuc ", "uy ban ")


def suggest_inputs(doc_type, title):
    folded = fold(title)
    inputs = {folded}
    if doc_type == DocumentType.AGENCY:
        for prefix in UNIT_PREFIXES:
            if folded.startswith(prefix):
                inputs.add(folded[len(prefix) :])
    return sorted(inputs)


def to_elasticsearch(row):
    """The index body of a prepared row: its stored fields plus completion inputs."""
    body = {field: row[field] for field in INDEXED_FIELDS}
    body["suggest"] = {
        "input": suggest_inputs(row["type"], row["title"]),
        "weight": SUGGEST_WEIGHTS[row["type"]],
    }
    return body
