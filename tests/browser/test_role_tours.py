"""The three roles' tours, end to end in Chromium with an English browser (as in many Vietnamese
offices): a provincial reporter reports an adoption with a link and a file and sends it to
review; a national reviewer opens that evidence from the review screen and approves it with
the check, and the public agency page and the matrix show it; a national editor creates a
practice with a Vietnamese title and imports a hand-written CSV that names practices by title.

Each step asserts the Vietnamese words the official reads there (headings, buttons, messages),
and every screen visited passes the no-English check of tests/kb/english_strings.py.

Set TOUR_SCREENSHOTS to a path prefix (outside the repository) to save each screen of a tour at
1280 and 390 pixels wide, for looking at them.
"""

import os
import re

from django.core.management import call_command

import pytest
from playwright.sync_api import expect

from practices.models import Adoption, Agency, PracticePage
from tests.browser.steps import choose_in_modal, footer_action, log_in, log_out
from tests.kb.english_strings import english_in
from tests.practices.test_evidence import PDF

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-thu-2025"  # noqa: S105 - a throwaway test account
PRACTICE = "tro-ly-ao-huong-dan-dvctt"
INSTRUMENT = "Quyết định số 45/QĐ-UBND"
EVIDENCE_URL = "https://bacninh.gov.vn/van-ban/quyet-dinh-45"
FILE_NAME = "Quyết định 45.pdf"
BAC_NINH_ROWS = ["Tỉnh Bắc Ninh (đến 30/06/2025)", "Tỉnh Bắc Ninh (từ 01/07/2025)"]


class Screens:
    """Checks each screen a tour reaches: no English of Wagtail's or Django's catalogues in it;
    and, when TOUR_SCREENSHOTS is set, a picture of it on a desktop and on a phone."""

    def __init__(self, page, role):
        self.page = page
        self.role = role
        self.count = 0

    def check(self, name):
        self.page.wait_for_load_state()
        english = english_in(self.page.content())
        assert not english, f"{self.role}, {name} ({self.page.url}): English {english}"
        self.count += 1
        prefix = os.environ.get("TOUR_SCREENSHOTS")
        if prefix:
            size = self.page.viewport_size
            for width in (1280, 390):
                self.page.set_viewport_size({"width": width, "height": size["height"]})
                self.page.screenshot(
                    path=f"{prefix}{self.role}-{self.count:02d}-{name}-{width}.png", full_page=True
                )
            self.page.set_viewport_size(size)


def heading(page, name, level=None):
    return page.get_by_role("heading", name=name, level=level, exact=True)


def breadcrumbs(page):
    return page.get_by_role("navigation", name="Đường dẫn")


def footer_button(page, name):
    return page.locator("footer").get_by_role("button", name=name, exact=True)


def success(page, text):
    expect(page.locator(".messages .success")).to_contain_text(text)


def sign_in(page, screens, base, username):
    page.goto(f"{base}/admin/login/")
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
    screens.check("dang-nhap")
    log_in(page, base, username, PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_reporter_reports_an_adoption_with_a_link_and_a_file(
    english_page, live_server, seeded, tmp_path
):
    page, base = english_page, live_server.url
    screens = Screens(page, "bao-cao-vien")
    practice = PracticePage.objects.get(slug=PRACTICE)
    bac_ninh = Agency.objects.resolve("24")
    call_command("create_reporter", "baocao-tour", "--agency", "24", "--password", PASSWORD)

    # Sign in: the dashboard says what to do and offers a new report.
    sign_in(page, screens, base, "baocao-tour")
    panel = page.locator("#bao-cao-cua-ban-section")
    expect(panel.get_by_role("heading", name="Báo cáo của bạn")).to_be_visible()
    expect(page.locator("ol#bao-cao-huong-dan > li")).to_have_count(3)
    expect(page.locator("ol#bao-cao-huong-dan")).to_contain_text("Gửi thẩm định")
    new_report = page.locator("a#them-bao-cao-moi")
    expect(new_report).to_have_text("Báo cáo mới")
    screens.check("tong-quan")
    with page.expect_navigation():
        new_report.click()

    # The form: the practice, then the agency from the units this reporter may report for.
    expect(breadcrumbs(page)).to_contain_text("Mới: Kết quả áp dụng")
    expect(page.locator("label[for=id_agency]")).to_have_text(re.compile(r"^\s*Cơ quan\s*\*\s*$"))
    screens.check("bao-cao-moi")
    choose_in_modal(page, re.compile("Chọn một trang"), re.compile(r"^\s*Ứng dụng trợ lý ảo"))
    expect(page.locator("#id_practice")).to_have_value(str(practice.pk))

    page.get_by_role("button", name="Chọn cơ quan, đơn vị").click()
    modal = page.locator(".modal-dialog").last
    expect(modal.get_by_role("heading", name="Chọn cơ quan, đơn vị")).to_be_visible()
    rows = modal.locator("table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows).to_contain_text(["Tỉnh Bắc Giang (đến 30/06/2025)", *BAC_NINH_ROWS])
    screens.check("chon-co-quan")
    modal.locator("input[name=q]").fill("bac ninh")  # without diacritics
    expect(rows).to_have_count(2)
    expect(rows).to_contain_text(BAC_NINH_ROWS)
    screens.check("chon-co-quan-tim")
    modal.get_by_role("link", name=BAC_NINH_ROWS[1]).click()
    expect(modal).to_be_hidden()
    expect(page.locator("#id_agency")).to_have_value(str(bac_ninh.pk))

    page.locator("select[name=status]").select_option(label="Thí điểm")
    page.locator("input[name=decided_on]").fill("01/09/2025")
    page.locator("input[name=instrument]").fill(INSTRUMENT)
    page.locator("input[name=evidence_url]").fill(EVIDENCE_URL)
    upload = tmp_path / FILE_NAME
    upload.write_bytes(PDF)
    page.locator("input[name=evidence_file]").set_input_files(str(upload))
    page.locator("input[name=instrument]").press("Tab")
    screens.check("bao-cao-da-dien")

    # The visible button sends; saving without sending is behind the arrow.
    expect(footer_button(page, "Gửi thẩm định")).to_be_visible()
    save = footer_action(page, "Lưu bản nháp")
    screens.check("thao-tac-khac")
    with page.expect_navigation():
        save.click()
    success(page, "Kết quả áp dụng “Bắc Ninh – Ứng dụng trợ lý ảo")
    report = Adoption.objects.get(practice=practice, agency=bac_ninh)
    assert not report.live
    assert page.url.endswith(f"/admin/snippets/practices/adoption/edit/{report.pk}/")
    evidence = page.locator("#minh-chung-bao-cao")
    expect(evidence.get_by_role("heading", name="Minh chứng của báo cáo")).to_be_visible()
    expect(evidence.locator("a[data-minh-chung=duong-dan]")).to_have_attribute("href", EVIDENCE_URL)
    expect(evidence.locator("a[data-minh-chung=tep]")).to_contain_text("Quyết định 45")
    screens.check("ban-nhap")

    # Sent: the list says so, and shows where each of the reporter's reports stands.
    with page.expect_navigation():
        footer_button(page, "Gửi thẩm định").click()
    success(page, "Đã gửi Kết quả áp dụng “Bắc Ninh – Ứng dụng trợ lý ảo")
    success(page, "để thẩm định.")
    report.refresh_from_db()
    assert report.current_workflow_state.status == "in_progress"
    assert report.evidence_file_name == FILE_NAME and report.evidence_url == EVIDENCE_URL
    table = page.locator("table.listing")
    expect(table.get_by_role("columnheader", name="Tình trạng báo cáo")).to_be_visible()
    mine = table.locator("tbody tr", has_text="Tỉnh Bắc Ninh")
    expect(mine).to_contain_text("Chờ thẩm định")
    screens.check("danh-sach")
    # Its filter by that state leaves this one report.
    page.get_by_role("button", name="Hiện bộ lọc").click()
    drilldown = page.locator("#filters-drilldown")
    drilldown.get_by_role("button", name="Tình trạng báo cáo").click()
    screens.check("bo-loc")
    drilldown.locator("select[name=review_state]").select_option(label="Chờ thẩm định")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr")).to_contain_text("Tỉnh Bắc Ninh")
    screens.check("danh-sach-loc")

    # Reopened, the report cannot be sent twice: its button says it waits.
    page.goto(f"{base}/admin/snippets/practices/adoption/edit/{report.pk}/")
    expect(footer_button(page, "Đang chờ thẩm định")).to_be_disabled()
    screens.check("dang-cho")

    # The dashboard lists it as waiting; the public does not see it yet.
    page.goto(f"{base}/admin/")
    expect(page.locator("#bao-cao-cua-ban-section")).to_contain_text("Chờ thẩm định (1)")
    screens.check("tong-quan-cho")
    log_out(page, base)
    page.goto(f"{base}{bac_ninh.get_absolute_url()}")
    expect(page.locator("main")).not_to_contain_text(INSTRUMENT)
