"""Public search on Elasticsearch: the request bodies, and reading the answers into the
shape both engines share (search.results).

A search asks for every word first (`build_search`). When that finds less than a page, a
second request (`build_partial_search`) asks for most of the words, without the full matches,
and its results follow them.
"""

import difflib

from elasticsearch.dsl import Q as EQ
from elasticsearch.dsl import Search

from practices.text import fold_aligned
from search import results as shape
from search.sync import alias

FACETS = ["type", "category", "region", "agency_kind", "status", "year"]
TITLE_BOOST = 3
EXACT_BOOST = 2
PHRASE_BOOST = 4
RESCORE_WINDOW = 100
SOURCE = ["type", "title", "body", "url", "category", "agency_code"]


def _variant_clause(folded_variant):
    return EQ(
        "multi_match",
        query=folded_variant,
        type="phrase",
        fields=[f"title_folded^{TITLE_BOOST}", "body_folded"],
    )


def _unit_clause(unit):
    return EQ("bool", should=[_variant_clause(v) for v in unit.variants], minimum_should_match=1)


def text_query(request):
    """The part of the query that decides what matches (also used for highlighting)."""
    must = [_unit_clause(unit) for unit in request.units]
    must += [_variant_clause(phrase) for phrase in request.phrases]
    return EQ("bool", must=must)


def partial_query(request):
    """Documents with most of the words (`results.required_words`) and every quoted phrase.
    A unit of several words is repeated once per word: minimum_should_match counts clauses."""
    weights = shape.unit_weights(request)
    units = [
        _unit_clause(unit)
        for unit, weight in zip(request.units, weights, strict=True)
        for _ in range(weight)
    ]
    required = shape.required_words(sum(weights))
    must = [_variant_clause(phrase) for phrase in request.phrases]
    return EQ("bool", must=must, should=units, minimum_should_match=required)


def _filter_clauses(filters, skip=None):
    return [EQ("term", **{name: value}) for name, value in filters.items() if name != skip]


def _ranking(request):
    return [
        # The same words with the diacritics as typed rank above a folded-only match.
        EQ(
            "multi_match",
            query=request.core,
            fields=[f"title^{TITLE_BOOST}", "body"],
            boost=EXACT_BOOST,
        ),
        # Syllables of a word together ("hồ sơ") rank above the same syllables apart.
        EQ(
            "multi_match",
            query=request.core_folded,
            type="phrase",
            fields=[f"title_folded^{TITLE_BOOST}", "body_folded"],
            boost=PHRASE_BOOST,
        ),
        EQ(
            "multi_match",
            query=request.core,
            type="phrase",
            fields=[f"title^{TITLE_BOOST}", "body"],
            boost=PHRASE_BOOST,
        ),
    ]


def _search(request, index, matching, highlighted, hidden, start, size):
    """A Search for `matching`, with `hidden` (a query) left out of the hits but not of the
    facets, ranked, faceted and highlighted; hits [start, start + size)."""
    search = Search(index=index).query(EQ("bool", must=[matching]))
    # The ranking clauses only reorder the best matches: run on every match they cost more
    # than the match itself (see BENCHMARKS.md).
    window = max(RESCORE_WINDOW, start + size)
    search = search.extra(
        rescore={
            "window_size": window,
            "query": {"rescore_query": EQ("bool", should=_ranking(request)).to_dict()},
        }
    )
    shown = _filter_clauses(request.filters)
    if request.filters or hidden is not None:
        search = search.post_filter(
            EQ("bool", filter=shown, must_not=[hidden] if hidden is not None else [])
        )
    for name in FACETS:
        others = _filter_clauses(request.filters, skip=name)
        search.aggs.bucket(name, "filter", filter=EQ("bool", filter=others)).bucket(
            "values", "terms", field=name, size=60
        )
    search = search.highlight(
        "title_folded",
        "body_folded",
        number_of_fragments=0,
        pre_tags=[shape.MARK_START],
        post_tags=[shape.MARK_END],
        highlight_query=highlighted.to_dict(),
    )
    return search.source(SOURCE)[start : start + size]


def build_search(request, index="content"):
    """The Elasticsearch request for `request`, as an elasticsearch.dsl Search (no I/O)."""
    matching = text_query(request)
    start = (request.page - 1) * request.page_size
    search = _search(request, index, matching, matching, None, start, request.page_size)
    words = " ".join(dict.fromkeys(shape.tokens(request.folded)))  # each word asked once
    if words:
        # Suggestions only for words that neither titles nor bodies hold (suggest_mode
        # "missing", the default): see queries.did_you_mean.
        for field in ("title_folded", "body_folded"):
            search = search.suggest(field, words, term={"field": field, "sort": "score"})
    return search


def build_partial_search(request, complete, index="content"):
    """The request for the results with most of the words, after the `complete` full matches
    (which it leaves out), for the current page."""
    (_, _), (start, stop) = shape.page_slices(request, complete)
    any_word = EQ("bool", should=[_unit_clause(unit) for unit in request.units])
    return _search(
        request, index, partial_query(request), any_word, text_query(request), start, stop - start
    )


def count_search(request, index="content"):
    """Whether anything holds every word of `request` (for "did you mean")."""
    return Search(index=index).query(text_query(request)).extra(size=0, terminate_after=1)


def _hits(response, request, partial):
    hits = []
    for hit in response.hits:
        source = hit.to_dict()
        highlight = getattr(hit.meta, "highlight", None)
        title_spans = body_spans = []
        if highlight is not None:
            if "title_folded" in highlight:
                title_spans = shape.spans_from_marked(highlight["title_folded"][0])
            if "body_folded" in highlight:
                body_spans = shape.spans_from_marked(highlight["body_folded"][0])
        body = source.get("body", "")
        missing = []
        if partial:
            missing = shape.missing_words(
                request, fold_aligned(source["title"].lower()), fold_aligned(body.lower())
            )
        hits.append(
            shape.Hit(
                type=source["type"],
                title=source["title"],
                title_html=shape.mark(source["title"], title_spans),
                url=source["url"],
                snippet=shape.snippet(body, body_spans),
                category=source.get("category") or "",
                agency=source.get("agency_code") or "",
                score=round(hit.meta.score or 0, 4),
                missing=missing,
            )
        )
    return hits


def _facets(response, request, labels):
    return {
        name: shape.facet_values(
            name,
            [(b.key, b.doc_count) for b in response.aggregations[name]["values"].buckets],
            request,
            labels,
        )
        for name in FACETS
    }


def unknown_words(client, index, request, response):
    """{folded word: best suggestion} for the words no title and no body holds.

    The suggesters of `response` give candidates but cannot tell a word that is indexed
    from one with no close candidate; one request of filter counts, one per word, does.
    """
    words = list(dict.fromkeys(shape.tokens(request.folded)))
    if not words or not hasattr(response, "suggest"):
        return {}
    counts = Search(index=index).extra(size=0, track_total_hits=False)
    for n, word in enumerate(words):
        held = EQ("multi_match", query=word, fields=["title_folded", "body_folded"])
        counts.aggs.bucket(f"w{n}", "filter", filter=held)
    aggregations = counts.using(client).execute().aggregations
    absent = {word for n, word in enumerate(words) if not aggregations[f"w{n}"].doc_count}
    candidates = {}
    for field in ("title_folded", "body_folded"):
        for entry in getattr(response.suggest, field, []):
            if entry.text in absent:
                candidates.setdefault(entry.text, []).extend(entry.options)
    # Chosen as on the database: the closest by difflib's ratio (which prefers "phi" to
    # "phia" for "phii", where the node's own score does not), then the more frequent.
    return {
        word: max(
            options, key=lambda o: (difflib.SequenceMatcher(None, word, o.text).ratio(), o.freq)
        ).text
        for word, options in candidates.items()
        if options
    }


def search(client, request, labels):
    """`request` on the node: the full matches, then (when they fill less than a page) the
    results with most of the words."""
    index = alias()
    response = build_search(request, index=index).using(client).execute()
    complete = response.hits.total.value
    hits = _hits(response, request, partial=False)
    facets = _facets(response, request, labels)
    total = complete
    if shape.seeks_partial(request, complete):
        partial = build_partial_search(request, complete, index=index).using(client).execute()
        hits += _hits(partial, request, partial=True)
        total = complete + partial.hits.total.value
        facets = _facets(partial, request, labels)  # over the full and the partial matches
    return shape.SearchResults(
        request,
        total,
        hits,
        facets,
        "elasticsearch",
        complete=complete,
        unknown_words=unknown_words(client, index, request, response) if not complete else {},
    )


def has_results(client, request):
    return bool(count_search(request, index=alias()).using(client).execute().hits.total.value)
