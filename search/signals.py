"""Lifecycle signals that keep search rows in step with the records they come from."""

from django.db.models.signals import post_delete, post_save

from wagtail.signals import (
    page_published,
    page_slug_changed,
    page_unpublished,
    post_page_move,
    published,
    unpublished,
)

from kb.models import KnowledgePage
from practices.models import Adoption, Agency, PracticePage
from search.sync import schedule


def _page_kind(page):
    page = page.specific_deferred if hasattr(page, "specific_deferred") else page
    if isinstance(page, PracticePage):
        return "practice"
    if isinstance(page, KnowledgePage):
        return "guidance"
    return None


def page_changed(sender, instance, **kwargs):
    kind = _page_kind(instance)
    if kind:
        schedule(kind, instance.pk)


def page_moved(sender, instance, **kwargs):
    # A move changes the URL of the page and of everything under it.
    for page in instance.get_descendants(inclusive=True).specific():
        page_changed(sender, page)


def adoption_changed(sender, instance, **kwargs):
    schedule("adoption", instance.pk)


def agency_changed(sender, instance, **kwargs):
    schedule("agency", instance.pk)


def connect():
    page_published.connect(page_changed, dispatch_uid="search-page-published")
    page_unpublished.connect(page_changed, dispatch_uid="search-page-unpublished")
    post_page_move.connect(page_moved, dispatch_uid="search-page-moved")
    page_slug_changed.connect(page_moved, dispatch_uid="search-page-slug-changed")
    for model in [PracticePage, *KnowledgePage.__subclasses__(), KnowledgePage]:
        post_delete.connect(page_changed, sender=model, dispatch_uid=f"search-delete-{model}")
    post_save.connect(adoption_changed, sender=Adoption, dispatch_uid="search-adoption-saved")
    # Approving a report publishes it; withdrawing it unpublishes.
    published.connect(adoption_changed, sender=Adoption, dispatch_uid="search-adoption-published")
    unpublished.connect(
        adoption_changed, sender=Adoption, dispatch_uid="search-adoption-unpublished"
    )
    post_delete.connect(adoption_changed, sender=Adoption, dispatch_uid="search-adoption-deleted")
    post_save.connect(agency_changed, sender=Agency, dispatch_uid="search-agency-saved")
    post_delete.connect(agency_changed, sender=Agency, dispatch_uid="search-agency-deleted")
