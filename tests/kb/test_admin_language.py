"""The admin speaks Vietnamese to every user whatever their browser asks for, and English
only to a user who chose it in their account."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from wagtail.users.models import UserProfile

from reporting.roles import EDITORS

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
PASSWORD = "mat-khau-thu-2025"


def make_user(username, group):
    user = get_user_model().objects.create_user(username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=group))
    user.first_name, user.last_name = "Lan", "Nguyễn"
    user.email = f"{username}@example.org"
    user.save()
    return user


def test_an_english_browser_gets_the_vietnamese_admin(client, seeded):
    page = client.get(reverse("wagtailadmin_login"), **ENGLISH_BROWSER).content.decode()
    assert '<html lang="vi"' in page
    assert "Tên đăng nhập" in page and "Username" not in page
    assert "Accept-Language" not in client.get("/", **ENGLISH_BROWSER).get("Vary", "")


def test_a_user_who_chooses_english_in_their_account_gets_english(client, seeded):
    user = make_user("bientap-en", group=EDITORS)
    client.force_login(user)
    home = reverse("wagtailadmin_home")
    vietnamese = client.get(home, **ENGLISH_BROWSER).content.decode()
    assert '<html lang="vi"' in vietnamese and "Trang tổng quan" in vietnamese

    # The account form as the browser sends it, with "English" chosen.
    response = client.post(
        reverse("wagtailadmin_account"),
        {
            "name_email-first_name": user.first_name,
            "name_email-last_name": user.last_name,
            "name_email-email": user.email,
            "notifications-submitted_notifications": "on",
            "theme-theme": "system",
            "theme-contrast": "system",
            "theme-density": "default",
            "theme-keyboard_shortcuts": "on",
            "locale-preferred_language": "en",
            "locale-current_time_zone": "",
        },
    )
    assert response.status_code == 302
    assert UserProfile.get_for_user(user).preferred_language == "en"
    # Whatever the browser says: English now, even to a Vietnamese browser.
    english = client.get(home, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<html lang="en"' in english and "Dashboard" in english

    # Others keep Vietnamese.
    client.force_login(make_user("bientap-vi", group=EDITORS))
    assert '<html lang="vi"' in client.get(home, **ENGLISH_BROWSER).content.decode()
