"""One version number for everything the dashboards compute, and a cache keyed on it.

Statistics are computed from many records at once, so no single record knows which cached
results it is part of. Instead every cached result's key carries `version()`, and any change
to the data behind the dashboards calls `bump()`: the next read misses and recomputes, and
the old entries expire on their own (`DASHBOARDS_CACHE_SECONDS`). `dashboards.signals` bumps
on adoptions and their steps; other apps call `bump()` for their own models (an indicator
value), or connect `dashboards.signals.bump_on_commit` to their signals.

The version lives in Django's default cache (Redis in production, so every process sees the
same number). If the cache loses it, it restarts at a fresh number rather than at 1, so that
entries cached under an old 1 are never read again.
"""

import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache

VERSION_KEY = "dashboards:version"
# The last results this process read or computed, by versioned key: a page's charts each ask
# for the same figures, and unpickling them from Django's cache costs more than drawing them.
# A key carries the data version, so a kept result is never stale; results are read-only.
LOCAL_SIZE = 16
_local = OrderedDict()


def version():
    """The current data version (an int)."""
    value = cache.get(VERSION_KEY)
    if value is None:
        # Start from the clock, not from 1: a cache that was flushed must not bring back
        # results cached under a version it had handed out before.
        cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
        value = cache.get(VERSION_KEY)
    return value


def bump():
    """Make every result cached so far stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache (yet, or any more)
        cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)


def key(name):
    """`name` under the current version: the key a computed result is cached under."""
    return f"dashboards:{version()}:{name}"


def cached(name, builder, timeout=None, shared=True):
    """`builder()`'s result, computed once per data version for `name` (a string that says
    what was computed and from which parameters, e.g. `f"curve:{practice.pk}:{day}"`).

    Without `shared`, it is kept by this process only: for a result whose page is kept drawn
    (`{% cache %}`), which only that page's other parts ask for again, and which costs more
    to pickle into Django's cache than it would save."""
    if timeout is None:
        timeout = settings.DASHBOARDS_CACHE_SECONDS
    if not timeout:  # 0: caching is off (the test settings)
        return builder()
    versioned = key(name)
    try:
        _local.move_to_end(versioned)
        return _local[versioned]
    except KeyError:
        pass
    value = cache.get_or_set(versioned, builder, timeout) if shared else builder()
    _local[versioned] = value
    while len(_local) > LOCAL_SIZE:
        _local.popitem(last=False)
    return value
