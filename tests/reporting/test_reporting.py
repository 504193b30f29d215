"""Reporters report for their own agency only, reviewers approve, the public sees approved
records only. One permission policy serves every door tested here: the admin list, the edit
view, the create form, and the public pages and API."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

import pytest

from practices.models import Adoption, Agency, PracticePage
from reporting.models import AgencyMembership
from reporting.roles import REVIEWERS

ADMIN = "wagtailsnippets_practices_adoption"


@pytest.fixture
def bac_ninh(seeded):
    return Agency.objects.resolve("24")


@pytest.fixture
def lang_son(seeded):
    return Agency.objects.resolve("20")


@pytest.fixture
def reporter(bac_ninh):
    call_command(
        "create_reporter",
        "baocao-bn",
        "--agency",
        "24",
        "--password",
        "mat-khau-thu-2025",
        stdout=None,
    )
    user = get_user_model().objects.get(username="baocao-bn")
    user.email = "baocao@example.org"
    user.save()
    return user


@pytest.fixture
def reviewer(seeded):
    user = get_user_model().objects.create_user("thamdinh-1", "thamdinh@example.org", "x")
    user.groups.add(Group.objects.get(name=REVIEWERS))
    return user


@pytest.fixture
def practice(seeded):
    return PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")


def form_data(practice, agency, **extra):
    return {
        "practice": practice.pk,
        "agency": agency.pk,
        "status": "piloting",
        "decided_on": "2025-09-01",
        "instrument": "Quyết định số 12/QĐ-UBND",
        "evidence_level": "self-declared",
        "notes": "",
        "results-TOTAL_FORMS": "0",
        "results-INITIAL_FORMS": "0",
        "results-MIN_NUM_FORMS": "0",
        "results-MAX_NUM_FORMS": "1000",
        "steps-TOTAL_FORMS": "0",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        **extra,
    }


def test_create_reporter_links_the_user_to_the_unit_valid_today(reporter, bac_ninh):
    assert [m.agency for m in AgencyMembership.objects.filter(user=reporter)] == [bac_ninh]


def test_reporter_lists_only_their_agencys_reports(client, reporter, bac_ninh, lang_son, practice):
    own = Adoption.objects.create(practice=practice, agency=bac_ninh, status="planned")
    other = Adoption.objects.create(practice=practice, agency=lang_son, status="planned")
    client.force_login(reporter)
    response = client.get(reverse(f"{ADMIN}:list"))
    assert response.status_code == 200
    listed = {obj.pk for obj in response.context["object_list"]}
    assert own.pk in listed
    assert other.pk not in listed


def test_reporter_cannot_open_or_change_another_provinces_report(
    client, reporter, lang_son, practice
):
    other = Adoption.objects.create(practice=practice, agency=lang_son, status="planned")
    client.force_login(reporter)
    edit = reverse(f"{ADMIN}:edit", args=[other.pk])
    assert client.get(edit).status_code in (302, 403)
    response = client.post(edit, form_data(practice, lang_son, status="adopted"))
    assert response.status_code in (302, 403)
    other.refresh_from_db()
    assert other.status == "planned"
    assert other.revisions.count() == 0


def test_reporter_cannot_create_a_report_for_another_province(client, reporter, lang_son, practice):
    client.force_login(reporter)
    before = Adoption.objects.count()
    response = client.post(reverse(f"{ADMIN}:add"), form_data(practice, lang_son))
    assert response.status_code == 200
    assert "agency" in response.context["form"].errors
    assert Adoption.objects.count() == before


def test_reporter_draft_is_saved_but_not_public(client, reporter, bac_ninh, practice):
    client.force_login(reporter)
    response = client.post(reverse(f"{ADMIN}:add"), form_data(practice, bac_ninh))
    assert response.status_code == 302
    draft = Adoption.objects.get(practice=practice, agency=bac_ninh)
    assert not draft.live
    client.logout()
    api = client.get("/api/v1/adoptions/", {"agency": "24"}).json()
    assert api["count"] == 0
    assert (
        "Quyết định số 12/QĐ-UBND" not in client.get(bac_ninh.get_absolute_url()).content.decode()
    )


def test_reporter_can_never_publish(client, reporter, bac_ninh, practice):
    client.force_login(reporter)
    client.post(reverse(f"{ADMIN}:add"), form_data(practice, bac_ninh, **{"action-publish": "1"}))
    assert not Adoption.objects.get(practice=practice, agency=bac_ninh).live


def test_submitted_report_goes_public_when_a_reviewer_approves(
    client, reporter, reviewer, bac_ninh, practice, django_capture_on_commit_callbacks
):
    client.force_login(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(f"{ADMIN}:add"), form_data(practice, bac_ninh, **{"action-submit": "1"})
        )
    assert response.status_code == 302
    report = Adoption.objects.get(practice=practice, agency=bac_ninh)
    state = report.current_workflow_state
    assert state is not None and state.status == "in_progress"
    assert not report.live
    # The reviewers are told a report waits for them.
    assert any("thamdinh@example.org" in message.to for message in mail.outbox)

    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, reviewer, "approve", comment="Đã kiểm tra")
    report.refresh_from_db()
    assert report.live
    api = client.get("/api/v1/adoptions/", {"agency": "24"}).json()
    assert [row["instrument"] for row in api["results"]] == ["Quyết định số 12/QĐ-UBND"]


def test_returned_report_stays_private_and_keeps_the_comment(
    client, reporter, reviewer, bac_ninh, practice
):
    client.force_login(reporter)
    client.post(reverse(f"{ADMIN}:add"), form_data(practice, bac_ninh, **{"action-submit": "1"}))
    report = Adoption.objects.get(practice=practice, agency=bac_ninh)
    task_state = report.current_workflow_state.current_task_state
    task_state.task.specific.on_action(
        task_state, reviewer, "reject", comment="Thiếu văn bản minh chứng"
    )
    report.refresh_from_db()
    assert not report.live
    task_state.refresh_from_db()
    assert task_state.status == "rejected"
    assert task_state.get_comment() == "Thiếu văn bản minh chứng"


def test_national_reviewer_sees_every_report(client, reviewer, lang_son, bac_ninh, practice):
    a = Adoption.objects.create(practice=practice, agency=bac_ninh, status="planned")
    b = Adoption.objects.create(practice=practice, agency=lang_son, status="planned")
    client.force_login(reviewer)
    listed = {o.pk for o in client.get(reverse(f"{ADMIN}:list")).context["object_list"]}
    assert {a.pk, b.pk} <= listed


def test_reporter_form_has_no_document_library_chooser(client, reporter, reviewer):
    client.force_login(reporter)
    response = client.get(reverse(f"{ADMIN}:add"))
    assert response.status_code == 200
    assert "evidence_document" not in response.context["form"].fields
    assert 'name="evidence_document"' not in response.content.decode()
    assert 'name="evidence_file"' in response.content.decode()
    client.force_login(reviewer)
    assert 'name="evidence_document"' in client.get(reverse(f"{ADMIN}:add")).content.decode()
