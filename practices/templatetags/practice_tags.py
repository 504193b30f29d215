"""Presentation helpers for the public templates: adoption statuses, agency groups, dates."""

import datetime

from django import template
from django.http import QueryDict

from practices.models import (
    CENTRAL_KINDS,
    PROVINCIAL_KINDS,
    STATUS_RANK,
    AdoptionStatus,
    AgencyKind,
)

register = template.Library()

# Shown next to the colour in every badge and matrix cell, so colour is never the only cue.
STATUS_SYMBOLS = {
    AdoptionStatus.ADOPTED: "✓",
    AdoptionStatus.PILOTING: "◐",
    AdoptionStatus.PLANNED: "○",
    AdoptionStatus.DISCONTINUED: "✕",
}
NONE_SYMBOL = "–"
NONE_LABEL = "Chưa ghi nhận"
STATUS_LABELS = dict(AdoptionStatus.choices)


def _code(status):
    return str(status) if status in STATUS_LABELS else "none"


@register.filter
def status_code(status):
    """The status code, or "none" for an empty cell (used for CSS classes and data attributes)."""
    return _code(status)


@register.filter
def status_class(status):
    return f"status status--{_code(status)}"


@register.filter
def status_symbol(status):
    return STATUS_SYMBOLS.get(status, NONE_SYMBOL)


@register.filter
def status_label(status):
    return STATUS_LABELS.get(status, NONE_LABEL)


@register.simple_tag
def status_legend():
    """Every status, furthest stage first, plus the empty state: (code, symbol, label)."""
    ordered = sorted(STATUS_RANK, key=STATUS_RANK.get, reverse=True)
    items = [(str(s), STATUS_SYMBOLS[s], STATUS_LABELS[s]) for s in ordered]
    return items + [("none", NONE_SYMBOL, NONE_LABEL)]


@register.simple_tag
def status_summary(counts):
    """[(code, symbol, label, n)] for the statuses present in `counts`, furthest stage first."""
    counts = counts or {}
    ordered = sorted(STATUS_RANK, key=STATUS_RANK.get, reverse=True)
    return [
        (str(s), STATUS_SYMBOLS[s], STATUS_LABELS[s], counts[s]) for s in ordered if counts.get(s)
    ]


@register.filter
def group_by_level(agencies):
    """Split a list of agencies into provinces/cities and ministries, keeping the order."""
    groups = [
        ("Tỉnh, thành phố", [a for a in agencies if a.kind in PROVINCIAL_KINDS]),
        ("Bộ, cơ quan ngang bộ", [a for a in agencies if a.kind in CENTRAL_KINDS]),
        ("Đơn vị khác", [a for a in agencies if a.kind == AgencyKind.DEPARTMENT]),
    ]
    return [(label, items) for label, items in groups if items]


@register.filter
def day_after(value):
    if isinstance(value, datetime.date):
        return value + datetime.timedelta(days=1)
    return value


@register.filter
def differs_from(agency, other):
    """True when `agency` and `other` are different units (compared by primary key)."""
    return getattr(agency, "pk", None) != getattr(other, "pk", None)


@register.simple_tag(takes_context=True)
def query_replace(context, key, value=None):
    """The current query string with `key` set to `value`, or removed when `value` is empty.

    Returns "?a=1&trang=2", or "" when no parameter is left. Other parameters are kept as
    they are, empty ones included (an empty `thoi-ky` means "every period", not the default).
    """
    request = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    if value in (None, ""):
        params.pop(key, None)
    else:
        params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else ""


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def facet_label(key):
    from practices.queries import CATALOGUE_FILTERS

    return CATALOGUE_FILTERS.get(key, key)
