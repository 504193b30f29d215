"""`/sitemap.xml`: every public page a search engine should know, from Wagtail's page tree
(practices, knowledge pages, the catalogue), and the pages outside it: each unit, each
practice's diffusion dashboard and the site's own sections."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap

from kb.links import absolute_url
from practices.models import Agency, PracticePage


class PageSitemap(WagtailSitemap):
    """Wagtail's live public pages, on the host of the request, as every other address the
    site writes (kb/links.py), not the host stored in Wagtail's `Site` record."""

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        pages = self.paginator.page(page).object_list
        for info, item in zip(urls, pages, strict=True):
            info["location"] = absolute_url(self.request, item)
        return urls


class AgencySitemap(Sitemap):
    """Every unit, those that ended in 2025 too: their pages keep their history."""

    changefreq = "weekly"

    def items(self):
        return Agency.objects.order_by("pk").only("slug")

    def location(self, agency):
        return agency.get_absolute_url()


class DashboardSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return PracticePage.objects.live().public().order_by("pk").only("slug")

    def location(self, practice):
        return reverse("dashboards:practice_dashboard", args=[practice.slug])


class SectionSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return [
            "practices:matrix",
            "dashboards:overview",
            "dashboards_map:map",
            "practices:agency_list",
            "open-data",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "agencies": AgencySitemap,
    "dashboards": DashboardSitemap,
    "sections": SectionSitemap,
}
