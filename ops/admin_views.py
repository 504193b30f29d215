"""The admin's page of background work ("Công việc nền"): the jobs, each job's progress and
result, its file, and the snapshot button.

A user sees their own jobs and imports; a superuser sees everyone's, and the system's queues
(`ops.queues`). A job, its status and its file answer 404 to anyone but the user who asked and
superusers, as the import jobs do; the file is sent only while the user may still export that
kind. The export buttons of the import screens queue their jobs through `ops.jobs` too
(`practices.admin_views.export`).
"""

import datetime
import uuid

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from imports.models import ImportJob
from ops import jobs, queues
from ops.models import Job

PAGE_SIZE = 20
IMPORTS_SHOWN = 20
STALLED_AFTER = datetime.timedelta(minutes=1)  # queued this long: no worker takes jobs


def visible_jobs(user):
    everyone = Job.objects.select_related("user")
    return everyone if user.is_superuser else everyone.filter(user=user)


def _job_or_404(request, job_id):
    try:
        job_id = uuid.UUID(str(job_id))
    except ValueError:
        raise Http404 from None
    job = visible_jobs(request.user).filter(pk=job_id).first()
    if job is None:
        raise Http404("Không có công việc này.")
    return job


def title_of(job):
    """ "Xuất dữ liệu: Kết quả áp dụng (CSV)", "Bản sao dữ liệu"."""
    from practices.admin_views import KINDS

    if job.kind != Job.Kind.EXPORT:
        return job.get_kind_display()
    kind = KINDS.get(job.params.get("kind"))
    label = kind.menu_label if kind else job.params.get("kind", "")
    return f"{job.get_kind_display()}: {label} ({job.file_format.upper()})"


def _number(value):
    return f"{value:,}".replace(",", ".")


def progress_of(job):
    """(percent, text) of the job as its page shows it now."""
    percent = 100 if job.finished else (100 * job.done // job.total if job.total else 0)
    if job.state == Job.State.QUEUED:
        return percent, "Đang chờ đến lượt xử lý…"
    if job.finished:
        return percent, job.message
    unit = "dòng" if job.kind == Job.Kind.EXPORT else "bảng"
    text = (
        f"Đã xử lý {_number(job.done)}/{_number(job.total)} {unit}"
        if job.total
        else "Đang đọc dữ liệu…"
    )
    if jobs.is_stale(job):
        text += " (đã lâu không có tiến độ mới: có thể đã bị gián đoạn)"
    return percent, text


def _stalled(job):
    return job.state == Job.State.QUEUED and timezone.now() - job.created_at > STALLED_AFTER


def _file_of(job):
    """The export's file, while it is kept; else None."""
    path = jobs.result_path(job)
    if job.kind != Job.Kind.EXPORT or job.state != Job.State.DONE or path is None:
        return None
    return path if path.is_file() else None


@require_http_methods(["GET"])
def job_list(request):
    from practices.admin_views import KINDS

    page = Paginator(visible_jobs(request.user), PAGE_SIZE).get_page(request.GET.get("p"))
    imports = ImportJob.objects.select_related("user")
    if not request.user.is_superuser:
        imports = imports.filter(user=request.user)
    # Only the user who uploaded opens an import's page (imports.queries.owned_job).
    imports = [
        (
            job,
            KINDS[job.kind].menu_label if job.kind in KINDS else job.kind,
            job.user == request.user,
        )
        for job in imports[:IMPORTS_SHOWN]
    ]
    return TemplateResponse(
        request,
        "ops/admin/jobs.html",
        {
            "page": page,
            "rows": [(job, title_of(job), progress_of(job)[1], jobs.is_stale(job)) for job in page],
            "imports": imports,
            "may_snapshot": jobs.may_snapshot(request.user),
            "queues": queues.overview() if request.user.is_superuser else None,
            "statuses": list(queues.STATUSES.values()),
        },
    )


@require_http_methods(["GET"])
def job_detail(request, job_id):
    from practices.admin_views import KINDS

    job = _job_or_404(request, job_id)
    percent, text = progress_of(job)
    kind = KINDS.get(job.params.get("kind"))
    return TemplateResponse(
        request,
        "ops/admin/job.html",
        {
            "job": job,
            "title": title_of(job),
            "percent": percent,
            "text": text,
            "stalled": _stalled(job),
            "stale": jobs.is_stale(job),
            "file": _file_of(job),
            "download_name": f"{kind.file_stem}.{job.file_format}" if kind else "",
            "keep_days": settings.JOB_FILES_KEEP_DAYS,
        },
    )


@require_http_methods(["GET"])
def job_status(request, job_id):
    """The job's state for import-progress.js: state, done, total, percent, text."""
    job = _job_or_404(request, job_id)
    percent, text = progress_of(job)
    return JsonResponse(
        {
            "state": job.state,
            "label": job.get_state_display(),
            "done": job.done,
            "total": job.total,
            "percent": percent,
            "text": text,
            "finished": job.finished,
        }
    )


@never_cache
@require_http_methods(["GET"])
def download(request, job_id):
    """The export's file, as an attachment, for the user who asked (while they may still
    export that kind) and superusers."""
    from practices.admin_views import EXPORT_TYPES, KINDS

    job = _job_or_404(request, job_id)
    path = _file_of(job)
    if path is None:
        raise Http404("Tệp không còn (đã quá hạn lưu hoặc chưa xuất xong).")
    kind = KINDS[job.params["kind"]]
    if not request.user.is_superuser and not kind.may_import(request.user):
        return HttpResponseForbidden("Bạn không có quyền nhập, xuất dữ liệu này.")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{kind.file_stem}.{job.file_format}",
        content_type=EXPORT_TYPES[job.file_format],
    )


@require_http_methods(["POST"])
def snapshot(request):
    """Queue the day's snapshot (or lead to the one already under way)."""
    if not jobs.may_snapshot(request.user):
        return HttpResponseForbidden("Chỉ quản trị viên và biên tập viên quốc gia tạo bản sao.")
    return redirect("ops_jobs:detail", job_id=jobs.queue_snapshot(request.user).pk)


urlpatterns = [
    path("", job_list, name="list"),
    path("ban-sao/", snapshot, name="snapshot"),
    path("<uuid:job_id>/", job_detail, name="detail"),
    path("<uuid:job_id>/trang-thai.json", job_status, name="status"),
    path("<uuid:job_id>/tep/", download, name="download"),
]
