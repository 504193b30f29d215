"""End to end in Debian's Chromium: a provincial reporter drafts and submits an adoption
report in the Vietnamese admin, the public does not see it, a national reviewer approves it,
and the public agency page then shows it."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

import pytest
from playwright.sync_api import expect

from practices.models import Adoption, Agency, PracticePage
from practices.periods import labelled
from reporting.roles import REVIEWERS
from tests.browser.steps import (
    PASSWORD,
    choose_in_modal,
    footer_action,
    log_in,
    log_out,
    public_text,
)

pytestmark = pytest.mark.browser

INSTRUMENT = "Quyết định số 99/QĐ-UBND"


@pytest.mark.django_db(transaction=True)
def test_reporter_submits_reviewer_approves_public_sees_it(page, live_server, seeded):
    base = live_server.url
    practice = PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")
    assert practice.title.startswith("Ứng dụng trợ lý ảo")
    bac_ninh = Agency.objects.resolve("24")
    agency_path = bac_ninh.get_absolute_url()
    assert agency_path == "/co-quan/bac-ninh/"

    call_command("create_reporter", "baocao-e2e", "--agency", "24", "--password", PASSWORD)
    reviewer = get_user_model().objects.create_user(
        "thamdinh-e2e", "thamdinh-e2e@example.org", PASSWORD
    )
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))

    # The reporter drafts a report.
    log_in(page, base, "baocao-e2e")
    page.goto(f"{base}/admin/snippets/practices/adoption/add/")
    choose_in_modal(
        page, re.compile("Chọn một trang"), re.compile(r"^\s*Ứng dụng trợ lý ảo"), search=None
    )
    expect(page.locator("#id_practice")).to_have_value(str(practice.pk))
    choose_in_modal(
        page,
        re.compile("cơ quan, đơn vị"),
        # The chooser labels each unit with its period (old and new Bắc Ninh share a name).
        labelled(bac_ninh),  # "Tỉnh Bắc Ninh (từ 01/07/2025)", not the former one
        search="Bắc Ninh",
    )
    expect(page.locator("#id_agency")).to_have_value(str(bac_ninh.pk))
    page.locator("select[name=status]").select_option(label="Thí điểm")
    page.locator("input[name=decided_on]").fill("2025-09-01")
    page.locator("input[name=instrument]").fill(INSTRUMENT)
    page.locator("input[name=instrument]").press("Tab")
    # Saving without sending is behind the arrow: the visible button sends the report.
    save = footer_action(page, "Lưu bản nháp")
    with page.expect_navigation():
        save.click()
    expect(page.locator(".messages .success")).to_be_visible()
    report = Adoption.objects.get(practice=practice, agency=bac_ninh)
    assert not report.live
    edit_path = f"/admin/snippets/practices/adoption/edit/{report.pk}/"
    assert page.url.endswith(edit_path)

    # ...then sends it to review with the footer's visible button.
    submit = page.locator("footer").get_by_role("button", name="Gửi thẩm định", exact=True)
    expect(submit).to_be_visible()
    with page.expect_navigation():
        submit.click()
    expect(page.locator(".messages .success")).to_be_visible()
    report.refresh_from_db()
    assert report.current_workflow_state is not None
    assert report.current_workflow_state.status == "in_progress"
    assert not report.live

    # Not public yet.
    assert "99/QĐ-UBND" not in public_text(page, base, agency_path)
    log_out(page, base)

    # The reviewer approves.
    log_in(page, base, "thamdinh-e2e")
    page.goto(f"{base}{edit_path}")
    # "Phê chuẩn và công bố" (behind the arrow, after the approval with the check): approve
    # without a comment and, the workflow's last task done, publish.
    approve = footer_action(page, re.compile(r"^\s*Phê chuẩn và công bố\s*$"))
    with page.expect_navigation():
        approve.click()
    expect(page.locator(".messages .success")).to_be_visible()
    report.refresh_from_db()
    assert report.live

    # Now the public sees it, on today's Bắc Ninh.
    body = public_text(page, base, "/co-quan/bac-ninh/")
    assert INSTRUMENT in body
    row = page.locator(f"#ap-dung-{report.pk}")
    expect(row).to_contain_text("Ứng dụng trợ lý ảo")
    expect(row).to_contain_text("Thí điểm")
