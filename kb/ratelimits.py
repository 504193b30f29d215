"""Rate limits on the public doors that make the server work: the search page, the search
and suggestion API and the open-data API.

django-ratelimit counts, in a fixed window per client address, in the `default` cache
(Redis in production, so that every process shares the counters). Over the limit, the door
answers 429 with `Retry-After` and a Vietnamese message instead of running the view.
"""

import functools
import ipaddress
import logging

from django.conf import settings
from django.http import JsonResponse

from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

MESSAGE = "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau {seconds} giây."


@functools.lru_cache(maxsize=8)
def _networks(entries):
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _trusted(address, networks):
    if not address:
        # An empty REMOTE_ADDR is a Unix socket: only a process on this host (the proxy)
        # can have connected through it.
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def from_trusted_proxy(request):
    """Whether the request came through a proxy listed in TRUSTED_PROXIES (none: never)."""
    if not settings.TRUSTED_PROXIES:
        return False
    return _trusted(request.META.get("REMOTE_ADDR", ""), _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request):
    """The client's address, as the rate limits key it (RATELIMIT_IP_META_KEY).

    REMOTE_ADDR, unless it is a proxy listed in TRUSTED_PROXIES: then the nearest
    address in X-Forwarded-For that is not such a proxy. Anything to the left of it was
    written by the client and is never read, so a forged header cannot pick the key.
    """
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    address = request.META.get("REMOTE_ADDR", "")
    if not _trusted(address, networks):
        return address
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                break  # the proxy passed on garbage: key on the proxy itself
    return address or "127.0.0.1"


def retry_after(usage):
    """Seconds until the next window (django-ratelimit's windows are fixed, and the second
    `time_left` reaches 0 still belongs to the current one)."""
    return max(1, int(usage["time_left"]) + 1)


def json_response(request, seconds):
    response = JsonResponse(
        {"error": MESSAGE.format(seconds=seconds), "retry_after": seconds},
        status=429,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Retry-After"] = str(seconds)
    return response


def limit(group, rate_setting, respond=json_response):
    """Decorate a view so that each client gets `settings.<rate_setting>` requests per
    window (e.g. "30/m"; empty means no limit) in `group`; doors in one group share it.

    `respond(request, seconds)` makes the 429. For a DRF view, decorate the function
    `api_view` returns, or the viewset's `dispatch`: the limit then runs before DRF, whose
    exception handling would turn django-ratelimit's own exception into a 403.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            rate = getattr(settings, rate_setting) or None
            try:
                usage = get_usage(request, group=group, key="ip", rate=rate, increment=True)
            except RedisError:
                # The counters are down: serve rather than refuse everyone.
                logger.exception("Rate limit counters unavailable; %s not limited", group)
                usage = None
            if usage is not None and usage["should_limit"]:
                return respond(request, retry_after(usage))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
