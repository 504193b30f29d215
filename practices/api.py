"""The read-only open-data API (`/api/v1/`): practices, agencies and adoptions as JSON.

Field names and filter names are part of a public contract: add, never rename.
"""

import datetime

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone
from django.utils.decorators import method_decorator

import django_filters
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.routers import DefaultRouter

from kb.links import absolute_url
from kb.ratelimits import limit
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


class AbsoluteURLField(serializers.Field):
    """The object's public page, as an absolute URL on the host of the request (`kb.links`)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return absolute_url(self.context["request"], value)


class PracticeSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    url = AbsoluteURLField()
    adopter_count = serializers.IntegerField()

    class Meta:
        model = PracticePage
        fields = ["slug", "title", "category", "url", "adopter_count"]


class PracticeFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__code")

    class Meta:
        model = PracticePage
        fields = ["category"]


@method_decorator(limit("api", "RATELIMIT_API"), name="dispatch")
class PracticeViewSet(viewsets.ReadOnlyModelViewSet):
    """Live practices; `adopter_count` counts the agencies with status `adopted`."""

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
    parent = serializers.CharField(source="parent.code", default=None)
    successors = serializers.SerializerMethodField()
    url = AbsoluteURLField()
    # The unit's records as every page counts them (`queries.records_of`): what
    # `/adoptions/?current_agency=` lists for it.
    adoption_count = serializers.IntegerField(source="record_count", read_only=True)

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

    def get_successors(self, agency):
        return [other.code for other in agency.successors.all()]


class AgencyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=AgencyKind.choices)
    current = django_filters.BooleanFilter(method="filter_current")
    q = django_filters.CharFilter(method="filter_q")

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


@method_decorator(limit("api", "RATELIMIT_API"), name="dispatch")
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
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

    def get_object(self):
        return queries.with_record_counts([super().get_object()])[0]


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdoptionStep
        fields = ["status", "on", "instrument", "evidence_url"]


class AdoptionSerializer(serializers.ModelSerializer):
    practice = serializers.CharField(source="practice.slug")
    category = serializers.CharField(source="practice.category.code")
    agency = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")
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

    steps = StepSerializer(many=True, read_only=True)

    def to_representation(self, adoption):
        data = super().to_representation(adoption)
        if hasattr(adoption, "status_then"):
            # `?ngay=`: the record as it stood that day; its later steps are not shown.
            data["status"] = adoption.status_then
            data["decided_on"] = serializers.DateField().to_representation(adoption.decided_then)
            data["instrument"] = adoption.instrument_then
            data["steps"] = [
                step
                for step in data["steps"]
                if step["on"] is None or (step["on"] <= self.context["as_of"].isoformat())
            ]
        return data


class AdoptionFilter(django_filters.FilterSet):
    practice = django_filters.CharFilter(field_name="practice__slug")
    category = django_filters.CharFilter(field_name="practice__category__code")
    status = django_filters.ChoiceFilter(choices=AdoptionStatus.choices, method="filter_status")
    evidence_level = django_filters.ChoiceFilter(choices=EvidenceLevel.choices)
    agency = django_filters.CharFilter(method="filter_agency")
    current_agency = django_filters.CharFilter(method="filter_current_agency")

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


@method_decorator(limit("api", "RATELIMIT_API"), name="dispatch")
class AdoptionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AdoptionSerializer
    filterset_class = AdoptionFilter

    def get_queryset(self):
        adoptions = (
            Adoption.objects.public()
            .select_related("practice", "practice__category", "agency")
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
