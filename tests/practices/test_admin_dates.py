"""Dates in the admin are typed and shown as dd/mm/yyyy, in Vietnamese and in English (a user
may pick English in their account): the form reads "10/01/2025" as the 10th of January, never
the 1st of October; the listing, the date field, its picker and the history show day first."""

import datetime
import html
import json
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from wagtail.users.models import UserProfile

import pytest

from practices.models import Adoption, Agency, PracticePage
from reporting.roles import REVIEWERS
from tests.reporting.test_reporting import form_data

ADMIN = "wagtailsnippets_practices_adoption"
LANGUAGES = ["vi", "en"]


@pytest.fixture(params=LANGUAGES)
def reviewer(request, seeded):
    user = get_user_model().objects.create_user("thamdinh-ngay", "thamdinh@example.org", "x")
    user.groups.add(Group.objects.get(name=REVIEWERS))
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = request.param
    profile.save()
    return user


@pytest.fixture
def practice(seeded):
    return PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")


@pytest.fixture
def lang_son(seeded):
    return Agency.objects.resolve("20", datetime.date(2025, 1, 10))


def add(client, user, practice, agency, decided_on):
    client.force_login(user)
    return client.post(reverse(f"{ADMIN}:add"), form_data(practice, agency, decided_on=decided_on))


def test_the_form_reads_day_first(client, reviewer, practice, lang_son):
    response = add(client, reviewer, practice, lang_son, "10/01/2025")
    assert response.status_code == 302, response.context["form"].errors
    report = Adoption.objects.get(practice=practice, agency=lang_son)
    assert report.decided_on == datetime.date(2025, 1, 10)


def test_a_day_past_twelve_is_accepted(client, reviewer, practice, lang_son):
    assert add(client, reviewer, practice, lang_son, "25/01/2025").status_code == 302
    assert Adoption.objects.get(agency=lang_son, practice=practice).decided_on == datetime.date(
        2025, 1, 25
    )


def test_a_date_that_does_not_exist_is_refused_in_vietnamese(client, seeded, practice, lang_son):
    user = get_user_model().objects.create_user("thamdinh-vi", "thamdinh@example.org", "x")
    user.groups.add(Group.objects.get(name=REVIEWERS))
    response = add(client, user, practice, lang_son, "31/02/2025")
    assert response.status_code == 200
    assert response.context["form"].errors["decided_on"] == ["Nhập một ngày hợp lệ."]
    assert not Adoption.objects.filter(agency=lang_son, practice=practice).exists()


def row_of(report, page):
    """The listing's table row of `report`."""
    (row,) = [row for row in page.split("<tr")[1:] if f'data-object-id="{report.pk}"' in row]
    return row


def test_the_listing_shows_day_first(client, reviewer, practice, lang_son):
    add(client, reviewer, practice, lang_son, "10/01/2025")
    report = Adoption.objects.get(practice=practice, agency=lang_son)
    page = client.get(reverse(f"{ADMIN}:list"), {"ordering": "-updated_at"}).content.decode()
    row = row_of(report, page)
    assert "10/01/2025" in row
    # the "updated" column: the time of the save, day first
    updated = timezone.localtime(report.updated_at)
    assert f"{updated:%d/%m/%Y %H:%M}" in row


def test_the_date_field_and_its_picker_write_day_first(client, reviewer, practice, lang_son):
    add(client, reviewer, practice, lang_son, "10/01/2025")
    report = Adoption.objects.get(practice=practice, agency=lang_son)
    page = client.get(reverse(f"{ADMIN}:edit", args=[report.pk])).content.decode()
    assert re.search(r'<input[^>]*name="decided_on"[^>]*value="10/01/2025"', page) or re.search(
        r'<input[^>]*value="10/01/2025"[^>]*name="decided_on"', page
    )
    # The picker's options, read by static/js/admin-init.js (Wagtail's initDateChooser).
    (options,) = re.findall(
        r'data-kb-init-call-value="date" data-kb-init-target-value="id_decided_on" '
        r'data-kb-init-options-value="([^"]*)"',
        page,
    )
    assert json.loads(html.unescape(options)) == {"dayOfWeekStart": 1, "format": "d/m/Y"}


def test_the_history_gives_the_time_day_first(client, reviewer, practice, lang_son):
    add(client, reviewer, practice, lang_son, "10/01/2025")
    report = Adoption.objects.get(practice=practice, agency=lang_son)
    page = client.get(reverse(f"{ADMIN}:history", args=[report.pk])).content.decode()
    tooltips = re.findall(r'data-w-tooltip-content-value="([^"]*)"', page)
    assert tooltips
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", tip) for tip in tooltips), tooltips
