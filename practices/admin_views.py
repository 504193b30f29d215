"""The admin import and export screens for adoptions, agencies and practices.

An import takes three steps: upload, preview (a dry run), confirm. Each screen also offers
the current data as CSV, XLSX or JSON, in the columns its import reads.

The uploaded bytes wait between preview and confirm in a temporary file named by a random
token; the session lists the tokens this user may confirm, so one user cannot confirm
another's upload. The file is deleted after a successful confirm (and stale ones after a
day). The import runs as the logged-in user: a reporter's rows become reports awaiting
review, a national user's are published (see `practices.resources`). Who may import what is
`practices.resources.can_import`, the rule the import functions themselves apply.
"""

import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from wagtail.permissions import policy_registry

from practices import resources
from practices.models import Adoption, PracticeIndexPage
from practices.resources import DEFAULT_MAX_BYTES, FORMATS, ImportFileError, guess_format

SESSION_KEY = "adoption_import_tokens"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
MAX_PENDING = 5  # uploads awaiting confirmation per session
STALE_AFTER = 24 * 3600
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

    def after_import_url(self):
        if self.list_url:
            return reverse(self.list_url)
        index_page = PracticeIndexPage.objects.first()
        return reverse("wagtailadmin_explore", args=[index_page.pk])

    def may_import(self, user):
        return resources.can_import(self.name, user)

    def import_file(self, data, file_format, dry_run, user):
        function = getattr(resources, f"import_{self.name}")
        return function(data, file_format, dry_run=dry_run, user=user)

    def export(self, user, file_format):
        if self.name == "adoptions":
            # A reporter downloads the records of their own agencies.
            queryset = policy_registry.get_by_type(Adoption).instances_user_has_any_permission_for(
                user, ["change", "view"]
            )
            return resources.export_adoptions(queryset, file_format)
        return getattr(resources, f"export_{self.name}")(file_format=file_format)


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
            "mức minh chứng, ghi chú",
            "wagtailsnippets_practices_adoption:list",
            "ket-qua-ap-dung",
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
        ),
    )
}


def _max_bytes():
    return getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def _upload_dir():
    directory = Path(
        getattr(settings, "IMPORT_UPLOAD_DIR", "") or Path(tempfile.gettempdir()) / "dvctt-imports"
    )
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def _clean_stale(directory):
    cutoff = time.time() - STALE_AFTER
    for stale in directory.glob("*.upload"):
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
        except OSError:
            pass


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


def _pending(request):
    return dict(request.session.get(SESSION_KEY, {}))


def _store(request, data, name, file_format, kind):
    directory = _upload_dir()
    _clean_stale(directory)
    pending = _pending(request)
    while len(pending) >= MAX_PENDING:  # drop the oldest
        oldest = next(iter(pending))
        (directory / f"{oldest}.upload").unlink(missing_ok=True)
        del pending[oldest]
    token = secrets.token_urlsafe(24)
    (directory / f"{token}.upload").write_bytes(data)
    pending[token] = {"name": name, "format": file_format, "kind": kind.name}
    request.session[SESSION_KEY] = pending
    return token


def _load(request, token):
    """(bytes, name, format, kind) of this session's upload `token`, or None."""
    pending = _pending(request)
    if not token or not TOKEN_RE.match(token) or token not in pending:
        return None
    path = _upload_dir() / f"{token}.upload"
    if not path.exists():
        return None
    entry = pending[token]
    return path.read_bytes(), entry["name"], entry["format"], KINDS[entry.get("kind", "adoptions")]


def _forget(request, token):
    pending = _pending(request)
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    (_upload_dir() / f"{token}.upload").unlink(missing_ok=True)


def _is_reporter(request):
    from reporting.permissions import agency_scope

    return agency_scope(request.user) is not None


def _preview(request, kind, report, token, file_name):
    return TemplateResponse(
        request,
        "practices/admin/import_preview.html",
        {
            "kind": kind,
            "report": report,
            "token": token,
            "file_name": file_name,
            "reporter": kind.name == "adoptions" and _is_reporter(request),
        },
    )


@require_http_methods(["GET", "POST"])
def upload(request, kind):
    """Step 1 (GET: the form) and step 2 (POST: the dry run and its preview)."""
    kind = KINDS[kind]
    if forbidden := _forbidden(request, kind):
        return forbidden
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        data = upload_file.read(_max_bytes() + 1)
        file_format = form.cleaned_data["file_format"]
        try:
            report = kind.import_file(data, file_format, dry_run=True, user=request.user)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            token = _store(request, data, upload_file.name, file_format, kind) if report.ok else ""
            return _preview(request, kind, report, token, upload_file.name)
    return TemplateResponse(
        request,
        "practices/admin/import_upload.html",
        {
            "kind": kind,
            "form": form,
            "max_mb": _max_bytes() / 1024 / 1024,
            "reporter": kind.name == "adoptions" and _is_reporter(request),
            "formats": FORMATS,
        },
    )


@require_http_methods(["POST"])
def confirm(request):
    """Step 3: the import for real, from the file kept since the preview."""
    token = request.POST.get("token", "")
    stored = _load(request, token)
    kind = stored[3] if stored else KINDS["adoptions"]
    if forbidden := _forbidden(request, kind):
        return forbidden
    if stored is None:
        messages.error(request, "Tệp đã hết hạn hoặc không tồn tại; hãy tải lên lại.")
        return redirect(kind.upload_url)
    data, name, file_format, kind = stored
    try:
        report = kind.import_file(data, file_format, dry_run=False, user=request.user)
    except ImportFileError as error:
        _forget(request, token)
        messages.error(request, f"Không nhập được tệp: {error}")
        return redirect(kind.upload_url)
    if not report.ok:
        # The data changed since the preview: show why, keep nothing.
        _forget(request, token)
        return _preview(request, kind, report, "", name)
    _forget(request, token)
    messages.success(request, f"Đã nhập tệp “{name}”. {report.summary()}")
    return redirect(kind.after_import_url())


@require_http_methods(["GET"])
def export(request, kind, file_format):
    """The current data as a file in the columns its import reads."""
    if kind not in KINDS or file_format not in EXPORT_TYPES:
        raise Http404
    kind = KINDS[kind]
    if forbidden := _forbidden(request, kind):
        return forbidden
    response = HttpResponse(kind.export(request.user, file_format), EXPORT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{kind.file_stem}.{file_format}"'
    return response


urlpatterns = [
    path("ap-dung/", upload, {"kind": "adoptions"}, name="upload"),
    path("co-quan/", upload, {"kind": "agencies"}, name="upload_agencies"),
    path("sang-kien/", upload, {"kind": "practices"}, name="upload_practices"),
    path("xac-nhan/", confirm, name="confirm"),
    path("xuat/<str:kind>/<str:file_format>/", export, name="export"),
]
