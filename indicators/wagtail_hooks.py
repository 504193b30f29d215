"""Indicator values in the admin: a snippet listing, filtered by indicator, unit, period and
kind, that national editors edit (`indicators.permissions`)."""

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

import django_filters

from indicators.models import IndicatorValue, ValueKind
from indicators.periods import PeriodKind
from practices.models import Agency, Indicator
from practices.periods import labelled


class AgencyChoiceFilter(django_filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Names are reused across periods; the active-filter chip of "Cả nước" passes the
        # null choice's value, not a unit.
        self.field.label_from_instance = lambda unit: (
            labelled(unit) if isinstance(unit, Agency) else self.extra["null_label"]
        )


class IndicatorValueFilterSet(WagtailFilterSet):
    indicator = django_filters.ModelChoiceFilter(
        label="Chỉ số", queryset=Indicator.objects.order_by("name")
    )
    agency = AgencyChoiceFilter(
        label="Cơ quan, đơn vị",
        queryset=Agency.objects.exclude(indicator_values=None).order_by("sort_name", "valid_from"),
        null_label="Cả nước",
    )
    period_kind = django_filters.ChoiceFilter(label="Loại kỳ", choices=PeriodKind.choices)
    year = django_filters.NumberFilter(
        label="Năm", field_name="period_start", lookup_expr="year", min_value=1900
    )
    kind = django_filters.ChoiceFilter(label="Loại số liệu", choices=ValueKind.choices)

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "agency", "period_kind", "year", "kind"]


class IndicatorValueViewSet(SnippetViewSet):
    model = IndicatorValue
    icon = "pick"
    menu_label = "Giá trị chỉ số"
    menu_order = 220
    add_to_admin_menu = True
    list_display = [
        "indicator",
        Column("agency_label", label="Cơ quan, đơn vị"),
        Column("period_label", label="Kỳ", sort_key="period_start"),
        Column("display_value", label="Giá trị"),
        "kind",
        "source",
    ]
    filterset_class = IndicatorValueFilterSet
    list_per_page = 50
    ordering = ["indicator__name", "agency__sort_name", "-period_start"]

    def get_queryset(self, request):
        return IndicatorValue.objects.select_related("indicator", "agency")


register_snippet(IndicatorValueViewSet)
