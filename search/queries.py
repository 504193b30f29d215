"""Every public search is built here: parsing, synonyms, filters, facets, highlighting,
paging, "did you mean" and suggestions, on Elasticsearch or, when the node is unset or
down, on the database, with the same folding and the same result shape.
"""

import dataclasses
import difflib
import logging
import re
from collections import Counter

from django.conf import settings
from django.db.models import Count, Q
from django.utils.html import escape
from django.utils.safestring import mark_safe

from elasticsearch import ApiError, TransportError
from elasticsearch.dsl import Q as EQ
from elasticsearch.dsl import Search

from kb.spans import merged
from practices.models import AdoptionStatus, AgencyKind, PracticeCategory
from practices.text import fold, fold_aligned, normalise
from search.client import get_client
from search.models import DocumentType, SearchDocument, SynonymGroup
from search.sync import alias

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 500
PAGE_SIZE = 10
MAX_PAGE = 100
SNIPPET_LENGTH = 220
MARK_START, MARK_END = "\ue000", "\ue001"  # private-use characters never found in content
FACETS = ["type", "category", "region", "agency_kind", "status", "year"]
FACET_LABELS = {
    "type": "Loại nội dung",
    "category": "Nhóm giải pháp",
    "region": "Vùng",
    "agency_kind": "Loại cơ quan",
    "status": "Trạng thái",
    "year": "Năm",
}
TITLE_BOOST = 3
EXACT_BOOST = 2
PHRASE_BOOST = 4
DB_CANDIDATES = 2000
RESCORE_WINDOW = 100
TOKEN = re.compile(r"\w+")


WORDS_NOTICE = (
    "Từ khóa có nhiều hơn {limit} từ khác nhau nên chỉ {limit} từ đầu tiên được dùng để tìm: "
    "“{used}”."
)


class QueryError(ValueError):
    """A query that cannot be run; the message is shown to the user as it is."""


@dataclasses.dataclass
class Unit:
    """One thing the query asks for: a word, or a synonym group found in the query."""

    text: str  # folded
    alternatives: list = dataclasses.field(default_factory=list)  # folded

    @property
    def variants(self):
        return [self.text, *self.alternatives]


@dataclasses.dataclass
class SearchRequest:
    text: str = ""  # normalised as typed (NFC, lower case)
    units: list = dataclasses.field(default_factory=list)
    phrases: list = dataclasses.field(default_factory=list)  # folded quoted phrases
    filters: dict = dataclasses.field(default_factory=dict)
    page: int = 1
    page_size: int = PAGE_SIZE
    words_cut: int = 0  # the word limit the text was cut to; 0 when it was not cut

    @property
    def folded(self):
        return fold_aligned(self.text)

    @property
    def is_empty(self):
        return not self.units and not self.phrases


@dataclasses.dataclass
class Hit:
    type: str
    title: str
    title_html: str
    url: str
    snippet: str
    category: str
    agency: str
    score: float


@dataclasses.dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclasses.dataclass
class SearchResults:
    request: SearchRequest
    total: int
    hits: list
    facets: dict
    engine: str
    did_you_mean: str = ""
    notice: str = ""

    @property
    def page_count(self):
        return min(MAX_PAGE, max(1, -(-self.total // self.request.page_size)))


# --- Parsing -----------------------------------------------------------------------------


def _tokens(folded_text):
    return TOKEN.findall(folded_text)


def load_synonyms():
    """Synonym groups as lists of folded token tuples (one query)."""
    groups = []
    for group in SynonymGroup.objects.all():
        variants = [tuple(_tokens(v)) for v in group.folded_variants]
        groups.append([v for v in variants if v])
    return groups


def to_units(tokens, synonyms, max_alternatives=None):
    """Group query tokens into units, taking the longest synonym variant found at each place.

    A unit that repeats an earlier one is dropped: asking twice for a word changes nothing
    in what matches, and every unit costs a pattern per document on the database engine.
    Each unit keeps at most `max_alternatives` synonyms (SEARCH_MAX_SYNONYMS).
    """
    if max_alternatives is None:
        max_alternatives = settings.SEARCH_MAX_SYNONYMS
    units, seen, i = [], set(), 0
    while i < len(tokens):
        best = None
        for group in synonyms:
            for variant in group:
                n = len(variant)
                if tuple(tokens[i : i + n]) == variant and (best is None or n > len(best[0])):
                    best = (variant, group)
        if best:
            variant, group = best
            others = [" ".join(v) for v in group if v != variant][:max_alternatives]
            unit = Unit(" ".join(variant), others)
            i += len(variant)
        else:
            unit = Unit(tokens[i])
            i += 1
        if unit.text not in seen:
            seen.add(unit.text)
            units.append(unit)
    return units


# The words people wrap a query in, that no answer contains: questions ("dvctt toàn trình là
# gì", "vì sao …") and requests ("cách nộp hồ sơ …", "thủ tục để đăng ký …"). Folded, as the
# tokens are; a phrase is dropped only at its end of the query, and only whole. Words that are
# also the catalogue's own ("thủ tục" alone, "hướng dẫn") are kept.
LEADING_QUESTION_WORDS = [
    ("lam", "the", "nao", "de"),
    ("lam", "sao", "de"),
    ("thu", "tuc", "de"),
    ("cho", "hoi"),
    ("toi", "muon"),
    ("tai", "sao"),
    ("vi", "sao"),
    ("lam", "sao"),
    ("cach",),
    ("muon",),
]
TRAILING_QUESTION_WORDS = [
    ("nhu", "the", "nao"),
    ("duoc", "khong"),
    ("la", "gi"),
    ("the", "nao"),
    ("ra", "sao"),
    ("o", "dau"),
    ("tai", "sao"),
    ("vi", "sao"),
    ("khong",),
]


def drop_question_words(tokens):
    """Tokens without the question and request words at either end (as many as there are),
    unless nothing else would be left."""
    tokens = list(tokens)
    changed = True
    while changed:
        changed = False
        for phrase in LEADING_QUESTION_WORDS:
            n = len(phrase)
            if len(tokens) > n and tuple(tokens[:n]) == phrase:
                tokens, changed = tokens[n:], True
                break
        for phrase in TRAILING_QUESTION_WORDS:
            n = len(phrase)
            if len(tokens) > n and tuple(tokens[-n:]) == phrase:
                tokens, changed = tokens[:-n], True
                break
    return tokens


def limit_words(text, limit):
    """`text` cut just before its (limit + 1)-th distinct word, and whether it was cut.

    Words are compared folded, so "hồ sơ ho so" is two words; a repeated word counts once.
    Every engine receives only what is left: the database engine's cost grows with the
    number of words times the number of documents.
    """
    seen = set()
    for match in TOKEN.finditer(fold_aligned(text)):
        word = match.group()
        if word in seen:
            continue
        if len(seen) == limit:
            return text[: match.start()].rstrip(), True
        seen.add(word)
    return text, False


def parse(params, synonyms=None, max_words=None):
    """A SearchRequest from query parameters; raises QueryError with a Vietnamese message.

    The text is cut to `max_words` distinct words (SEARCH_MAX_WORDS); `words_cut` then
    says so, and the results carry a notice.
    """
    raw = params.get("q", "") or ""
    if len(raw) > MAX_QUERY_LENGTH:
        raise QueryError(f"Từ khóa quá dài: tối đa {MAX_QUERY_LENGTH} ký tự.")
    max_words = settings.SEARCH_MAX_WORDS if max_words is None else max_words
    text, cut = limit_words(" ".join(normalise(raw).lower().split()), max_words)
    # fold_aligned, like the documents: `fold` would spell symbols out ("😀" → "grinning").
    phrases = list(dict.fromkeys(fold_aligned(p) for p in re.findall(r'"([^"]+)"', text)))
    rest = re.sub(r'"[^"]*"', " ", text).replace('"', " ")
    synonyms = load_synonyms() if synonyms is None else synonyms
    filters = {}
    for name in FACETS:
        value = normalise(params.get(name) or "").strip()
        if not value:
            continue
        if name == "year" and not (value.isascii() and value.isdigit()):
            raise QueryError("Năm phải là một số, ví dụ 2022.")
        filters[name] = int(value) if name == "year" else value[:80]
    try:
        page = int(params.get("page") or params.get("trang") or 1)
    except ValueError:
        raise QueryError("Số trang không hợp lệ.") from None
    if not 1 <= page <= MAX_PAGE:
        raise QueryError(f"Số trang phải từ 1 đến {MAX_PAGE}.")
    return SearchRequest(
        text=text,
        units=to_units(drop_question_words(_tokens(fold_aligned(rest))), synonyms),
        phrases=[p for p in phrases if _tokens(p)],
        filters=filters,
        page=page,
        words_cut=max_words if cut else 0,
    )


# --- Highlighting (shared by both engines) ---------------------------------------------------


def spans_from_marked(marked):
    """Positions of marked runs in a text carrying MARK_START/MARK_END around matches."""
    spans, plain_pos, start = [], 0, None
    for char in marked:
        if char == MARK_START:
            start = plain_pos
        elif char == MARK_END:
            if start is not None:
                spans.append((start, plain_pos))
            start = None
        else:
            plain_pos += 1
    return spans


def spans_for(folded_text, request):
    """Where the request's words (any synonym variant) and phrases occur in folded text."""
    patterns = [v for unit in request.units for v in unit.variants] + request.phrases
    spans = []
    for pattern in patterns:
        regex = r"(?<![a-z0-9])" + r"\W+".join(map(re.escape, _tokens(pattern))) + r"(?![a-z0-9])"
        spans += [m.span() for m in re.finditer(regex, folded_text)]
    return merged(spans)


def mark(text, spans, start=0, end=None):
    """HTML of text[start:end] with <mark> around spans; everything else escaped."""
    end = len(text) if end is None else end
    out, pos = [], start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out += [escape(text[pos:s]), "<mark>", escape(text[s:e]), "</mark>"]
        pos = e
    out.append(escape(text[pos:end]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def snippet(text, spans, length=SNIPPET_LENGTH):
    """A window of `text` around its first match, with matches marked."""
    if not text:
        return mark_safe("")
    first = spans[0][0] if spans else 0
    start = max(0, first - length // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first else end
    html = mark(text, spans, start, end)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(f"{prefix}{html}{suffix}")  # noqa: S308 - `mark` escapes


# --- Labels ----------------------------------------------------------------------------------


def facet_labels():
    return {
        "type": dict(DocumentType.choices),
        "category": dict(PracticeCategory.objects.values_list("code", "name")),
        "agency_kind": dict(AgencyKind.choices),
        "status": dict(AdoptionStatus.choices),
    }


def _facet_values(name, counts, request, labels):
    selected = request.filters.get(name)
    values = [
        FacetValue(str(value), labels.get(name, {}).get(value, str(value)), n, value == selected)
        for value, n in counts
        if value not in ("", None)
    ]
    if name == "year":
        values.sort(key=lambda v: v.value, reverse=True)
    return values


# --- Elasticsearch -----------------------------------------------------------------------


def _variant_clause(folded_variant):
    return EQ(
        "multi_match",
        query=folded_variant,
        type="phrase",
        fields=[f"title_folded^{TITLE_BOOST}", "body_folded"],
    )


def text_query(request):
    """The part of the query that decides what matches (also used for highlighting)."""
    must = [
        EQ("bool", should=[_variant_clause(v) for v in unit.variants], minimum_should_match=1)
        for unit in request.units
    ]
    must += [_variant_clause(phrase) for phrase in request.phrases]
    return EQ("bool", must=must)


def _filter_clauses(filters, skip=None):
    return [EQ("term", **{name: value}) for name, value in filters.items() if name != skip]


def build_search(request, index="content"):
    """The Elasticsearch request for `request`, as an elasticsearch.dsl Search (no I/O)."""
    search = Search(index=index)
    matching = text_query(request)
    should = [
        # The same words with the diacritics as typed rank above a folded-only match.
        EQ(
            "multi_match",
            query=request.text,
            fields=[f"title^{TITLE_BOOST}", "body"],
            boost=EXACT_BOOST,
        ),
        # Syllables of a word together ("hồ sơ") rank above the same syllables apart.
        EQ(
            "multi_match",
            query=request.folded,
            type="phrase",
            fields=[f"title_folded^{TITLE_BOOST}", "body_folded"],
            boost=PHRASE_BOOST,
        ),
        EQ(
            "multi_match",
            query=request.text,
            type="phrase",
            fields=[f"title^{TITLE_BOOST}", "body"],
            boost=PHRASE_BOOST,
        ),
    ]
    search = search.query(EQ("bool", must=[matching]))
    # The ranking clauses only reorder the best matches: run on every match they cost more
    # than the match itself (see BENCHMARKS.md).
    window = max(RESCORE_WINDOW, request.page * request.page_size)
    search = search.extra(
        rescore={
            "window_size": window,
            "query": {"rescore_query": EQ("bool", should=should).to_dict()},
        }
    )
    if request.filters:
        search = search.post_filter(EQ("bool", filter=_filter_clauses(request.filters)))
    for name in FACETS:
        others = _filter_clauses(request.filters, skip=name)
        search.aggs.bucket(name, "filter", filter=EQ("bool", filter=others)).bucket(
            "values", "terms", field=name, size=60
        )
    search = search.highlight(
        "title_folded",
        "body_folded",
        number_of_fragments=0,
        pre_tags=[MARK_START],
        post_tags=[MARK_END],
        highlight_query=matching.to_dict(),
    )
    words = " ".join(dict.fromkeys(_tokens(request.folded)))  # each word asked about once
    if words:
        search = search.suggest(
            "did_you_mean", words, term={"field": "title_folded", "sort": "score"}
        )
    start = (request.page - 1) * request.page_size
    search = search.source(["type", "title", "body", "url", "category", "agency_code"])
    return search[start : start + request.page_size]


def _did_you_mean(request, options_by_token):
    changed, words = False, []
    for token in _tokens(request.folded):
        best = options_by_token.get(token)
        if best:
            words.append(best)
            changed = True
        else:
            words.append(token)
    return " ".join(words) if changed else ""


def search_elasticsearch(client, request, labels):
    response = build_search(request, index=alias()).using(client).execute()
    hits = []
    for hit in response.hits:
        source = hit.to_dict()
        highlight = getattr(hit.meta, "highlight", None)
        title_spans = body_spans = []
        if highlight is not None:
            if "title_folded" in highlight:
                title_spans = spans_from_marked(highlight["title_folded"][0])
            if "body_folded" in highlight:
                body_spans = spans_from_marked(highlight["body_folded"][0])
        hits.append(
            Hit(
                type=source["type"],
                title=source["title"],
                title_html=mark(source["title"], title_spans),
                url=source["url"],
                snippet=snippet(source.get("body", ""), body_spans),
                category=source.get("category") or "",
                agency=source.get("agency_code") or "",
                score=round(hit.meta.score or 0, 4),
            )
        )
    facets = {
        name: _facet_values(
            name,
            [(b.key, b.doc_count) for b in response.aggregations[name]["values"].buckets],
            request,
            labels,
        )
        for name in FACETS
    }
    total = response.hits.total.value
    suggestion = ""
    if total == 0 and hasattr(response, "suggest"):
        options = {
            entry.text: entry.options[0].text
            for entry in response.suggest.did_you_mean
            if entry.options
        }
        suggestion = _did_you_mean(request, options)
    return SearchResults(request, total, hits, facets, "elasticsearch", suggestion)


# --- Database ----------------------------------------------------------------------------


def _word_regex(folded_variant):
    words = _tokens(folded_variant)
    return r"(^|[^a-z0-9])" + r"[^a-z0-9]+".join(words) + r"([^a-z0-9]|$)"


def _db_match(request):
    q = Q()
    for unit in request.units:
        alternatives = Q()
        for variant in unit.variants:
            regex = _word_regex(variant)
            alternatives |= Q(title_folded__regex=regex) | Q(body_folded__regex=regex)
        q &= alternatives
    for phrase in request.phrases:
        regex = _word_regex(phrase)
        q &= Q(title_folded__regex=regex) | Q(body_folded__regex=regex)
    return q


def _contains_run(haystack, needle):
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _db_score(doc, request):
    title_spans = spans_for(doc.title_folded, request)
    body_spans = spans_for(doc.body_folded, request)
    score = TITLE_BOOST * len(title_spans) + min(len(body_spans), 10)
    words = TOKEN.findall(request.text)
    if words:
        # Whole words with the diacritics as typed, like the standard analyzer would see them.
        title_words = TOKEN.findall(doc.title.lower())
        body_words = set(TOKEN.findall(doc.body.lower()))
        score += EXACT_BOOST * sum(1 for w in words if w in title_words or w in body_words)
        if len(words) > 1 and _contains_run(title_words, words):
            score += PHRASE_BOOST * TITLE_BOOST
        elif len(words) > 1 and _contains_run(TOKEN.findall(doc.body.lower()), words):
            score += PHRASE_BOOST
    folded = " ".join(_tokens(request.folded))
    if len(folded.split()) > 1 and re.search(_word_regex(folded), doc.title_folded):
        score += PHRASE_BOOST * TITLE_BOOST
    elif len(folded.split()) > 1 and re.search(_word_regex(folded), doc.body_folded):
        score += PHRASE_BOOST
    return score, title_spans, body_spans


def _vocabulary():
    words = Counter()
    for title in (
        SearchDocument.objects.filter(deleted=False)
        .exclude(type=DocumentType.ADOPTION)
        .values_list("title_folded", flat=True)[:5000]
    ):
        words.update(_tokens(title))
    return list(words)


def search_database(request, labels):
    matching = SearchDocument.objects.filter(deleted=False).filter(_db_match(request))
    selected = matching
    for name, value in request.filters.items():
        selected = selected.filter(**{name: value})
    candidates = list(selected[:DB_CANDIDATES])
    scored = []
    for doc in candidates:
        score, title_spans, body_spans = _db_score(doc, request)
        scored.append((score, doc, title_spans, body_spans))
    scored.sort(key=lambda item: (-item[0], item[1].type, item[1].title))
    start = (request.page - 1) * request.page_size
    hits = [
        Hit(
            type=doc.type,
            title=doc.title,
            title_html=mark(doc.title, title_spans),
            url=doc.url,
            snippet=snippet(doc.body, body_spans),
            category=doc.category,
            agency=doc.agency_code,
            score=float(score),
        )
        for score, doc, title_spans, body_spans in scored[start : start + request.page_size]
    ]
    facets = {}
    for name in FACETS:
        scope = matching
        for other, value in request.filters.items():
            if other != name:
                scope = scope.filter(**{other: value})
        counts = scope.order_by().values_list(name).annotate(n=Count("pk")).order_by("-n")
        facets[name] = _facet_values(name, list(counts), request, labels)
    total = selected.count()
    suggestion = ""
    if total == 0:
        vocabulary = _vocabulary()
        options = {}
        for token in dict.fromkeys(_tokens(request.folded)):
            close = difflib.get_close_matches(token, vocabulary, n=1, cutoff=0.75)
            if close and close[0] != token:
                options[token] = close[0]
        suggestion = _did_you_mean(request, options)
    return SearchResults(request, total, hits, facets, "database", suggestion)


# --- Entry points ------------------------------------------------------------------------

FALLBACK_NOTICE = (
    "Máy chủ tìm kiếm tạm thời không truy cập được; kết quả dưới đây được tìm trực tiếp "
    "trong cơ sở dữ liệu."
)


def run(request):
    """Search with Elasticsearch when configured and up, else with the database."""
    results = _run(request)
    notices = [results.notice]
    if request.words_cut:
        notices.insert(0, WORDS_NOTICE.format(limit=request.words_cut, used=request.text))
    results.notice = " ".join(n for n in notices if n)
    return results


def _run(request):
    labels = facet_labels()
    if request.is_empty:
        return SearchResults(request, 0, [], {}, "elasticsearch" if get_client() else "database")
    client = get_client()
    if client is not None:
        try:
            return search_elasticsearch(client, request, labels)
        except (TransportError, ApiError) as error:
            logger.warning("Search node failed, using the database: %s", error)
            results = search_database(request, labels)
            results.notice = FALLBACK_NOTICE
            return results
    return search_database(request, labels)


def suggest(text, limit=8):
    """Completions for what has been typed so far, folded the same way as the index."""
    # What has been typed so far, bounded like a search: the first SEARCH_MAX_WORDS words.
    prefix = " ".join(_tokens(fold(normalise(text or "")[:100]))[: settings.SEARCH_MAX_WORDS])
    if not prefix:
        return []
    client = get_client()
    if client is not None:
        try:
            response = (
                Search(index=alias())
                .using(client)
                .source(["title", "url", "type"])
                .suggest(
                    "titles",
                    prefix,
                    completion={"field": "suggest", "size": limit, "skip_duplicates": True},
                )
                .execute()
            )
            return [
                {"text": o._source.title, "url": o._source.url, "type": o._source.type}
                for o in response.suggest.titles[0].options
            ]
        except (TransportError, ApiError) as error:
            logger.warning("Suggestions from the database: %s", error)
    pattern = r"(^|[^a-z0-9])" + re.escape(prefix)
    docs = (
        SearchDocument.objects.filter(deleted=False, title_folded__regex=pattern)
        .exclude(type=DocumentType.ADOPTION)
        .order_by("type", "title")[:limit]
    )
    return [{"text": d.title, "url": d.url, "type": d.type} for d in docs]
