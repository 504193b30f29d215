"""The uploaded files waiting for their preview or confirm, in a folder the web process and
the worker share (`IMPORT_UPLOAD_DIR`, default the system temp dir), each named by a random
token. Stale ones (a day old) are removed whenever a new file arrives."""

import re
import secrets
import tempfile
import time
from pathlib import Path

from django.conf import settings

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
STALE_AFTER = 24 * 3600


def directory():
    folder = Path(
        getattr(settings, "IMPORT_UPLOAD_DIR", "") or Path(tempfile.gettempdir()) / "dvctt-imports"
    )
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _path(token):
    if not token or not TOKEN_RE.match(token):
        return None
    return directory() / f"{token}.upload"


def clean_stale():
    cutoff = time.time() - STALE_AFTER
    for stale in directory().glob("*.upload"):
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
        except OSError:
            pass


def store(data):
    """Keep `data`; its token."""
    clean_stale()
    token = secrets.token_urlsafe(24)
    _path(token).write_bytes(data)
    return token


def read(token):
    """The bytes kept under `token`, or None when they are gone (expired, or confirmed)."""
    path = _path(token)
    if path is None or not path.exists():
        return None
    return path.read_bytes()


def exists(token):
    path = _path(token)
    return path is not None and path.exists()


def delete(token):
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)
