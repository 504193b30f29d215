"""What a page says of itself to search engines and to the apps a link is shared in: its
canonical address, and Open Graph and Twitter card tags (title, description; the image is
`sharing_image` unless the page's `social_image` block names its own)."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.templatetags.static import static

from wagtail.models import Page

register = template.Library()

SITE_NAME = settings.WAGTAIL_SITE_NAME
SITE_DESCRIPTION = (
    "Bộ, ngành, tỉnh, thành phố nào đã áp dụng giải pháp hay nào về dịch vụ công trực tuyến, "
    "khi nào, theo văn bản nào và đạt kết quả gì."
)
IMAGE = "img/social.png"  # 1200 × 630, the size the large cards show
IMAGE_SIZE = (1200, 630)
# The query parameters that make another page of content; any other (a search, a day,
# tracking) leaves the canonical address without it.
CANONICAL_PARAMETERS = ("trang", "page", "pham-vi", "nhom", "giai-phap")


def canonical_url(request):
    kept = [(name, request.GET[name]) for name in CANONICAL_PARAMETERS if request.GET.get(name)]
    query = f"?{urlencode(kept)}" if kept else ""
    return request.build_absolute_uri(request.path) + query


def _described(context):
    """(title, description) of what the page shows."""
    if context.get("share_title"):
        return context["share_title"], context.get("share_description") or SITE_DESCRIPTION
    page = context.get("page")
    if isinstance(page, Page):
        title = page.seo_title or page.title
        description = page.search_description or getattr(page, "summary", "") or ""
        return title, description or SITE_DESCRIPTION
    profile = context.get("profile")
    agency = getattr(profile, "agency", None)
    if agency is not None:
        return agency.name, f"Các giải pháp dịch vụ công trực tuyến {agency.name} đã áp dụng."
    return SITE_NAME, SITE_DESCRIPTION


@register.inclusion_tag("kb/sharing_tags.html", takes_context=True)
def sharing_tags(context):
    request = context.get("request")
    if request is None:
        return {}
    title, description = _described(context)
    return {
        "canonical": canonical_url(request),
        "title": title,
        "description": " ".join(description.split())[:300],
        "site_name": SITE_NAME,
        # A page under the home page is an article; the home page and the rest, the site.
        "type": "article" if getattr(context.get("page"), "depth", 0) > 2 else "website",
    }


@register.inclusion_tag("kb/sharing_image.html", takes_context=True)
def sharing_image(context):
    """The site's card image (a page with a chart names the chart's PNG instead: see
    dashboards_tags.chart_social_image). Twitter reads `og:image` when it has no image of its
    own."""
    request = context.get("request")
    return {
        "image": request.build_absolute_uri(static(IMAGE)) if request else static(IMAGE),
        "width": IMAGE_SIZE[0],
        "height": IMAGE_SIZE[1],
        "alt": SITE_NAME,
    }
