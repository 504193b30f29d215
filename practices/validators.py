"""Checks on evidence files that reporters upload with their adoption reports.

The type is decided by the file's first bytes, never by its name or the browser's declared
content type: a `.pdf` that is really an HTML page is refused. The name must still agree with
the content, so that a stored file is never served under a type it does not have.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

DEFAULT_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

# kind -> (label, extensions the stored name may carry)
EVIDENCE_KINDS = {
    "pdf": ("PDF", (".pdf",)),
    "png": ("PNG", (".png",)),
    "jpeg": ("JPEG", (".jpg", ".jpeg")),
    "webp": ("WebP", (".webp",)),
}
ALLOWED_LABELS = ", ".join(label for label, _ in EVIDENCE_KINDS.values())


def evidence_max_bytes():
    return getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_EVIDENCE_MAX_BYTES)


def sniff_kind(head):
    """The evidence kind of a file starting with `head` (at least 12 bytes), or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _read_head(value, length=16):
    f = getattr(value, "file", value)
    position = f.tell() if hasattr(f, "tell") else 0
    try:
        f.seek(0)
        return f.read(length) or b""
    finally:
        f.seek(position)


def validate_evidence_file(value):
    """Validator for `Adoption.evidence_file`: size limit, then type by content."""
    if not value:
        return
    # A file already in storage was checked when it was uploaded; re-reading it on every
    # later edit would only cost a storage round trip.
    if getattr(value, "_committed", False):
        return

    limit = evidence_max_bytes()
    if value.size is not None and value.size > limit:
        raise ValidationError(
            "Tệp minh chứng quá lớn (%(size)s); dung lượng tối đa là %(limit)s.",
            code="file_too_large",
            params={"size": filesizeformat(value.size), "limit": filesizeformat(limit)},
        )

    kind = sniff_kind(_read_head(value))
    if kind is None:
        raise ValidationError(
            "Nội dung tệp không phải là tài liệu PDF hoặc ảnh (%(allowed)s); "
            "hãy tải lên bản scan hoặc bản PDF của văn bản.",
            code="invalid_file_type",
            params={"allowed": ALLOWED_LABELS},
        )

    label, extensions = EVIDENCE_KINDS[kind]
    name = (getattr(value, "name", "") or "").lower()
    if not name.endswith(extensions):
        raise ValidationError(
            "Tên tệp không khớp với nội dung: tệp là %(label)s nên phải có đuôi %(ext)s.",
            code="extension_mismatch",
            params={"label": label, "ext": " hoặc ".join(extensions)},
        )
