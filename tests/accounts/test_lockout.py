"""Brute force on both login pages: django-axes locks an account (from any address) and an
address (for any account) after AXES_FAILURE_LIMIT failures, until the cool-off has passed."""

import datetime

from django.conf import settings
from django.db.models import F
from django.utils import timezone

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog

from .conftest import make_user, sign_in, signed_in_as

LOGIN_URLS = ["/admin/login/", "/django-admin/login/"]


def fail(client, username, times, url="/admin/login/", ip="10.0.0.1"):
    for _ in range(times):
        response = sign_in(client, username, "sai-mat-khau", url=url, ip=ip)
    return response


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_after_the_failure_limit_the_right_password_is_refused(client, superuser, url):
    fail(client, superuser.username, settings.AXES_FAILURE_LIMIT, url=url)
    response = sign_in(client, superuser.username, url=url)
    assert response.status_code == 429
    assert signed_in_as(client) is None
    body = response.content.decode()
    assert "Tạm khoá đăng nhập" in body
    assert "Vui lòng thử lại sau" in body


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_below_the_limit_the_right_password_still_works(client, superuser, url):
    fail(client, superuser.username, settings.AXES_FAILURE_LIMIT - 1, url=url)
    response = sign_in(client, superuser.username, url=url)
    assert response.status_code == 302
    assert signed_in_as(client) == superuser.username


def test_another_account_from_another_address_is_not_locked(client, reviewer, editor):
    fail(client, reviewer.username, settings.AXES_FAILURE_LIMIT, ip="10.0.0.1")
    response = sign_in(client, editor.username, ip="10.0.0.2")
    assert response.status_code == 302
    assert signed_in_as(client) == editor.username


def test_a_locked_account_is_locked_from_every_address(client, reviewer):
    fail(client, reviewer.username, settings.AXES_FAILURE_LIMIT, ip="10.0.0.1")
    response = sign_in(client, reviewer.username, ip="10.0.0.9")
    assert response.status_code == 429
    assert signed_in_as(client) is None


def test_an_address_trying_many_accounts_is_locked_for_every_account(client, editor):
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(client, f"doan-ten-{n}", 1, ip="10.0.0.7")
    response = sign_in(client, editor.username, ip="10.0.0.7")
    assert response.status_code == 429
    assert signed_in_as(client) is None


def test_the_lockout_page_says_when_to_try_again(client, reviewer):
    fail(client, reviewer.username, settings.AXES_FAILURE_LIMIT)
    last = AccessAttempt.objects.latest("attempt_time").attempt_time
    response = sign_in(client, reviewer.username)
    until = timezone.localtime(last + settings.AXES_COOLOFF_TIME)
    assert until.strftime("%H:%M") in response.content.decode()
    assert until.strftime("%d/%m/%Y") in response.content.decode()
    retry_after = int(response["Retry-After"])
    assert settings.AXES_COOLOFF_TIME.total_seconds() - 60 < retry_after
    assert retry_after <= settings.AXES_COOLOFF_TIME.total_seconds()


def test_attempts_while_locked_do_not_extend_the_lockout(client, reviewer):
    fail(client, reviewer.username, settings.AXES_FAILURE_LIMIT)
    last = AccessAttempt.objects.latest("attempt_time").attempt_time
    fail(client, reviewer.username, 3)
    assert AccessAttempt.objects.latest("attempt_time").attempt_time == last


def _age_attempts(by):
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - by)


def test_the_lockout_ends_after_the_cool_off(client, reviewer):
    fail(client, reviewer.username, settings.AXES_FAILURE_LIMIT)
    _age_attempts(settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1))
    assert sign_in(client, reviewer.username).status_code == 429

    _age_attempts(datetime.timedelta(minutes=1, seconds=1))
    response = sign_in(client, reviewer.username)
    assert response.status_code == 302
    assert signed_in_as(client) == reviewer.username


def test_the_limit_and_cool_off_come_from_settings(client, settings, reviewer):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=1)
    fail(client, reviewer.username, 2)
    assert sign_in(client, reviewer.username).status_code == 429
    _age_attempts(datetime.timedelta(minutes=1, seconds=1))
    assert sign_in(client, reviewer.username).status_code == 302


def test_successes_and_failures_are_recorded(client, reviewer):
    fail(client, reviewer.username, 2, ip="10.0.0.3")
    sign_in(client, reviewer.username, ip="10.0.0.3")
    failures = AccessFailureLog.objects.filter(username=reviewer.username)
    assert failures.count() == 2
    assert {f.ip_address for f in failures} == {"10.0.0.3"}
    success = AccessLog.objects.get(username=reviewer.username)
    assert success.ip_address == "10.0.0.3"


def test_superusers_read_the_records_in_the_django_admin(client, reviewer):
    fail(client, reviewer.username, 1)
    sign_in(client, reviewer.username)
    admin = make_user("quantri-xem", is_superuser=True, is_staff=True)
    client.force_login(admin)
    for path in ["/django-admin/axes/accessfailurelog/", "/django-admin/axes/accesslog/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert reviewer.username in response.content.decode()


def test_reporters_cannot_read_the_records(client, reporter):
    client.force_login(reporter)
    response = client.get("/django-admin/axes/accessfailurelog/")
    assert response.status_code == 302
    assert "/django-admin/login/" in response["Location"]


def test_behind_a_proxy_the_forwarded_address_counts_not_one_the_client_wrote(
    client, settings, reviewer
):
    from django.test import RequestFactory

    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().post(
        "/admin/login/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    assert get_client_ip_address(request) == "203.0.113.9"

    settings.TRUSTED_PROXIES = []
    assert get_client_ip_address(request) == "10.1.1.1"
