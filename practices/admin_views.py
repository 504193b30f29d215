"""The admin import and export screens for adoptions, agencies and practices.

An import takes three steps: upload, preview (a dry run), confirm. The preview and the
confirm run outside the request, as jobs of the task backend `imports` (`imports.tasks`): the
upload and the confirm queue a job and send the user to its status page, which shows the rows
done while it runs (a small script polls `status_json`) and then the result. The preview is
paginated, its errors first. Only the user who started a job sees it (404 for anyone else).

An export is a job of the same worker too (`ops.jobs.run_export`): its button queues it and
leads to the job's page ("Công việc nền"), which offers the file once written.

The uploaded bytes wait between preview and confirm in a temporary file named by a random
token (`imports.uploads`), deleted once confirmed (and stale ones after a day). The import runs
as the logged-in user: a reporter's rows become reports awaiting review, a national user's are
published (see `practices.resources`). Who may import what is
`practices.resources.can_import`, the rule the import functions themselves apply.
"""

import datetime
import uuid
from dataclasses import dataclass
from importlib import import_module

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from wagtail.permissions import policy_registry

from imports import progress, queries, recovery, uploads
from imports.models import ImportJob
from imports.tasks import run_import
from practices import resources
from practices.models import Adoption, PracticeIndexPage
from practices.resources import DEFAULT_MAX_BYTES, FORMATS, guess_format
from practices.resources import templates as import_templates

MAX_PENDING = 5  # previews per user whose upload still waits for a confirm
STALLED_AFTER = datetime.timedelta(minutes=1)
ERRORS_FIRST = 20  # errors listed above the rows on the preview's first page
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


@dataclass(frozen=True)
class Kind:
    """One kind of data the screens move in and out."""

    name: str  # adoptions, agencies, practices (as in `resources.can_import`)
    title: str
    menu_label: str  # in the admin menu "Nhập, xuất dữ liệu"
    icon: str
    upload_url: str
    columns: str  # the columns, as the upload page explains them
    list_url: str  # where the imported records are listed ("" for the catalogue's pages)
    file_stem: str
    summary: str  # what an import of this kind does, as the index page says it
    # A kind whose import lives in another app names the module holding its functions
    # (`KIND_FUNCTIONS`: import, export, template, permission), so that this module does not
    # import that app.
    functions: str = ""

    def function(self, name):
        """The kind's `import`, `export`, `template` or `permission` function."""
        if self.functions:
            return import_module(self.functions).KIND_FUNCTIONS[name]
        return getattr(resources, f"{name}_{self.name}")

    @property
    def template_stem(self):
        return f"mau-{self.file_stem}"

    def after_import_url(self):
        if self.list_url:
            return reverse(self.list_url)
        index_page = PracticeIndexPage.objects.first()
        return reverse("wagtailadmin_explore", args=[index_page.pk])

    def may_import(self, user):
        if self.functions:
            return self.function("permission")(user)
        return resources.can_import(self.name, user)

    def template(self, user, file_format):
        if self.functions:
            return self.function("template")(user, file_format)
        return import_templates.template(self.name, user, file_format)

    def exported(self, user):
        """What this user's export holds: a `practices.resources.Export` (its headers, and
        its rows a batch at a time)."""
        if self.functions:
            return self.function("export")()
        if self.name == "adoptions":
            # A reporter downloads the records of their own agencies.
            queryset = policy_registry.get_by_type(Adoption).instances_user_has_any_permission_for(
                user, ["change", "view"]
            )
            return resources.adoptions_export(queryset)
        return getattr(resources, f"{self.name}_export")()

    def export(self, user, file_format):
        """The whole file as bytes (the admin writes it in a background job instead,
        `ops.jobs.run_export`, from the same `exported`)."""
        return self.exported(user).to_bytes(file_format)


KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "adoptions",
            "Nhập dữ liệu áp dụng",
            "Kết quả áp dụng",
            "tick-inverse",
            "practices_import:upload",
            "sáng kiến, cơ quan, trạng thái, ngày quyết định, văn bản, minh chứng, "
            "mức minh chứng, ghi chú; không bắt buộc: ngày đưa vào kế hoạch, ngày bắt đầu "
            "thí điểm, ngày áp dụng, ngày dừng áp dụng (các bước trước của kết quả)",
            "wagtailsnippets_practices_adoption:list",
            "ket-qua-ap-dung",
            "Báo cáo nhiều kết quả áp dụng cùng lúc: mỗi dòng là một sáng kiến ở một cơ quan, "
            "đơn vị, với trạng thái, ngày quyết định, văn bản và minh chứng.",
        ),
        Kind(
            "agencies",
            "Nhập dữ liệu cơ quan, đơn vị",
            "Cơ quan, đơn vị",
            "group",
            "practices_import:upload_agencies",
            "mã, đường dẫn, tên, tên ngắn, tên tiếng Anh, loại, cơ quan cấp trên, vùng, "
            "hiệu lực từ ngày, hiệu lực đến ngày, đơn vị kế thừa, ghi chú, nguồn",
            "wagtailsnippets_practices_agency:list",
            "co-quan-don-vi",
            "Thêm hoặc cập nhật danh mục cơ quan, đơn vị: mã, tên, loại, cơ quan cấp trên, "
            "thời kỳ hiệu lực và đơn vị kế thừa.",
        ),
        Kind(
            "practices",
            "Nhập danh mục sáng kiến",
            "Danh mục sáng kiến",
            "doc-full",
            "practices_import:upload_practices",
            "đường dẫn, tên sáng kiến, nhóm, tóm tắt, căn cứ pháp lý, cơ quan khởi xướng, "
            "cơ quan công bố, chỉ số, nội dung (Markdown)",
            "",
            "sang-kien",
            "Thêm hoặc cập nhật các trang sáng kiến trong danh mục; mỗi dòng mới hoặc thay đổi "
            "được lưu và xuất bản.",
        ),
        Kind(
            "indicator_values",
            "Nhập giá trị chỉ số",
            "Giá trị chỉ số",
            "pick",
            "practices_import:upload_indicator_values",
            "chỉ số, cơ quan (hoặc “Cả nước”), loại kỳ, ngày đầu kỳ, giá trị, loại số liệu "
            "(số đo, chỉ tiêu), nguồn, văn bản giao chỉ tiêu, ghi chú",
            "wagtailsnippets_indicators_indicatorvalue:list",
            "gia-tri-chi-so",
            "Thêm hoặc cập nhật số đo và chỉ tiêu của các chỉ số theo tháng, quý, năm: mỗi dòng "
            "là một chỉ số của một cơ quan, đơn vị (hoặc cả nước) trong một kỳ, kèm nguồn.",
            functions="indicators.transfer",
        ),
    )
}


def _max_bytes():
    return getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def _page_size():
    return getattr(settings, "IMPORT_PREVIEW_PAGE_SIZE", 100)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Tệp dữ liệu",
        help_text="CSV (UTF-8 hoặc UTF-16), Excel (.xlsx) hoặc JSON; cột như tệp xuất.",
    )
    file_format = forms.ChoiceField(
        label="Định dạng",
        choices=[("", "Theo phần mở rộng của tệp"), *[(f, f.upper()) for f in FORMATS]],
        required=False,
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is None:
            return data
        limit = _max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                f"Tệp quá lớn ({upload.size / 1024 / 1024:.1f} MB); giới hạn là "
                f"{limit / 1024 / 1024:.1f} MB. Hãy chia nhỏ tệp."
            )
        file_format = data.get("file_format") or guess_format(upload.name)
        if file_format not in FORMATS:
            raise forms.ValidationError(
                "Không nhận ra định dạng từ tên tệp; hãy chọn CSV, XLSX hoặc JSON."
            )
        data["file_format"] = file_format
        return data


def _forbidden(request, kind):
    """A 403 for users who may not import this kind (returned, not raised: Wagtail's admin
    turns a raised PermissionDenied into a redirect to the dashboard)."""
    if kind.may_import(request.user):
        return None
    return HttpResponseForbidden("Bạn không có quyền nhập, xuất dữ liệu này.")


def _is_reporter(request):
    from reporting.permissions import agency_scope

    return agency_scope(request.user) is not None


def _too_busy(request):
    """A Vietnamese message when the user already has as many unfinished imports as allowed."""
    limit = getattr(settings, "IMPORT_MAX_ACTIVE_JOBS", 2)
    if queries.active_jobs(request.user).count() < limit:
        return ""
    return (
        f"Bạn đang có {limit} lần nhập chưa xong; hãy đợi chúng xong (xem trang tiến trình) "
        "rồi tải tệp khác."
    )


def _drop_old_uploads(user):
    """Keep the uploads of the user's newest previews only (a file waits for one confirm)."""
    waiting = ImportJob.objects.filter(user=user, dry_run=True, state=ImportJob.State.DONE).exclude(
        confirms__state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING]
    )
    for job in waiting.order_by("-created_at")[MAX_PENDING - 1 :]:
        uploads.delete(job.upload)


def _queue(job):
    run_import.enqueue(str(job.pk))
    return redirect("practices_import:status", job_id=job.pk)


@require_http_methods(["GET", "POST"])
def upload(request, kind):
    """Step 1 (GET: the form; POST: the file, whose dry run is queued)."""
    kind = KINDS[kind]
    if forbidden := _forbidden(request, kind):
        return forbidden
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if busy := _too_busy(request):
            form.add_error(None, busy)
        else:
            upload_file = form.cleaned_data["file"]
            queries.delete_stale()
            _drop_old_uploads(request.user)
            job = ImportJob.objects.create(
                user=request.user,
                kind=kind.name,
                dry_run=True,
                file_name=upload_file.name[:255],
                file_format=form.cleaned_data["file_format"],
                upload=uploads.store(upload_file.read(_max_bytes() + 1)),
            )
            return _queue(job)
    return TemplateResponse(
        request,
        "practices/admin/import_upload.html",
        {
            "kind": kind,
            "form": form,
            "max_mb": _max_bytes() / 1024 / 1024,
            "reporter": kind.name == "adoptions" and _is_reporter(request),
            "formats": FORMATS,
            "template_formats": import_templates.FORMATS,
            "values_sheet": import_templates.VALUES_SHEET,
        },
    )


@require_http_methods(["POST"])
def confirm(request):
    """Step 3: queue the import for real, from the file kept since its preview `token`."""
    preview = _owned(request, request.POST.get("token", ""))
    kind = KINDS[preview.kind] if preview else KINDS["adoptions"]
    if forbidden := _forbidden(request, kind):
        return forbidden
    if preview is None or not preview.dry_run or not preview.ok:
        messages.error(request, "Không có bản xem trước hợp lệ để xác nhận; hãy tải tệp lên lại.")
        return redirect(kind.upload_url)
    if existing := queries.open_confirm(preview):  # a second click, or the back button
        return redirect("practices_import:status", job_id=existing.pk)
    if not uploads.exists(preview.upload):
        messages.error(request, "Tệp đã hết hạn hoặc không tồn tại; hãy tải lên lại.")
        return redirect(kind.upload_url)
    if busy := _too_busy(request):
        messages.error(request, busy)
        return redirect("practices_import:status", job_id=preview.pk)
    job = ImportJob.objects.create(
        user=request.user,
        kind=preview.kind,
        dry_run=False,
        preview=preview,
        file_name=preview.file_name,
        file_format=preview.file_format,
        upload=preview.upload,
    )
    return _queue(job)


def _owned(request, job_id):
    """The job `job_id` of this user, or None (for an id that is not a job id too)."""
    try:
        job_id = uuid.UUID(str(job_id))
    except ValueError:
        return None
    return queries.owned_job(request.user, job_id)


def _job_or_404(request, job_id):
    job = _owned(request, job_id)
    if job is None:
        raise Http404("Không có lần nhập này.")
    recovery.settle_if_interrupted(job)
    return job


def _progress(job):
    """(rows done, total, percent) as the status page shows them now."""
    done, total = job.rows_done, job.total
    if job.state == ImportJob.State.RUNNING:
        done, total = progress.read(job.pk) or (0, 0)
    percent = 100 if job.finished else (100 * done // total if total else 0)
    return done, total, percent


def _progress_text(job, done, total):
    if job.state == ImportJob.State.QUEUED:
        return "Đang chờ đến lượt xử lý…"
    if job.state == ImportJob.State.RUNNING and not total:
        return "Đang đọc tệp…"
    number = lambda value: f"{value:,}".replace(",", ".")  # noqa: E731
    return f"Đã xử lý {number(done)}/{number(total)} dòng"


@require_http_methods(["GET"])
def status_json(request, job_id):
    """The job's state for the status page's script: state, rows done, total, percent."""
    job = _job_or_404(request, job_id)
    done, total, percent = _progress(job)
    return JsonResponse(
        {
            "state": job.state,
            "label": job.get_state_display(),
            "done": done,
            "total": total,
            "percent": percent,
            "text": _progress_text(job, done, total),
            "finished": job.finished,
        }
    )


@dataclass
class Preview:
    """What the preview page shows of a finished job: its counts, then one page."""

    total: int
    new: int
    updated: int
    unchanged: int
    error_count: int
    ignored_columns: list
    row_headers: list
    errors: list  # the errors shown on this page
    rows: list  # the rows shown on this page
    page: object  # the Django page of rows (or of errors, when only errors are shown)


def _preview(request, job, kind):
    summary = job.summary
    errors_only = request.GET.get("chi_loi") == "1"
    size = _page_size()
    if errors_only:
        page = Paginator(job.errors.all(), size).get_page(request.GET.get("p"))
        errors, rows = list(page), []
    else:
        page = Paginator(job.rows.all(), size).get_page(request.GET.get("p"))
        errors = list(job.errors.all()[:ERRORS_FIRST]) if page.number == 1 else []
        rows = list(page)
    report = Preview(
        total=summary.get("total", 0),
        new=summary.get("new", 0),
        updated=summary.get("updated", 0),
        unchanged=summary.get("unchanged", 0),
        error_count=summary.get("error_count", 0),
        ignored_columns=summary.get("ignored_columns", []),
        row_headers=summary.get("row_headers", []),
        errors=errors,
        rows=rows,
        page=page,
    )
    confirmable = job.dry_run and job.ok and uploads.exists(job.upload)
    return TemplateResponse(
        request,
        "practices/admin/import_preview.html",
        {
            "kind": kind,
            "job": job,
            "report": report,
            "errors_only": errors_only,
            "more_errors": report.error_count - len(errors) if not errors_only else 0,
            "token": str(job.pk) if confirmable else "",
            "file_name": job.file_name,
            "reporter": kind.name == "adoptions" and summary.get("as_reports", False),
        },
    )


def _stalled(job):
    """Queued for a minute, or running for an hour: no worker is taking jobs, or the one that
    took it was stopped (the page says whom to tell)."""
    age = timezone.now() - job.created_at
    if job.state == ImportJob.State.QUEUED:
        return age > STALLED_AFTER
    return job.state == ImportJob.State.RUNNING and age > queries.ACTIVE_FOR


@require_http_methods(["GET"])
def status(request, job_id):
    """A job's page: its progress while queued or running, then its result."""
    job = _job_or_404(request, job_id)
    kind = KINDS.get(job.kind)
    if kind is None:
        raise Http404
    if forbidden := _forbidden(request, kind):
        return forbidden
    if job.state == ImportJob.State.DONE:
        if not job.dry_run and job.ok:
            messages.success(request, f"Đã nhập tệp “{job.file_name}”. {job.summary['text']}")
            return redirect(kind.after_import_url())
        return _preview(request, job, kind)
    done, total, percent = _progress(job)
    return TemplateResponse(
        request,
        "practices/admin/import_status.html",
        {
            "kind": kind,
            "job": job,
            "done": done,
            "total": total,
            "percent": percent,
            "text": _progress_text(job, done, total),
            "stalled": _stalled(job),
        },
    )


@require_http_methods(["POST"])
def export(request, kind, file_format):
    """Queue the current data as a file in the columns its import reads (a job of the
    background worker, `ops.jobs.run_export`), and lead to the job's page, which offers the
    file once written."""
    from ops import jobs

    if kind not in KINDS or file_format not in EXPORT_TYPES:
        raise Http404
    kind = KINDS[kind]
    if forbidden := _forbidden(request, kind):
        return forbidden
    job = jobs.queue_export(request.user, kind.name, file_format)
    return redirect("ops_jobs:detail", job_id=job.pk)


@require_http_methods(["GET"])
def index(request):
    """The menu's own page: the kinds this user may import, what each does, and their
    templates and current data to download."""
    return TemplateResponse(
        request,
        "practices/admin/import_index.html",
        {
            "kinds": [kind for kind in KINDS.values() if kind.may_import(request.user)],
            "reporter": _is_reporter(request),
            "formats": FORMATS,
            "template_formats": import_templates.FORMATS,
            "values_sheet": import_templates.VALUES_SHEET,
        },
    )


@require_http_methods(["GET"])
def template(request, kind, file_format):
    """A file to fill in: the import's headers, an example row, the valid values (XLSX)."""
    if kind not in KINDS or file_format not in import_templates.FORMATS:
        raise Http404
    kind = KINDS[kind]
    if forbidden := _forbidden(request, kind):
        return forbidden
    content = kind.template(request.user, file_format)
    response = HttpResponse(content, EXPORT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{kind.template_stem}.{file_format}"'
    return response


urlpatterns = [
    path("", index, name="index"),
    path("ap-dung/", upload, {"kind": "adoptions"}, name="upload"),
    path("co-quan/", upload, {"kind": "agencies"}, name="upload_agencies"),
    path("sang-kien/", upload, {"kind": "practices"}, name="upload_practices"),
    path("chi-so/", upload, {"kind": "indicator_values"}, name="upload_indicator_values"),
    path("xac-nhan/", confirm, name="confirm"),
    path("tien-trinh/<uuid:job_id>/", status, name="status"),
    path("tien-trinh/<uuid:job_id>/trang-thai.json", status_json, name="status_json"),
    path("xuat/<str:kind>/<str:file_format>/", export, name="export"),
    path("mau/<str:kind>/<str:file_format>/", template, name="template"),
]
