"""Imports by a reporter are reports: their own agencies only, not public until approved;
the same from the command line (`--as-user`) and from the admin import screen."""

import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from wagtail.models import Revision, WorkflowState

import pytest

from practices.models import Adoption, Agency
from practices.resources import import_adoptions
from reporting.roles import EDITORS, REVIEWERS

HEADER = "Sáng kiến,Cơ quan,Trạng thái,Ngày quyết định,Văn bản,Minh chứng,Mức minh chứng,Ghi chú"
ASSISTANT = "tro-ly-ao-huong-dan-dvctt"
FEES = "giam-phi-le-phi-dvctt"

pytestmark = pytest.mark.django_db


def csv_bytes(*rows):
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


GOOD = csv_bytes(
    f"{ASSISTANT},24,thí điểm,01/09/2025,Quyết định số 12/QĐ-UBND,,tự khai báo,",
    f"{FEES},Bắc Ninh,đã áp dụng,,Quyết định số 34/QĐ-UBND,,,",
)
FOREIGN = csv_bytes(
    f"{ASSISTANT},24,thí điểm,01/09/2025,Quyết định số 12/QĐ-UBND,,,",
    f"{FEES},20,đã áp dụng,,Quyết định số 56/QĐ-UBND,,,",
)


@pytest.fixture
def bac_ninh(seeded):
    agency = Agency.objects.resolve("24")
    Adoption.objects.filter(agency=agency).delete()
    return agency


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
    return get_user_model().objects.get(username="baocao-bn")


@pytest.fixture
def reviewer(seeded):
    user = get_user_model().objects.create_user("thamdinh-1", "thamdinh@example.org", "x")
    user.groups.add(Group.objects.get(name=REVIEWERS))
    return user


@pytest.fixture
def editor(seeded):
    user = get_user_model().objects.create_user("bientap-1", "bientap@example.org", "x")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def public_instruments(client):
    api = client.get("/api/v1/adoptions/", {"agency": "24"}).json()
    return sorted(row["instrument"] for row in api["results"])


def test_row_for_an_agency_outside_the_scope_is_an_error_and_nothing_is_written(
    reporter, bac_ninh, lang_son
):
    before = (Adoption.objects.count(), Revision.objects.count(), WorkflowState.objects.count())
    report = import_adoptions(FOREIGN, "csv", user=reporter)
    assert not report.ok
    [error] = report.errors
    assert error.row == 3
    assert error.column == "Cơ quan"
    assert error.value == "20"
    assert "Bạn không được báo cáo cho cơ quan" in error.reason
    assert "Lạng Sơn" in error.reason
    assert [row.is_error for row in report.rows] == [False, True]
    after = (Adoption.objects.count(), Revision.objects.count(), WorkflowState.objects.count())
    assert after == before


def test_reporter_import_creates_submitted_reports_not_public(client, reporter, bac_ninh):
    report = import_adoptions(GOOD, "csv", user=reporter)
    assert report.ok, [str(e) for e in report.errors]
    assert (report.new, report.updated) == (2, 0)
    assert report.as_reports and "thẩm định" in report.summary()
    adoptions = list(Adoption.objects.filter(agency=bac_ninh))
    assert len(adoptions) == 2
    for adoption in adoptions:
        assert not adoption.live
        assert adoption.has_unpublished_changes
        assert adoption.latest_revision.user == reporter
        state = adoption.current_workflow_state
        assert state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS
        assert state.requested_by == reporter
    assert public_instruments(client) == []


def test_reviewer_approval_makes_an_imported_report_public(client, reporter, reviewer, bac_ninh):
    import_adoptions(GOOD, "csv", user=reporter)
    adoption = Adoption.objects.get(agency=bac_ninh, practice__slug=ASSISTANT)
    task_state = adoption.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, reviewer, "approve")
    adoption.refresh_from_db()
    assert adoption.live
    assert public_instruments(client) == ["Quyết định số 12/QĐ-UBND"]


def test_reporter_change_to_an_approved_record_waits_for_review(
    client, reporter, reviewer, bac_ninh
):
    import_adoptions(GOOD, "csv")  # no user: published directly, as from the shell
    assert public_instruments(client) == ["Quyết định số 12/QĐ-UBND", "Quyết định số 34/QĐ-UBND"]
    changed = csv_bytes(f"{ASSISTANT},24,đã áp dụng,01/09/2025,Quyết định số 99/QĐ-UBND,,,")
    report = import_adoptions(changed, "csv", user=reporter)
    assert report.ok and report.updated == 1
    adoption = Adoption.objects.get(agency=bac_ninh, practice__slug=ASSISTANT)
    # The live record stays as approved; the change is a revision under review.
    assert (adoption.live, adoption.instrument, adoption.status) == (
        True,
        "Quyết định số 12/QĐ-UBND",
        "piloting",
    )
    assert adoption.has_unpublished_changes
    assert adoption.latest_revision.content["instrument"] == "Quyết định số 99/QĐ-UBND"
    assert public_instruments(client) == ["Quyết định số 12/QĐ-UBND", "Quyết định số 34/QĐ-UBND"]
    task_state = adoption.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, reviewer, "approve")
    adoption.refresh_from_db()
    assert (adoption.instrument, adoption.status) == ("Quyết định số 99/QĐ-UBND", "adopted")
    assert public_instruments(client) == ["Quyết định số 34/QĐ-UBND", "Quyết định số 99/QĐ-UBND"]


def test_an_editors_import_publishes_directly(client, editor, bac_ninh):
    report = import_adoptions(GOOD, "csv", user=editor)
    assert report.ok and not report.as_reports
    assert all(a.live for a in Adoption.objects.filter(agency=bac_ninh))
    assert not WorkflowState.objects.filter(requested_by=editor).exists()
    assert len(public_instruments(client)) == 2


def test_a_reviewers_import_enters_review_for_any_agency(client, reviewer, bac_ninh, lang_son):
    """Reviewers make a record public only by approving it: their file's rows are reports,
    like a reporter's, but for every agency, and none may claim the checked level."""
    before = {a.pk: a.instrument for a in Adoption.objects.filter(agency=lang_son, live=True)}
    report = import_adoptions(FOREIGN, "csv", user=reviewer)
    assert report.ok and report.as_reports
    for agency, slug, instrument in [
        (bac_ninh, ASSISTANT, "Quyết định số 12/QĐ-UBND"),
        (lang_son, FEES, "Quyết định số 56/QĐ-UBND"),
    ]:
        adoption = Adoption.objects.get(agency=agency, practice__slug=slug)
        assert adoption.current_workflow_state.status == "in_progress"
        assert adoption.get_latest_revision_as_object().instrument == instrument
    assert not Adoption.objects.get(agency=bac_ninh, practice__slug=ASSISTANT).live
    assert public_instruments(client) == []
    # Lạng Sơn's public records are as approved before the file.
    assert {
        a.pk: a.instrument for a in Adoption.objects.filter(agency=lang_son, live=True)
    } == before
    claimed = csv_bytes(f"{FEES},24,thí điểm,01/09/2025,,,đã thẩm định,")
    refused = import_adoptions(claimed, "csv", user=reviewer)
    assert [error.column for error in refused.errors] == ["Mức minh chứng"]


def test_command_as_user_imports_reports(reporter, bac_ninh, tmp_path):
    path = tmp_path / "bao-cao.csv"
    path.write_bytes(GOOD)
    out = io.StringIO()
    call_command("import_adoptions", str(path), "--as-user", "baocao-bn", stdout=out)
    assert "thẩm định" in out.getvalue()
    adoptions = Adoption.objects.filter(agency=bac_ninh)
    assert adoptions.count() == 2
    assert not any(a.live for a in adoptions)
    assert all(a.current_workflow_state for a in adoptions)


def test_command_as_user_refuses_other_agencies_and_unknown_users(reporter, lang_son, tmp_path):
    path = tmp_path / "bao-cao.csv"
    path.write_bytes(FOREIGN)
    with pytest.raises(CommandError, match="Bạn không được báo cáo"):
        call_command("import_adoptions", str(path), "--as-user", "baocao-bn", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Không có người dùng"):
        call_command("import_adoptions", str(path), "--as-user", "khong-co", stdout=io.StringIO())
    assert not Adoption.objects.filter(instrument="Quyết định số 56/QĐ-UBND").exists()


UPLOAD = "practices_import:upload"
CONFIRM = "practices_import:confirm"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def upload(client, data, name="bao-cao.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # The dry run is a background job; the upload leads to its status page, then the preview.
    return client.post(
        reverse(UPLOAD),
        {"file": SimpleUploadedFile(name, data, "text/csv"), "file_format": ""},
        follow=True,
    )


def test_admin_import_form_is_for_users_who_may_add_adoptions(client, reporter):
    client.force_login(reporter)
    response = client.get(reverse(UPLOAD))
    assert response.status_code == 200
    assert "Nhập dữ liệu áp dụng" in response.content.decode()
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert reverse(UPLOAD) in client.get(reverse("wagtailadmin_home")).content.decode()  # menu

    viewer = get_user_model().objects.create_user("xem", password="x")
    viewer.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(viewer)
    assert client.get(reverse(UPLOAD)).status_code == 403
    assert client.post(reverse(CONFIRM), {"token": "x" * 32}).status_code == 403


def test_admin_preview_shows_errors_and_writes_nothing(client, reporter, lang_son):
    client.force_login(reporter)
    before = (Adoption.objects.count(), Revision.objects.count())
    response = upload(client, FOREIGN)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bạn không được báo cáo cho cơ quan" in page
    assert 'id="import-errors"' in page
    report = response.context["report"]
    assert [(e.row, e.column, e.value) for e in report.errors] == [(3, "Cơ quan", "20")]
    assert response.context["token"] == ""  # nothing to confirm
    assert (Adoption.objects.count(), Revision.objects.count()) == before


def test_admin_preview_then_confirm_submits_reports(client, reporter, bac_ninh, upload_dir):
    client.force_login(reporter)
    response = upload(client, GOOD)
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.new, report.updated, len(report.errors)) == (2, 0, 0)
    assert [row.label for row in report.rows] == ["Mới", "Mới"]
    assert not Adoption.objects.filter(agency=bac_ninh).exists()  # a dry run
    token = response.context["token"]
    assert token

    response = client.post(reverse(CONFIRM), {"token": token})
    assert response.status_code == 302
    adoptions = Adoption.objects.filter(agency=bac_ninh)
    assert adoptions.count() == 2
    assert not any(a.live for a in adoptions)
    assert all(a.current_workflow_state for a in adoptions)
    # The upload is gone: confirming again does nothing.
    assert not list(upload_dir.iterdir())
    response = client.post(reverse(CONFIRM), {"token": token})
    assert response.status_code == 302
    assert adoptions.count() == 2


def test_admin_confirm_refuses_a_token_of_another_session(client, reporter, reviewer, bac_ninh):
    client.force_login(reporter)
    token = upload(client, GOOD).context["token"]
    client.force_login(reviewer)  # a new session
    client.post(reverse(CONFIRM), {"token": token})
    assert not Adoption.objects.filter(agency=bac_ninh).exists()


def test_admin_import_by_an_editor_publishes(client, editor, bac_ninh):
    client.force_login(editor)
    token = upload(client, GOOD).context["token"]
    assert client.post(reverse(CONFIRM), {"token": token}).status_code == 302
    adoptions = Adoption.objects.filter(agency=bac_ninh)
    assert adoptions.count() == 2 and all(a.live for a in adoptions)


def test_a_report_cannot_claim_verified_evidence(reporter, bac_ninh):
    """Only a reviewer's evidence check makes a record verified; a reporter's file that
    claims it is refused, and a national import may still say it."""
    claimed = csv_bytes(f"{ASSISTANT},24,thí điểm,01/09/2025,,,đã thẩm định,")
    before = (Adoption.objects.count(), Revision.objects.count())

    report = import_adoptions(claimed, "csv", user=reporter)

    assert not report.ok
    [error] = report.errors
    assert (error.row, error.column, error.value) == (2, "Mức minh chứng", "đã thẩm định")
    assert "người thẩm định" in error.reason
    assert (Adoption.objects.count(), Revision.objects.count()) == before
    assert import_adoptions(claimed, "csv").ok  # the national editors' shell import


def test_a_record_locked_by_someone_else_is_a_row_error(reporter, reviewer, bac_ninh):
    assert import_adoptions(GOOD, "csv").ok
    locked = Adoption.objects.get(agency=bac_ninh, practice__slug=ASSISTANT)
    # LockableMixin, as the admin's "Lock" sets it: only the holder may change the record.
    Adoption.objects.filter(pk=locked.pk).update(
        locked=True, locked_at=timezone.now(), locked_by=reviewer
    )
    changed = csv_bytes(f"{ASSISTANT},24,đã áp dụng,01/09/2025,Quyết định số 99/QĐ-UBND,,,")

    report = import_adoptions(changed, "csv", user=reporter)

    assert not report.ok
    [error] = report.errors
    assert error.row == 2 and "thamdinh-1 khoá" in error.reason
    locked.refresh_from_db()
    assert locked.status == "piloting" and locked.revisions.count() == 1
    # The holder may import over their own lock.
    Adoption.objects.filter(pk=locked.pk).update(locked_by=reporter)
    assert import_adoptions(changed, "csv", user=reporter).ok
