"""Public search on the database: the engine of `make run`, and the fallback when the node
is unset or down. Matching and the first ranking are the database's own full-text index
(search.fulltext: FTS5's bm25 on SQLite, `ts_rank_cd` on PostgreSQL, the title weighing three
times the body); the best `RESCORE_WINDOW` are then reordered by the diacritics as typed and
by the words kept together, as Elasticsearch's rescore does. Facets and the total are counted
in one statement over the matches' narrow rows (search.matches), which also choose the window
of a broad query and, on PostgreSQL, find the matches.
"""

import difflib
import itertools
import math

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max

from search import fulltext, matches
from search import results as shape
from search.elastic import EXACT_BOOST, FACETS, PHRASE_BOOST, RESCORE_WINDOW, TITLE_BOOST
from search.models import DocumentType, SearchDocument

RANK_SHARE = 3
# Between equal scores, the catalogue's own pages first: a practice is the answer its
# adoptions point to.
TYPE_ORDER = {"practice": 0, "guidance": 1, "agency": 2, "adoption": 3}


# Up to this many matches, the window is the database's best by its own rank (bm25, ts_rank_cd),
# which reads every match's positions; beyond, the tiers of `Query.window` choose it from the
# narrow table. Ranking 60,000 matches took about 0.1 s with FTS5 and 1 s and more with
# PostgreSQL's ts_rank_cd, which unpacks each row's tsvector (BENCHMARKS.md).
EXHAUSTIVE = 2_000


class Index:
    """What differs between SQLite and PostgreSQL: how a match and a rank are written.

    Finding (`find_any`, `matching`) goes through the narrow table (search.matches), joined to
    FTS5 on SQLite and on its own `terms` on PostgreSQL; ranking (`rank_any`, `rank`) reads the
    positions: FTS5 itself, or `search_vector`."""

    def __init__(self, vendor):
        self.sqlite = vendor == "sqlite"

    def find_any(self, variants, title=False):
        """An expression finding the rows holding one of `variants` (in the title only, if
        `title`); "" when they have no word."""
        if not self.sqlite:
            return matches.any_phrase(variants, title)
        found = fulltext.sqlite_any(variants)
        return f"{{title_folded}} : {found}" if title and found else found

    def rank_any(self, variants):
        if self.sqlite:
            return fulltext.sqlite_any(variants)
        return fulltext.postgres_any(variants)

    def all_of(self, expressions):
        return "(" + (" AND " if self.sqlite else " & ").join(expressions) + ")"

    def either(self, expressions):
        return "(" + (" OR " if self.sqlite else " | ").join(expressions) + ")"

    def matching(self, expression, ranked=False):
        """FROM … WHERE … of the narrow rows `m` matching `expression`; with params. With
        `ranked`, what `rank` reads is joined too (PostgreSQL: the search row, as `d`)."""
        if self.sqlite:
            return (
                f"FROM {fulltext.FTS} JOIN {matches.MATCH} m ON m.id = {fulltext.FTS}.rowid "
                f"WHERE {fulltext.FTS} MATCH %s",
                [expression],
            )
        rows = f" JOIN {fulltext.TABLE} d ON d.id = m.id" if ranked else ""
        return f"FROM {matches.MATCH} m{rows} WHERE m.terms @@ %s::tsquery", [expression]

    def source(self, expression):
        """FROM … WHERE … of the search rows `d` matching `expression` on the positional index
        (the completions' prefixes); with params."""
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
        """A rank column of the row `d` (PostgreSQL) or of the FTS5 match, higher is better;
        with params."""
        if self.sqlite:
            return f"-bm25({fulltext.FTS}, {TITLE_BOOST}.0, 1.0)", []
        # Weights {D, C, B, A}: the body is D, the title A.
        weights = f"{{{1 / TITLE_BOOST:.4f}, 0, 0, 1}}"
        return (
            f"ts_rank_cd('{weights}', d.{fulltext.VECTOR}, to_tsquery('simple', %s), 1)",
            [expression],
        )

    def fetch(self, sql, params):
        """The rows of `sql`. On PostgreSQL, with the planner kept from a sequential scan of
        the narrow table: it would re-read every row's words (out of the table's pages, which
        the planner does not count), where the GIN index answers alone."""
        with connection.cursor() as cursor:
            if self.sqlite:
                cursor.execute(sql, params)
                return cursor.fetchall()
            with transaction.atomic(using=connection.alias):
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute(sql, params)
                found = cursor.fetchall()
                cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
                return found


def _filters(filters):
    """AND … keeping the narrow rows `m` whose facets are `filters`; with params."""
    if not filters:
        return "", []
    where = " AND ".join(f"{name} = %s" for name in filters)
    return (
        f" AND m.facets IN (SELECT id FROM {matches.FACETS} WHERE {where})",
        list(filters.values()),
    )


def _excluding(ids):
    if not ids:
        return "", []
    return f" AND m.id NOT IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _joined(*parts):
    """(SQL, params) of (SQL, params) parts written one after another."""
    return " ".join(sql for sql, _ in parts), [p for _, params in parts for p in params]


# At most this many sets of words in a search for most of the words: each is a lookup of
# its words, and a long query has hundreds (12 words: 220 sets of 9), which took 8 s at
# 100,000 rows on SQLite. See `enough_words`.
MAX_SETS = 8


def enough_words(weights, held=None, limit=MAX_SETS):
    """The smallest sets of units (as index lists) holding most of the words: their weights
    reach results.required_words, and none can lose a unit and still reach it. A row holds
    most of the words when it holds one of these sets.

    Only the units of `held` (some row holds them; all by default) are in a set: a set with
    a unit no row holds finds nothing. At most `limit` sets, those keeping the words typed
    first: a query of many words that are all in the index is relaxed on its last words."""
    required = shape.required_words(sum(weights))
    held = range(len(weights)) if held is None else sorted(held)
    found = []
    for size in range(1, len(held) + 1):
        for chosen in itertools.combinations(held, size):
            if sum(weights[i] for i in chosen) < required:
                continue
            if not any(set(smaller) <= set(chosen) for smaller in found):
                found.append(chosen)
                if len(found) == limit:
                    return found
    return found


class Query:
    """The SQL of one search: the rows holding every word, or (`partial`) most of them, but
    not the full matches `excluded` (their ids)."""

    def __init__(self, request, partial=False, excluded=()):
        self.request = request
        self.index = index = Index(connection.vendor)
        self.partial = partial
        self.excluded = list(excluded)
        variants = [unit.variants for unit in request.units]
        units = [index.find_any(v) for v in variants]
        phrases = [index.find_any([p]) for p in request.phrases]
        # A word with no letter or digit the index keeps (only symbols) matches nothing.
        self.empty = not all(units + phrases)
        if self.empty:
            return
        ranks = [index.rank_any(v) for v in variants]
        rank_phrases = [index.rank_any([p]) for p in request.phrases]
        if partial:
            held = [i for i, unit in enumerate(units) if _any(index, unit)]
            sets = enough_words(shape.unit_weights(request), held)
            if not sets:  # the words some row holds are too few
                self.empty = True
                return
            self.expression = index.all_of(
                [index.either([index.all_of([units[i] for i in s]) for s in sets]), *phrases]
            )
            # Ranked on any of the words: more of them, and more often, is better; and a
            # positional query of every set took seconds per row window on PostgreSQL.
            self.rank_expression = index.all_of([index.either(ranks), *rank_phrases])
        else:
            self.expression = index.all_of(units + phrases)
            self.rank_expression = index.all_of(ranks + rank_phrases)
        in_title = [index.find_any(v, title=True) for v in variants]
        # The window's tiers, best first, as the final score weighs them: the title holds every
        # word; the title holds some, or the words typed are kept together somewhere (a phrase
        # in the body outscores a word in the title); the rest.
        close = []
        typed = shape.tokens(request.core_folded)
        if len(typed) > 1:
            close = [index.find_any([" ".join(typed)])]
        self.tiers = [
            index.all_of([*in_title, *phrases]),
            index.all_of([self.expression, index.either(in_title + close)]),
            self.expression,
        ]

    def _where(self, expression, filters=None, ranked=False):
        """FROM … WHERE … of the matches of `expression` with `filters` (the request's by
        default), without the rows `excluded`; with params."""
        return _joined(
            self.index.matching(expression, ranked),
            _filters(self.request.filters if filters is None else filters),
            _excluding(self.excluded),
        )

    def counts(self):
        """(total with every filter, {facet: [(value, count)]}): each facet counts the
        matches with every other filter, as the search page's links need. The matches are
        counted once by their combination of facet values (a few thousand at most), and the
        total and each facet are sums over those. A partial query counts the full matches
        too."""
        where, params = self.index.matching(self.expression)
        filters = self.request.filters
        parts = [(f"SELECT m.facets, COUNT(*) AS n {where} GROUP BY m.facets", params)]
        for name in [None, *FACETS]:
            kept = [(key, value) for key, value in filters.items() if key != name]
            condition = " AND ".join(f"f.{key} = %s" for key, _ in kept) or "1 = 1"
            value = f"CAST(f.{name} AS TEXT)" if name else "NULL"
            grouped = f" GROUP BY f.{name}" if name else ""
            parts.append(
                (
                    f"SELECT '{name or ''}', {value}, SUM(c.n) FROM c "
                    f"JOIN {matches.FACETS} f ON f.id = c.facets WHERE {condition}{grouped}",
                    [value for _, value in kept],
                )
            )
        sql = f"WITH c AS MATERIALIZED ({parts[0][0]}) " + " UNION ALL ".join(
            sql for sql, _ in parts[1:]
        )
        total, facets = 0, {name: [] for name in FACETS}
        for name, value, count in self.index.fetch(sql, [p for _, ps in parts for p in ps]):
            if not name:
                total = int(count or 0)
            else:
                if name == "year" and value is not None:
                    value = int(value)
                facets[name].append((value, int(count)))
        # Most matches first, as Elasticsearch's terms aggregation orders them.
        for counted in facets.values():
            counted.sort(key=lambda item: (-item[1], str(item[0])))
        return total, facets

    def ids(self):
        """The ids of every match with the filters (a partial search's `excluded`)."""
        where, params = self._where(self.expression)
        return [pk for (pk,) in self.index.fetch(f"SELECT m.id {where}", params)]

    def ranked(self, limit, total):
        """[(id, rank)] of the window: the best `limit` of the `total` matches with every
        filter. Up to EXHAUSTIVE matches, by the database's rank; beyond, `window`."""
        if total > EXHAUSTIVE:
            return self.window(limit)
        rank, rank_params = self.index.rank(self.rank_expression)
        sql, params = _joined(
            (f"SELECT m.id, {rank} AS score", rank_params),
            self._where(self.expression, ranked=True),
            ("ORDER BY score DESC, m.id LIMIT %s", [limit]),
        )
        return self.index.fetch(sql, params)

    def window(self, limit):
        """[(id, rank)] of `limit` matches, chosen without ranking them all: the matches whose
        title holds every word, then those whose title holds some or that hold the words
        typed side by side, then the rest; within each, practices, guidance, agencies and
        adoptions in turn, the shorter first (matches.TYPE_RANKS). The final order weighs the
        title three times the body and a phrase in the title four times more, which these
        tiers follow. The rank is 0 for all: the rescoring (`_hits`) orders the window. (On
        SQLite, bm25 is read with the match or not at all: selecting it made each tier
        rank every row it matched, 300 ms for 4,000 rows, before keeping `limit`.)"""
        chosen = []
        for tier in self.tiers:
            where, params = _joined(self._where(tier), _excluding(chosen))
            sql = f"SELECT m.id {where} ORDER BY m.ord, m.id LIMIT %s"
            chosen += [pk for (pk,) in self.index.fetch(sql, [*params, limit - len(chosen)])]
            if len(chosen) >= limit:
                break
        return [(pk, 0.0) for pk in chosen]


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


def _hits(query, start, stop, total):
    """The hits [start, stop) of `query`: the database's best, reordered by `_rescore` and by
    how often the words occur (the title's three times)."""
    if stop <= start:
        return []
    request = query.request
    ranked = query.ranked(max(stop, RESCORE_WINDOW), total)
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
    hits = _hits(strict, start, stop, complete)
    total = complete
    if shape.seeks_partial(request, complete):
        # The full matches are fewer than a page: they are left out of the partial ones by id.
        partial = Query(request, partial=True, excluded=strict.ids() if complete else ())
        if not partial.empty:
            total, counts = partial.counts()
            hits += _hits(partial, partial_start, partial_stop, total - complete)
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
    return not query.empty and _any(query.index, query.expression)


def _any(index, expression):
    where, params = index.matching(expression)
    return bool(index.fetch(f"SELECT 1 {where} LIMIT 1", params))


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
    return _any(index, index.find_any([word]))


def _words_starting(letter):
    """{word: documents holding it} of the indexed words starting with `letter`. Reading
    them costs about 0.1 s at 100,000 rows (FTS5's vocabulary) and 2 s (PostgreSQL's ts_stat
    reads every row): kept in the cache until a search row changes."""
    # The latest write of a search row (an index) and the number of public rows (the narrow
    # table's integers): every change of the vocabulary changes one of them.
    changed = SearchDocument.objects.aggregate(changed=Max("updated_at"))["changed"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {matches.MATCH}")
        (rows,) = cursor.fetchone()
    key = f"search:words:{connection.vendor}:{changed.timestamp() if changed else 0}:{rows}"
    found = cache.get(f"{key}:{letter}")
    if found is None:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT term, doc FROM {fulltext.WORDS} WHERE term >= %s AND term < %s",
                    [letter, chr(ord(letter) + 1)],
                )
                found = dict(cursor.fetchall())
        else:
            every = cache.get(key)
            if every is None:
                every = _postgres_words()
                cache.set(key, every, timeout=24 * 3600)
            found = {w: n for w, n in every.items() if w.startswith(letter)}
        cache.set(f"{key}:{letter}", found, timeout=24 * 3600)
    return found


def _postgres_words():
    """Every indexed word with its document count."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat("
            f"'SELECT {fulltext.VECTOR} FROM {fulltext.TABLE} WHERE NOT deleted')"
        )
        return dict(cursor.fetchall())
