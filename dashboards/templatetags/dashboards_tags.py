"""`{% registered_chart "name" key=value … %}`: build a registered chart for this page and
include it (templates/dashboards/_chart.html), in one line of a page's template;
`{% chart_social_image chart %}`: its PNG as the page's `og:image`.

Both take the page's query parameters with the keyword arguments on top (an `_` in a keyword
stands for the `-` of the parameter's name: `giai_phap=page.slug` is `giai-phap`)."""

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html

from dashboards import cache, charts
from kb.links import absolute_url

register = template.Library()


def _build(context, name, params):
    request = context.get("request")
    merged = request.GET.dict() if request is not None else {}
    merged.update({key.replace("_", "-"): value for key, value in params.items()})
    try:
        return charts.build(name, merged)
    except charts.BadParams:
        # The page itself says what is wrong with its parameters; the chart stays out.
        return None


@register.inclusion_tag("dashboards/_chart.html", takes_context=True)
def registered_chart(context, name, **params):
    return {"chart": _build(context, name, params)}


@register.simple_tag(takes_context=True)
def chart_social_image(context, chart, **params):
    """The `og:image` tags naming a chart's PNG (for a page's `extra_head` block): `chart` is
    a Chart, or the name of a registered one."""
    if isinstance(chart, str):
        chart = _build(context, chart, params)
    request = context.get("request")
    if chart is None or not chart.png_url or request is None:
        return ""
    return format_html(
        '<meta property="og:image" content="{}">'
        '<meta property="og:image:type" content="image/png">'
        '<meta property="og:image:alt" content="{}">',
        absolute_url(request, chart.png_url),
        f"{chart.title}. {chart.description}",
    )


@register.simple_tag
def dashboards_fragment():
    """What a `{% cache %}` of a dashboard fragment keys on and how long it keeps: the data
    version (`dashboards.cache`; a change to the data moves it), today (a fragment without a
    date shows today's) and `DASHBOARDS_CACHE_SECONDS` (0, as in the tests: not kept).

        {% dashboards_fragment as fragment %}
        {% cache fragment.seconds "name" fragment.version fragment.today other keys %}…
    """
    return {
        "version": cache.version(),
        "today": timezone.localdate().isoformat(),
        "seconds": settings.DASHBOARDS_CACHE_SECONDS,
    }
