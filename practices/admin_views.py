"""The admin import screen for adoptions, in three steps: upload, preview (a dry run), confirm.

The uploaded bytes wait between preview and confirm in a temporary file named by a random
token; the session lists the tokens this user may confirm, so one user cannot confirm
another's upload. The file is deleted after a successful confirm (and stale ones after a
day). The import runs as the logged-in user: a reporter's rows become reports awaiting
review, a national user's are published (see `practices.resources.import_adoptions`).
"""

import re
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseForbidden
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from practices.resources import (
    DEFAULT_MAX_BYTES,
    FORMATS,
    ImportFileError,
    guess_format,
    import_adoptions,
)

SESSION_KEY = "adoption_import_tokens"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
MAX_PENDING = 5  # uploads awaiting confirmation per session
STALE_AFTER = 24 * 3600
PERMISSION = "practices.add_adoption"


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


def _forbidden(request):
    """A 403 for users without `practices.add_adoption` (returned, not raised: Wagtail's
    admin turns a raised PermissionDenied into a redirect to the dashboard)."""
    if request.user.has_perm(PERMISSION):
        return None
    return HttpResponseForbidden("Bạn không có quyền nhập dữ liệu áp dụng.")


def _pending(request):
    return dict(request.session.get(SESSION_KEY, {}))


def _store(request, data, name, file_format):
    directory = _upload_dir()
    _clean_stale(directory)
    pending = _pending(request)
    while len(pending) >= MAX_PENDING:  # drop the oldest
        oldest = next(iter(pending))
        (directory / f"{oldest}.upload").unlink(missing_ok=True)
        del pending[oldest]
    token = secrets.token_urlsafe(24)
    (directory / f"{token}.upload").write_bytes(data)
    pending[token] = {"name": name, "format": file_format}
    request.session[SESSION_KEY] = pending
    return token


def _load(request, token):
    """(bytes, name, format) of this session's upload `token`, or None."""
    pending = _pending(request)
    if not token or not TOKEN_RE.match(token) or token not in pending:
        return None
    path = _upload_dir() / f"{token}.upload"
    if not path.exists():
        return None
    return path.read_bytes(), pending[token]["name"], pending[token]["format"]


def _forget(request, token):
    pending = _pending(request)
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    (_upload_dir() / f"{token}.upload").unlink(missing_ok=True)


def _is_reporter(request):
    from reporting.permissions import agency_scope

    return agency_scope(request.user) is not None


@require_http_methods(["GET", "POST"])
def upload(request):
    """Step 1 (GET: the form) and step 2 (POST: the dry run and its preview)."""
    if forbidden := _forbidden(request):
        return forbidden
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {
        "form": form,
        "max_mb": _max_bytes() / 1024 / 1024,
        "reporter": _is_reporter(request),
    }
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        data = upload_file.read(_max_bytes() + 1)
        file_format = form.cleaned_data["file_format"]
        try:
            report = import_adoptions(data, file_format, dry_run=True, user=request.user)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            token = _store(request, data, upload_file.name, file_format) if report.ok else ""
            return TemplateResponse(
                request,
                "practices/admin/import_preview.html",
                {
                    "report": report,
                    "token": token,
                    "file_name": upload_file.name,
                    "reporter": context["reporter"],
                },
            )
    return TemplateResponse(request, "practices/admin/import_upload.html", context)


@require_http_methods(["POST"])
def confirm(request):
    """Step 3: the import for real, from the file kept since the preview."""
    if forbidden := _forbidden(request):
        return forbidden
    token = request.POST.get("token", "")
    stored = _load(request, token)
    if stored is None:
        messages.error(request, "Tệp đã hết hạn hoặc không tồn tại; hãy tải lên lại.")
        return redirect("practices_import:upload")
    data, name, file_format = stored
    try:
        report = import_adoptions(data, file_format, dry_run=False, user=request.user)
    except ImportFileError as error:
        _forget(request, token)
        messages.error(request, f"Không nhập được tệp: {error}")
        return redirect("practices_import:upload")
    if not report.ok:
        # The data changed since the preview: show why, keep nothing.
        _forget(request, token)
        return TemplateResponse(
            request,
            "practices/admin/import_preview.html",
            {"report": report, "token": "", "file_name": name, "reporter": _is_reporter(request)},
        )
    _forget(request, token)
    messages.success(request, f"Đã nhập tệp “{name}”. {report.summary()}")
    return redirect(reverse("wagtailsnippets_practices_adoption:list"))


urlpatterns = [
    path("", upload, name="upload"),
    path("xac-nhan/", confirm, name="confirm"),
]
