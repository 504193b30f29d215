"""The background import: one job, run by the `imports` task backend's worker.

All or nothing already holds inside the import functions (one transaction); here a job whose
import raised is marked failed, with a Vietnamese message, and nothing of it is written.
"""

import logging
from itertools import islice

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from django_tasks import task

from imports import progress, uploads
from imports.models import ImportJob, PreviewError, PreviewRow

logger = logging.getLogger(__name__)

BATCH = 2000
CELL_CHARS = 300  # a preview cell or error value longer than this is cut for display

EXPIRED = "Tệp đã hết hạn hoặc không tồn tại; hãy tải lên lại."
NOT_ALLOWED = "Bạn không có quyền nhập dữ liệu này."
CRASHED = (
    "Có lỗi không mong đợi khi xử lý tệp; không có thay đổi nào được lưu. "
    "Hãy thử lại; nếu vẫn lỗi, báo quản trị viên (mã lần nhập: {job_id})."
)


def _short(value):
    text = "" if value is None else str(value)
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def _batches(items):
    items = iter(items)
    while batch := list(islice(items, BATCH)):
        yield batch


def _import(job, data):
    """Import the file and store its result in one transaction: a crash anywhere in between
    (storing the preview included) leaves nothing of the import behind."""
    from practices.admin_views import KINDS

    function = KINDS[job.kind].function("import")
    # The file's name reaches the reviewers' digest e-mail of a reporter's adoptions.
    named = {"file_name": job.file_name} if job.kind == "adoptions" else {}
    with transaction.atomic():
        # Held until the import commits or rolls back: while it is, the worker is alive
        # (imports/recovery.py tells a killed one by the lock being free).
        ImportJob.objects.select_for_update().filter(pk=job.pk).first()
        report = function(
            data,
            job.file_format,
            dry_run=job.dry_run,
            user=job.user,
            progress=progress.Reporter(job.pk),
            **named,
        )
        _finish(job, report)
    return report


def _fail(job, message):
    job.state = ImportJob.State.FAILED
    job.message = message
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "message", "finished_at"])


def _finish(job, report):
    """Store what the preview page shows: counts, and the rows and errors when it shows them
    (a dry run, or a confirm that found errors after all)."""
    if job.dry_run or not report.ok:
        for batch in _batches(
            PreviewRow(
                job=job,
                position=position,
                row=row.row or 0,
                label=_short(row.label)[:50],
                is_error=bool(row.is_error),
                cells=[_short(cell) for cell in row.cells],
            )
            for position, row in enumerate(report.rows)
        ):
            PreviewRow.objects.bulk_create(batch)
        for batch in _batches(
            PreviewError(
                job=job,
                position=position,
                row=error.row or 0,
                column=_short(error.column)[:255],
                value=_short(error.value),
                reason=str(error.reason),
            )
            for position, error in enumerate(report.errors)
        ):
            PreviewError.objects.bulk_create(batch)
    job.state = ImportJob.State.DONE
    job.rows_done = job.total = report.total
    job.summary = {
        "total": report.total,
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "error_count": len(report.errors),
        "ignored_columns": [str(column) for column in report.ignored_columns],
        "row_headers": [str(header) for header in report.row_headers],
        "as_reports": bool(report.as_reports),
        "text": report.summary(),
    }
    job.finished_at = timezone.now()
    job.save()


@task(backend="background", queue_name="imports")
def run_import(job_id):
    """Run the import job `job_id` (queued by the admin's upload or confirm)."""
    from practices.resources import ImportFileError

    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING, started_at=timezone.now()
    )
    if not claimed:  # already run, or gone
        return None
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    data = uploads.read(job.upload)
    if data is None:
        _fail(job, EXPIRED)
        return job.state
    try:
        _import(job, data)
    except ImportFileError as error:
        _fail(job, str(error))
    except PermissionDenied:
        _fail(job, NOT_ALLOWED)
    except Exception:
        logger.exception("Import job %s failed", job_id)
        _fail(job, CRASHED.format(job_id=job_id))
        uploads.delete(job.upload)
        progress.forget(job_id)
        raise  # the task backend records the traceback too
    if not (job.dry_run and job.ok):  # only a clean preview waits for its confirm
        uploads.delete(job.upload)
    progress.forget(job_id)
    return job.state
