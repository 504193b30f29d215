"""Presentation helpers for the diffusion dashboards, and the practice page's teaser
(`{% practice_diffusion_teaser page %}` in templates/dashboards/_practice_teaser.html)."""

from django import template
from django.utils import timezone

from dashboards import charts, charts_practice, params, practice_stats
from practices import history

register = template.Library()


@register.filter
def share(value):
    """A share (0–1) as Vietnamese write a percentage: "52,9 %"."""
    if value is None:
        return ""
    text = f"{100 * value:.1f}".replace(".", ",")
    if text.endswith(",0"):
        text = text[:-2]
    return f"{text}\u00a0%"


@register.filter
def days_text(days):
    """A number of days, with the months it makes: "120 ngày (khoảng 3,9 tháng)"."""
    if days is None:
        return ""
    days = round(days)
    months = f"{abs(days) / practice_stats.DAYS_PER_MONTH:.1f}".replace(".", ",")
    sign = "−" if days < 0 else ""
    if abs(days) < 60:
        return f"{sign}{abs(days)} ngày"
    return f"{sign}{abs(days)} ngày (khoảng {sign}{months} tháng)"


@register.inclusion_tag("dashboards/_practice_teaser.html", takes_context=True)
def practice_diffusion_teaser(context, practice):
    """The share of adopters and a small curve, linking to the practice dashboard; on the day
    the page shows (`?ngay=`), today otherwise or when that day is wrong (the page says why)."""
    if not getattr(practice, "live", False):
        # A draft's preview: the dashboard serves live practices only.
        return {"practice": None}
    request = context.get("request")
    on = history.date_from(request.GET)[0] if request is not None else None
    stats = practice_stats.cached_practice_stats(practice, on or timezone.localdate())
    chart = None
    if stats.groups[0].curve:
        query = {params.PRACTICE: practice.slug}
        if on:
            query[params.DATE] = on.isoformat()
        chart = charts.build(charts_practice.TEASER, query)
    return {"practice": practice, "stats": stats, "chart": chart, "on": on}
