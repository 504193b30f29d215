"""Public search as JSON: `/api/v1/search/` and `/api/v1/search/suggest/`.

Field names are part of the open-data contract, like the rest of `/api/v1/`: add, never
rename. Snippets are HTML: everything is escaped except the `<mark>` tags around matches.
"""

from django.utils.cache import add_never_cache_headers

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from kb.links import absolute_url
from kb.ratelimits import limit
from opendata.docs import ERRORS, TOO_MANY
from practices.models import AdoptionStatus, AgencyKind
from search import queries
from search.models import DocumentType

EMPTY_QUERY = "Nhập từ khóa cần tìm vào tham số q."
NO_WORDS = "Từ khóa cần có ít nhất một chữ hoặc chữ số."


# --- What the schema says of the answers (opendata/schema.py); the views build them below ---


class HitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(DocumentType.choices, help_text="Loại kết quả.")
    title = serializers.CharField(help_text="Tiêu đề.")
    url = serializers.URLField(help_text="Địa chỉ đầy đủ của trang.")
    snippet = serializers.CharField(
        help_text="Đoạn trích bằng HTML: mọi thứ đã được thoát, trừ thẻ `<mark>` quanh từ khớp."
    )
    category = serializers.CharField(allow_null=True, help_text="Mã nhóm giải pháp, nếu có.")
    agency = serializers.CharField(allow_null=True, help_text="Tên cơ quan, đơn vị, nếu có.")
    score = serializers.FloatField(help_text="Điểm xếp hạng; chỉ dùng để so trong một lần tìm.")
    missing = serializers.ListField(
        child=serializers.CharField(),
        help_text="Các từ đã gõ mà kết quả này không có; rỗng khi có đủ mọi từ.",
    )


class FacetValueSerializer(serializers.Serializer):
    value = serializers.JSONField(help_text="Giá trị để lọc (chuỗi; với `year` là số).")
    label = serializers.CharField(help_text="Nhãn tiếng Việt.")
    count = serializers.IntegerField(help_text="Số kết quả mang giá trị này.")
    selected = serializers.BooleanField(help_text="Đang được chọn làm bộ lọc.")


class FacetsSerializer(serializers.Serializer):
    type = FacetValueSerializer(many=True, help_text="Theo loại kết quả.")
    category = FacetValueSerializer(many=True, help_text="Theo nhóm giải pháp.")
    region = FacetValueSerializer(many=True, help_text="Theo vùng.")
    agency_kind = FacetValueSerializer(many=True, help_text="Theo loại cơ quan, đơn vị.")
    status = FacetValueSerializer(many=True, help_text="Theo trạng thái áp dụng.")
    year = FacetValueSerializer(many=True, help_text="Theo năm.")


class SearchSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Tổng số kết quả.")
    complete = serializers.IntegerField(
        help_text="Số kết quả có đủ mọi từ; chúng đứng trước, các kết quả sau thiếu một số từ."
    )
    page = serializers.IntegerField(help_text="Trang đang xem.")
    page_count = serializers.IntegerField(help_text="Số trang (10 kết quả một trang).")
    results = HitSerializer(many=True, help_text="Các kết quả của trang, tốt nhất trước.")
    facets = FacetsSerializer(help_text="Số kết quả theo từng giá trị của từng bộ lọc.")
    engine = serializers.ChoiceField(["elasticsearch", "database"], help_text="Bộ máy đã trả lời.")
    did_you_mean = serializers.CharField(
        allow_null=True, help_text="Gợi ý “Có phải bạn muốn tìm”, chỉ khi gợi ý có kết quả."
    )
    notice = serializers.CharField(allow_null=True, help_text="Thông báo cho người tìm, nếu có.")


class SuggestionSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="Tiêu đề gợi ý.")
    url = serializers.URLField(help_text="Địa chỉ đầy đủ của trang.")
    type = serializers.ChoiceField(DocumentType.choices, help_text="Loại trang.")


class SuggestionsSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True, help_text="Tối đa 8 gợi ý.")


def _choices(name, choices, description):
    return OpenApiParameter(
        name, str, enum=[value for value, _ in choices], description=description
    )


SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q",
        str,
        description=f"Từ khóa, có dấu hay không dấu; tối đa {queries.MAX_QUERY_LENGTH} ký tự. Thiếu "
        "hoặc không có chữ, số: lỗi 400.",
    ),
    _choices("type", DocumentType.choices, "Loại kết quả."),
    OpenApiParameter("category", str, description="Mã nhóm giải pháp."),
    OpenApiParameter("region", str, description="Vùng, ví dụ “Đồng bằng sông Hồng”."),
    _choices("agency_kind", AgencyKind.choices, "Loại cơ quan, đơn vị."),
    _choices("status", AdoptionStatus.choices, "Trạng thái áp dụng."),
    OpenApiParameter("year", OpenApiTypes.INT, description="Năm, ví dụ 2024."),
    OpenApiParameter("page", OpenApiTypes.INT, description="Trang, từ 1 đến 100."),
]


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
@extend_schema(
    tags=["Tìm kiếm"],
    summary="Tìm kiếm",
    description="Tìm trong giải pháp, kết quả áp dụng, cơ quan và hướng dẫn, như trang Tìm "
    "kiếm: đủ mọi từ trước, rồi (khi chưa đủ một trang) các kết quả có phần lớn các từ.",
    parameters=SEARCH_PARAMETERS,
    responses={200: SearchSerializer, **ERRORS},
)
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
    response = Response(
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
    if results.fell_back:
        add_never_cache_headers(response)  # not the answer of the index: kept by no cache
    return response


@limit("suggest", "RATELIMIT_SUGGEST")
@extend_schema(
    tags=["Tìm kiếm"],
    summary="Gợi ý khi đang gõ",
    description="Tiêu đề (không gồm kết quả áp dụng) có từ bắt đầu bằng những gì đã gõ.",
    parameters=[OpenApiParameter("q", str, description="Những gì đã gõ.")],
    responses={200: SuggestionsSerializer, **TOO_MANY},
)
@api_view(["GET"])
def suggest(request):
    """Completions for what has been typed so far: `{"suggestions": [{text, url, type}]}`."""
    suggestions = queries.suggest(request.query_params.get("q") or "")
    for suggestion in suggestions:
        suggestion["url"] = absolute_url(request, suggestion["url"])
    return Response({"suggestions": suggestions})
