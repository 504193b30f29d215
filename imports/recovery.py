"""Telling an import whose worker was killed from one that is still running.

The worker marks a job running, then imports inside one transaction that starts by locking
the job's row (imports/tasks.py). A worker that is killed (SIGKILL, the machine lost) never
commits: the database rolls its transaction back, which writes nothing of the import and
releases the lock. So a job that says "running" but whose row can be locked at once has no
worker any more. Its status page then says so, and the job and its task are marked failed
instead of showing a progress bar for ever.

PostgreSQL only (SQLite has no row locks): there, the status page's warning after an hour
(`_stalled` in practices/admin_views.py) is all there is.
"""

import datetime

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from imports.models import ImportJob

# A job just claimed takes its lock a moment later; it is never judged before this.
GRACE = datetime.timedelta(seconds=30)
INTERRUPTED = (
    "Lần nhập bị gián đoạn: tiến trình xử lý nền đã dừng đột ngột khi đang nhập. Không có "
    "thay đổi nào được lưu. Hãy tải tệp lên lại; nếu vẫn bị gián đoạn, báo quản trị viên."
)


def _task_failed(job, now):
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(
        status="RUNNING", task_path="imports.tasks.run_import", args_kwargs__args=[str(job.pk)]
    ).update(
        status="FAILED",
        finished_at=now,
        exception_class_path="imports.recovery.Interrupted",
        traceback="The worker stopped while the import ran; its transaction was rolled back.",
    )


def settle_if_interrupted(job):
    """Mark `job` failed when it is running with no worker; True when it did."""
    if job.state != ImportJob.State.RUNNING or not connection.features.has_select_for_update_nowait:
        return False
    if job.started_at is None or timezone.now() - job.started_at < GRACE:
        return False
    try:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update(nowait=True).filter(pk=job.pk).first()
            if locked is None or locked.state != ImportJob.State.RUNNING:
                return False
            now = timezone.now()
            locked.state, locked.message, locked.finished_at = (
                ImportJob.State.FAILED,
                INTERRUPTED,
                now,
            )
            locked.save(update_fields=["state", "message", "finished_at"])
            _task_failed(job, now)
    except DatabaseError:  # the row is locked: its worker is importing
        return False
    job.refresh_from_db()
    return True
