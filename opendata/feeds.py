"""Atom feeds of what becomes public, to follow the catalogue without visiting it: approved
or changed adoptions (all, of one practice, of one category, of one unit with its
predecessors and departments) and new or changed knowledge pages.

Only public records are in a feed (an approved adoption of a published practice; a live
page), newest change first; a record that is withdrawn leaves its feed.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from kb.models import KnowledgePage
from opendata.middleware import public_data_changed
from practices import queries
from practices.models import Adoption, Agency, PracticeCategory, PracticePage

SIZE = 50  # entries a feed holds
SITE = settings.WAGTAIL_SITE_NAME


class Atom(Atom1Feed):
    """Atom whose `<updated>`, for a feed with no entry, is when the public data last changed
    rather than the time of the request: the same feed is the same bytes, so its ETag holds
    and a reader that asks again gets a 304."""

    def latest_post_date(self):
        if self.items:
            return super().latest_post_date()
        return public_data_changed()


class PublicFeed(Feed):
    feed_type = Atom


class AdoptionFeed(PublicFeed):
    """Every public adoption."""

    title = f"Kết quả áp dụng mới – {SITE}"
    subtitle = "Các kết quả áp dụng giải pháp vừa được thẩm định, công bố hoặc cập nhật."

    def link(self, obj=None):
        return reverse("practices:matrix")

    def records(self, obj):
        return Adoption.objects.public()

    def items(self, obj=None):
        return (
            self.records(obj)
            .select_related("practice", "practice__category", "agency")
            .order_by("-updated_at", "-pk")[:SIZE]
        )

    def item_title(self, adoption):
        return (
            f"{adoption.agency.display_name}: {adoption.get_status_display().lower()} "
            f"“{adoption.practice.title}”"
        )

    def item_description(self, adoption):
        parts = [f"Trạng thái: {adoption.get_status_display()}"]
        if adoption.decided_on:
            parts.append(f"ngày quyết định {adoption.decided_on:%d/%m/%Y}")
        if adoption.instrument:
            parts.append(f"văn bản: {adoption.instrument}")
        parts.append(f"mức minh chứng: {adoption.get_evidence_level_display().lower()}")
        return escape("; ".join(parts) + ".")  # the summary is read as HTML

    def item_link(self, adoption):
        return adoption.get_absolute_url()

    # A live record's row is written when it is published (a draft of it is a revision
    # only), so `updated_at` is its last public change; records imported in bulk have it too,
    # where Wagtail's publishing dates may be empty.
    def item_pubdate(self, adoption):
        return adoption.first_published_at or adoption.created_at

    def item_updateddate(self, adoption):
        return adoption.updated_at

    def item_categories(self, adoption):
        return [adoption.practice.category.name]


class PracticeAdoptionFeed(AdoptionFeed):
    def get_object(self, request, slug):
        return get_object_or_404(PracticePage.objects.live(), slug=slug)

    def title(self, practice):
        return f"Kết quả áp dụng “{practice.title}” – {SITE}"

    def subtitle(self, practice):
        return f"Các nơi vừa áp dụng hoặc cập nhật việc áp dụng giải pháp “{practice.title}”."

    def link(self, practice):
        return practice.url

    def records(self, practice):
        return Adoption.objects.public().filter(practice=practice)


class CategoryAdoptionFeed(AdoptionFeed):
    def get_object(self, request, code):
        return get_object_or_404(PracticeCategory, code=code)

    def title(self, category):
        return f"Kết quả áp dụng nhóm “{category.name}” – {SITE}"

    def subtitle(self, category):
        return f"Kết quả áp dụng mới của các giải pháp nhóm “{category.name}”."

    def link(self, category):
        return f"/sang-kien/?nhom={category.code}"  # the catalogue, narrowed to it

    def records(self, category):
        return Adoption.objects.public().filter(practice__category=category)


class AgencyAdoptionFeed(AdoptionFeed):
    """A unit's records as its page counts them: its own, its departments' and those of
    every unit that became it (queries.records_of)."""

    def get_object(self, request, slug):
        return get_object_or_404(Agency, slug=slug)

    def title(self, agency):
        return f"Kết quả áp dụng của {agency.name} – {SITE}"

    def subtitle(self, agency):
        return (
            f"Kết quả áp dụng mới của {agency.name}, các đơn vị trực thuộc và các đơn vị "
            "đã hợp nhất vào đơn vị."
        )

    def link(self, agency):
        return agency.get_absolute_url()

    def records(self, agency):
        return queries.records_of({agency.id}, queries.Lineage.load())


class KnowledgeFeed(PublicFeed):
    title = f"Kiến thức mới – {SITE}"
    subtitle = "Hướng dẫn, văn bản pháp lý và thuật ngữ vừa đăng hoặc cập nhật."

    def link(self):
        return "/kien-thuc/"

    def items(self):
        return (
            KnowledgePage.objects.live()
            .public()
            .specific()
            .order_by(F("last_published_at").desc(nulls_last=True), "-pk")[:SIZE]
        )

    def item_title(self, page):
        return page.title

    def item_description(self, page):
        return escape(page.summary)

    def item_link(self, page):
        return page.url

    def item_pubdate(self, page):
        return page.first_published_at or page.latest_revision_created_at

    def item_updateddate(self, page):
        return page.last_published_at or page.latest_revision_created_at
