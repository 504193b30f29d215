"""Reads of import jobs: always through their owner."""

import datetime

from django.utils import timezone

from imports.models import ImportJob
from imports.uploads import STALE_AFTER

# A job queued or running for longer than this no longer counts against its user's limit
# (its worker was stopped; the status page says so).
ACTIVE_FOR = datetime.timedelta(hours=1)


def owned_job(user, job_id):
    """The job `job_id` if `user` started it, else None."""
    return ImportJob.objects.filter(user=user, pk=job_id).first()


def active_jobs(user):
    since = timezone.now() - ACTIVE_FOR
    return ImportJob.objects.filter(
        user=user,
        state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING],
        created_at__gte=since,
    )


def open_confirm(preview):
    """The confirm of `preview` that is under way or done, or None (none yet, or it failed)."""
    return preview.confirms.exclude(state=ImportJob.State.FAILED).order_by("-created_at").first()


def delete_stale():
    """Forget jobs (and their preview rows) older than the uploads they point to."""
    cutoff = timezone.now() - datetime.timedelta(seconds=STALE_AFTER)
    ImportJob.objects.filter(created_at__lt=cutoff).delete()
