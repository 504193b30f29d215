"""What the OpenAPI schema says of every operation beyond its own fields: the error answers,
and which paths it describes."""

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers

OPEN_DATA_PREFIX = "/api/v1/"


class ErrorSerializer(serializers.Serializer):
    """Every answer of 400 or more (opendata.errors)."""

    error = serializers.CharField(help_text="Điều gì sai, bằng tiếng Việt.")
    retry_after = serializers.IntegerField(
        required=False, help_text="Chỉ với mã 429: số giây cần chờ trước khi gửi lại."
    )


def _error(description):
    return OpenApiResponse(ErrorSerializer, description=description)


BAD_REQUEST = {400: _error("Tham số không hợp lệ: `error` nói tham số nào và vì sao.")}
TOO_MANY = {
    429: _error("Quá nhiều yêu cầu từ một địa chỉ trong thời gian ngắn; xem `Retry-After`.")
}
ERRORS = {**BAD_REQUEST, **TOO_MANY}
# A list answers 404 for a page past its last.
LIST_ERRORS = {**ERRORS, 404: _error("Không có trang này của danh sách.")}
NOT_FOUND = {404: _error("Không có đối tượng này (hoặc chưa công bố)."), **ERRORS}


SLUG = OpenApiParameter(
    "slug",
    str,
    OpenApiParameter.PATH,
    description="Mã định danh ổn định (`slug`), phần cuối địa chỉ trang công khai.",
)


def read_only(tag, serializer, listed, one, parameters=(), item_parameters=(SLUG,)):
    """The schema of a read-only viewset: its list and its one object, under `tag`, with
    their errors. `listed` and `one` are (summary, description)."""
    return extend_schema_view(
        list=extend_schema(
            tags=[tag],
            summary=listed[0],
            description=listed[1],
            parameters=list(parameters),
            responses={200: serializer(many=True), **LIST_ERRORS},
        ),
        retrieve=extend_schema(
            tags=[tag],
            summary=one[0],
            description=one[1],
            parameters=list(item_parameters),
            responses={200: serializer, **NOT_FOUND},
        ),
    )


def open_data_only(endpoints, **kwargs):
    """drf-spectacular's preprocessing hook: the schema describes `/api/v1/` alone (not
    Wagtail's admin API, which shares DRF), and not the schema's own views."""
    return [
        endpoint
        for endpoint in endpoints
        if endpoint[0].startswith(OPEN_DATA_PREFIX)
        and not endpoint[0].startswith(f"{OPEN_DATA_PREFIX}schema/")
    ]
