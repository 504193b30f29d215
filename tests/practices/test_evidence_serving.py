"""Evidence files are private: stored outside MEDIA_ROOT under random names, served only by
the evidence view with the permission policy's answer, removed when nothing serves them any
more; library documents used as evidence follow the same rule."""

import os
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.views.static import serve as static_serve

from wagtail.documents import get_document_model
from wagtail.models import WorkflowState

import pytest

from kb.sendfile import content_disposition
from practices.evidence.storage import NAME_PATTERN, evidence_storage
from practices.models import Adoption, Agency, PracticePage
from reporting.roles import EDITORS, REVIEWERS
from tests.practices.test_evidence import PDF, upload
from tests.production import run_production
from tests.reporting.test_reporting import form_data

ADMIN = "wagtailsnippets_practices_adoption"
VIETNAMESE_NAME = "Quyết định số 12 – Đồng ý.pdf"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    """A private folder of this test's own, so that what is on disk is what this test did."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.PRIVATE_MEDIA_ROOT)


@pytest.fixture
def practice(seeded):
    return PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")


@pytest.fixture
def bac_ninh(seeded):
    return Agency.objects.resolve("24")


@pytest.fixture
def lang_son(seeded):
    return Agency.objects.resolve("20")


def make_reporter(username, code):
    call_command(
        "create_reporter",
        username,
        "--agency",
        code,
        "--password",
        "mat-khau-thu-2025",
        stdout=None,
    )
    return get_user_model().objects.get(username=username)


@pytest.fixture
def reporter(seeded):
    return make_reporter("baocao-bn-mc", "24")


@pytest.fixture
def other_reporter(seeded):
    return make_reporter("baocao-ls-mc", "20")


def national(username, group):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "x")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reviewer(seeded):
    return national("thamdinh-mc", REVIEWERS)


@pytest.fixture
def editor(seeded):
    return national("bientap-mc", EDITORS)


def report_as(client, user, practice, agency, name=VIETNAMESE_NAME, content=PDF, pk=None):
    """`user` saves the admin form with a file, as a new report or over record `pk`."""
    client.force_login(user)
    url = reverse(f"{ADMIN}:edit", args=[pk]) if pk else reverse(f"{ADMIN}:add")
    response = client.post(
        url, form_data(practice, agency, evidence_file=upload(name, content, "application/pdf"))
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    client.logout()
    return Adoption.objects.get(practice=practice, agency=agency)


def approved(client, editor, practice, agency, name=VIETNAMESE_NAME, content=PDF):
    """A public report with a file, saved and published by a national editor."""
    report = report_as(client, editor, practice, agency, name, content)
    report.refresh_from_db()
    report.latest_revision.publish(user=editor)
    report.refresh_from_db()
    assert report.live and report in Adoption.objects.public()
    return report


def latest_file_name(report):
    return report.revisions.order_by("-created_at", "-pk").first().content["evidence_file"]


def file_url(name):
    return evidence_storage().url(name)


def get(client, url, user=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- storage -------------------------------------------------------------------------------


def test_files_are_stored_privately_under_random_names(
    client, editor, practice, bac_ninh, lang_son, private_root
):
    first = report_as(client, editor, practice, bac_ninh, name="quyet-dinh-so-12.pdf")
    second = report_as(client, editor, practice, lang_son, name="quyet-dinh-so-12.pdf")
    names = [first.evidence_file.name, second.evidence_file.name]
    assert names[0] != names[1]
    for name in names:
        assert NAME_PATTERN.match(name), name
        assert "quyet" not in name
        assert (private_root / name).read_bytes() == PDF
    # Nothing under MEDIA_ROOT, so a web server publishing /media/ has nothing to give, and
    # the old kind of address answers nothing (here through Django's own media view, which
    # is what DEBUG's /media/ runs).
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    request = RequestFactory().get(f"/media/{names[0]}")
    with pytest.raises(Exception) as error:
        static_serve(request, names[0], document_root=settings.MEDIA_ROOT)
    assert error.typename == "Http404"
    assert get(client, f"/media/{names[0]}").status_code == 404
    # The uploader's name is kept, as the download name only.
    assert first.evidence_file_name == "quyet-dinh-so-12.pdf"


# --- who gets what --------------------------------------------------------------------------


def test_anyone_gets_the_approved_file_as_an_attachment_with_its_name(
    client, editor, practice, bac_ninh
):
    report = approved(client, editor, practice, bac_ninh)
    page = get(client, bac_ninh.get_absolute_url()).content.decode()
    url = file_url(report.evidence_file.name)
    assert url.startswith("/minh-chung/")
    assert f'href="{url}"' in page
    assert f'href="{url}"' in get(client, practice.url).content.decode()

    response = get(client, url)
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="Quyet dinh so 12 - Dong y.pdf"; '
        f"filename*=UTF-8''{quote(VIETNAMESE_NAME, safe='')}"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in response["Cache-Control"]


def test_a_never_approved_draft_file_is_for_its_agency_and_the_national_users_only(
    client, reporter, other_reporter, reviewer, editor, practice, bac_ninh
):
    report = report_as(client, reporter, practice, bac_ninh)
    assert not report.live
    url = file_url(report.evidence_file.name)

    assert get(client, url).status_code == 404
    assert get(client, url, other_reporter).status_code == 404
    for user in (reporter, reviewer, editor):
        response = get(client, url, user)
        assert response.status_code == 200, user
        assert body(response) == PDF
        assert response["Cache-Control"] == "private, no-store"
        assert response["Content-Disposition"].startswith("attachment;")
    # The public pages do not link it.
    assert url not in get(client, bac_ninh.get_absolute_url()).content.decode()


def test_a_pending_revision_file_stays_private_while_the_approved_one_is_public(
    client, reporter, other_reporter, reviewer, editor, practice, bac_ninh
):
    report = approved(client, editor, practice, bac_ninh, name="ban-cu.pdf")
    old = report.evidence_file.name
    new_content = PDF.replace(b"200 200", b"300 300")
    report_as(client, reporter, practice, bac_ninh, "bản mới.pdf", new_content, pk=report.pk)
    report.refresh_from_db()
    new = latest_file_name(report)
    # Saving a draft of a live record writes only a revision; its file is stored all the same
    # and the revision names it.
    assert report.evidence_file.name == old and new != old
    assert evidence_storage().exists(new)

    assert get(client, file_url(old)).status_code == 200
    assert get(client, file_url(new)).status_code == 404
    assert get(client, file_url(new), other_reporter).status_code == 404
    for user in (reporter, reviewer):
        response = get(client, file_url(new), user)
        assert response.status_code == 200
        assert body(response) == new_content
        assert "filename*=UTF-8''b%E1%BA%A3n%20m%E1%BB%9Bi.pdf" in response["Content-Disposition"]

    # The reviewer's edit view shows the version under review: its file, by its own name,
    # linked to the evidence view; never a storage path.
    page = get(client, reverse(f"{ADMIN}:edit", args=[report.pk]), reviewer).content.decode()
    assert f'href="{file_url(new)}"' in page
    assert "bản mới.pdf" in page
    assert "/media/" not in page


def test_unknown_and_malformed_names_are_404(client, editor, practice, bac_ninh):
    report = approved(client, editor, practice, bac_ninh)
    name = report.evidence_file.name
    for path in [
        name.replace("minh-chung/", "").replace(name[-10:-4], "000000"),
        "../../kb/settings/base.py",
        "2026/01/%2e%2e/%2e%2e/secret.pdf",
        "2026/01/quyet-dinh.pdf",
    ]:
        assert get(client, f"/minh-chung/{path}", editor).status_code == 404, path
    assert client.post(file_url(name)).status_code == 405


def test_a_malformed_name_is_refused_before_any_query(db, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    from practices.evidence.views import evidence_file

    request = RequestFactory().get("/minh-chung/2026/01/quyet-dinh.pdf")
    request.user = AnonymousUser()
    with django_assert_num_queries(0), pytest.raises(Http404):
        evidence_file(request, "2026/01/quyet-dinh.pdf")


def test_a_stored_file_gone_from_disk_is_404(client, editor, practice, bac_ninh):
    report = approved(client, editor, practice, bac_ninh)
    os.remove(evidence_storage().path(report.evidence_file.name))
    assert get(client, file_url(report.evidence_file.name)).status_code == 404


# --- files that nothing serves any more are removed -----------------------------------------


def test_publishing_a_replacement_removes_the_old_file_and_superseded_drafts(
    client, reporter, reviewer, editor, practice, bac_ninh, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = approved(client, editor, practice, bac_ninh, name="ban-1.pdf")
    storage = evidence_storage()
    first = report.evidence_file.name
    with django_capture_on_commit_callbacks(execute=True):
        report_as(client, reporter, practice, bac_ninh, "ban-2.pdf", pk=report.pk)
        second = latest_file_name(report)
        report_as(client, reporter, practice, bac_ninh, "ban-3.pdf", pk=report.pk)
        third = latest_file_name(report)
    # Drafts of a live record: nothing is published yet, everything stays.
    assert all(storage.exists(n) for n in (first, second, third))

    # Submitted and approved through the review workflow.
    client.force_login(reporter)
    response = client.post(
        reverse(f"{ADMIN}:edit", args=[report.pk]),
        form_data(practice, bac_ninh, **{"action-submit": "1"}),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    task_state = report.current_workflow_state.current_task_state
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(f"{ADMIN}:workflow_action", args=[report.pk, "approve", task_state.pk]),
            {"comment": ""},
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.live and report.evidence_file.name == third
    assert storage.exists(third)
    assert not storage.exists(first)
    assert not storage.exists(second)
    assert get(client, file_url(third)).status_code == 200


def test_a_pending_draft_file_survives_a_publish_it_is_newer_than(
    client, reporter, editor, practice, bac_ninh, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = approved(client, editor, practice, bac_ninh, name="ban-1.pdf")
        old_live = report.live_revision
        report_as(client, reporter, practice, bac_ninh, "ban-2.pdf", pk=report.pk)
        pending = latest_file_name(report)
        # An editor re-publishes the approved version while the reporter's draft waits.
        old_live.publish(user=editor)
    assert evidence_storage().exists(pending)
    assert evidence_storage().exists(report.evidence_file.name)


def test_deleting_a_record_removes_its_files_but_not_one_another_record_shares(
    client, editor, practice, bac_ninh, lang_son, django_capture_on_commit_callbacks
):
    storage = evidence_storage()
    with django_capture_on_commit_callbacks(execute=True):
        report = approved(client, editor, practice, bac_ninh)
        report_as(client, editor, practice, bac_ninh, "ban-nhap.pdf", pk=report.pk)
    draft = latest_file_name(report)
    live = report.evidence_file.name
    # A copy of the record (as the admin's "copy" makes it) shares the live file.
    copy = Adoption.objects.create(practice=practice, agency=lang_son, evidence_file=live)

    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(editor)
        response = client.post(reverse(f"{ADMIN}:delete", args=[report.pk]))
    assert response.status_code == 302
    assert not Adoption.objects.filter(pk=report.pk).exists()
    assert not storage.exists(draft)
    assert storage.exists(live)

    with django_capture_on_commit_callbacks(execute=True):
        copy.delete()
    assert not storage.exists(live)


def test_a_rolled_back_change_removes_nothing(client, editor, practice, bac_ninh):
    report = approved(client, editor, practice, bac_ninh)
    name = report.evidence_file.name
    # No commit (the test's transaction is rolled back): no file may go.
    report.delete()
    assert evidence_storage().exists(name)


# --- the web server sends the file -----------------------------------------------------------


def test_x_accel_redirect_hands_the_file_to_the_web_server(
    client, editor, practice, bac_ninh, settings
):
    settings.EVIDENCE_ACCEL_REDIRECT_PREFIX = "/_private/minh-chung-noi-bo/"
    report = approved(client, editor, practice, bac_ninh)
    response = get(client, file_url(report.evidence_file.name))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == (
        "/_private/minh-chung-noi-bo/" + report.evidence_file.name
    )
    assert body(response) == b""
    assert response["Content-Disposition"].startswith('attachment; filename="Quyet')
    assert response["Content-Type"] == "application/pdf"

    settings.EVIDENCE_ACCEL_REDIRECT_PREFIX = ""
    response = get(client, file_url(report.evidence_file.name))
    assert not response.has_header("X-Accel-Redirect")
    assert body(response) == PDF


def _import_production_settings(**env):
    return run_production(
        "print(s.DEBUG, s.STORAGES['evidence']['BACKEND'], s.PRIVATE_MEDIA_ROOT)", **env
    )


def test_production_settings_keep_evidence_private_and_refuse_it_under_media(tmp_path):
    ok = _import_production_settings(
        MEDIA_ROOT=str(tmp_path / "media"), PRIVATE_MEDIA_ROOT=str(tmp_path / "private")
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split() == [
        "False",
        "practices.evidence.storage.EvidenceStorage",
        str(tmp_path / "private"),
    ]
    refused = _import_production_settings(
        MEDIA_ROOT=str(tmp_path / "media"), PRIVATE_MEDIA_ROOT=str(tmp_path / "media" / "mc")
    )
    assert refused.returncode != 0
    assert "PRIVATE_MEDIA_ROOT" in refused.stderr


def test_with_debug_off_the_published_links_download(client, editor, practice, bac_ninh, settings):
    """Production does not serve /media/ at all; the evidence view is an ordinary URL."""
    settings.DEBUG = False
    report = approved(client, editor, practice, bac_ninh)
    page = get(client, practice.url).content.decode()
    url = file_url(report.evidence_file.name)
    assert f'href="{url}"' in page
    assert get(client, url).status_code == 200


def test_content_disposition_is_safe_for_any_name():
    assert content_disposition("bao-cao.pdf") == 'attachment; filename="bao-cao.pdf"'
    value = content_disposition('a"b\\c.pdf')
    assert value.startswith('attachment; filename="a_b_c.pdf"')
    assert "filename*=UTF-8''a%22b%5Cc.pdf" in value
    value = content_disposition("Đề án.pdf")
    assert (
        value
        == "attachment; filename=\"De an.pdf\"; filename*=UTF-8''%C4%90%E1%BB%81%20%C3%A1n.pdf"
    )


# --- moving files uploaded before the private storage ----------------------------------------


def test_legacy_files_move_to_the_private_storage(
    client, editor, practice, bac_ninh, private_root, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    legacy = default_storage.save("minh-chung/2026/01/Quyết định 7.pdf", ContentFile(PDF))
    report = Adoption.objects.create(practice=practice, agency=bac_ninh)
    Adoption.objects.filter(pk=report.pk).update(evidence_file=legacy)
    report.refresh_from_db()
    revision = report.save_revision(user=editor)
    assert revision.content["evidence_file"] == legacy
    missing = Adoption.objects.create(practice=practice, agency=Agency.objects.resolve("20"))
    Adoption.objects.filter(pk=missing.pk).update(evidence_file="minh-chung/2020/01/mat.pdf")

    out = []
    with django_capture_on_commit_callbacks(execute=True):
        call_command("move_evidence_files", stdout=_Writer(out), stderr=_Writer(out))
    report.refresh_from_db()
    revision.refresh_from_db()
    new = report.evidence_file.name
    assert NAME_PATTERN.match(new)
    assert revision.content["evidence_file"] == new
    assert report.evidence_file_name == revision.content["evidence_file_name"] == "Quyết định 7.pdf"
    assert (private_root / new).read_bytes() == PDF
    assert not default_storage.exists(legacy)
    assert Adoption.objects.get(pk=missing.pk).evidence_file.name == "minh-chung/2020/01/mat.pdf"
    assert any("mat.pdf" in line for line in out)
    response = get(client, file_url(new))
    assert response.status_code == 200
    assert quote("Quyết định 7.pdf", safe="") in response["Content-Disposition"]

    # Again: nothing left to move.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("move_evidence_files", stdout=_Writer(out), stderr=_Writer(out))
    report.refresh_from_db()
    assert report.evidence_file.name == new


def test_the_migration_moves_legacy_files_with_its_historical_models(
    practice, bac_ninh, editor, django_capture_on_commit_callbacks
):
    import importlib

    from django.core.files.storage import default_storage
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    legacy = default_storage.save("minh-chung/2025/05/bao-cao.pdf", ContentFile(PDF))
    report = Adoption.objects.create(practice=practice, agency=bac_ninh)
    Adoption.objects.filter(pk=report.pk).update(evidence_file=legacy)
    report.refresh_from_db()
    revision = report.save_revision(user=editor)

    migration = importlib.import_module("practices.migrations.0005_move_evidence_files")
    state = MigrationExecutor(connection).loader.project_state(
        ("practices", "0005_move_evidence_files")
    )
    with django_capture_on_commit_callbacks(execute=True):
        migration.forward(state.apps, None)
    report.refresh_from_db()
    revision.refresh_from_db()
    assert NAME_PATTERN.match(report.evidence_file.name)
    assert revision.content["evidence_file"] == report.evidence_file.name
    assert report.evidence_file_name == "bao-cao.pdf"
    assert evidence_storage().exists(report.evidence_file.name)
    assert not default_storage.exists(legacy)


class _Writer:
    def __init__(self, lines):
        self.lines = lines

    def write(self, text):
        self.lines.append(text)

    def flush(self):
        pass


# --- library documents used as evidence -------------------------------------------------------


@pytest.fixture
def document(seeded):
    return get_document_model().objects.create(
        title="Biên bản nghiệm thu", file=ContentFile(PDF, name="bien-ban-nghiem-thu.pdf")
    )


def test_a_document_that_is_no_evidence_keeps_wagtails_rules(client, document):
    response = get(client, document.url)
    assert response.status_code == 200
    assert body(response) == PDF


def test_a_document_used_only_by_a_draft_is_for_who_may_see_the_draft(
    client, reporter, other_reporter, reviewer, practice, bac_ninh, document
):
    report = report_as(client, reporter, practice, bac_ninh)
    Adoption.objects.filter(pk=report.pk).update(evidence_document=document)
    assert get(client, document.url).status_code == 404
    assert get(client, document.url, other_reporter).status_code == 404
    for user in (reporter, reviewer):
        response = get(client, document.url, user)
        assert response.status_code == 200
        assert body(response) == PDF
        assert response["Cache-Control"] == "private, no-store"
        assert response["Content-Disposition"].startswith("attachment;")


def test_a_document_only_a_pending_revision_uses_is_not_public(
    client, reporter, reviewer, editor, practice, bac_ninh, document
):
    report = approved(client, editor, practice, bac_ninh)
    client.force_login(editor)
    response = client.post(
        reverse(f"{ADMIN}:edit", args=[report.pk]),
        form_data(practice, bac_ninh, evidence_document=document.pk),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.evidence_document_id is None
    assert get(client, document.url).status_code == 404
    assert get(client, document.url, reporter).status_code == 200

    report.latest_revision.publish(user=editor)
    assert get(client, document.url).status_code == 200


def test_documents_are_handed_to_the_web_server_when_configured(client, document, settings):
    settings.DOCUMENTS_ACCEL_REDIRECT_PREFIX = "/_private/media/"
    response = get(client, document.url)
    assert response["X-Accel-Redirect"] == "/_private/media/" + document.file.name
    assert body(response) == b""


def test_the_admin_api_lists_no_document_to_a_reporter(client, reporter, document):
    url = "/admin/api/main/documents/"
    client.force_login(reporter)
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["meta"]["total_count"] == 0
    assert client.get(f"{url}{document.pk}/").status_code == 404

    admin = get_user_model().objects.create_superuser("quantri-mc", "q@example.org", "x")
    client.force_login(admin)
    listed = client.get(url).json()
    assert document.pk in [item["id"] for item in listed["items"]]
