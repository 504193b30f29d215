"""The version of every computed result that reads indicator values: bumped when a value
changes, so that a cached result keyed by the version is never served stale."""

from django.core.cache import cache

VERSION_KEY = "indicators:version"


def version():
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def bump():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet, or evicted: any new number will do
        cache.set(VERSION_KEY, version() + 1, timeout=None)
