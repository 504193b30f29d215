"""The practice dashboard, `/sang-kien/<slug>/lan-toa/`: how one practice spread.

Under the practice's own address, one level below it: a practice page has no child pages
(`PracticePage.subpage_types` is empty), so Wagtail has nothing to serve there, and this
route is matched before Wagtail's (kb/urls.py).
"""

from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone

from dashboards import charts, charts_practice, params, practice_stats
from practices import history
from practices.models import PracticePage


def _chart(name, query):
    return charts.build(name, query)


def practice_dashboard(request, slug):
    practice = get_object_or_404(PracticePage.objects.live().select_related("category"), slug=slug)
    on, date_error = history.date_from(request.GET)
    day = on or timezone.localdate()
    stats = practice_stats.cached_practice_stats(practice, day)
    query = {params.PRACTICE: practice.slug}
    if on:
        query[params.DATE] = on.isoformat()
    groups = []
    for group in stats.groups:
        curve = charts_practice.name(charts_practice.CURVE, group.group)
        quarters = charts_practice.name(charts_practice.QUARTERS, group.group)
        groups.append(
            {
                "stats": group,
                "curve": _chart(curve, query) if group.curve else None,
                "quarters": _chart(quarters, query) if group.quarters else None,
                "denominator": charts_practice.denominator_text(group) if group.curve else "",
            }
        )
    regions = None
    if any(r.adopted_or_piloting for r in stats.groups[0].regions):
        regions = _chart(charts_practice.REGIONS, query)
    context = {
        "page": practice,
        "practice": practice,
        "stats": stats,
        "groups": groups,
        "regions": regions,
        "provinces": stats.groups[0],
        "learned": _chart(charts_practice.LEARNED, query) if stats.edges else None,
        "rules": practice_stats.RULES,
        "stages": practice_stats.STAGES,
        "on": on,
        "day": day,
        "date_error": date_error,
    }
    return render(request, "dashboards/practice_dashboard.html", context)


urlpatterns = [
    path("sang-kien/<slug:slug>/lan-toa/", practice_dashboard, name="practice_dashboard"),
]
