"""What makes the dashboards' figures stale: their cache (`dashboards.cache.bump`) and the
stored spans (`dashboards.spans.mark_changed`).

A change bumps the cache once its transaction commits: bumping before, a request reading in
between would cache the old figures under the new version. The spans are marked inside the
transaction instead, so that the mark and the change commit together (see dashboards.spans).
"""

import contextlib
import threading

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from wagtail.signals import page_published, page_unpublished, published, unpublished

from dashboards import cache, spans


def bump_on_commit(*args, **kwargs):
    """A signal receiver (any signal, any sender): bump when the transaction commits."""
    transaction.on_commit(cache.bump, robust=True)


_marking = threading.local()


@contextlib.contextmanager
def marked_by_caller():
    """Within it, saving a record or a step marks no spans: for a writer that saves many and
    then marks every practice it wrote to once (`data_changed`), as the import does, rather
    than two queries per record."""
    _marking.paused = True
    try:
        yield
    finally:
        _marking.paused = False


def _paused():
    return getattr(_marking, "paused", False)


def _mark(practice_ids):
    if not _paused():
        spans.mark_changed(practice_ids)


def data_changed(practice_ids=None):
    """For writers that send no signals (bulk writes): the records of `practice_ids` changed,
    or, with None, anything the spans of every practice depend on (units, successions)."""
    spans.mark_changed(practice_ids)
    bump_on_commit()


# The fields of a record its spans depend on, besides its steps (which are saved on their own):
# a save of other fields only (a revision's bookkeeping, a new link) leaves them as they are.
SPAN_FIELDS = {"practice", "practice_id", "agency", "agency_id", "live", "created_at"}


def _touches_spans(update_fields):
    return update_fields is None or not SPAN_FIELDS.isdisjoint(update_fields)


def adoption_changed(sender, instance, update_fields=None, **kwargs):
    if _touches_spans(update_fields):
        _mark([instance.practice_id])
    bump_on_commit()


def adoption_moving(sender, instance, raw=False, update_fields=None, **kwargs):
    """An edit that moves a record to another practice changes the spans of both."""
    if raw or instance.pk is None or _paused() or not _touches_spans(update_fields):
        return
    before = sender.objects.filter(pk=instance.pk).values_list("practice_id", flat=True).first()
    if before is not None and before != instance.practice_id:
        _mark([before])


def step_changed(sender, instance, **kwargs):
    bump_on_commit()
    if _paused():
        return
    adoption_field = sender._meta.get_field("adoption")
    if adoption_field.is_cached(instance):
        practice_ids = [instance.adoption.practice_id]
    else:
        adoption = adoption_field.related_model
        practice_ids = adoption.objects.filter(pk=instance.adoption_id).values_list(
            "practice_id", flat=True
        )
    _mark(list(practice_ids))


def page_changed(sender, instance, **kwargs):
    # A practice's adoptions are public only while its page is live; other pages may be
    # drawn from too (the cache), but have no spans.
    if instance._meta.label == "practices.PracticePage":
        data_changed([instance.pk])
    else:
        bump_on_commit()


def units_changed(sender, instance, **kwargs):
    data_changed()


def connect():
    adoption = apps.get_model("practices", "Adoption")
    # Saved in the admin or in code; deleted. Publishing and unpublishing a snippet goes
    # through its revisions and ends in Wagtail's own signals.
    for signal in (post_save, post_delete, published, unpublished):
        signal.connect(adoption_changed, sender=adoption, dispatch_uid=f"dashboards-{id(signal)}")
    pre_save.connect(adoption_moving, sender=adoption, dispatch_uid="dashboards-adoption-moving")
    # A unit's dates or parent, or a succession, change whose records count for whom.
    for name in ("Agency", "Succession"):
        model = apps.get_model("practices", name)
        for signal in (post_save, post_delete):
            signal.connect(
                units_changed, sender=model, dispatch_uid=f"dashboards-{name}-{id(signal)}"
            )
    # A practice page taken down (or back up) hides (or shows) its adoptions.
    page_published.connect(page_changed, dispatch_uid="dashboards-page-published")
    page_unpublished.connect(page_changed, dispatch_uid="dashboards-page-unpublished")
    # The dated steps of an adoption.
    step = apps.get_model("practices", "AdoptionStep")
    for signal in (post_save, post_delete):
        signal.connect(step_changed, sender=step, dispatch_uid=f"dashboards-step-{id(signal)}")
