"""What the OpenAPI schema says of every operation beyond its own fields: the error answers,
and which paths it describes."""

from drf_spectacular.types import OpenApiTypes
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


# `?format=` of a list (opendata.api_files).
FORMAT = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv", "xlsx"],
    description="`json` (mặc định): một trang JSON. `csv` (UTF-8 có BOM) hoặc `xlsx`: mọi "
    "mục của danh sách đã lọc trong một tệp, không chia trang; các cột là các trường như "
    "trong JSON, trừ danh sách lồng (`steps`) chỉ có trong JSON.",
)
# One object is JSON whatever the format asked.
FORMAT_ONE = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json"],
    description="Một đối tượng luôn ở dạng JSON (tệp CSV, XLSX: xem danh sách).",
)
FILES = {
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="Tệp CSV."),
    (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
        OpenApiTypes.BINARY, description="Tệp Excel (XLSX)."
    ),
}


SLUG = OpenApiParameter(
    "slug",
    str,
    OpenApiParameter.PATH,
    description="Mã định danh ổn định (`slug`), phần cuối địa chỉ trang công khai.",
)


def _json(responses):
    # Every refusal is JSON, whatever the format asked (opendata.api_files).
    return {(code, "application/json"): response for code, response in responses.items()}


def read_only(tag, serializer, listed, one, parameters=(), item_parameters=(SLUG,)):
    """The schema of a read-only viewset: its list and its one object, under `tag`, with
    their errors. `listed` and `one` are (summary, description)."""
    return extend_schema_view(
        list=extend_schema(
            tags=[tag],
            summary=listed[0],
            description=listed[1],
            parameters=[*parameters, FORMAT],
            responses={
                (200, "application/json"): serializer(many=True),
                **FILES,
                **_json(LIST_ERRORS),
            },
        ),
        retrieve=extend_schema(
            tags=[tag],
            summary=one[0],
            description=one[1],
            parameters=[*item_parameters, FORMAT_ONE],
            responses={(200, "application/json"): serializer, **_json(NOT_FOUND)},
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
