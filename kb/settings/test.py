"""Fast, isolated settings for the test suite."""

import os
import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="dvctt-test-media-")
# Parallel runs against one node (several checkouts) each set their own prefix.
SEARCH_INDEX_PREFIX = os.environ.get("TEST_SEARCH_INDEX_PREFIX", "dvctt-test")
ALLOWED_HOSTS = ["*"]
WAGTAILADMIN_BASE_URL = "http://testserver"
PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="dvctt-test-private-")
# A worker started by a test in another process is given the same folders (tests/ops); a
# worker's clean-up of interrupted jobs never reaches the checkout's own var/.
JOB_FILES_ROOT = os.environ.get("JOB_FILES_ROOT") or tempfile.mkdtemp(prefix="dvctt-test-jobs-")
SNAPSHOTS_ROOT = os.environ.get("SNAPSHOTS_ROOT") or tempfile.mkdtemp(prefix="dvctt-test-snap-")
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Serve static files straight from the app folders, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Rate-limit counters in this process's memory (never a developer's Redis: rate-limit tests
# clear the cache, see CACHES below), and limits no other test reaches;
# tests/kb/test_rate_limits.py sets its own.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]  # noqa: F405
RATELIMIT_SEARCH = RATELIMIT_SUGGEST = RATELIMIT_API = RATELIMIT_CHARTS = "100000/m"
RATELIMIT_DOWNLOADS = "100000/m"
# Dashboards compute afresh in every test: a test's writes are rolled back, never committed,
# so the version bump that would follow them never happens (tests/dashboards/test_cache.py
# turns caching on to test it).
DASHBOARDS_CACHE_SECONDS = 0

# Background work runs in the request through the same tasks (tests/practices/
# test_admin_import_tasks.py and tests/ops/test_tasks.py run the database backend and its
# worker too); progress goes to a throw-away folder.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": TASK_QUEUES,  # noqa: F405
    },
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "import_progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": tempfile.mkdtemp(prefix="dvctt-test-progress-"),
    },
}
