"""Two-factor sign-in (django-otp TOTP devices): offered to every admin user, required of national
reviewers, national editors and superusers where TWO_FACTOR_REQUIRED_FOR_NATIONAL is on."""

import time

from django.conf import settings

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .conftest import make_user, sign_in, signed_in_as


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED_FOR_NATIONAL = True


def code(device, steps_ahead=0):
    """The code the user's phone shows (a later step's code, for a second sign-in within the
    same 30 seconds: django-otp never accepts one step's code twice)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrolled(user):
    return TOTPDevice.objects.create(user=user, name="Điện thoại", confirmed=True)


@pytest.mark.parametrize("role", ["reviewer", "editor", "superuser"])
def test_national_user_without_a_device_must_enrol_before_any_admin_page(
    client, required, role, request
):
    user = request.getfixturevalue(role)
    response = sign_in(client, user.username)
    assert signed_in_as(client) == user.username  # the password step itself succeeds
    for path in ["/admin/", "/admin/snippets/practices/adoption/", "/django-admin/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/xac-thuc/dang-ky/?next="), path
    page = client.get("/admin/xac-thuc/dang-ky/")
    assert page.status_code == 200
    assert "Vai trò của bạn bắt buộc xác thực hai bước" in page.content.decode()


def test_reporter_is_not_forced(client, required, reporter):
    sign_in(client, reporter.username)
    assert client.get("/admin/").status_code == 200


def test_nobody_is_forced_when_the_setting_is_off(client, settings, reviewer):
    settings.TWO_FACTOR_REQUIRED_FOR_NATIONAL = False
    sign_in(client, reviewer.username)
    assert client.get("/admin/").status_code == 200


def test_enrolment_confirms_the_device_and_opens_the_admin(client, required, reviewer):
    sign_in(client, reviewer.username)
    page = client.get("/admin/xac-thuc/dang-ky/?next=/admin/reports/")
    assert "<svg" in page.content.decode()  # the QR code
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    assert client.get("/admin/xac-thuc/dang-ky/").context["secret"] == page.context["secret"]

    response = client.post(
        "/admin/xac-thuc/dang-ky/", {"otp_token": code(device), "next": "/admin/reports/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/reports/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/admin/").status_code == 200


def test_enrolment_refuses_a_wrong_code(client, required, reviewer):
    sign_in(client, reviewer.username)
    client.get("/admin/xac-thuc/dang-ky/")
    response = client.post("/admin/xac-thuc/dang-ky/", {"otp_token": "000000"})
    assert response.status_code == 200
    assert "Mã xác thực không đúng" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()
    assert client.get("/admin/").status_code == 302


def test_user_with_a_device_gives_a_code_before_the_admin_opens(client, required, reviewer):
    device = enrolled(reviewer)
    sign_in(client, reviewer.username)
    response = client.get("/admin/snippets/practices/adoption/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/xac-thuc/?next=/admin/snippets/practices/adoption/"

    response = client.post(
        "/admin/xac-thuc/",
        {"otp_token": code(device), "next": "/admin/snippets/practices/adoption/"},
    )
    assert response["Location"] == "/admin/snippets/practices/adoption/"
    assert client.get("/admin/snippets/practices/adoption/").status_code == 200


def test_a_reporter_who_enrolled_is_always_asked(client, settings, reporter):
    settings.TWO_FACTOR_REQUIRED_FOR_NATIONAL = False
    enrolled(reporter)
    sign_in(client, reporter.username)
    assert client.get("/admin/")["Location"].startswith("/admin/xac-thuc/")


def test_a_wrong_code_is_refused_and_counted(client, required, reviewer):
    device = enrolled(reviewer)
    sign_in(client, reviewer.username, ip="10.0.0.5")
    response = client.post("/admin/xac-thuc/", {"otp_token": "000000"}, REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 200
    assert "Mã xác thực không đúng" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    failure = AccessFailureLog.objects.get(username=reviewer.username)
    assert failure.ip_address == "10.0.0.5"
    assert "000000" not in AccessAttempt.objects.get(username=reviewer.username).post_data
    # Right after a failure django-otp makes the user wait, even with the right code.
    response = client.post("/admin/xac-thuc/", {"otp_token": code(device)}, REMOTE_ADDR="10.0.0.5")
    assert "Đã nhập sai mã 1 lần" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_wrong_codes_up_to_the_limit_lock_out_and_end_the_session(client, required, reviewer):
    device = enrolled(reviewer)
    sign_in(client, reviewer.username)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
        response = client.post("/admin/xac-thuc/", {"otp_token": "000000"})
    assert response.status_code == 429
    assert "Tạm khoá đăng nhập" in response.content.decode()
    assert signed_in_as(client) is None
    # …and the password alone cannot start again.
    assert sign_in(client, reviewer.username).status_code == 429


def test_half_signed_in_user_is_anonymous_on_the_public_site(client, required, reviewer):
    device = enrolled(reviewer)
    sign_in(client, reviewer.username)
    assert "wagtail-userbar" not in client.get("/").content.decode()
    client.post("/admin/xac-thuc/", {"otp_token": code(device)})
    assert "wagtail-userbar" in client.get("/").content.decode()


def test_a_second_sign_in_needs_a_new_code(client, required, reviewer):
    device = enrolled(reviewer)
    sign_in(client, reviewer.username)
    client.post("/admin/xac-thuc/", {"otp_token": code(device)})
    client.post("/admin/logout/")
    sign_in(client, reviewer.username)
    assert client.get("/admin/").status_code == 302
    client.post("/admin/xac-thuc/", {"otp_token": code(device, steps_ahead=1)})
    assert client.get("/admin/").status_code == 200


def test_user_removes_their_own_device_from_account_settings(client, settings, reporter):
    settings.TWO_FACTOR_REQUIRED_FOR_NATIONAL = False
    device = enrolled(reporter)
    sign_in(client, reporter.username)
    client.post("/admin/xac-thuc/", {"otp_token": code(device)})
    account = client.get("/admin/account/").content.decode()
    assert "/admin/xac-thuc/thiet-bi/" in account
    client.post("/admin/xac-thuc/thiet-bi/")
    assert not TOTPDevice.objects.filter(user=reporter).exists()


def test_an_administrator_resets_a_lost_device(client, required, reviewer, superuser):
    enrolled(reviewer)
    client.force_login(superuser)
    enrolled_admin = enrolled(superuser)
    session = client.session
    session["otp_device_id"] = enrolled_admin.persistent_id
    session.save()
    listing = client.get("/admin/users/").content.decode()
    assert f"/admin/xac-thuc/nguoi-dung/{reviewer.pk}/" in listing
    response = client.post(f"/admin/xac-thuc/nguoi-dung/{reviewer.pk}/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    # The reviewer signs in with the password and is sent to enrol again.
    client.post("/admin/logout/")
    sign_in(client, reviewer.username)
    assert client.get("/admin/")["Location"].startswith("/admin/xac-thuc/dang-ky/")


def test_only_superusers_reset_devices(client, editor, reviewer):
    enrolled(reviewer)
    client.force_login(editor)
    for method in (client.get, client.post):
        response = method(f"/admin/xac-thuc/nguoi-dung/{reviewer.pk}/")
        # Wagtail turns the refusal into a redirect to the dashboard with a message.
        assert response.status_code == 302
        assert response["Location"] == "/admin/"
    assert TOTPDevice.objects.filter(user=reviewer).exists()


def test_enrolment_makes_no_second_device(client, settings, reporter):
    settings.TWO_FACTOR_REQUIRED_FOR_NATIONAL = False
    device = enrolled(reporter)
    make_user("khac")
    sign_in(client, reporter.username)
    client.post("/admin/xac-thuc/", {"otp_token": code(device)})
    response = client.get("/admin/xac-thuc/dang-ky/")
    assert response["Location"] == "/admin/xac-thuc/thiet-bi/"
    assert TOTPDevice.objects.filter(user=reporter).count() == 1
