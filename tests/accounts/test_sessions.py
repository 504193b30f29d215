"""Sessions end when idle or too old, and logging out ends the session on the server."""

import time

from django.conf import settings
from django.contrib.sessions.models import Session

import pytest

from accounts import sessions

from .conftest import sign_in, signed_in_as


@pytest.fixture
def signed_in(client, reviewer):
    sign_in(client, reviewer.username)
    assert signed_in_as(client) == reviewer.username
    return client


def _shift(client, **seconds_ago):
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()
    return session.session_key


def test_a_session_idle_too_long_is_ended_on_the_server(signed_in):
    key = _shift(signed_in, **{sessions.SEEN_AT: settings.SESSION_IDLE_TIMEOUT.total_seconds() + 5})
    response = signed_in.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/admin/")
    assert not Session.objects.filter(session_key=key).exists()
    assert signed_in_as(signed_in) is None


def test_a_session_used_within_the_idle_limit_goes_on(signed_in):
    _shift(signed_in, **{sessions.SEEN_AT: settings.SESSION_IDLE_TIMEOUT.total_seconds() - 60})
    assert signed_in.get("/admin/").status_code == 200
    # …and that request counts as activity.
    assert time.time() - signed_in.session[sessions.SEEN_AT] < 5


def test_a_session_older_than_the_maximum_ends_however_active(signed_in):
    key = _shift(
        signed_in,
        **{
            sessions.SIGNED_IN_AT: settings.SESSION_MAX_AGE.total_seconds() + 5,
            sessions.SEEN_AT: 1,
        },
    )
    assert signed_in.get("/admin/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()


def test_the_cookie_and_row_never_outlive_the_maximum(signed_in):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_MAX_AGE.total_seconds()
    row = Session.objects.get(session_key=signed_in.session.session_key)
    assert row.expire_date.timestamp() <= time.time() + settings.SESSION_MAX_AGE.total_seconds()


def test_the_editors_background_ping_is_not_activity(signed_in):
    seen = time.time() - 600
    _shift(signed_in, **{sessions.SEEN_AT: 600})
    signed_in.post("/admin/editing-sessions/ping/practices/adoption/1/0/")
    assert abs(signed_in.session[sessions.SEEN_AT] - seen) < 1


def test_the_timeouts_come_from_settings(signed_in, settings):
    settings.SESSION_IDLE_TIMEOUT = settings.SESSION_IDLE_TIMEOUT.__class__(minutes=5)
    _shift(signed_in, **{sessions.SEEN_AT: 6 * 60})
    assert signed_in.get("/admin/").status_code == 302


def test_wagtail_logout_by_get_asks_and_keeps_the_session(signed_in):
    key = signed_in.session.session_key
    response = signed_in.get("/admin/logout/")
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # the cookie is not deleted
    assert Session.objects.filter(session_key=key).exists()
    assert signed_in.get("/admin/").status_code == 200  # still honestly signed in


def test_wagtail_logout_by_post_deletes_the_session_row(signed_in):
    key = signed_in.session.session_key
    response = signed_in.post("/admin/logout/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert signed_in.get("/admin/").status_code == 302


def test_django_admin_logout_by_get_changes_nothing(client, superuser):
    sign_in(client, superuser.username, url="/django-admin/login/")
    key = client.session.session_key
    assert client.get("/django-admin/logout/").status_code == 405
    assert Session.objects.filter(session_key=key).exists()
    assert client.get("/django-admin/").status_code == 200


def test_django_admin_logout_by_post_deletes_the_session_row(client, superuser):
    sign_in(client, superuser.username, url="/django-admin/login/")
    key = client.session.session_key
    client.post("/django-admin/logout/")
    assert not Session.objects.filter(session_key=key).exists()
