"""In Chromium, through Wagtail's own editor and modal: a reviewer approves a submitted report
with "Đã kiểm tra minh chứng" ticked and a comment; the report is published as verified and
the reporter is e-mailed the decision."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command

import pytest
from playwright.sync_api import expect

from practices.models import Adoption, Agency, EvidenceLevel, PracticePage
from reporting.roles import REVIEWERS
from tests.browser.steps import PASSWORD, log_in

pytestmark = pytest.mark.browser


COMMENT = "Đã đối chiếu quyết định trên cổng thông tin của tỉnh"


@pytest.mark.django_db(transaction=True)
def test_reviewer_ticks_the_evidence_check_in_the_approve_modal(page, live_server, seeded):
    base = live_server.url
    practice = PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")
    call_command("create_reporter", "baocao-e2e", "--agency", "24", "--password", PASSWORD)
    reporter = get_user_model().objects.get(username="baocao-e2e")
    reporter.email = "baocao-e2e@example.org"
    reporter.save()
    reviewer = get_user_model().objects.create_user(
        "thamdinh-e2e", "thamdinh-e2e@example.org", PASSWORD
    )
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))

    # The reporter's submitted report, as the editor's "submit" leaves it.
    report = Adoption.objects.create(
        practice=practice,
        agency=Agency.objects.resolve("24"),
        status="piloting",
        evidence_url="https://bacninh.gov.vn/quyet-dinh-12",
        evidence_level=EvidenceLevel.DOCUMENTED,
        live=False,
    )
    report.save_revision(user=reporter)
    report.get_workflow().start(report, reporter)
    mail.outbox.clear()

    log_in(page, base, "thamdinh-e2e")
    page.goto(f"{base}/admin/snippets/practices/adoption/edit/{report.pk}/")
    # The footer's visible button is the approval with the check; no arrow to open.
    page.locator("footer").get_by_role(
        "button", name="Phê chuẩn, kiểm tra minh chứng và công bố", exact=True
    ).click()
    modal = page.locator(".modal-dialog").last
    expect(modal).to_be_visible()
    # The evidence is a link in the modal, opening in a new tab.
    link = modal.get_by_role("link", name="https://bacninh.gov.vn/quyet-dinh-12")
    expect(link).to_have_attribute("href", "https://bacninh.gov.vn/quyet-dinh-12")
    expect(link).to_have_attribute("target", "_blank")
    modal.get_by_label("Đã kiểm tra minh chứng").check()
    modal.locator("textarea[name=comment]").fill(COMMENT)
    with page.expect_navigation():
        modal.locator("form button[type=submit]").click()
    expect(page.locator(".messages .success")).to_be_visible()

    report.refresh_from_db()
    assert report.live
    assert report.evidence_level == EvidenceLevel.VERIFIED
    (message,) = [m for m in mail.outbox if "baocao-e2e@example.org" in m.to]
    assert "đã được phê chuẩn" in message.subject
    assert f"Nhận xét của thẩm định viên: “{COMMENT}”" in message.body
    assert "Mức minh chứng được công bố: Đã thẩm định." in message.body
