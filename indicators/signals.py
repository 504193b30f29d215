"""Every change of an indicator value, one at a time (the admin) or in bulk (an import, which
bumps once itself), makes the cached results that read values stale."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save


def _changed(sender, **kwargs):
    from indicators import cache

    transaction.on_commit(cache.bump)


def connect():
    from indicators.models import IndicatorValue

    post_save.connect(_changed, sender=IndicatorValue, dispatch_uid="indicator-value-saved")
    post_delete.connect(_changed, sender=IndicatorValue, dispatch_uid="indicator-value-deleted")
