"""`create_reporter --password` runs the same password validators as the admin's forms."""

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

import pytest

from reporting.models import AgencyMembership


def create(username, password):
    call_command("create_reporter", username, "--agency", "24", "--password", password, stdout=None)


@pytest.mark.parametrize(
    "password, message",
    [
        ("1", "Mật khẩu này quá ngắn: cần ít nhất 8 ký tự."),
        ("12345678", "Mật khẩu này hoàn toàn là số."),
        ("password", "Mật khẩu này quá phổ biến."),
        ("baocao-bn-1", "Mật khẩu quá giống với Tên đăng nhập."),
    ],
)
def test_a_weak_password_is_refused_with_the_validators_message(seeded, password, message):
    with pytest.raises(CommandError) as error:
        create("baocao-bn-1", password)
    assert "Mật khẩu không được chấp nhận" in str(error.value)
    assert message in str(error.value)
    assert not get_user_model().objects.filter(username="baocao-bn-1").exists()
    assert not AgencyMembership.objects.exists()


def test_a_weak_password_leaves_an_existing_users_password_unchanged(seeded):
    create("baocao-bn-2", "mat-khau-thu-2025")
    with pytest.raises(CommandError):
        create("baocao-bn-2", "1")
    assert get_user_model().objects.get(username="baocao-bn-2").check_password("mat-khau-thu-2025")


def test_a_strong_password_is_set(seeded):
    create("baocao-bn-3", "mat-khau-thu-2025")
    assert get_user_model().objects.get(username="baocao-bn-3").check_password("mat-khau-thu-2025")
