"""Public search on the database: the engine of `make run`, and the fallback when the node
is unset or down. Matching and the first ranking are the database's own full-text index
(search.fulltext: FTS5's bm25 on SQLite, `ts_rank_cd` on PostgreSQL, the title weighing three
times the body); the best `RESCORE_WINDOW` are then reordered by the diacritics as typed and
by the words kept together, as Elasticsearch's rescore does. Facets and the total are counted
in one statement over the matches.
"""

import difflib
import math
from collections import Counter

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max

from search import fulltext
from search import results as shape
from search.elastic import EXACT_BOOST, FACETS, PHRASE_BOOST, RESCORE_WINDOW, TITLE_BOOST
from search.models import DocumentType, SearchDocument

RANK_SHARE = 3
# Between equal scores, the catalogue's own pages first: a practice is the answer its
# adoptions point to.
TYPE_ORDER = {"practice": 0, "guidance": 1, "agency": 2, "adoption": 3}
FACET_COLUMNS = ", ".join(f"d.{name}" for name in FACETS)


class Index:
    """What differs between SQLite and PostgreSQL: how a match and a rank are written."""

    def __init__(self, vendor):
        self.sqlite = vendor == "sqlite"

    def any_of(self, variants):
        return (fulltext.sqlite_any if self.sqlite else fulltext.postgres_any)(variants)

    def all_of(self, expressions):
        return (" AND " if self.sqlite else " & ").join(expressions)

    def either(self, expressions):
        return "(" + (" OR " if self.sqlite else " | ").join(expressions) + ")"

    def source(self, expression):
        """FROM … WHERE … of the public rows matching `expression`, as `d`; with params."""
        if self.sqlite:
            return (
                f"FROM {fulltext.FTS} JOIN {fulltext.TABLE} d ON d.id = {fulltext.FTS}.rowid "
                f"WHERE {fulltext.FTS} MATCH %s AND NOT d.deleted",
                [expression],
            )
        return (
            f"FROM {fulltext.TABLE} d WHERE NOT d.deleted "
            f"AND d.{fulltext.VECTOR} @@ to_tsquery('simple', %s)",
            [expression],
        )

    def rank(self, expression):
        """A rank column, higher is better; with params."""
        if self.sqlite:
            return f"-bm25({fulltext.FTS}, {TITLE_BOOST}.0, 1.0)", []
        # Weights {D, C, B, A}: the body is D, the title A.
        weights = f"{{{1 / TITLE_BOOST:.4f}, 0, 0, 1}}"
        return (
            f"ts_rank_cd('{weights}', d.{fulltext.VECTOR}, to_tsquery('simple', %s), 1)",
            [expression],
        )

    def holds(self, expression):
        """1 when the row `d` matches `expression`, else 0; with params."""
        if self.sqlite:
            return (
                f"(d.id IN (SELECT rowid FROM {fulltext.FTS} WHERE {fulltext.FTS} MATCH %s))",
                [expression],
            )
        return f"(d.{fulltext.VECTOR} @@ to_tsquery('simple', %s))::int", [expression]


def _filters(filters, skip=None, prefix="d."):
    clauses = [(f"{prefix}{name} = %s", value) for name, value in filters.items() if name != skip]
    return "".join(f" AND {sql}" for sql, _ in clauses), [value for _, value in clauses]


def _joined(*parts):
    """(SQL, params) of (SQL, params) parts written one after another."""
    return " ".join(sql for sql, _ in parts), [p for _, params in parts for p in params]


class Query:
    """The SQL of one search: the rows holding every word, or (`partial`) most of them."""

    def __init__(self, request, partial=False):
        self.request = request
        self.index = Index(connection.vendor)
        self.units = [self.index.any_of(unit.variants) for unit in request.units]
        phrases = [self.index.any_of([p]) for p in request.phrases]
        # A word with no letter or digit the index keeps (only symbols) matches nothing.
        self.empty = not all(self.units + phrases)
        self.partial = partial
        if partial:
            self.expression = self.index.all_of([self.index.either(self.units), *phrases])
        else:
            self.expression = self.index.all_of(self.units + phrases)

    def _rows(self, columns, filters, keep_complete=True):
        """SELECT `columns` (SQL, params) of the matching rows with `filters`; a partial query
        keeps the rows with most of the words (the full matches only if `keep_complete`)."""
        select = (f"SELECT {columns[0]}", columns[1])
        where = _filters(filters)
        if not self.partial:
            return _joined(select, self.index.source(self.expression), where)
        weights = shape.unit_weights(self.request)
        holds = [self.index.holds(unit) for unit in self.units]
        held = (
            " + ".join(f"{w} * {sql}" for w, (sql, _) in zip(weights, holds, strict=True)),
            [p for _, ps in holds for p in ps],
        )
        inner = _joined(
            select, (f", {held[0]} AS held", held[1]), self.index.source(self.expression), where
        )
        required = shape.required_words(sum(weights))
        bound = "" if keep_complete else f" AND held < {sum(weights)}"
        return f"SELECT * FROM ({inner[0]}) m WHERE held >= {required}{bound}", inner[1]

    def counts(self):
        """(total with every filter, {facet: [(value, count)]}): each facet counts the
        matches with every other filter, as the search page's links need. One statement
        counts the matches by their combination of facet values (a few thousand at most);
        the rest is sums."""
        rows, params = self._rows((FACET_COLUMNS, []), {})
        names = ", ".join(FACETS)
        sql = f"SELECT {names}, COUNT(*) FROM ({rows}) m GROUP BY {names}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            combinations = cursor.fetchall()
        filters = self.request.filters
        total, facets = 0, {name: Counter() for name in FACETS}
        for *values, count in combinations:
            row = dict(zip(FACETS, values, strict=True))
            failed = [name for name, value in filters.items() if row[name] != value]
            if not failed:
                total += count
            for name in FACETS:
                if not failed or failed == [name]:
                    facets[name][row[name]] += count
        return total, {name: counts.most_common() for name, counts in facets.items()}

    def ranked(self, limit):
        """[(id, rank)] of the best `limit` matches with every filter, by the database's rank
        (a partial query: without the full matches)."""
        rank = self.index.rank(self.expression)
        if self.index.sqlite and not self.partial and not self.request.filters:
            # The index alone: it holds only public rows, and nothing else is asked of them.
            sql = (
                f"SELECT rowid, {rank[0]} AS score FROM {fulltext.FTS} "
                f"WHERE {fulltext.FTS} MATCH %s ORDER BY score DESC, rowid LIMIT %s"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [*rank[1], self.expression, limit])
                return cursor.fetchall()
        rows = self._rows(
            (f"d.id AS id, {rank[0]} AS score", rank[1]),
            self.request.filters,
            keep_complete=False,
        )
        sql, params = _joined(
            (f"SELECT id, score FROM ({rows[0]}) r ORDER BY score DESC, id LIMIT %s", rows[1]),
            ("", [limit]),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


# --- Rescoring the window, and the hits --------------------------------------------------


def _contains_run(haystack, needle):
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def _rescore(doc, request):
    """What the database's rank does not see: the words with their diacritics as typed, and
    the words of the query kept together (as typed or folded), the title over the body; the
    same clauses as Elasticsearch's rescore query."""
    score = 0
    typed = shape.TOKEN.findall(request.core)
    if typed:
        title_words = shape.TOKEN.findall(doc.title.lower())
        body_words = shape.TOKEN.findall(doc.body.lower())
        present = set(title_words) | set(body_words)
        score += EXACT_BOOST * sum(1 for word in typed if word in present)
        if len(typed) > 1 and _contains_run(title_words, typed):
            score += PHRASE_BOOST * TITLE_BOOST
        elif len(typed) > 1 and _contains_run(body_words, typed):
            score += PHRASE_BOOST
    folded = shape.tokens(request.core_folded)
    if len(folded) > 1:
        if _contains_run(shape.tokens(doc.title_folded), folded):
            score += PHRASE_BOOST * TITLE_BOOST
        elif _contains_run(shape.tokens(doc.body_folded), folded):
            score += PHRASE_BOOST
    return score


def _hits(query, start, stop):
    """The hits [start, stop) of `query`: the database's best, reordered by `_rescore` and by
    how often the words occur (the title's three times)."""
    if stop <= start:
        return []
    request = query.request
    ranked = query.ranked(max(stop, RESCORE_WINDOW))
    docs = SearchDocument.objects.in_bulk([pk for pk, _ in ranked])
    best = max((rank for _, rank in ranked), default=0) or 1
    scored = []
    for pk, rank in ranked:
        doc = docs.get(pk)
        if doc is None:
            continue
        title_spans = shape.spans_for(doc.title_folded, request)
        body_spans = shape.spans_for(doc.body_folded, request)
        # The database's rank, brought to 0–3 within the window (it chose the window; here
        # it settles what the rest leaves equal), plus what it does not see.
        score = RANK_SHARE * rank / best + _rescore(doc, request)
        # The body counts with diminishing returns: 1 → 2, 10 → 6.3, 40 → 12.6, 100 and more → 20.
        score += TITLE_BOOST * len(title_spans) + 2 * math.sqrt(min(len(body_spans), 100))
        scored.append((score, doc, title_spans, body_spans))
    scored.sort(key=lambda item: (-item[0], TYPE_ORDER[item[1].type], item[1].title, item[1].pk))
    hits = []
    for score, doc, title_spans, body_spans in scored[start:stop]:
        missing = []
        if query.partial:
            missing = shape.missing_words(request, doc.title_folded, doc.body_folded)
        hits.append(
            shape.Hit(
                type=doc.type,
                title=doc.title,
                title_html=shape.mark(doc.title, title_spans),
                url=doc.url,
                snippet=shape.snippet(doc.body, body_spans),
                category=doc.category,
                agency=doc.agency_code,
                score=round(score, 4),
                missing=missing,
            )
        )
    return hits


def search(request, labels):
    """`request` on the database: the full matches, then (when they fill less than a page)
    the results with most of the words."""
    strict = Query(request)
    if strict.empty:
        return shape.SearchResults(request, 0, [], {}, "database")
    complete, counts = strict.counts()
    (start, stop), (partial_start, partial_stop) = shape.page_slices(request, complete)
    hits = _hits(strict, start, stop)
    total = complete
    if shape.seeks_partial(request, complete):
        partial = Query(request, partial=True)
        union, counts = partial.counts()
        total = union
        hits += _hits(partial, partial_start, partial_stop)
    facets = {name: shape.facet_values(name, counts[name], request, labels) for name in FACETS}
    return shape.SearchResults(
        request,
        total,
        hits,
        facets,
        "database",
        complete=complete,
        unknown_words=unknown_words(request) if complete == 0 else {},
    )


def has_results(request):
    """Whether some row holds every word of `request`."""
    query = Query(request)
    if query.empty:
        return False
    source, params = query.index.source(query.expression)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 {source} LIMIT 1", params)
        return cursor.fetchone() is not None


def titles_starting(prefix, limit):
    """Completions: what is not an adoption, whose title holds `prefix` (folded words, the
    last one possibly unfinished) at the start of a word; by type, then title."""
    found = fulltext.words(prefix)
    if not found:
        return []
    index = Index(connection.vendor)
    if index.sqlite:
        expression = "{title_folded} : " + fulltext.sqlite_phrase(" ".join(found)) + " *"
    else:
        expression = " <-> ".join([*(f"{w}:A" for w in found[:-1]), f"{found[-1]}:*A"])
    source, params = index.source(expression)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.title, d.url, d.type {source} AND d.type <> %s "
            "ORDER BY d.type, d.title LIMIT %s",
            [*params, DocumentType.ADOPTION, limit],
        )
        return [{"text": t, "url": u, "type": k} for t, u, k in cursor.fetchall()]


# --- Words no document holds ---------------------------------------------------------------

SIMILAR = 0.75  # difflib's ratio a suggestion must reach


def unknown_words(request):
    """{folded word: the closest indexed word} for the request's words no row holds (titles
    and bodies alike); queries.did_you_mean keeps only a suggestion that finds results. As
    Elasticsearch's term suggester, a suggestion starts with the same letter."""
    options = {}
    for word in dict.fromkeys(shape.tokens(request.folded)):
        if not fulltext.words(word) or _indexed(word):
            continue
        candidates = _words_starting(word[0])
        close = difflib.get_close_matches(word, list(candidates), n=3, cutoff=SIMILAR)
        if close:
            # The closest first; between equally close words, the one more documents hold.
            best = max(
                close,
                key=lambda c: (difflib.SequenceMatcher(None, word, c).ratio(), candidates[c]),
            )
            options[word] = best
    return options


def _indexed(word):
    index = Index(connection.vendor)
    source, params = index.source(index.any_of([word]))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 {source} LIMIT 1", params)
        return cursor.fetchone() is not None


def _words_starting(letter):
    """{word: documents holding it} of the indexed words starting with `letter`."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT term, doc FROM {fulltext.WORDS} WHERE term >= %s AND term < %s",
                [letter, chr(ord(letter) + 1)],
            )
            return dict(cursor.fetchall())
    return {w: n for w, n in _postgres_words().items() if w.startswith(letter)}


def _postgres_words():
    """Every indexed word with its document count (ts_stat reads every row, about 2 s at
    100,000 rows): kept in the cache until a search row changes."""
    stamp = SearchDocument.objects.aggregate(changed=Max("updated_at"), rows=Count("pk"))
    changed = stamp["changed"].timestamp() if stamp["changed"] else 0
    key = f"search:words:{changed}:{stamp['rows']}"
    found = cache.get(key)
    if found is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word, ndoc FROM ts_stat("
                f"'SELECT {fulltext.VECTOR} FROM {fulltext.TABLE} WHERE NOT deleted')"
            )
            found = dict(cursor.fetchall())
        cache.set(key, found, timeout=24 * 3600)
    return found
