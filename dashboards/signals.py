"""What makes the dashboards' cache stale (`dashboards.cache.bump`).

A change bumps once its transaction commits: bumping before, a request reading in between
would cache the old figures under the new version.
"""

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from wagtail.signals import page_published, page_unpublished, published, unpublished

from dashboards import cache


def bump_on_commit(*args, **kwargs):
    """A signal receiver (any signal, any sender): bump when the transaction commits."""
    transaction.on_commit(cache.bump, robust=True)


def connect():
    adoption = apps.get_model("practices", "Adoption")
    # Saved in the admin or in code; deleted. Publishing and unpublishing a snippet goes
    # through its revisions and ends in Wagtail's own signals.
    for signal in (post_save, post_delete, published, unpublished):
        signal.connect(bump_on_commit, sender=adoption, dispatch_uid=f"dashboards-{id(signal)}")
    # A unit's dates or parent, or a succession, change whose records count for whom.
    for name in ("Agency", "Succession"):
        model = apps.get_model("practices", name)
        for signal in (post_save, post_delete):
            signal.connect(
                bump_on_commit, sender=model, dispatch_uid=f"dashboards-{name}-{id(signal)}"
            )
    # A practice page taken down (or back up) hides (or shows) its adoptions.
    page_published.connect(bump_on_commit, dispatch_uid="dashboards-page-published")
    page_unpublished.connect(bump_on_commit, dispatch_uid="dashboards-page-unpublished")
    # The dated steps of an adoption (practices.AdoptionStep), once that model exists.
    try:
        step = apps.get_model("practices", "AdoptionStep")
    except LookupError:
        return
    for signal in (post_save, post_delete):
        signal.connect(bump_on_commit, sender=step, dispatch_uid=f"dashboards-step-{id(signal)}")
