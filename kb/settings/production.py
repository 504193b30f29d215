"""Production: every secret from the environment; refuses to start without one."""

import os
from pathlib import Path

from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool
from .object_storage import image_origin, s3_storages, storage_backend


def weak_secret_key_reason(key):
    """Why `check --deploy` would warn about this key (security.W009), or None if it would not:
    the same three rules, so a key that starts the site also passes the deploy check."""
    if not key:
        return "SECRET_KEY must be set in the environment."
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"SECRET_KEY has {len(key)} characters; it needs at least {SECRET_KEY_MIN_LENGTH}."
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return (
            f"SECRET_KEY has {len(set(key))} distinct characters; it needs at least "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS}."
        )
    if key.startswith(SECRET_KEY_INSECURE_PREFIX):
        return f"SECRET_KEY starts with '{SECRET_KEY_INSECURE_PREFIX}': it is a throw-away key."
    return None


DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if reason := weak_secret_key_reason(SECRET_KEY):
    raise ImproperlyConfigured(
        f"{reason} Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )
if not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in the environment.")
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must be set in the environment.")
if not os.environ.get("REDIS_URL"):
    # Rate-limit counters kept per process would multiply every limit by the workers.
    raise ImproperlyConfigured("REDIS_URL must be set in the environment (shared cache).")

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# A web server that publishes MEDIA_ROOT (or the static files) must not publish the evidence.
# Nor the export files of the admin's jobs (ops/jobs.py), served only to who asked for them.
for _name in ("PRIVATE_MEDIA_ROOT", "JOB_FILES_ROOT"):
    _private = Path(globals()[_name]).resolve()
    for _public in (MEDIA_ROOT, STATIC_ROOT):  # noqa: F405
        _public = Path(_public).resolve()
        if _private == _public or _public in _private.parents or _private in _public.parents:
            raise ImproperlyConfigured(
                f"{_name} must be a folder of its own, outside MEDIA_ROOT and STATIC_ROOT."
            )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
# Sessions read from the shared cache (Redis) and written through to the database: every app
# server sees a sign-in at once, and a Redis restart signs no one out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# E-mail leaves through the background worker (ops/mail.py); EMAIL_BACKEND names the backend
# the worker delivers with. EMAIL_QUEUE=false sends from the request instead.
EMAIL_DELIVERY_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_BACKEND = (
    "ops.mail.QueuedEmailBackend" if env_bool("EMAIL_QUEUE", True) else EMAIL_DELIVERY_BACKEND
)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
SEARCH_INDEX_PREFIX = os.environ.get("SEARCH_INDEX_PREFIX", "dvctt-prod")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# --- Accounts and sign-in (README: "Accounts and sign-in") ----------------------------------
# National reviewers, national editors and superusers cannot reach the admin without a second
# factor in production: not an environment switch, so a deployment cannot forget it.
TWO_FACTOR_REQUIRED_FOR_NATIONAL = True

# --- Logs: one JSON object a line, each with its request id (ops/requests.py) ---------------
LOGGING = {
    **LOGGING,  # noqa: F405
    "formatters": {"json": {"()": "ops.requests.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # The access lines: one per request, off with ACCESS_LOG=false.
    "loggers": {
        "ops.requests": {"level": "INFO" if env_bool("ACCESS_LOG", True) else "WARNING"},
    },
}

# --- Object storage: files on a store every app server shares (docs/production.md) ---------
# STORAGE_BACKEND=s3 (or AWS_STORAGE_BUCKET_NAME set) puts documents, images and evidence in
# private buckets (kb/settings/object_storage.py); unset, they stay on the local disk above.
# Either way documents go out only through Wagtail's serve view and evidence only through the
# evidence view, after their permission checks: from a bucket the application streams them
# (evidence: kb.sendfile; documents: Wagtail's serve view), never a redirect to it.
STORAGE_BACKEND = storage_backend(os.environ)
if STORAGE_BACKEND == "s3":
    STORAGES = {**STORAGES, **s3_storages(os.environ)}
    # Images are the one kind of file linked in the bucket (signed URLs that expire): the
    # admin's image library shows them, so the policy lets images come from there.
    CONTENT_SECURITY_POLICY = {
        **CONTENT_SECURITY_POLICY,  # noqa: F405
        "DIRECTIVES": {
            **CONTENT_SECURITY_POLICY["DIRECTIVES"],  # noqa: F405
            "img-src": [
                *CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],  # noqa: F405
                image_origin(os.environ),
            ],
        },
    }
    if WAGTAILDOCS_SERVE_METHOD != "serve_view":  # noqa: F405
        # "redirect" or "direct" would send users to the bucket, past the evidence rule.
        raise ImproperlyConfigured(
            "Documents in a bucket need WAGTAILDOCS_SERVE_METHOD='serve_view'."
        )

# --- Database connections (issue 14, benchmarks/load.py) -------------------------------------
# Kept between requests (DB_CONN_MAX_AGE seconds, 60 here; 0 is a connection per request): a
# new connection costs PostgreSQL a process and a SCRAM handshake, and in the load test the
# database used 0.42 cores at 79 requests/s opening one per request, 0.16 at 109 keeping them
# (BENCHMARKS.md, "Load"). Each thread of each app server keeps one: GUNICORN_WORKERS ×
# GUNICORN_THREADS per server, under PostgreSQL's max_connections (100).
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))  # noqa: F405
# After PostgreSQL restarts, a kept connection is dead, and without a check the next request on
# each thread fails with a 500, long after the server is back (the load test's run (b) counted
# them). Checked before reuse, a dead connection is replaced and the request served.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
