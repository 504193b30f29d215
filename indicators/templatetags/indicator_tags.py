"""The indicator sections of the practice and agency pages: one include line each
(templates/indicators/_practice_indicators.html, _agency_indicators.html), whose data these
tags read (indicators.queries) and whose charts they build (indicators.charts)."""

from django import template

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
