"""Rows done of a running import, shared between the worker and the status page.

The import runs in one transaction, so rows written to the database while it runs would be
invisible to the web process (and, on SQLite, locked). The cache `import_progress` (files in
a folder both processes see, by default) carries them instead.
"""

import time

from django.core.cache import caches

CACHE = "import_progress"


def _key(job_id):
    return f"import-job:{job_id}"


def read(job_id):
    """(rows done, total) last written for `job_id`, or None."""
    return caches[CACHE].get(_key(job_id))


def write(job_id, done, total):
    caches[CACHE].set(_key(job_id), (done, total))


def forget(job_id):
    caches[CACHE].delete(_key(job_id))


class Reporter:
    """The import's `progress(rows_done, total)`: written at most every `interval` seconds,
    and always for the last row, so a 50,000-row file costs a few hundred writes."""

    def __init__(self, job_id, interval=0.5):
        self.job_id = job_id
        self.interval = interval
        self._last = None

    def __call__(self, done, total):
        now = time.monotonic()
        if done < total and self._last is not None and now - self._last < self.interval:
            return
        self._last = now
        write(self.job_id, done, total)
