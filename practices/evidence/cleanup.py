"""Removing evidence files that nothing serves any more.

When a file goes: when the record's approved version changes (a publish: the file the live
row had before, and the files of the revisions the publish superseded), and when the record
is deleted (its row's file and its revisions' files).

What stays, whatever happens: a file named by any adoption's row (live or draft: a copied
record may share it), and a file named by a revision that is not superseded (newer than its
record's live revision, or any revision of a record that is not live: a pending draft, the
version under review). The check is made after the transaction commits, against the
database as it then is, so a rolled-back change removes nothing; a draft saved over another
draft of a live record keeps both files until one of them is published.

Older revisions keep their text; a file they alone named is gone, and the history says so
only by name. Connected in `PracticesConfig.ready`.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from practices.evidence.storage import evidence_storage, is_stored_name

logger = logging.getLogger(__name__)


def remove_unused(names):
    """Delete from storage (the disk or the bucket) those of `names` that nothing may still
    serve."""
    from practices.evidence.queries import names_in_use

    names = {name for name in names if is_stored_name(name)}
    storage = evidence_storage()
    for name in sorted(names - names_in_use(names)):
        try:
            storage.delete(name)
        except Exception:
            # Runs after the commit, in the request that published or deleted: a disk's
            # OSError or a bucket's client error must not turn its success into an error page.
            logger.warning("Không xoá được tệp minh chứng %s", name, exc_info=True)


def _remember_before_save(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    instance._evidence_before = (
        sender._default_manager.filter(pk=instance.pk)
        .values_list("evidence_file", "live_revision_id")
        .first()
    )


def _sweep_after_save(sender, instance, raw=False, **kwargs):
    before = instance.__dict__.pop("_evidence_before", None)
    if raw or before is None:
        return
    old_name, old_live = before
    if old_name == (instance.evidence_file.name or "") and old_live == instance.live_revision_id:
        return

    def sweep():
        from practices.evidence.queries import names_in_revisions

        remove_unused({old_name} | names_in_revisions(instance.pk))

    transaction.on_commit(sweep)


def _remember_before_delete(sender, instance, **kwargs):
    from practices.evidence.queries import names_in_revisions

    instance._evidence_names = {instance.evidence_file.name or ""} | names_in_revisions(instance.pk)


def _sweep_after_delete(sender, instance, **kwargs):
    names = instance.__dict__.pop("_evidence_names", set())
    if names - {""}:
        transaction.on_commit(lambda: remove_unused(names))


def connect(model):
    uid = "practices.evidence.cleanup"
    pre_save.connect(_remember_before_save, sender=model, dispatch_uid=uid)
    post_save.connect(_sweep_after_save, sender=model, dispatch_uid=uid)
    pre_delete.connect(_remember_before_delete, sender=model, dispatch_uid=uid)
    post_delete.connect(_sweep_after_delete, sender=model, dispatch_uid=uid)
