"""Every change of an indicator value makes the dashboards' cached results stale: one at a
time from the admin (these signals), in bulk from an import (which bumps once on commit)."""

from django.db.models.signals import post_delete, post_save


def connect():
    from dashboards.signals import bump_on_commit
    from indicators.models import IndicatorValue

    post_save.connect(bump_on_commit, sender=IndicatorValue, dispatch_uid="indicator-value-saved")
    post_delete.connect(
        bump_on_commit, sender=IndicatorValue, dispatch_uid="indicator-value-deleted"
    )
