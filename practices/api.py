"""The read-only open-data API (`/api/v1/`): practices, agencies and adoptions as JSON.

Field names and filter names are part of a public contract: add, never rename.
"""

import datetime

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone
from django.utils.decorators import method_decorator

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.routers import DefaultRouter

from kb.links import absolute_url
from kb.ratelimits import limit
from opendata.api_files import FileListMixin
from opendata.docs import read_only
from practices import history, queries
from practices.models import (
    Adoption,
    AdoptionStatus,
    AdoptionStep,
    Agency,
    AgencyKind,
    EvidenceLevel,
    PracticePage,
)
from practices.text import fold


def _parse_on(params):
    """The `on=YYYY-MM-DD` date that agency codes are resolved at; today when absent."""
    raw = params.get("on")
    if not raw:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            {"on": f"Ngày không hợp lệ: “{raw}”. Dùng dạng YYYY-MM-DD."}
        ) from None


def _resolve(code, on, param):
    try:
        return Agency.objects.resolve(code, on)
    except Agency.DoesNotExist:
        raise ValidationError(
            {param: f"Không có cơ quan mang mã “{code}” vào ngày {on:%d/%m/%Y}."}
        ) from None
    except Agency.MultipleObjectsReturned:
        raise ValidationError(
            {param: f"Mã “{code}” ứng với nhiều cơ quan vào ngày {on:%d/%m/%Y}."}
        ) from None


@extend_schema_field(OpenApiTypes.URI)
class AbsoluteURLField(serializers.Field):
    """The object's public page, as an absolute URL on the host of the request (`kb.links`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Địa chỉ đầy đủ của trang công khai.")
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return absolute_url(self.context["request"], value)


class PracticeSerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(help_text="Mã định danh ổn định của giải pháp (trong địa chỉ).")
    title = serializers.CharField(help_text="Tên giải pháp.")
    category = serializers.CharField(
        source="category.code", help_text="Mã nhóm giải pháp, ví dụ `fees` (giảm phí, lệ phí)."
    )
    url = AbsoluteURLField()
    adopter_count = serializers.IntegerField(
        help_text="Số cơ quan, đơn vị đã áp dụng (trạng thái `adopted`)."
    )

    class Meta:
        model = PracticePage
        fields = ["slug", "title", "category", "url", "adopter_count"]


class PracticeFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(
        field_name="category__code", help_text="Chỉ các giải pháp của nhóm có mã này."
    )

    class Meta:
        model = PracticePage
        fields = ["category"]


@read_only(
    "Giải pháp",
    PracticeSerializer,
    (
        "Danh sách giải pháp",
        "Các giải pháp đang công bố, theo nhóm rồi theo tên; 50 mục một trang.",
    ),
    ("Một giải pháp", "Giải pháp theo `slug`."),
)
@method_decorator(limit("api", "RATELIMIT_API"), name="dispatch")
class PracticeViewSet(FileListMixin, viewsets.ReadOnlyModelViewSet):
    """Live practices; `adopter_count` counts the agencies with status `adopted`."""

    file_name = "giai-phap"
    serializer_class = PracticeSerializer
    filterset_class = PracticeFilter
    lookup_field = "slug"

    def get_queryset(self):
        return (
            PracticePage.objects.live()
            .select_related("category")
            .annotate(
                adopter_count=Count(
                    "adoptions__agency",
                    filter=Q(adoptions__status=AdoptionStatus.ADOPTED, adoptions__live=True),
                    distinct=True,
                )
            )
            .order_by("category__sort_order", "title", "pk")
        )


class AgencySerializer(serializers.ModelSerializer):
    parent = serializers.CharField(
        source="parent.code",
        default=None,
        allow_null=True,
        help_text="Mã cơ quan cấp trên (của một sở, cục); null nếu không có.",
    )
    successors = serializers.SerializerMethodField(
        help_text="Mã các đơn vị kế thừa sau sắp xếp năm 2025 (rỗng nếu đơn vị còn hoạt động)."
    )
    url = AbsoluteURLField()
    # The unit's records as every page counts them (`queries.records_of`): what
    # `/adoptions/?current_agency=` lists for it.
    adoption_count = serializers.IntegerField(
        source="record_count",
        read_only=True,
        help_text="Số kết quả áp dụng của đơn vị, như `/adoptions/?current_agency=` liệt kê.",
    )

    class Meta:
        model = Agency
        fields = [
            "code",
            "slug",
            "name",
            "short_name",
            "kind",
            "region",
            "parent",
            "valid_from",
            "valid_to",
            "successors",
            "url",
            "adoption_count",
        ]
        extra_kwargs = {
            "code": {"help_text": "Mã cơ quan, đơn vị (mã tỉnh có thể được dùng lại sau 2025)."},
            "slug": {"help_text": "Mã định danh ổn định trong địa chỉ của trang đơn vị."},
            "name": {"help_text": "Tên đầy đủ."},
            "short_name": {"help_text": "Tên ngắn."},
            "kind": {"help_text": "Loại cơ quan, đơn vị."},
            "region": {"help_text": "Vùng kinh tế - xã hội (với tỉnh, thành phố)."},
            "valid_from": {"help_text": "Ngày đơn vị bắt đầu (null: từ trước khi có dữ liệu)."},
            "valid_to": {"help_text": "Ngày đơn vị kết thúc khi sắp xếp; null nếu còn hoạt động."},
        }

    def get_successors(self, agency) -> list[str]:
        return [other.code for other in agency.successors.all()]


class AgencyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=AgencyKind.choices, help_text="Loại cơ quan, đơn vị."
    )
    current = django_filters.BooleanFilter(
        method="filter_current",
        help_text="`true`: chỉ các đơn vị đang hoạt động hôm nay; `false`: chỉ các đơn vị đã "
        "kết thúc (trước sắp xếp).",
    )
    q = django_filters.CharFilter(
        method="filter_q",
        help_text="Tìm theo tên (có dấu hay không dấu) hoặc đúng mã.",
    )

    class Meta:
        model = Agency
        fields = ["kind", "current", "q"]

    def filter_current(self, queryset, name, value):
        today = timezone.localdate()
        current = queryset.valid_on(today)
        return current if value else queryset.exclude(pk__in=current.values("pk"))

    def filter_q(self, queryset, name, value):
        folded = fold(value)[:100]
        return queryset.filter(Q(name_folded__contains=folded) | Q(code__iexact=value.strip()))


@read_only(
    "Cơ quan, đơn vị",
    AgencySerializer,
    (
        "Danh sách cơ quan, đơn vị",
        "Bộ, ngành, tỉnh, thành phố và sở, gồm cả đơn vị đã kết thúc khi sắp xếp năm 2025 "
        "(với `valid_to` và `successors`).",
    ),
    ("Một cơ quan, đơn vị", "Cơ quan, đơn vị theo `slug`."),
)
@method_decorator(limit("api", "RATELIMIT_API"), name="dispatch")
class AgencyViewSet(FileListMixin, viewsets.ReadOnlyModelViewSet):
    file_name = "co-quan-don-vi"
    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    lookup_field = "slug"

    def get_queryset(self):
        return (
            Agency.objects.select_related("parent")
            .prefetch_related("successors")
            .order_by("kind", "sort_name", "pk")
        )

    # Counts for the page being answered at once (two queries), not per unit.
    def paginate_queryset(self, queryset):
        return queries.with_record_counts(super().paginate_queryset(queryset))

    def prepare_batch(self, objects):
        return queries.with_record_counts(objects)

    def get_object(self):
        return queries.with_record_counts([super().get_object()])[0]


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdoptionStep
        fields = ["status", "on", "instrument", "evidence_url"]
        extra_kwargs = {
            "status": {"help_text": "Trạng thái từ bước này."},
            "on": {"help_text": "Ngày của bước (null: chưa rõ ngày)."},
            "instrument": {"help_text": "Văn bản làm căn cứ (số, ký hiệu)."},
            "evidence_url": {"help_text": "Địa chỉ minh chứng công khai, nếu có."},
        }


class AdoptionSerializer(serializers.ModelSerializer):
    practice = serializers.CharField(source="practice.slug", help_text="`slug` của giải pháp.")
    category = serializers.CharField(
        source="practice.category.code", help_text="Mã nhóm của giải pháp."
    )
    agency = serializers.CharField(
        source="agency.code", help_text="Mã cơ quan, đơn vị đã ghi nhận kết quả."
    )
    agency_name = serializers.CharField(source="agency.name", help_text="Tên cơ quan, đơn vị.")
    url = AbsoluteURLField()

    class Meta:
        model = Adoption
        fields = [
            "practice",
            "category",
            "agency",
            "agency_name",
            "status",
            "decided_on",
            "instrument",
            "evidence_level",
            "url",
            "steps",
        ]
        extra_kwargs = {
            "status": {"help_text": "Trạng thái áp dụng (của ngày `ngay` nếu có)."},
            "decided_on": {"help_text": "Ngày quyết định áp dụng (null: chưa rõ)."},
            "instrument": {"help_text": "Văn bản làm căn cứ (số, ký hiệu)."},
            "evidence_level": {"help_text": "Mức minh chứng."},
        }

    steps = StepSerializer(
        many=True, read_only=True, help_text="Các bước có ngày của kết quả, cũ trước mới sau."
    )

    def to_representation(self, adoption):
        data = super().to_representation(adoption)
        if hasattr(adoption, "status_then"):
            # `?ngay=`: the record as it stood that day; its later steps are not shown.
            data["status"] = adoption.status_then
            data["decided_on"] = serializers.DateField().to_representation(adoption.decided_then)
            data["instrument"] = adoption.instrument_then
            if "steps" in data:  # (a file of the list leaves them out: opendata.api_files)
                data["steps"] = [
                    step
                    for step in data["steps"]
                    if step["on"] is None or (step["on"] <= self.context["as_of"].isoformat())
                ]
        return data


class AdoptionFilter(django_filters.FilterSet):
    practice = django_filters.CharFilter(
        field_name="practice__slug", help_text="`slug` của giải pháp."
    )
    category = django_filters.CharFilter(
        field_name="practice__category__code", help_text="Mã nhóm giải pháp."
    )
    status = django_filters.ChoiceFilter(
        choices=AdoptionStatus.choices,
        method="filter_status",
        help_text="Trạng thái (của ngày `ngay` nếu có, nếu không là hôm nay).",
    )
    evidence_level = django_filters.ChoiceFilter(
        choices=EvidenceLevel.choices, help_text="Mức minh chứng."
    )
    agency = django_filters.CharFilter(
        method="filter_agency",
        help_text="Chỉ kết quả ghi cho đúng đơn vị mang mã này vào ngày `on` (mặc định hôm "
        "nay). Mã không có vào ngày đó: lỗi 400.",
    )
    current_agency = django_filters.CharFilter(
        method="filter_current_agency",
        help_text="Mọi kết quả của đơn vị như trang của đơn vị cho thấy: của chính đơn vị, "
        "các sở trực thuộc và các đơn vị đã hợp nhất vào đơn vị.",
    )

    class Meta:
        model = Adoption
        fields = ["practice", "category", "status", "evidence_level"]

    def filter_status(self, queryset, name, status):
        """The status of the day asked with `?ngay=`, or today's."""
        if "status_then" in queryset.query.annotations:
            return queryset.filter(status_then=status)
        return queryset.filter(status=status)

    def filter_agency(self, queryset, name, code):
        """Adoptions recorded against the one unit carrying `code` on `on` (default today)."""
        agency = _resolve(code, _parse_on(self.data), name)
        return queryset.filter(agency=agency)

    def filter_current_agency(self, queryset, name, code):
        """The unit's records, as its page shows them: its own, its departments' and those of
        every unit that became it (`queries.records_of`)."""
        agency = _resolve(code, _parse_on(self.data), name)
        return queries.records_of({agency.id}, queries.Lineage.load(), adoptions=queryset)


_ADOPTION_PARAMETERS = [
    OpenApiParameter(
        "on",
        OpenApiTypes.DATE,
        description="Ngày (YYYY-MM-DD) dùng để hiểu mã ở `agency` và `current_agency`: một mã "
        "có thể đã thuộc đơn vị khác trước ngày 01/07/2025.",
    ),
    OpenApiParameter(
        "ngay",
        OpenApiTypes.DATE,
        description="Ngày (YYYY-MM-DD): mọi kết quả như vào ngày đó (trạng thái, ngày quyết "
        "định, văn bản; các bước sau ngày đó không hiện).",
    ),
]


@read_only(
    "Kết quả áp dụng",
    AdoptionSerializer,
    (
        "Danh sách kết quả áp dụng",
        "Các kết quả áp dụng đã được thẩm định và công bố, với từng bước có ngày.",
    ),
    ("Một kết quả áp dụng", "Kết quả áp dụng theo số `id`."),
    parameters=_ADOPTION_PARAMETERS,
    item_parameters=_ADOPTION_PARAMETERS[1:],
)
@method_decorator(limit("api", "RATELIMIT_API"), name="dispatch")
class AdoptionViewSet(FileListMixin, viewsets.ReadOnlyModelViewSet):
    file_name = "ket-qua-ap-dung"
    serializer_class = AdoptionSerializer
    filterset_class = AdoptionFilter

    def get_queryset(self):
        adoptions = (
            Adoption.objects.public()
            .select_related("practice", "practice__category", "agency")
            .defer(*(f"practice__{name}" for name in queries.PRACTICE_TEXT))
            .prefetch_related(
                Prefetch(
                    "steps", AdoptionStep.objects.order_by(F("on").asc(nulls_first=True), "pk")
                )
            )
            .order_by("practice__slug", "agency__sort_name", "pk")
        )
        on = self.as_of()
        return adoptions if on is None else history.annotate_as_of(adoptions, on)

    def as_of(self):
        """`?ngay=YYYY-MM-DD`: every record as it stood that day (practices.history)."""
        try:
            return history.parse_date(self.request.query_params.get(history.DATE_PARAM))
        except history.DateError as error:
            raise ValidationError({history.DATE_PARAM: str(error)}) from None

    def get_serializer_context(self):
        return super().get_serializer_context() | {"as_of": self.as_of()}


router = DefaultRouter()
router.include_root_view = True
router.register("practices", PracticeViewSet, basename="practice")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("adoptions", AdoptionViewSet, basename="adoption")
