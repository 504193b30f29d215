"""A form sent again by the proxy is carried out once.

When an app server dies with a request under way, nginx sends the request on to another one
(ops/nginx.conf.template, `proxy_next_upstream … non_idempotent`), so the person saving a draft
gets an answer instead of a 502. For a POST that is safe only if the first server's writes and
the second's cannot both happen. nginx gives each request a random key (`X-Retry-Key`, the
same on every attempt); this middleware claims the key in the database at the start of the
request's transaction and runs everything after it (session, view, messages) inside it:

- the first attempt died before committing: its transaction, claim included, is rolled back,
  and the second attempt claims the key and does the work;
- it committed: the second attempt finds the key taken and answers what the first answered
  (status, Location, a short body), doing nothing;
- it is still running (a slow server, not a dead one): the second attempt waits on the claimed
  row until the first ends, then one of the two cases above.

Only requests from TRUSTED_PROXIES carry a key this believes; nginx overwrites any key a
client sends. Without a key (no proxy, a GET) nothing changes.
"""

import datetime
import random
import re

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from kb.ratelimits import from_trusted_proxy
from ops.models import HandledPost

HEADER = "HTTP_X_RETRY_KEY"
KEY = re.compile(r"^[0-9a-f]{16,64}$")  # nginx's $request_id: 32 hex digits
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
MAX_BODY = 64 * 1024  # a longer answer is not kept: its request may run twice (none so far)
REPLAYED = "X-Retry-Replayed"
KEEP_DAYS = 1


def _key(request):
    key = request.META.get(HEADER, "")
    if request.method in SAFE_METHODS or not KEY.match(key) or not from_trusted_proxy(request):
        return None
    return key


def _replay(handled):
    response = HttpResponse(bytes(handled.body or b""), status=handled.status)
    if handled.content_type:
        response["Content-Type"] = handled.content_type
    if handled.location:
        response["Location"] = handled.location
    response[REPLAYED] = "1"
    return response


def _forget_old():
    """Now and then, the keys older than a day (a retry comes within seconds)."""
    if random.random() < 0.01:  # noqa: S311 - spreading work, not a secret
        cutoff = timezone.now() - datetime.timedelta(days=KEEP_DAYS)
        HandledPost.objects.filter(created_at__lt=cutoff).delete()


class RetriedPostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _key(request)
        if key is None:
            return self.get_response(request)
        try:
            with transaction.atomic():
                # Waits here while another attempt of the same request holds the row.
                HandledPost.objects.create(key=key)
                response = self.get_response(request)
                self._remember(key, response)
        except IntegrityError:
            handled = HandledPost.objects.filter(key=key, status__isnull=False).first()
            if handled is None:
                raise  # not the key: an error of the request itself
            return _replay(handled)
        _forget_old()
        return response

    @staticmethod
    def _remember(key, response):
        body = None
        if not response.streaming and len(response.content) <= MAX_BODY:
            body = response.content
        if body is None or response.status_code >= 500:
            # Not kept: an error's writes are rolled back by the view's own handling, or
            # the answer cannot be replayed; a retry runs the request again.
            HandledPost.objects.filter(key=key).delete()
            return
        HandledPost.objects.filter(key=key).update(
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            location=response.get("Location", ""),
            body=body,
        )
