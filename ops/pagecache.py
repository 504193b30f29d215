"""What anonymous visitors get from the public site and the API, kept in the shared cache.

Every app server reads and writes the same cache (Redis in production), so a page one server
rendered is served by all. Entries are filed under a *generation*: a number kept in the same
cache, which `invalidate()` moves on once a transaction that changed public content commits
(`ops.signals` says which changes). A moved generation makes every older entry unreachable at
once, on every server, with no list of pages to forget; the old entries expire by themselves
after PAGE_CACHE_SECONDS.

Only requests that no one can tell apart are served from the cache: GET, no session or message
cookie, no credentials. Only answers that are the same for every such request are stored: a
complete 200 that sets no cookie (so no CSRF token was put in it) and that its view did not
mark private or uncacheable. Searches and suggestions are stored too: their answers follow the
search index, which lags the database by design (`search.sync`), so a push that changed the
index moves the generation again once the index shows it. A search that the database answered
because the node failed says so and is not stored. Being served from the cache, an answer
asked again costs no engine work and is not counted by the rate limits, which are there to
spare the engines.

The cache failing is never the visitor's problem: every cache error is logged and the request
is served as if there were no cache.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import cc_delim_re

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
HEADER = "X-Page-Cache"  # hit or miss, on what the cache could serve; absent otherwise
# Paths that are never public answers (documents are streamed after their permission check).
SKIPPED_PREFIXES = ("/admin/", "/django-admin/", "/documents/")
UNCACHEABLE = {"private", "no-cache", "no-store"}


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def _new_generation():
    # A clock value, not 1: if Redis evicted or lost the key, the entries filed under the old
    # generations must not become reachable again.
    return time.time_ns() // 1000


def current_generation(cache):
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, _new_generation(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def _bump():
    try:
        cache = _cache()
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no generation yet (or evicted): start a new one
            cache.set(GENERATION_KEY, _new_generation(), timeout=None)
    except Exception:
        # The entries left reachable expire after PAGE_CACHE_SECONDS.
        logger.exception("Could not move the page cache generation on")


def invalidate():
    """Make every cached answer unreachable once the current transaction commits (at once when
    there is none): a visitor who reads while it is still open gets the state before it."""
    if settings.PAGE_CACHE_SECONDS:
        transaction.on_commit(_bump, robust=True)


def _anonymous(request):
    if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return not request.path.startswith(SKIPPED_PREFIXES)


def _key(request, generation):
    # Accept: the API answers by content negotiation (its Vary names it); the host: one cache
    # may serve several sites.
    parts = [request.get_host(), request.get_full_path(), request.META.get("HTTP_ACCEPT", "")]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"pagecache:{generation}:{digest}"


def _storable(response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = cc_delim_re.split(response.get("Cache-Control", ""))
    return not {d.split("=")[0].strip().lower() for d in control} & UNCACHEABLE


def _replay(entry):
    status, content, headers = entry
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    response[HEADER] = "hit"
    return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE_SECONDS or not _anonymous(request):
            return self.get_response(request)
        try:
            cache = _cache()
            key = _key(request, current_generation(cache))
            entry = cache.get(key)
        except Exception:
            logger.exception("Page cache unreadable; serving without it")
            return self.get_response(request)
        if entry is not None:
            return _replay(entry)

        response = self.get_response(request)
        if _storable(response):
            # The headers set so far are the view's and the inner middleware's; those of the
            # outer ones (request id, CSP, CORS, security, ETag) are set again on every hit.
            entry = (200, response.content, list(response.items()))
            try:
                cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
            except Exception:
                logger.exception("Page cache unwritable; the answer was served uncached")
            response[HEADER] = "miss"
        return response
