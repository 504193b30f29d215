"""The buttons at the foot of a report's edit view, read from the rendered page as a user sees
them: the visible button, then the ones behind the arrow, per role and per review state. And
what a reviewer cannot do, whatever they post: publish or unpublish outside the review."""

import json
import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import strip_tags

from wagtail.models import WorkflowState

import pytest

from practices.models import Adoption, Agency, PracticePage
from reporting.actions import RESUBMIT_LABEL, SUBMIT_LABEL, WAITING_LABEL, WITHDRAW_LABEL
from reporting.roles import EDITORS, REVIEWERS
from tests.practices.test_evidence import PDF, upload
from tests.reporting.test_reporting import form_data
from tests.reporting.test_review import act, make_reporter, submit, task_state_of

ADMIN = "wagtailsnippets_practices_adoption"
SAVE_DRAFT = "Lưu bản nháp"
APPROVE_CHECKED = "Phê chuẩn, kiểm tra minh chứng và công bố"
APPROVE = "Phê chuẩn và công bố"
RETURN = "Yêu cầu chỉnh sửa"
EVIDENCE_LINK = "https://bacninh.gov.vn/van-ban/quyet-dinh-12"
FILE_NAME = "Quyết định số 12 – Bắc Ninh.pdf"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    return Path(settings.PRIVATE_MEDIA_ROOT)


@pytest.fixture
def practice(seeded):
    return PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")


@pytest.fixture
def reporter(seeded):
    return make_reporter("baocao-bn", "24", "baocao-bn@example.org")


def national(username, group):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "x")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reviewer(seeded):
    return national("thamdinh-1", REVIEWERS)


@pytest.fixture
def editor(seeded):
    return national("bientap-1", EDITORS)


_ELEMENT = re.compile(r"<(button|a)\b([^>]*)>(.*?)</\1>", re.S)


def _items(html):
    return [
        {"label": " ".join(strip_tags(inner).split()), "attrs": attrs}
        for _, attrs, inner in _ELEMENT.findall(html)
    ]


def footer_actions(html):
    """(the visible button, the buttons behind the arrow) of the edit view's action menu."""
    nav = re.search(r'<nav class="actions actions--primary.*?</nav>', html, re.S).group(0)
    if "w-dropdown__toggle" not in nav:
        return _items(nav)[0], []
    main, rest = nav.split("w-dropdown__toggle", 1)
    behind = rest.split('data-w-dropdown-target="content"', 1)[1]
    return _items(main)[0], _items(behind)


def labels(html):
    main, behind = footer_actions(html)
    return main["label"], [item["label"] for item in behind]


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def edit_page(client, user, report):
    return page(client, user, reverse(f"{ADMIN}:edit", args=[report.pk]))


def assert_no_publishing(html):
    main, behind = footer_actions(html)
    for item in [main, *behind]:
        assert 'name="action-publish"' not in item["attrs"]
        assert "/unpublish/" not in item["attrs"]
        assert "action-cancel-workflow" not in item["attrs"]


# The reporter ------------------------------------------------------------------------------


def test_a_reporters_new_report_is_sent_with_the_visible_button(client, reporter):
    html = page(client, reporter, reverse(f"{ADMIN}:add"))
    main, behind = footer_actions(html)
    assert main["label"] == SUBMIT_LABEL == "Gửi thẩm định"
    assert 'name="action-submit"' in main["attrs"]
    assert [item["label"] for item in behind] == [SAVE_DRAFT]


def test_a_reporters_draft_is_sent_with_the_visible_button(client, reporter, practice):
    client.force_login(reporter)
    agency = Agency.objects.resolve("24")
    client.post(reverse(f"{ADMIN}:add"), form_data(practice, agency))
    draft = Adoption.objects.get(practice=practice, agency=agency)
    assert labels(edit_page(client, reporter, draft)) == (SUBMIT_LABEL, [SAVE_DRAFT])


def test_a_returned_report_is_sent_again_with_gui_lai(client, reporter, reviewer, practice):
    report = submit(client, reporter, practice, "24")
    act(client, reviewer, report, "reject", comment="Thiếu quyết định đã ký")
    html = edit_page(client, reporter, report)
    main, behind = footer_actions(html)
    assert main["label"] == RESUBMIT_LABEL == "Gửi lại"
    assert 'name="action-submit"' in main["attrs"]
    # Wagtail's "Restart workflow" would be a second "send again": it is not offered.
    assert [item["label"] for item in behind] == [SAVE_DRAFT]

    # The button resumes the review at the step that returned it.
    response = client.post(
        reverse(f"{ADMIN}:edit", args=[report.pk]),
        form_data(practice, report.agency, **{"action-submit": main["label"]}),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS


def test_a_waiting_report_says_so_and_can_be_withdrawn(client, reporter, practice):
    """Wagtail locks a report under review for all but the reviewers: the visible button says
    why, and the reporter who sent it may take it back."""
    report = submit(client, reporter, practice, "24")
    html = edit_page(client, reporter, report)
    assert labels(html) == (WAITING_LABEL, [WITHDRAW_LABEL])
    main, (withdraw,) = footer_actions(html)
    assert "disabled" in main["attrs"]
    assert 'name="action-cancel-workflow"' in withdraw["attrs"]

    response = client.post(
        reverse(f"{ADMIN}:edit", args=[report.pk]),
        form_data(practice, report.agency, **{"action-cancel-workflow": withdraw["label"]}),
    )
    # Wagtail withdraws the report even though the locked form is not saved.
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.current_workflow_state is None
    assert labels(edit_page(client, reporter, report)) == (SUBMIT_LABEL, [SAVE_DRAFT])


# The reviewer ------------------------------------------------------------------------------


def test_the_reviewers_first_action_is_the_approval_with_the_evidence_check(
    client, reporter, reviewer, practice
):
    report = submit(client, reporter, practice, "24")
    html = edit_page(client, reviewer, report)
    main, behind = footer_actions(html)
    assert main["label"] == APPROVE_CHECKED
    # It opens the modal with the check (the plain approval posts at once).
    modal = reverse(
        f"{ADMIN}:collect_workflow_action_data",
        args=[report.pk, "approve", task_state_of(report).pk],
    )
    assert f'data-workflow-action-modal-url="{modal}"' in main["attrs"]
    assert [item["label"] for item in behind] == [APPROVE, RETURN, SAVE_DRAFT]
    assert_no_publishing(html)


def test_the_reviewers_queue_lists_the_approval_with_the_check_first(
    client, reporter, reviewer, practice
):
    submit(client, reporter, practice, "24")
    html = page(client, reviewer, reverse("wagtailadmin_home"))
    panel = re.search(r'id="awaiting-review-section".*?</section>', html, re.S).group(0)
    actions = re.findall(r"<button data-workflow-action-url=[^>]*>([^<]*)</button>", panel)
    assert actions == ["Phê chuẩn, kiểm tra minh chứng", "Phê chuẩn", RETURN]


def test_a_reviewer_is_offered_no_publishing_of_a_live_record(client, reviewer, practice):
    live = Adoption.objects.filter(live=True).first()
    html = edit_page(client, reviewer, live)
    assert labels(html) == (SUBMIT_LABEL, [SAVE_DRAFT])
    assert_no_publishing(html)


def test_a_reviewer_cannot_publish_a_report_by_posting_action_publish(
    client, reporter, reviewer, practice
):
    report = submit(client, reporter, practice, "24")
    client.force_login(reviewer)
    response = client.post(
        reverse(f"{ADMIN}:edit", args=[report.pk]),
        form_data(practice, report.agency, **{"action-publish": "action-publish"}),
    )
    # The view saves the form as a draft instead: nothing is published.
    assert response.status_code == 302
    report.refresh_from_db()
    assert not report.live
    assert report.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    client.logout()
    assert client.get("/api/v1/adoptions/", {"agency": "24"}).json()["count"] == 0


def test_a_reviewer_cannot_publish_a_new_record_either(client, reviewer, practice):
    client.force_login(reviewer)
    agency = Agency.objects.resolve("24")
    client.post(
        reverse(f"{ADMIN}:add"),
        form_data(practice, agency, **{"action-publish": "action-publish"}),
    )
    assert not Adoption.objects.get(practice=practice, agency=agency).live


def test_a_reviewer_cannot_unpublish_or_delete_a_live_record(client, reviewer):
    live = Adoption.objects.filter(live=True).first()
    client.force_login(reviewer)
    for name in ("unpublish", "delete"):
        response = client.post(reverse(f"{ADMIN}:{name}", args=[live.pk]))
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response.url == reverse("wagtailadmin_home")
    live.refresh_from_db()
    assert live.live


def test_a_reviewer_still_publishes_by_approving(client, reporter, reviewer, practice):
    report = submit(client, reporter, practice, "24")
    response = act(client, reviewer, report, "approve")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.live
    assert report.live_revision == report.latest_revision


# The editor --------------------------------------------------------------------------------


def test_an_editor_publishes_directly(client, editor, practice):
    live = Adoption.objects.filter(live=True).first()
    html = edit_page(client, editor, live)
    main, behind = footer_actions(html)
    assert main["label"] == SAVE_DRAFT
    assert any('name="action-publish"' in item["attrs"] for item in behind)
    assert SUBMIT_LABEL in [item["label"] for item in behind]


# The evidence, one click away --------------------------------------------------------------


def reported_with_evidence(client, reporter, practice):
    """A report with a link and a file, submitted by its reporter."""
    agency = Agency.objects.resolve("24")
    client.force_login(reporter)
    response = client.post(
        reverse(f"{ADMIN}:add"),
        form_data(
            practice,
            agency,
            evidence_url=EVIDENCE_LINK,
            evidence_file=upload(FILE_NAME, PDF, "application/pdf"),
            **{"action-submit": "1"},
        ),
    )
    assert response.status_code == 302
    client.logout()
    return Adoption.objects.get(practice=practice, agency=agency)


def evidence_box(html):
    box = re.search(r'<section class="bao-cao-minh-chung".*?</section>', html, re.S)
    return box.group(0) if box else ""


def assert_evidence_links(box, report):
    from practices.templatetags.evidence_tags import evidence_file_url

    version = report.get_latest_revision_as_object()
    link = re.search(r'<a href="([^"]*)"([^>]*)>([^<]*)</a>', box.split("Tệp:")[0])
    assert link.group(1) == EVIDENCE_LINK
    assert 'target="_blank"' in link.group(2) and "noopener" in link.group(2)
    file = re.search(r'Tệp:\s*<a href="([^"]*)"([^>]*)>([^<]*)</a>', box)
    assert file.group(1) == evidence_file_url(version)
    assert file.group(1).startswith("/minh-chung/")
    assert 'target="_blank"' in file.group(2)
    assert file.group(3) == FILE_NAME


def test_the_reviewer_opens_the_evidence_from_the_edit_view(client, reporter, reviewer, practice):
    report = reported_with_evidence(client, reporter, practice)
    html = edit_page(client, reviewer, report)
    box = evidence_box(html)
    assert_evidence_links(box, report)
    assert "đối chiếu với báo cáo trước khi đánh dấu “Đã kiểm tra minh chứng”" in box
    # One click: the file link is the evidence view, which gives the reviewer the file.
    file_url = re.search(r'Tệp:\s*<a href="([^"]*)"', box).group(1)
    response = client.get(file_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_approval_modal_shows_the_evidence(client, reporter, reviewer, practice):
    report = reported_with_evidence(client, reporter, practice)
    client.force_login(reviewer)
    for name in ("workflow_action", "collect_workflow_action_data"):
        url = reverse(f"{ADMIN}:{name}", args=[report.pk, "approve", task_state_of(report).pk])
        html = json.loads(client.get(url).content)["html"]
        assert_evidence_links(evidence_box(html), report)
        assert 'name="evidence_checked"' in html


def test_the_evidence_box_says_when_there_is_none(client, reporter, reviewer, practice):
    report = submit(client, reporter, practice, "24")
    box = evidence_box(edit_page(client, reviewer, report))
    assert "Báo cáo chưa kèm minh chứng (tệp hoặc đường dẫn)." in box
    assert "<a " not in box


def test_an_address_that_is_not_a_web_address_is_not_a_link(client, reporter, reviewer, practice):
    report = submit(client, reporter, practice, "24")
    draft = report.get_latest_revision_as_object()
    draft.evidence_url = "javascript:alert(1)"
    draft.save_revision(user=reporter, clean=False)
    box = evidence_box(edit_page(client, reviewer, report))
    assert "javascript:alert(1)" in box
    assert "<a " not in box
