"""Which changes make the cached public answers stale (`ops.pagecache.invalidate`).

A change counts when the public can see it: a page or a report published, changed while live,
withdrawn, moved or deleted; any change to the records public pages show around them (units
and their successions, categories, indicators and their values, sources, documents, images,
redirects, privacy rules). A reporter's draft, a new revision of a live page, a rendition made
on a read, the search rows and the jobs do not count, so a wave of drafts before a deadline
leaves the cache warm.

Bulk writes send no signals; the imports and the seed call `invalidate()` themselves.
"""

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from wagtail.signals import (
    page_published,
    page_slug_changed,
    page_unpublished,
    post_page_move,
    published,
    unpublished,
)

from ops.pagecache import invalidate

PUBLIC_MODELS = [
    "kb.Source",
    "kb.KnowledgePageTag",
    "kb.SiteContact",
    "practices.Agency",
    "practices.Succession",
    "practices.PracticeCategory",
    "practices.Indicator",
    "indicators.IndicatorValue",
    "wagtailcore.Site",
    "wagtailcore.Collection",
    "wagtailcore.PageViewRestriction",
    "wagtailcore.CollectionViewRestriction",
    "wagtailredirects.Redirect",
    "wagtaildocs.Document",
    "wagtailimages.Image",
    "taggit.Tag",
    "taggit.TaggedItem",
]
# Rows of a report, written with it: public once the report is.
REPORT_PARTS = ["practices.AdoptionStep", "practices.AdoptionResult"]
# What saving a draft of a live page or report writes on the live row.
DRAFT_FIELDS = {
    "latest_revision",
    "latest_revision_created_at",
    "has_unpublished_changes",
    "draft_title",
    "locked",
    "locked_at",
    "locked_by",
    "updated_at",
}


def changed(sender, **kwargs):
    invalidate()


def live_row_saved(sender, instance, update_fields=None, **kwargs):
    """A page or a report: only the live row's own content; publishing sends its own signal."""
    if instance.live and not (update_fields and set(update_fields) <= DRAFT_FIELDS):
        invalidate()


def report_part_saved(sender, instance, **kwargs):
    adoption = apps.get_model("practices", "Adoption")
    if adoption.objects.filter(pk=instance.adoption_id, live=True).exists():
        invalidate()


def connect():
    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(changed, dispatch_uid=f"pagecache-{signal}")
    # Reports (DraftStateMixin): approving publishes, withdrawing unpublishes.
    published.connect(changed, dispatch_uid="pagecache-published")
    unpublished.connect(changed, dispatch_uid="pagecache-unpublished")

    page = apps.get_model("wagtailcore", "Page")
    adoption = apps.get_model("practices", "Adoption")
    live_models = [adoption, *(m for m in apps.get_models() if issubclass(m, page))]
    for model in live_models:
        post_save.connect(live_row_saved, sender=model, dispatch_uid=f"pagecache-save-{model}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"pagecache-delete-{model}")
    for label in PUBLIC_MODELS:
        model = apps.get_model(label)
        post_save.connect(changed, sender=model, dispatch_uid=f"pagecache-save-{label}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"pagecache-delete-{label}")
    for label in REPORT_PARTS:
        model = apps.get_model(label)
        post_save.connect(report_part_saved, sender=model, dispatch_uid=f"pagecache-save-{label}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"pagecache-delete-{label}")
