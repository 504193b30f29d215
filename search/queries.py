"""Every public search is built here: parsing, synonyms, filters, facets, highlighting,
paging, "did you mean" and suggestions, on Elasticsearch or, when the node is unset or
down, on the database, with the same folding and the same result shape.
"""

import dataclasses
import logging
import re

from django.conf import settings
from django.db.models import Count, Max

from elasticsearch import ApiError, TransportError
from elasticsearch.dsl import Search

from practices.models import AdoptionStatus, AgencyKind, PracticeCategory
from practices.text import fold, fold_aligned, normalise
from search import database, elastic
from search.client import get_client
from search.elastic import (  # noqa: F401 - part of this module's interface
    EXACT_BOOST,
    FACETS,
    PHRASE_BOOST,
    RESCORE_WINDOW,
    TITLE_BOOST,
    build_search,
    text_query,
)
from search.models import DocumentType, SynonymGroup
from search.results import (  # noqa: F401 - part of this module's interface
    MARK_END,
    MARK_START,
    MAX_PAGE,
    PAGE_SIZE,
    SNIPPET_LENGTH,
    TOKEN,
    FacetValue,
    Hit,
    SearchResults,
    mark,
    snippet,
    spans_for,
    spans_from_marked,
)
from search.sync import alias

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 500
FACET_LABELS = {
    "type": "Loại nội dung",
    "category": "Nhóm giải pháp",
    "region": "Vùng",
    "agency_kind": "Loại cơ quan",
    "status": "Trạng thái",
    "year": "Năm",
}


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
    typed: str = ""  # the words as typed, for "Thiếu: …"

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
    # The words asked about as typed: the text without quoted phrases and without the
    # question words around it ("… là gì"), for the ranking clauses.
    core: str = ""

    @property
    def core_folded(self):
        return fold_aligned(self.core)

    @property
    def folded(self):
        return fold_aligned(self.text)

    @property
    def is_empty(self):
        return not self.units and not self.phrases


# --- Parsing -----------------------------------------------------------------------------


def _tokens(folded_text):
    return TOKEN.findall(folded_text)


_synonyms = {}  # {(groups, last change): the groups folded}, this process's last reading


def load_synonyms():
    """Synonym groups as lists of folded token tuples.

    Reading and folding a few hundred groups on every search cost more than the search
    itself on a small catalogue; they are folded once per change instead. Whether they
    changed is asked of the database (a count and the latest `updated_at`, one small query),
    so an edit in the admin applies to the next search in every process.
    """
    stamp = tuple(SynonymGroup.objects.aggregate(n=Count("pk"), last=Max("updated_at")).values())
    groups = _synonyms.get(stamp)
    if groups is None:
        groups = []
        for group in SynonymGroup.objects.all():
            variants = [tuple(_tokens(v)) for v in group.folded_variants]
            groups.append([v for v in variants if v])
        _synonyms.clear()
        _synonyms[stamp] = groups
    return groups


def to_units(tokens, synonyms, max_alternatives=None, typed=None):
    """Group query tokens into units, taking the longest synonym variant found at each place.

    `typed` holds the tokens as typed (diacritics kept), one per token, for the units' words
    as the user wrote them.

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
            n = len(variant)
            unit = Unit(" ".join(variant), others)
        else:
            n = 1
            unit = Unit(tokens[i])
        if typed is not None:
            unit.typed = " ".join(typed[i : i + n])
        i += n
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


def question_bounds(tokens):
    """(start, stop): `tokens[start:stop]` are the tokens without the question and request
    words at either end (as many as there are), never empty unless `tokens` is."""
    start, stop = 0, len(tokens)
    changed = True
    while changed:
        changed = False
        for phrase in LEADING_QUESTION_WORDS:
            n = len(phrase)
            if stop - start > n and tuple(tokens[start : start + n]) == phrase:
                start, changed = start + n, True
                break
        for phrase in TRAILING_QUESTION_WORDS:
            n = len(phrase)
            if stop - start > n and tuple(tokens[stop - n : stop]) == phrase:
                stop, changed = stop - n, True
                break
    return start, stop


def drop_question_words(tokens):
    """Tokens without the question and request words at either end (see question_bounds)."""
    tokens = list(tokens)
    start, stop = question_bounds(tokens)
    return tokens[start:stop]


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
    # Quoted phrases blanked out character for character, so that a word's position in the
    # folded text is its position in the text as typed.
    rest = re.sub(r'"[^"]*"', lambda m: " " * len(m.group()), text).replace('"', " ")
    found = list(TOKEN.finditer(fold_aligned(rest)))
    tokens = [m.group() for m in found]
    start, stop = question_bounds(tokens)
    synonyms = load_synonyms() if synonyms is None else synonyms
    filters = {}
    for name in FACETS:
        value = normalise(params.get(name) or "").strip()
        if not value:
            continue
        if name == "year" and not (value.isascii() and value.isdigit()):
            raise QueryError("Năm phải là một số, ví dụ 2022.")
        if name == "year":
            # A year past 9999 matches nothing, as 10000 does: the databases' integers stay
            # in range whatever is typed.
            filters[name] = min(int(value), 10_000)
        else:
            filters[name] = value[:80]
    try:
        page = int(params.get("page") or params.get("trang") or 1)
    except ValueError:
        raise QueryError("Số trang không hợp lệ.") from None
    if not 1 <= page <= MAX_PAGE:
        raise QueryError(f"Số trang phải từ 1 đến {MAX_PAGE}.")
    return SearchRequest(
        text=text,
        units=to_units(
            tokens[start:stop],
            synonyms,
            typed=[rest[m.start() : m.end()] for m in found[start:stop]],
        ),
        phrases=[p for p in phrases if _tokens(p)],
        filters=filters,
        page=page,
        words_cut=max_words if cut else 0,
        core=rest[found[start].start() : found[stop - 1].end()] if stop > start else "",
    )


# --- Labels ----------------------------------------------------------------------------------


def facet_labels():
    return {
        "type": dict(DocumentType.choices),
        "category": dict(PracticeCategory.objects.values_list("code", "name")),
        "agency_kind": dict(AgencyKind.choices),
        "status": dict(AdoptionStatus.choices),
    }


# --- "Did you mean" ------------------------------------------------------------------------


def did_you_mean(request, unknown_words):
    """The query with each word no document holds replaced by the closest indexed word; the
    other words as typed, diacritics and all. "" when no word was replaced."""
    words, changed = [], False
    folded = request.folded
    for match in TOKEN.finditer(folded):
        replacement = unknown_words.get(match.group())
        if replacement:
            words.append(replacement)
            changed = True
        else:
            words.append(request.text[match.start() : match.end()])
    return " ".join(words) if changed else ""


def _suggestion(request, results, has_results):
    """A "did you mean" for `results` that finds results itself, or ""."""
    if results.complete or not results.unknown_words:
        return ""
    suggestion = did_you_mean(request, results.unknown_words)
    if not suggestion:
        return ""
    suggested = parse({"q": suggestion})
    return suggestion if not suggested.is_empty and has_results(suggested) else ""


# --- Entry points ------------------------------------------------------------------------

FALLBACK_NOTICE = (
    "Máy chủ tìm kiếm tạm thời không truy cập được; kết quả dưới đây được tìm trực tiếp "
    "trong cơ sở dữ liệu."
)
PARTIAL_NOTICE = (
    "Không có kết quả nào chứa đủ mọi từ khóa; dưới đây là các kết quả chứa phần lớn các từ "
    "(mỗi kết quả ghi rõ từ còn thiếu)."
)


def run(request):
    """Search with Elasticsearch when configured and up, else with the database."""
    results = _run(request)
    notices = [results.notice]
    if request.words_cut:
        notices.insert(0, WORDS_NOTICE.format(limit=request.words_cut, used=request.text))
    if results.total and not results.complete:
        notices.append(PARTIAL_NOTICE)
    results.notice = " ".join(n for n in notices if n)
    return results


def _run(request):
    labels = facet_labels()
    if request.is_empty:
        return SearchResults(request, 0, [], {}, "elasticsearch" if get_client() else "database")
    client = get_client()
    if client is not None:
        try:
            results = elastic.search(client, request, labels)
            results.did_you_mean = _suggestion(
                request, results, lambda r: elastic.has_results(client, r)
            )
            return results
        except (TransportError, ApiError) as error:
            logger.warning("Search node failed, using the database: %s", error)
            results = _database(request, labels)
            results.notice = FALLBACK_NOTICE
            results.fell_back = True
            return results
    return _database(request, labels)


def _database(request, labels):
    results = database.search(request, labels)
    results.did_you_mean = _suggestion(request, results, database.has_results)
    return results


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
    return database.titles_starting(prefix, limit)
