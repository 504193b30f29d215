"""The site's owner and contact (`SiteContact`), for the footer of every public page."""

from django import template

from wagtail.models import Site

from kb.models import SiteContact

register = template.Library()


@register.simple_tag(takes_context=True)
def site_contact(context):
    """The contact of the site serving the request, or None. Only read: unlike Wagtail's
    `settings` context processor this never creates the row on a GET, and a request that
    matches no site renders a footer without contact instead of failing."""
    request = context.get("request")
    if request is None:
        return None
    site = Site.find_for_request(request)
    if site is None:
        return None
    return SiteContact.objects.filter(site=site).first()
