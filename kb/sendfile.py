"""Sending a file once the application has decided that the user may have it.

Either the response streams the file (`FileResponse`), or, when the web server is set up for
it, the response is empty and carries `X-Accel-Redirect`: nginx then sends the file itself
from an `internal` location, which no client can request directly. One prefix per folder:
`EVIDENCE_ACCEL_REDIRECT_PREFIX` for PRIVATE_MEDIA_ROOT (evidence files),
`DOCUMENTS_ACCEL_REDIRECT_PREFIX` for MEDIA_ROOT (Wagtail's documents).

A storage without local files (a bucket: `storage.path()` raises NotImplementedError) has no
folder for nginx: `serve_stored` streams the file from `storage.open` with the same headers,
never a redirect to the bucket.

The module is also Wagtail's `SENDFILE_BACKEND` (its documents' serve view calls `sendfile`),
so documents follow the same story; for documents in a bucket the serve view streams them
itself (`WAGTAILDOCS_SERVE_METHOD = "serve_view"`, which never redirects). No library:
django-sendfile2 knows one folder only, and this is one header.
"""

import os
import unicodedata
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils.http import http_date

from wagtail.coreutils import string_to_ascii
from wagtail.utils import sendfile_streaming_backend


def _accel_locations():
    return [
        (settings.PRIVATE_MEDIA_ROOT, getattr(settings, "EVIDENCE_ACCEL_REDIRECT_PREFIX", "")),
        (settings.MEDIA_ROOT, getattr(settings, "DOCUMENTS_ACCEL_REDIRECT_PREFIX", "")),
    ]


def accel_redirect_uri(path):
    """The internal URI the web server serves `path` from, or None when not configured."""
    path = Path(path).resolve()
    for root, prefix in _accel_locations():
        if not prefix:
            continue
        root = Path(root).resolve()
        if root in path.parents:
            return prefix.rstrip("/") + "/" + quote(path.relative_to(root).as_posix())
    return None


def content_disposition(filename):
    """`attachment` with the file's name: plain ASCII as `filename`, and the exact name in
    UTF-8 as `filename*` (RFC 5987/6266) when it has anything else, such as Vietnamese
    letters. The ASCII copy drops the diacritics, for the rare client that reads only it."""
    filename = unicodedata.normalize("NFC", filename)
    ascii_name = "".join(ch for ch in string_to_ascii(filename) if ch.isprintable())
    ascii_name = ascii_name.replace("\\", "_").replace('"', "_") or "download"
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def _download_headers(response, filename, private):
    if filename is not None:
        response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=600"
    return response


def serve(request, path, *, content_type, filename=None, private=True):
    """The response for a file at the absolute `path` that the user may have.

    `filename` makes it a download (`attachment`); `private` forbids any cache to keep it.
    """
    uri = accel_redirect_uri(path)
    if uri is not None:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = uri
    else:
        response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115
        response["Last-Modified"] = http_date(os.stat(path).st_mtime)
    return _download_headers(response, filename, private)


def serve_stored(request, storage, name, *, content_type, filename=None, private=True):
    """The response for the file `name` of `storage`, as `serve` makes it: from its local
    path when the storage has one (so X-Accel-Redirect applies), else streamed from
    `storage.open`. Raises FileNotFoundError when the file is not there."""
    try:
        path = storage.path(name)
    except NotImplementedError:
        path = None
    if path is not None:
        if not storage.exists(name):
            # Checked here too for X-Accel-Redirect, which would hand nginx a missing file.
            raise FileNotFoundError(name)
        return serve(request, path, content_type=content_type, filename=filename, private=private)
    file = storage.open(name, "rb")  # a bucket's storage raises FileNotFoundError itself
    response = FileResponse(file, content_type=content_type)
    try:
        response["Last-Modified"] = http_date(storage.get_modified_time(name).timestamp())
    except NotImplementedError:
        pass
    return _download_headers(response, filename, private)


def sendfile(request, filename, **kwargs):
    """Wagtail's document serve view's backend (`SENDFILE_BACKEND`): it sets the content
    type, disposition and its own headers on what this returns."""
    uri = accel_redirect_uri(filename)
    if uri is None:
        return sendfile_streaming_backend.sendfile(request, filename, **kwargs)
    response = HttpResponse(content_type=kwargs.get("mimetype"))
    response["X-Accel-Redirect"] = uri
    return response
