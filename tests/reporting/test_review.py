"""The reviewer's side of a report: the queue on the dashboard, approving with the evidence
check, returning with a comment, the e-mails each decision sends, and what the reporter then
sees. Every decision goes through the admin's own URLs, as the buttons post them."""

import json
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from wagtail.models import (
    GroupApprovalTask,
    ModelLogEntry,
    Task,
    TaskState,
    Workflow,
    WorkflowState,
)

import pytest

from practices.forms import VERIFIED_BY_REVIEWERS_ONLY
from practices.models import Adoption, Agency, EvidenceLevel, PracticePage
from reporting.models import AdoptionReviewTask
from reporting.review import EVIDENCE_LOG_ACTION
from reporting.roles import REVIEWERS, TASK_NAME, WORKFLOW_NAME, setup_roles
from tests.reporting.test_reporting import form_data

ADMIN = "wagtailsnippets_practices_adoption"
COMMENT = "Đã đối chiếu Quyết định số 12/QĐ-UBND trên cổng thông tin của tỉnh"
RETURN_COMMENT = "Thiếu văn bản minh chứng: hãy đính kèm quyết định đã ký"


@pytest.fixture
def practice(seeded):
    return PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")


def make_reporter(username, code, email):
    call_command(
        "create_reporter",
        username,
        "--agency",
        code,
        "--password",
        "mat-khau-thu-2025",
        stdout=None,
    )
    user = get_user_model().objects.get(username=username)
    user.email = email
    user.save()
    return user


@pytest.fixture
def reporter(seeded):
    return make_reporter("baocao-bn", "24", "baocao-bn@example.org")


@pytest.fixture
def other_reporter(seeded):
    return make_reporter("baocao-ls", "20", "baocao-ls@example.org")


@pytest.fixture
def reviewer(seeded):
    user = get_user_model().objects.create_user(
        "thamdinh-1", "thamdinh@example.org", "x", first_name="Thẩm định viên", last_name="Một"
    )
    user.groups.add(Group.objects.get(name=REVIEWERS))
    return user


def submit(client, user, practice, code, **fields):
    """`user` fills in the add form and submits it for review, as the admin's button does."""
    agency = Agency.objects.resolve(code)
    client.force_login(user)
    response = client.post(
        reverse(f"{ADMIN}:add"), form_data(practice, agency, **{"action-submit": "1", **fields})
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    client.logout()
    report = Adoption.objects.get(practice=practice, agency=agency)
    assert report.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    return report


def task_state_of(report):
    return report.current_workflow_state.current_task_state


def act(client, user, report, action, modal=False, **data):
    """POST the workflow action as the dashboard's button (a plain form) or the action modal
    (an XMLHttpRequest) does."""
    client.force_login(user)
    url = reverse(f"{ADMIN}:workflow_action", args=[report.pk, action, task_state_of(report).pk])
    headers = {"x-requested-with": "XMLHttpRequest"} if modal else {}
    response = client.post(url, data, headers=headers)
    client.logout()
    return response


def assert_refused(response):
    """Wagtail answers a refused admin request with 403 from the modal, and otherwise with a
    redirect to the dashboard and an error message."""
    if response.status_code != 403:
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_home")


def published(report):
    report.refresh_from_db()
    return report.live_revision.as_object() if report.live_revision else None


def sent_to(address):
    return [m for m in mail.outbox if address in m.to]


# The task ----------------------------------------------------------------------------------


def test_the_workflow_has_one_review_task_for_the_reviewers(seeded):
    setup_roles()
    setup_roles()
    workflow = Workflow.objects.get(name=WORKFLOW_NAME)
    tasks = list(workflow.tasks.specific())
    assert len(tasks) == 1
    assert isinstance(tasks[0], AdoptionReviewTask)
    assert list(tasks[0].groups.values_list("name", flat=True)) == [REVIEWERS]
    assert Task.objects.filter(name=TASK_NAME).count() == 1


def test_an_old_group_approval_task_becomes_the_review_task_in_place(
    client, reporter, reviewer, practice
):
    """An installation set up before the review task existed: its GroupApprovalTask, with a
    report under review, is converted; the review under way then takes the evidence check."""
    report = submit(client, reporter, practice, "24")
    pk = AdoptionReviewTask.objects.get(name=TASK_NAME).pk
    AdoptionReviewTask.objects.get(pk=pk).delete(keep_parents=True)
    Task.objects.filter(pk=pk).update(
        content_type=ContentType.objects.get_for_model(GroupApprovalTask)
    )
    assert type(Task.objects.get(pk=pk).specific) is GroupApprovalTask
    assert type(task_state_of(report).task.specific) is GroupApprovalTask

    setup_roles()

    converted = Task.objects.get(pk=pk).specific
    assert type(converted) is AdoptionReviewTask
    assert Task.objects.filter(name=TASK_NAME).count() == 1
    assert list(Workflow.objects.get(name=WORKFLOW_NAME).tasks) == [converted.task_ptr]
    assert converted.groups.filter(name=REVIEWERS).exists()
    assert isinstance(task_state_of(report).task.specific, AdoptionReviewTask)

    response = act(client, reviewer, report, "approve", evidence_checked="on")
    assert response.status_code == 302
    assert published(report).evidence_level == EvidenceLevel.VERIFIED


def test_the_approve_modal_has_the_evidence_check_and_the_comment(
    client, reporter, reviewer, practice
):
    report = submit(client, reporter, practice, "24")
    client.force_login(reviewer)
    url = reverse(f"{ADMIN}:workflow_action", args=[report.pk, "approve", task_state_of(report).pk])
    html = json.loads(client.get(url).content)["html"]
    assert 'name="evidence_checked"' in html
    assert 'type="checkbox"' in html
    assert "Đã kiểm tra minh chứng" in html
    assert 'name="comment"' in html


# The evidence check ------------------------------------------------------------------------


def test_approving_with_the_evidence_checked_publishes_verified(
    client, reporter, reviewer, practice
):
    report = submit(client, reporter, practice, "24", evidence_level="documented")
    response = act(client, reviewer, report, "approve", evidence_checked="on", comment=COMMENT)
    assert response.status_code == 302

    live = published(report)
    assert report.live
    assert live.evidence_level == EvidenceLevel.VERIFIED
    assert report.evidence_level == EvidenceLevel.VERIFIED
    assert live.instrument == "Quyết định số 12/QĐ-UBND"
    # The history says who checked, and the revision that records it is the published one.
    entry = ModelLogEntry.objects.for_instance(report).get(action=EVIDENCE_LOG_ACTION)
    assert entry.user == reviewer
    assert entry.revision == report.live_revision
    assert entry.data == {"from": "documented", "to": "verified", "checked": True}
    client.force_login(reporter)
    history = client.get(reverse(f"{ADMIN}:history", args=[report.pk])).content.decode()
    assert "Đã kiểm tra minh chứng; mức minh chứng: Có văn bản, tài liệu → Đã thẩm định" in history
    # The public reads the verified level.
    client.logout()
    api = client.get("/api/v1/adoptions/", {"agency": "24"}).json()
    assert [row["evidence_level"] for row in api["results"]] == ["verified"]


def test_approving_without_the_check_keeps_the_reported_level(client, reporter, reviewer, practice):
    report = submit(client, reporter, practice, "24", evidence_level="documented")
    response = act(client, reviewer, report, "approve", comment=COMMENT)
    assert response.status_code == 302
    live = published(report)
    assert report.live
    assert live.evidence_level == EvidenceLevel.DOCUMENTED
    assert (
        not ModelLogEntry.objects.for_instance(report).filter(action=EVIDENCE_LOG_ACTION).exists()
    )


def test_approving_from_the_edit_view_with_the_check(client, reporter, reviewer, practice):
    """The edit view's "Phê chuẩn, kiểm tra minh chứng" button: the modal's data comes back
    with the edit form, which the view saves before approving."""
    report = submit(client, reporter, practice, "24")
    client.force_login(reviewer)
    response = client.post(
        reverse(f"{ADMIN}:edit", args=[report.pk]),
        form_data(
            practice,
            report.agency,
            **{
                "action-workflow-action": "true",
                "workflow-action-name": "approve",
                "workflow-action-extra-data": json.dumps(
                    {"comment": COMMENT, "evidence_checked": True}
                ),
            },
        ),
    )
    assert response.status_code == 302
    live = published(report)
    assert report.live
    assert live.evidence_level == EvidenceLevel.VERIFIED
    state = TaskState.objects.for_instance(report).get(status=TaskState.STATUS_APPROVED)
    assert state.comment == COMMENT
    assert state.finished_by == reviewer


def test_a_verified_level_written_by_a_reporter_is_not_published_unchecked(
    client, reporter, reviewer, practice
):
    """A reporter's revision can carry `verified` by another door than the form (an import);
    approving it without the check publishes `documented`, and the history says why."""
    report = submit(client, reporter, practice, "24")
    draft = report.get_latest_revision_as_object()
    draft.evidence_level = EvidenceLevel.VERIFIED
    draft.save_revision(user=reporter)
    act(client, reviewer, report, "approve")
    assert published(report).evidence_level == EvidenceLevel.DOCUMENTED
    entry = ModelLogEntry.objects.for_instance(report).get(action=EVIDENCE_LOG_ACTION)
    assert entry.data["checked"] is False


def test_a_reporter_cannot_choose_verified(client, reporter, practice):
    bac_ninh = Agency.objects.resolve("24")
    client.force_login(reporter)
    form = client.get(reverse(f"{ADMIN}:add")).content.decode()
    select = re.search(r'<select name="evidence_level".*?</select>', form, re.S).group(0)
    assert 'value="documented"' in select
    assert 'value="verified"' not in select

    response = client.post(
        reverse(f"{ADMIN}:add"),
        form_data(practice, bac_ninh, evidence_level="verified", **{"action-submit": "1"}),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["evidence_level"] == [VERIFIED_BY_REVIEWERS_ONLY]
    assert "Chỉ thẩm định viên mới ghi mức “Đã thẩm định”" in response.content.decode()
    assert not Adoption.objects.filter(practice=practice, agency=bac_ninh).exists()


def test_a_reviewer_may_still_choose_verified_in_the_form(client, reviewer, practice):
    client.force_login(reviewer)
    form = client.get(reverse(f"{ADMIN}:add")).content.decode()
    select = re.search(r'<select name="evidence_level".*?</select>', form, re.S).group(0)
    assert 'value="verified"' in select


def test_a_reporter_changing_a_verified_report_is_offered_documented(
    client, reporter, reviewer, practice
):
    report = submit(client, reporter, practice, "24")
    act(client, reviewer, report, "approve", evidence_checked="on")
    client.force_login(reporter)
    form = client.get(reverse(f"{ADMIN}:edit", args=[report.pk])).context["form"]
    assert form["evidence_level"].value() == EvidenceLevel.DOCUMENTED


# E-mails -----------------------------------------------------------------------------------


def test_reviewers_are_told_in_vietnamese_that_a_report_waits(client, reporter, reviewer, practice):
    report = submit(client, reporter, practice, "24")
    (message,) = sent_to("thamdinh@example.org")
    assert message.subject == f"Báo cáo “{report}” chờ thẩm định"
    assert "Chào Thẩm định viên Một," in message.body
    assert f"Báo cáo “{report}” đang chờ thẩm định ở bước “{TASK_NAME}”." in message.body
    assert "Người gửi: baocao-bn." in message.body
    assert f"http://testserver/admin/snippets/practices/adoption/edit/{report.pk}/" in message.body


def test_the_reporter_gets_the_approval_with_the_comment(client, reporter, reviewer, practice):
    report = submit(client, reporter, practice, "24")
    mail.outbox.clear()
    act(client, reviewer, report, "approve", evidence_checked="on", comment=COMMENT)

    (message,) = sent_to("baocao-bn@example.org")
    assert message.subject == f"Báo cáo “{report}” đã được phê chuẩn"
    assert f"Báo cáo “{report}” đã được phê chuẩn" in message.body
    assert "đã được công bố" in message.body
    assert "Người phê chuẩn: Thẩm định viên Một, lúc " in message.body
    assert f"Nhận xét của thẩm định viên: “{COMMENT}”" in message.body
    assert "Mức minh chứng được công bố: Đã thẩm định." in message.body
    assert f"/admin/snippets/practices/adoption/edit/{report.pk}/" in message.body
    # The reviewer decided; only the reporter is told.
    assert not sent_to("thamdinh@example.org")


def test_the_reporter_gets_the_return_with_the_comment(client, reporter, reviewer, practice):
    report = submit(client, reporter, practice, "24")
    mail.outbox.clear()
    response = act(client, reviewer, report, "reject", comment=RETURN_COMMENT)
    assert response.status_code == 302

    (message,) = sent_to("baocao-bn@example.org")
    assert message.subject == f"Báo cáo “{report}” bị trả lại, cần chỉnh sửa"
    assert "đã được trả lại, cần chỉnh sửa" in message.body
    assert "Người trả lại: Thẩm định viên Một, lúc " in message.body
    assert f"Nhận xét của thẩm định viên: “{RETURN_COMMENT}”" in message.body
    assert "Sửa báo cáo theo nhận xét rồi gửi lại để thẩm định: http://testserver/admin/" in (
        message.body
    )
    assert not sent_to("thamdinh@example.org")


def test_a_return_needs_a_reason(client, reporter, reviewer, practice):
    report = submit(client, reporter, practice, "24")
    mail.outbox.clear()
    response = act(client, reviewer, report, "reject", modal=True, comment="  ")
    assert response.status_code == 200
    assert "Hãy ghi lý do trả lại để người báo cáo biết cần sửa gì." in response.json()["html"]
    assert task_state_of(report).status == TaskState.STATUS_IN_PROGRESS
    assert not sent_to("baocao-bn@example.org")


def test_a_comment_with_quotes_and_ampersands_is_sent_as_written(
    client, reporter, reviewer, practice
):
    report = submit(client, reporter, practice, "24")
    act(client, reviewer, report, "reject", comment='Bổ sung "Phụ lục 1" & <bảng> số liệu')
    (message,) = sent_to("baocao-bn@example.org")
    assert '“Bổ sung "Phụ lục 1" & <bảng> số liệu”' in message.body


# The reviewer's queue ----------------------------------------------------------------------


def awaiting_review(client, user):
    """The text of the dashboard's "awaiting your review" panel for `user`, or None."""
    client.force_login(user)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    client.logout()
    match = re.search(r'<section[^>]*id="awaiting-review-section".*?</section>', html, re.S)
    return match.group(0) if match else None


def test_the_reviewers_dashboard_lists_the_reports_awaiting_review(
    client, reporter, other_reporter, reviewer, practice
):
    bn = submit(client, reporter, practice, "24")
    ls = submit(client, other_reporter, practice, "20")
    panel = awaiting_review(client, reviewer)
    assert panel is not None
    for report in (bn, ls):
        assert str(report) in panel
        task_state = task_state_of(report)
        for action in ("approve", "reject"):
            url = reverse(f"{ADMIN}:workflow_action", args=[report.pk, action, task_state.pk])
            assert f'data-workflow-action-url="{url}"' in panel
    assert "Phê chuẩn, kiểm tra minh chứng" in panel
    assert "Yêu cầu chỉnh sửa" in panel


def test_a_reporters_dashboard_shows_no_other_agencys_report(
    client, reporter, other_reporter, practice
):
    bn = submit(client, reporter, practice, "24")
    ls = submit(client, other_reporter, practice, "20")
    client.force_login(reporter)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert str(ls) not in html
    assert str(ls.agency) not in html
    # Their own report is in their "in a workflow" panel, not in a review queue.
    assert str(bn) in html
    assert awaiting_review(client, reporter) is None


def test_a_reporter_cannot_approve_even_their_own_report(client, reporter, reviewer, practice):
    report = submit(client, reporter, practice, "24")
    assert_refused(act(client, reporter, report, "approve"))
    response = act(client, reporter, report, "approve", modal=True, evidence_checked="on")
    assert response.status_code == 403
    report.refresh_from_db()
    assert not report.live
    assert task_state_of(report).status == TaskState.STATUS_IN_PROGRESS

    response = act(client, reviewer, report, "approve")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.live


def test_another_agencys_reporter_cannot_open_the_action(
    client, reporter, other_reporter, practice
):
    report = submit(client, reporter, practice, "24")
    assert_refused(act(client, other_reporter, report, "reject", comment="Không phải của tôi"))
    response = act(client, other_reporter, report, "reject", modal=True, comment="Không")
    assert response.status_code == 403
    assert task_state_of(report).status == TaskState.STATUS_IN_PROGRESS


# The returned report -----------------------------------------------------------------------


def test_the_reporter_sees_the_returned_report_and_the_comment(
    client, reporter, reviewer, practice
):
    report = submit(client, reporter, practice, "24")
    act(client, reviewer, report, "reject", comment=RETURN_COMMENT)
    report.refresh_from_db()
    assert report.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES

    client.force_login(reporter)
    edit = client.get(reverse(f"{ADMIN}:edit", args=[report.pk]))
    assert edit.status_code == 200
    html = edit.content.decode()
    banner = re.search(r'id="bao-cao-bi-tra-lai".*?</div>\s*</div>', html, re.S).group(0)
    text = " ".join(strip_tags(banner).split())
    assert "Báo cáo bị trả lại – cần chỉnh sửa." in text
    assert "Thẩm định viên Một yêu cầu chỉnh sửa lúc" in text
    assert f"Nhận xét của thẩm định viên: “{RETURN_COMMENT}”" in text

    # The history lists submit and return, with who, when and the comment.
    history = client.get(reverse(f"{ADMIN}:history", args=[report.pk]))
    assert history.status_code == 200
    entries = {e.action: e for e in history.context["object_list"]}
    assert entries["wagtail.workflow.start"].user == reporter
    assert entries["wagtail.workflow.reject"].user == reviewer
    assert entries["wagtail.workflow.reject"].comment == RETURN_COMMENT
    page = " ".join(strip_tags(history.content.decode()).split())
    assert RETURN_COMMENT in page
    assert "Thẩm định viên Một" in page
    assert "baocao-bn" in page
    when = timezone.localtime(entries["wagtail.workflow.reject"].timestamp)
    assert f'datetime="{when.isoformat()}"' in history.content.decode()


def test_resubmitting_a_returned_report_puts_it_back_in_the_queue(
    client, reporter, reviewer, practice
):
    report = submit(client, reporter, practice, "24")
    act(client, reviewer, report, "reject", comment=RETURN_COMMENT)
    mail.outbox.clear()
    client.force_login(reporter)
    response = client.post(
        reverse(f"{ADMIN}:edit", args=[report.pk]),
        form_data(
            practice, report.agency, instrument="Quyết định số 13/QĐ-UBND", **{"action-submit": "1"}
        ),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert str(report) in awaiting_review(client, reviewer)
    assert sent_to("thamdinh@example.org")
