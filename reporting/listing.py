"""The adoption list's review state: its column and its filter.

Both read the `review_state` annotation of `reporting.queries.with_review_state`, which the
adoption viewset puts on its list's queryset, so neither costs a query per row.
"""

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import StatusTagColumn

import django_filters

from practices.models import Adoption
from reporting.states import LIVE_STATES, ReviewState

STATE_LABEL = "Tình trạng báo cáo"


def _state(instance):
    value = getattr(instance, "review_state", None)
    return ReviewState(value) if value else None


class ReviewStateColumn(StatusTagColumn):
    """Bản nháp, Chờ thẩm định, Bị trả lại, Đã công bố…; live states drawn as Wagtail draws
    "live"."""

    def __init__(self, **kwargs):
        super().__init__(
            "review_state",
            label=STATE_LABEL,
            accessor=lambda instance: _state(instance).label if _state(instance) else "",
            primary=lambda instance: _state(instance) in LIVE_STATES,
            **kwargs,
        )


def _filter_state(queryset, name, value):
    return queryset.filter(review_state=value) if value else queryset


class AdoptionFilterSet(WagtailFilterSet):
    review_state = django_filters.ChoiceFilter(
        label=STATE_LABEL, choices=ReviewState.choices, method=_filter_state
    )

    class Meta:
        model = Adoption
        fields = ["review_state", "status", "evidence_level", "practice"]
