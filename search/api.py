"""Public search as JSON: `/api/v1/search/` and `/api/v1/search/suggest/`.

Field names are part of the open-data contract, like the rest of `/api/v1/`: add, never
rename. Snippets are HTML: everything is escaped except the `<mark>` tags around matches.
"""

from rest_framework.decorators import api_view
from rest_framework.response import Response

from kb.links import absolute_url
from kb.ratelimits import limit
from search import queries

EMPTY_QUERY = "Nhập từ khóa cần tìm vào tham số q."
NO_WORDS = "Từ khóa cần có ít nhất một chữ hoặc chữ số."


def _error(message):
    return Response({"error": message}, status=400)


def _hit(request, hit):
    return {
        "type": hit.type,
        "title": hit.title,
        "url": absolute_url(request, hit.url),
        "snippet": str(hit.snippet),
        "category": hit.category or None,
        "agency": hit.agency or None,
        "score": hit.score,
        # The words asked for that this result lacks (as typed); empty when it holds all.
        "missing": hit.missing,
    }


@limit("search", "RATELIMIT_SEARCH")
@api_view(["GET"])
def search(request):
    """Full-text search over practices, adoptions, agencies and guidance.

    Parameters: `q` (required), `type`, `category`, `region`, `agency_kind`, `status`,
    `year`, `page` (10 results a page, at most 100 pages).
    """
    params = request.query_params
    try:
        search_request = queries.parse(params)
    except queries.QueryError as error:
        return _error(str(error))
    if not search_request.text.strip():
        return _error(EMPTY_QUERY)
    if search_request.is_empty:
        return _error(NO_WORDS)
    results = queries.run(search_request)
    return Response(
        {
            "total": results.total,
            # The first `complete` results hold every word; the rest lack some ("missing").
            "complete": results.complete,
            "page": search_request.page,
            "page_count": results.page_count,
            "results": [_hit(request, hit) for hit in results.hits],
            "facets": {
                name: [
                    {
                        "value": value.value,
                        "label": value.label,
                        "count": value.count,
                        "selected": value.selected,
                    }
                    for value in results.facets.get(name) or []
                ]
                for name in queries.FACETS
            },
            "engine": results.engine,
            "did_you_mean": results.did_you_mean or None,
            "notice": results.notice or None,
        }
    )


@limit("suggest", "RATELIMIT_SUGGEST")
@api_view(["GET"])
def suggest(request):
    """Completions for what has been typed so far: `{"suggestions": [{text, url, type}]}`."""
    suggestions = queries.suggest(request.query_params.get("q") or "")
    for suggestion in suggestions:
        suggestion["url"] = absolute_url(request, suggestion["url"])
    return Response({"suggestions": suggestions})
