"""Session timeouts: a session ends after SESSION_IDLE_TIMEOUT without a request and
SESSION_MAX_AGE after sign-in, whatever the activity.

Why a middleware rather than SESSION_SAVE_EVERY_REQUEST with a short SESSION_COOKIE_AGE: that
setting only slides the expiry (a session used every few minutes would live for ever, so no
maximum age), and it writes the session row on every request. Here the last-seen time is written
at most once a minute, and the maximum counts from the sign-in itself."""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

SIGNED_IN_AT = "accounts_signed_in_at"
SEEN_AT = "accounts_seen_at"
# How stale the stored last-seen time may get before it is written again (seconds).
SEEN_RESOLUTION = 60


@receiver(user_logged_in)
def stamp_sign_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now


def expired(session, now=None):
    """True when the session has been idle too long or is older than the maximum age."""
    now = time.time() if now is None else now
    signed_in = session.get(SIGNED_IN_AT)
    seen = session.get(SEEN_AT)
    if signed_in is not None and now - signed_in > settings.SESSION_MAX_AGE.total_seconds():
        return True
    return seen is not None and now - seen > settings.SESSION_IDLE_TIMEOUT.total_seconds()


def touch(session, now=None):
    """Record activity, writing the session only when the stored time is getting stale."""
    now = time.time() if now is None else now
    session.setdefault(SIGNED_IN_AT, now)  # sessions from before this rule start counting now
    seen = session.get(SEEN_AT)
    if seen is None or now - seen >= SEEN_RESOLUTION:
        session[SEEN_AT] = now
