"""The indicator sections of the practice and agency pages: one include line each
(templates/indicators/_practice_indicators.html, _agency_indicators.html), whose data these
tags read (indicators.queries) and whose charts they build (indicators.charts)."""

from html import escape

from django import template
from django.template.defaultfilters import floatformat
from django.utils.safestring import mark_safe

from indicators import charts, queries

register = template.Library()


@register.simple_tag
def practice_indicators(practice, on=None):
    """The before/after reading of the practice's indicators as of `on` (today if None), each
    result with its chart."""
    data = queries.before_after(practice, on)
    for result in data.results:
        result.chart = charts.practice_chart(result, practice, data.on, dated=on is not None)
    return data


@register.simple_tag
def agency_indicators(agency):
    """The unit's indicator series (its own and its predecessors'), each with its chart."""
    data = queries.agency_indicators(agency)
    for series in data.series:
        series.chart = charts.agency_chart(series, agency)
    return data


@register.simple_tag
def source_items(series):
    """Each value of an agency's series as a list item with its period, unit, kind and source,
    every text escaped. Written here rather than as a template loop: a province holds hundreds
    of values, and the template engine spent a tenth of a second on them."""
    items = []
    for point in series.points:
        predecessor = "" if point.own else " (tiền thân)"
        instrument = f"; {escape(point.instrument)}" if point.instrument else ""
        items.append(
            f"<li>{escape(str(point.period_label))}, {escape(str(point.reported_by_label))}"
            f"{predecessor}: <strong>{escape(str(floatformat(point.value, '-2')))}</strong> "
            f"({escape(str(point.kind_label).lower())}). Nguồn: {escape(point.source)}"
            f"{instrument}</li>"
        )
    return mark_safe("".join(items))  # noqa: S308 (every value is escaped above)
