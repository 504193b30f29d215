"""The public search page (`/tim-kiem/`): results, facets as filter links, paging.

Everything about matching lives in `search.queries`; this view only turns the query string
into a `SearchRequest`, runs it and prepares links that keep the other parameters.
"""

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from kb.ratelimits import MESSAGE, limit
from practices.text import normalise
from search import queries
from search.models import DocumentType

PAGE_WINDOW = 2  # page links shown either side of the current page
EXAMPLES = ["giam phi", "tro ly ao", "DVCTT", "TP HCM", "ho so giay"]
TYPE_LABELS = dict(DocumentType.choices)
ENGINE_LABELS = {
    "elasticsearch": "Kết quả từ máy chủ tìm kiếm (Elasticsearch).",
    "database": "Kết quả tìm trực tiếp trong cơ sở dữ liệu.",
}
# Every parameter the page understands; anything else is dropped from the links it builds.
KNOWN_PARAMS = ["q", *queries.FACETS, "page"]


def clean_params(query_dict):
    """The parameters the page understands, one value each (the last, like QueryDict.get)."""
    return {
        name: query_dict.get(name)
        for name in KNOWN_PARAMS
        if query_dict.get(name) not in (None, "")
    }


def link(params, **changes):
    """`?…` for `params` with `changes` applied; a change to None removes the parameter."""
    merged = {**params, **changes}
    merged = {name: value for name, value in merged.items() if value not in (None, "")}
    ordered = [(name, merged[name]) for name in KNOWN_PARAMS if name in merged]
    return f"?{urlencode(ordered)}" if ordered else "?"


def facet_groups(results, params):
    """Facets ready for the template: every value links to the results filtered by it (or,
    when already selected, to the results without that filter); paging starts again."""
    groups = []
    for name in queries.FACETS:
        values = results.facets.get(name) or []
        if not values:
            continue
        groups.append(
            {
                "name": name,
                "label": queries.FACET_LABELS[name],
                "values": [
                    {
                        "value": value.value,
                        "label": value.label,
                        "count": value.count,
                        "selected": value.selected,
                        "url": link(
                            params, **{name: None if value.selected else value.value}, page=None
                        ),
                    }
                    for value in values
                ],
            }
        )
    return groups


def active_filters(results, params):
    """The filters in force, each with a link that removes it."""
    active = []
    for name in queries.FACETS:
        if name not in results.request.filters:
            continue
        selected = str(results.request.filters[name])
        label = next((v.label for v in results.facets.get(name) or [] if v.selected), selected)
        active.append(
            {
                "name": queries.FACET_LABELS[name],
                "label": label,
                "url": link(params, **{name: None}, page=None),
            }
        )
    return active


def pagination(results, params):
    """Previous/next and a window of page numbers around the current one, with the first
    and last pages always reachable; None when everything fits on one page."""
    current, last = results.request.page, results.page_count
    if last <= 1 and current == 1:
        return None
    shown = {1, last, *range(current - PAGE_WINDOW, current + PAGE_WINDOW + 1)}
    items, previous = [], 0
    for number in sorted(n for n in shown if 1 <= n <= last):
        if number > previous + 1:
            items.append({"gap": True})
        items.append(
            {
                "number": number,
                "url": link(params, page=number if number > 1 else None),
                "current": number == current,
            }
        )
        previous = number
    return {
        "current": current,
        "count": last,
        "previous": link(params, page=current - 1 if current > 2 else None)
        if 1 < current <= last
        else None,
        "next": link(params, page=current + 1) if current < last else None,
        "items": items,
    }


def hit_rows(hits, category_labels):
    return [
        {
            "hit": hit,
            "type_label": TYPE_LABELS.get(hit.type, hit.type),
            "category_label": category_labels.get(hit.category, "") if hit.category else "",
        }
        for hit in hits
    ]


def too_many_requests(request, seconds):
    """The search page, with the box and the query kept, saying when to try again."""
    query = normalise(request.GET.get("q") or "")[: queries.MAX_QUERY_LENGTH]
    context = {"query": query, "examples": EXAMPLES, "params": clean_params(request.GET)}
    context["error"] = MESSAGE.format(seconds=seconds)
    response = render(request, "search/search.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


@limit("search", "RATELIMIT_SEARCH", respond=too_many_requests)
def search(request):
    params = clean_params(request.GET)
    query = normalise(request.GET.get("q") or "")[: queries.MAX_QUERY_LENGTH]
    context = {"query": query, "examples": EXAMPLES, "params": params}
    try:
        search_request = queries.parse(request.GET)
    except queries.QueryError as error:
        context["error"] = str(error)
        if query.strip() and len(request.GET.get("q") or "") <= queries.MAX_QUERY_LENGTH:
            context["retry_url"] = link({"q": query})
        return render(request, "search/search.html", context, status=400)

    context["search_request"] = search_request
    if not search_request.text.strip():
        # Nothing typed: the page explains what can be searched (filters alone do nothing).
        return render(request, "search/search.html", context)
    if search_request.is_empty:
        # Only punctuation or symbols: nothing to match, and nothing worth sending on.
        context["no_words"] = True
        return render(request, "search/search.html", context)

    results = queries.run(search_request)
    first_rank = (search_request.page - 1) * search_request.page_size + 1
    # Every hit's category is among the category facet's values (same filters).
    category_labels = {v.value: v.label for v in results.facets.get("category") or []}
    context.update(
        results=results,
        # Results holding every word, then (listed apart) those that lack some.
        rows=hit_rows([hit for hit in results.hits if not hit.missing], category_labels),
        partial_rows=hit_rows([hit for hit in results.hits if hit.missing], category_labels),
        facets=facet_groups(results, params),
        active=active_filters(results, params),
        pagination=pagination(results, params),
        engine_label=ENGINE_LABELS.get(results.engine, results.engine),
        did_you_mean_url=(
            link(params, q=results.did_you_mean, page=None) if results.did_you_mean else ""
        ),
        first_rank=first_rank,
        partial_rank=first_rank + sum(1 for hit in results.hits if not hit.missing),
        beyond_last_page=not results.hits and results.total > 0,
        first_page_url=link(params, page=None),
    )
    response = render(request, "search/search.html", context)
    if results.fell_back:
        add_never_cache_headers(response)  # not the answer of the index: kept by no cache
    return response
