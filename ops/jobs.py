"""Exports and snapshots of the admin, run by the background worker (`ops.models.Job`).

`run_export` writes the file an export of the admin makes (`practices.admin_views.Kind`) a
batch of records at a time into a hidden name in `JOB_FILES_ROOT`, and renames it into place
only once complete; `run_snapshot` publishes the day's package (`opendata.snapshots.publish`,
which writes a hidden folder and renames it too). Each re-checks first that the user who asked
may still do it. A job that fails is marked failed with a Vietnamese message and leaves
nothing behind; one whose worker was killed is found by its silence (no progress for
`JOB_STALE_SECONDS`) and marked failed by `mark_interrupted`, which removes what it left.
"""

import datetime
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.dispatch import receiver
from django.utils import timezone

from django_tasks import task
from django_tasks.signals import task_started

from ops.models import Job
from reporting.roles import EDITORS

logger = logging.getLogger(__name__)

QUEUE = "imports"  # with the other long jobs (README: Background work)

# The job's page adds that nothing changed and no file was kept.
NOT_ALLOWED = "Bạn không còn quyền làm việc này."
CRASHED = (
    "Có lỗi không mong đợi. Hãy thử lại; nếu vẫn lỗi, báo quản trị viên (mã công việc: {job_id})."
)
INTERRUPTED = "Công việc bị gián đoạn: tiến trình xử lý nền đã dừng giữa chừng. Hãy chạy lại."


class Interrupted(Exception):
    """The job is no longer running (marked interrupted, or deleted): stop and clean up."""


class NotAllowed(Exception):
    """The user who asked may no longer do it."""


def files_root():
    return Path(settings.JOB_FILES_ROOT)


def result_path(job):
    return files_root() / job.file_name if job.file_name else None


def _part_path(job):
    return files_root() / f".{job.pk}.{job.file_format}.part"


def stale_after():
    return datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)


def may_snapshot(user):
    """Superusers and national editors publish snapshots."""
    if user is None or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=EDITORS).exists()


# --- Queueing (the admin's views) ---------------------------------------------------------


def _queue(user, kind, params, run):
    """The user's unfinished job of the same kind and parameters (a second click), else a new
    one, queued in the same transaction."""
    prune_files()
    unfinished = [Job.State.QUEUED, Job.State.RUNNING]
    same = Job.objects.filter(user=user, kind=kind, params=params, state__in=unfinished)
    if existing := same.order_by("-created_at").first():
        return existing
    with transaction.atomic():
        job = Job.objects.create(kind=kind, params=params, user=user)
        run.enqueue(str(job.pk))
    return job


def queue_export(user, kind_name, file_format):
    return _queue(user, Job.Kind.EXPORT, {"kind": kind_name, "format": file_format}, run_export)


def queue_snapshot(user):
    return _queue(user, Job.Kind.SNAPSHOT, {}, run_snapshot)


# --- Progress -----------------------------------------------------------------------------


class Progress:
    """A running job's `progress(done, total)`, written where its page sees it at once: to
    the job's row, in autocommit. When the work holds a transaction of its own (a snapshot
    reads every table in one), through a second connection, so that the write neither waits
    for the work's commit nor holds the database for it. Raises `Interrupted` once the job is
    no longer running."""

    def __init__(self, job_id):
        self.job_id = job_id
        # Run by the immediate backend inside a caller's transaction (tests, TASK_BACKEND
        # immediate): the job's row is that transaction's, visible to no other connection.
        self.top_level = not transaction.get_connection().in_atomic_block
        self.side = None

    def __call__(self, done, total):
        now = timezone.now()
        if self.top_level and transaction.get_connection().in_atomic_block:
            updated = self._write_aside(done, total, now)
        else:
            updated = Job.objects.filter(pk=self.job_id, state=Job.State.RUNNING).update(
                done=done, total=total, progress_at=now
            )
        if not updated:
            raise Interrupted

    def _write_aside(self, done, total, now):
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        side, meta = self.side, Job._meta
        column = lambda name: side.ops.quote_name(meta.get_field(name).column)  # noqa: E731
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {side.ops.quote_name(meta.db_table)} SET {column('done')} = %s, "  # noqa: S608
                f"{column('total')} = %s, {column('progress_at')} = %s "
                f"WHERE {column('id')} = %s AND {column('state')} = %s",
                [
                    done,
                    total,
                    meta.get_field("progress_at").get_db_prep_value(now, side),
                    meta.pk.get_db_prep_value(self.job_id, side),
                    Job.State.RUNNING,
                ],
            )
            return cursor.rowcount

    def close(self):
        if self.side is not None:
            self.side.close()


# --- The tasks ----------------------------------------------------------------------------


def _claim(job_id, context):
    """The job, now running, or None when it is not queued (already run, or gone)."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING,
        started_at=now,
        progress_at=now,
        task_id=str(context.task_result.id)[:64],
    )
    return Job.objects.select_related("user").get(pk=job_id) if claimed else None


def _end(job, state, message, **fields):
    """Record the job's end, unless it is no longer running (then it was marked interrupted
    meanwhile, and its result must not count): returns whether it was recorded."""
    return bool(
        Job.objects.filter(pk=job.pk, state=Job.State.RUNNING).update(
            state=state, message=message, finished_at=timezone.now(), **fields
        )
    )


def _run(job, work):
    """Run `work(job, progress)` → (message, fields); record done or failed."""
    progress = Progress(job.pk)
    try:
        message, fields = work(job, progress)
    except Interrupted:
        return "interrupted"
    except NotAllowed:
        _end(job, Job.State.FAILED, NOT_ALLOWED)
        return Job.State.FAILED
    except Exception:
        logger.exception("Background job %s failed", job.pk)
        _end(job, Job.State.FAILED, CRASHED.format(job_id=job.pk))
        raise  # the task's result keeps the traceback too
    finally:
        progress.close()
    if not _end(job, Job.State.DONE, message, **fields):
        _remove_output(job, fields.get("file_name", ""))
        return "interrupted"
    return Job.State.DONE


def _number(value):
    return f"{value:,}".replace(",", ".")


def _export(job, progress):
    from practices.admin_views import KINDS

    kind, file_format = KINDS[job.params["kind"]], job.file_format
    if job.user is None or not job.user.is_active or not kind.may_import(job.user):
        raise NotAllowed
    files_root().mkdir(parents=True, exist_ok=True)
    part = _part_path(job)
    try:
        with open(part, "wb") as handle:
            rows = kind.exported(job.user).write(
                handle, file_format, batch=settings.JOB_EXPORT_BATCH, progress=progress
            )
            handle.flush()
            os.fsync(handle.fileno())
        name = f"{job.pk}.{file_format}"
        os.replace(part, files_root() / name)  # complete, or not there at all
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return f"Đã xuất {_number(rows)} dòng.", {"file_name": name, "done": rows, "total": rows}


def _snapshot(job, progress):
    from opendata import snapshots

    if not may_snapshot(job.user):
        raise NotAllowed
    folder = snapshots.publish(
        site_url=getattr(settings, "WAGTAILADMIN_BASE_URL", ""), progress=progress
    )
    snapshot = snapshots.find(folder.name)
    size = f"{snapshot.size / 1024 / 1024:.1f}".replace(".", ",")
    tables = len(snapshots.TABLES)
    message = (
        f"Đã công bố bản sao dữ liệu ngày {snapshot.date:%d/%m/%Y} ({tables} bảng, {size} MB)."
    )
    return message, {"file_name": folder.name, "done": tables, "total": tables}


@task(backend="background", queue_name=QUEUE, takes_context=True)
def run_export(context, job_id):
    """Write the export of the job `job_id` (queued by the admin's export buttons)."""
    job = _claim(job_id, context)
    return _run(job, _export) if job else None


@task(backend="background", queue_name=QUEUE, takes_context=True)
def run_snapshot(context, job_id):
    """Publish the day's snapshot for the job `job_id` (queued by "Tạo bản sao dữ liệu")."""
    job = _claim(job_id, context)
    return _run(job, _snapshot) if job else None


# --- Interrupted jobs and old files -------------------------------------------------------


def is_stale(job, now=None):
    """Running, but with no progress for JOB_STALE_SECONDS: its worker has probably stopped."""
    now = now or timezone.now()
    last = job.progress_at or job.started_at or job.created_at
    return job.state == Job.State.RUNNING and now - last > stale_after()


def _remove_output(job, file_name=""):
    """An export's files (finished or not); a snapshot's are `snapshots.remove_leftovers`'."""
    if job.kind != Job.Kind.EXPORT:
        return
    _part_path(job).unlink(missing_ok=True)
    if file_name:
        (files_root() / file_name).unlink(missing_ok=True)


def _fail_task(task_id, now):
    """The task result of a killed worker's job stays RUNNING: record it failed too."""
    from django_tasks_db.models import DBTaskResult

    try:
        task_id = uuid.UUID(task_id)
    except ValueError:  # the immediate backend's, never stored
        return
    DBTaskResult.objects.filter(pk=task_id, status="RUNNING").update(
        status="FAILED",
        finished_at=now,
        exception_class_path=f"{__name__}.Interrupted",
        traceback=f"{__name__}.Interrupted: {INTERRUPTED}\n",
    )


def mark_interrupted(older_than=None):
    """Mark failed the jobs running without progress for `older_than` (JOB_STALE_SECONDS),
    remove what they left, and return them."""
    from opendata import snapshots

    older_than = stale_after() if older_than is None else older_than
    now = timezone.now()
    cutoff = now - older_than
    marked = []
    for job in Job.objects.filter(state=Job.State.RUNNING, progress_at__lt=cutoff):
        if Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, progress_at__lt=cutoff).update(
            state=Job.State.FAILED, message=INTERRUPTED, finished_at=now
        ):
            _remove_output(job, f"{job.pk}.{job.file_format}")
            _fail_task(job.task_id, now)
            logger.warning("Background job %s interrupted (no progress since %s)", job.pk, cutoff)
            marked.append(job)
    snapshots.remove_leftovers(older_than)
    return marked


@receiver(task_started)
def mark_interrupted_on_start(sender, **kwargs):
    """A worker of the database backend starting a task: no job it took earlier is still
    being worked on, so the silent ones were interrupted (immediate backends kill nothing).
    Never in the way of the task itself: a failure here is only logged."""
    from django_tasks_db.backend import DatabaseBackend

    backend = sender if isinstance(sender, type) else type(sender)  # the worker sends one
    if not issubclass(backend, DatabaseBackend):
        return
    try:
        mark_interrupted()
    except Exception:
        logger.exception("Could not mark interrupted background jobs")


def prune_files():
    """Remove the files of exports finished more than JOB_FILES_KEEP_DAYS ago."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.JOB_FILES_KEEP_DAYS)
    old = Job.objects.filter(kind=Job.Kind.EXPORT, finished_at__lt=cutoff).exclude(file_name="")
    for job in old:
        (files_root() / job.file_name).unlink(missing_ok=True)
    old.update(file_name="")
