"""The national overview, `/tong-quan/`: every practice across the provinces and ministries."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from dashboards import charts, charts_overview, overview, params
from dashboards.charts_practice import name
from dashboards.practice_stats import GROUPS
from practices import history


def national_overview(request):
    on, date_error = history.date_from(request.GET)
    day = on or timezone.localdate()
    data = overview.cached_overview(day)
    query = {params.DATE: on.isoformat()} if on else {}
    groups = []
    for group in GROUPS:
        groups.append(
            {
                "group": group,
                "units": data.units[group.key],
                "coverage": charts.build(name(charts_overview.COVERAGE, group), query),
                "trend": (
                    charts.build(name(charts_overview.TREND, group), query)
                    if data.trends[group.key]
                    else None
                ),
                "behind": data.units_behind[group.key],
            }
        )
    context = {
        "overview": data,
        "groups": groups,
        "regions": charts.build(charts_overview.REGIONS, query) if data.regions else None,
        "rules": overview.RULES,
        "on": on,
        "day": day,
        "date_error": date_error,
    }
    return render(request, "dashboards/overview.html", context)


urlpatterns = [path("tong-quan/", national_overview, name="overview")]
