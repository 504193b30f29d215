"""The agency page's dashboard, for its one include line (templates/dashboards/_agency.html):
the page's view stays as it is, and the include asks for its own data here."""

from django import template

from dashboards import agency_stats, charts_agency

register = template.Library()


@register.simple_tag
def agency_dashboard(agency, on=None):
    """{dash, chart} for `agency` on the page's date `on` (`?ngay=`, read and checked by the
    page's view); without one, today or the last day of a unit that has ended."""
    dash = agency_stats.agency_dashboard(agency, on or agency_stats.default_date(agency))
    chart = charts_agency.timeline_for(dash.agency, dash.date) if dash.timeline else None
    return {"dash": dash, "chart": chart}
