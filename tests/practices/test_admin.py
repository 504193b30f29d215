"""The CMS speaks Vietnamese by default, offers English, and keeps each adoption's history."""

from django.contrib.auth import get_user_model
from django.urls import reverse

import pytest

from practices.models import Adoption


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser(
        "bientap", "bientap@example.org", "mat-khau-thu"
    )


def test_admin_is_in_vietnamese_by_default(client, editor):
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert 'lang="vi"' in html
    assert "Trang tổng quan" in html


def test_admin_offers_english(client, editor):
    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_account")).content.decode()
    assert '<option value="en">English</option>' in html
    assert '<option value="vi">' in html


def test_editing_an_adoption_records_who_and_what(client, editor, seeded):
    client.force_login(editor)
    adoption = Adoption.objects.select_related("agency", "practice").first()
    edit_url = reverse("wagtailsnippets_practices_adoption:edit", args=[adoption.pk])
    form = client.get(edit_url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data |= {
        "practice": adoption.practice_id,
        "agency": adoption.agency_id,
        "status": "piloting",
        "decided_on": "2022-11-22",
        "results-TOTAL_FORMS": "0",
        "results-INITIAL_FORMS": "0",
        "results-MIN_NUM_FORMS": "0",
        "results-MAX_NUM_FORMS": "1000",
        "steps-TOTAL_FORMS": "0",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        # An editor publishes directly; a plain save would only store a draft revision.
        "action-publish": "action-publish",
    }
    data.pop("evidence_document", None)
    data.pop("evidence_file", None)  # an empty FieldFile; a browser posts no file
    data.pop("adapted_from", None)
    data.pop("source", None)
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.context["form"].errors
    adoption.refresh_from_db()
    assert adoption.status == "piloting"
    assert adoption.revisions.count() == 2
    assert adoption.latest_revision.user == editor
    history = client.get(reverse("wagtailsnippets_practices_adoption:history", args=[adoption.pk]))
    assert history.status_code == 200
    assert "bientap" in history.content.decode()


def test_public_cannot_reach_the_admin(client, seeded):
    response = client.get("/admin/snippets/practices/adoption/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
