"""`{% registered_chart "name" key=value … %}`: build a registered chart for this page and
include it (templates/dashboards/_chart.html), in one line of a page's template."""

from django import template

from dashboards import charts

register = template.Library()


@register.inclusion_tag("dashboards/_chart.html", takes_context=True)
def registered_chart(context, name, **params):
    """The page's query parameters, with `params` on top (an `_` in a keyword stands for the
    `-` of the parameter's name: `giai_phap=page.slug` is `giai-phap`)."""
    request = context.get("request")
    merged = request.GET.dict() if request is not None else {}
    merged.update({key.replace("_", "-"): value for key, value in params.items()})
    try:
        chart = charts.build(name, merged)
    except charts.BadParams:
        # The page itself shows what is wrong with its parameters; the chart stays out.
        return {"chart": None}
    return {"chart": chart}
