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
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

import pytest
from playwright.sync_api import expect

from practices.models import (
    Adoption,
    Agency,
    EvidenceLevel,
    PracticeCategory,
    PracticeIndexPage,
    PracticePage,
)
from reporting.roles import EDITORS, REVIEWERS
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
    try:
        expect(page.locator(".messages .success")).to_contain_text(text)
    except AssertionError as error:
        said = page.locator(".messages, .error-message, .w-field__errors").all_inner_texts()
        raise AssertionError(f"{page.url} says {[' '.join(t.split()) for t in said]}") from error


def sign_in(page, screens, base, username):
    page.goto(f"{base}/admin/login/")
    expect(heading(page, "Đăng nhập trang quản trị")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng nhập", exact=True)).to_be_visible()
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
    # Nothing is saved behind the reporter's back: no autosave until the report exists.
    expect(page.locator("form[data-controller~=w-autosave]")).to_have_count(0)
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
    success(page, "Đã tạo Kết quả áp dụng “Bắc Ninh – Ứng dụng trợ lý ảo")
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


def submitted_report(reporter, practice, agency):
    """The report the reporter's tour leaves: a link and a file, sent to review."""
    report = Adoption(
        practice=practice,
        agency=agency,
        status="piloting",
        decided_on=date(2025, 9, 1),
        instrument=INSTRUMENT,
        evidence_url=EVIDENCE_URL,
        evidence_file=SimpleUploadedFile(FILE_NAME, PDF, "application/pdf"),
        evidence_level=EvidenceLevel.DOCUMENTED,
        live=False,
    )
    report.save()
    report.save_revision(user=reporter)
    report.get_workflow().start(report, reporter)
    return report


@pytest.mark.django_db(transaction=True)
def test_reviewer_opens_the_evidence_and_approves_with_the_check(english_page, live_server, seeded):
    page, base = english_page, live_server.url
    screens = Screens(page, "tham-dinh-vien")
    practice = PracticePage.objects.get(slug=PRACTICE)
    bac_ninh = Agency.objects.resolve("24")
    call_command("create_reporter", "baocao-tour", "--agency", "24", "--password", PASSWORD)
    reporter = get_user_model().objects.get(username="baocao-tour")
    report = submitted_report(reporter, practice, bac_ninh)
    reviewer = get_user_model().objects.create_user("thamdinh-tour", password=PASSWORD)
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    # The province's site, as the reviewer's browser would reach it.
    page.context.route(
        f"{EVIDENCE_URL}*",
        lambda route: route.fulfill(
            content_type="text/html; charset=utf-8", body="<h1>Quyết định 45</h1>"
        ),
    )

    # The dashboard lists what waits for review; the report opens from it.
    sign_in(page, screens, base, "thamdinh-tour")
    awaiting = page.locator("#awaiting-review-section")
    expect(awaiting.get_by_role("heading", name="Chờ bạn thẩm định")).to_be_visible()
    expect(awaiting).to_contain_text("Ứng dụng trợ lý ảo")
    screens.check("tong-quan")
    with page.expect_navigation():
        awaiting.get_by_role("link", name=re.compile("Bắc Ninh – Ứng dụng trợ lý ảo")).first.click()
    assert page.url.endswith(f"/admin/snippets/practices/adoption/edit/{report.pk}/")

    # The review screen: the evidence, each item one click away.
    evidence = page.locator("#minh-chung-bao-cao")
    expect(evidence.get_by_role("heading", name="Minh chứng của báo cáo")).to_be_visible()
    approve = footer_button(page, "Phê chuẩn, kiểm tra minh chứng và công bố")
    expect(approve).to_be_visible()  # the first action, not behind the arrow
    screens.check("bao-cao-cho-tham-dinh")
    with page.expect_popup() as opened:
        evidence.locator("a[data-minh-chung=duong-dan]").click()
    expect(opened.value.get_by_role("heading")).to_have_text("Quyết định 45")
    assert opened.value.url == EVIDENCE_URL
    opened.value.close()
    file_link = evidence.locator("a[data-minh-chung=tep]")
    expect(file_link).to_have_text(FILE_NAME)
    with page.expect_download() as downloaded:
        file_link.click()
    assert downloaded.value.suggested_filename == FILE_NAME
    with open(downloaded.value.path(), "rb") as served:
        assert served.read() == PDF  # the reviewer is served the file itself
    served = page.request.get(base + file_link.get_attribute("href"))
    assert served.ok and served.headers["content-type"] == "application/pdf"

    # The other actions are behind the arrow, none of them a bare publish.
    for name in ("Phê chuẩn và công bố", "Yêu cầu chỉnh sửa", "Lưu bản nháp"):
        expect(footer_action(page, name)).to_be_visible()
        page.keyboard.press("Escape")
    actions = page.locator("footer").get_by_role("button").all_inner_texts()
    assert not [label for label in actions if label.strip() == "Xuất bản"], actions

    # Approving with the check: the modal shows the evidence again, the check and a comment.
    approve.click()
    modal = page.locator(".modal-dialog").last
    expect(modal.get_by_role("heading", name="Phê chuẩn, kiểm tra minh chứng")).to_be_visible()
    expect(modal.locator("a[data-minh-chung=duong-dan]")).to_have_attribute("href", EVIDENCE_URL)
    expect(modal.locator("a[data-minh-chung=tep]")).to_have_text(FILE_NAME)
    modal.get_by_label("Đã kiểm tra minh chứng").check()
    modal.get_by_label("Nhận xét").fill("Đã đối chiếu với quyết định của tỉnh.")
    screens.check("phe-chuan")
    with page.expect_navigation():
        modal.get_by_role("button", name="Phê chuẩn, kiểm tra minh chứng", exact=True).click()
    success(page, "Kết quả áp dụng “Bắc Ninh – Ứng dụng trợ lý ảo")
    screens.check("da-phe-chuan")
    report.refresh_from_db()
    assert report.live and report.evidence_level == EvidenceLevel.VERIFIED

    # The public agency page and the matrix now show it.
    page.goto(f"{base}/co-quan/bac-ninh/")
    row = page.locator(f"#ap-dung-{report.pk}")
    expect(row).to_contain_text("Ứng dụng trợ lý ảo")
    expect(row).to_contain_text("Thí điểm")
    expect(page.locator("main")).to_contain_text(INSTRUMENT)
    screens.check("trang-co-quan")
    page.goto(f"{base}/ma-tran/")
    matrix_row = page.locator("#ma-tran tbody tr", has=page.locator("th", has_text="Bắc Ninh"))
    cell = matrix_row.locator(f"a[href$='#ap-dung-{report.pk}']")
    expect(cell).to_contain_text("Thí điểm")
    screens.check("ma-tran")


NEW_TITLE = "Đăng ký khai sinh trực tuyến cho trẻ em"
NEW_SLUG = "dang-ky-khai-sinh-truc-tuyen-cho-tre-em"
SEED_TITLE = "Ứng dụng trợ lý ảo để hướng dẫn người dân dùng dịch vụ công trực tuyến"


@pytest.mark.django_db(transaction=True)
def test_editor_creates_a_practice_and_imports_a_csv_naming_practices_by_title(
    english_page, live_server, seeded, settings, tmp_path
):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")  # the import runs in the request
    page, base = english_page, live_server.url
    screens = Screens(page, "bien-tap-vien")
    editor = get_user_model().objects.create_user("bientap-tour", password=PASSWORD)
    editor.groups.add(Group.objects.get(name=EDITORS))
    index = PracticeIndexPage.objects.get()
    category = PracticeCategory.objects.order_by("name").first()

    sign_in(page, screens, base, "bientap-tour")
    screens.check("tong-quan")

    # A new practice: the title typed key by key fills an ASCII slug on the second tab.
    page.goto(f"{base}/admin/pages/add/practices/practicepage/{index.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mới: Giải pháp, sáng kiến")
    title = page.locator("#id_title")
    expect(page.locator("label[for=id_title]")).to_have_text(re.compile(r"^\s*Tiêu đề\s*\*\s*$"))
    screens.check("trang-moi")
    title.press_sequentially(NEW_TITLE)
    title.blur()
    page.get_by_label(re.compile("^Tóm tắt")).fill("Cha mẹ đăng ký khai sinh cho con trên cổng.")
    choose_in_modal(page, re.compile("nhóm giải pháp$"), category.name)
    search = page.locator("#id_published_by-ts-control")
    expect(search).to_have_attribute("placeholder", "Gõ để tìm (có dấu hay không dấu)")
    search.fill("bac ninh")
    options = page.locator("#id_published_by-ts-dropdown .option")
    expect(options).to_have_count(2)
    screens.check("co-quan-cong-bo")
    options.filter(has_text="từ 01/07/2025").click()

    page.get_by_role("tab", name="Đường dẫn, tìm kiếm").click()
    expect(page.locator("label[for=id_slug]")).to_have_text(re.compile(r"^\s*Đường dẫn\s*\*\s*$"))
    expect(page.locator("#id_slug")).to_have_value(NEW_SLUG)
    screens.check("trang-moi-tab-2")
    page.get_by_role("tab", name="Nội dung").click()

    # "Lưu bản nháp" is the visible button; "Xuất bản" is behind the arrow.
    expect(footer_button(page, "Lưu bản nháp")).to_be_visible()
    publish = footer_action(page, re.compile(r"^\s*Xuất bản\s*$"))
    screens.check("trang-moi-thao-tac")
    with page.expect_navigation():
        publish.click()
    success(page, NEW_TITLE)
    screens.check("da-xuat-ban")
    practice = PracticePage.objects.get(slug=NEW_SLUG)
    assert practice.live and practice.title == NEW_TITLE

    # The import menu: its guide with the templates, then the adoptions' upload.
    page.goto(f"{base}/admin/")
    page.get_by_role("button", name="Nhập, xuất dữ liệu").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Hướng dẫn và tệp mẫu").click()
    assert page.url.endswith("/admin/nhap-xuat/")
    adoptions = page.locator("#import-kind-adoptions")
    expect(adoptions.get_by_role("heading", name="Kết quả áp dụng")).to_be_visible()
    screens.check("nhap-xuat")
    with page.expect_navigation():
        adoptions.get_by_role("link", name="Nhập từ tệp").click()
    assert page.url.endswith("/admin/nhap-xuat/ap-dung/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nhập dữ liệu áp dụng")
    expect(page.locator("header")).to_contain_text("Bước 1/3: tải tệp lên")
    expect(page.get_by_label("Tệp dữ liệu")).to_be_attached()
    expect(page.get_by_text("Định dạng", exact=True)).to_be_visible()
    screens.check("tai-tep-len")

    # A file written by hand: practices by title (one typed without diacritics), agencies
    # by name, dates as officials write them.
    written = tmp_path / "ap-dung-tinh.csv"
    written.write_text(
        "Sáng kiến,Cơ quan,Trạng thái,Ngày quyết định,Văn bản\n"
        f"{NEW_TITLE},Bắc Ninh,thí điểm,15/10/2025,Quyết định số 51/QĐ-UBND\n"
        "Ung dung tro ly ao de huong dan nguoi dan dung dich vu cong truc tuyen,"
        "Lạng Sơn,đã áp dụng,20/10/2025,Quyết định số 52/QĐ-UBND\n",
        encoding="utf-8",
    )
    page.get_by_label("Tệp dữ liệu").set_input_files(str(written))
    with page.expect_navigation():
        page.get_by_role("button", name="Xem trước").click()
    expect(page.locator("header")).to_contain_text("Bước 2/3: xem trước")
    counts = page.locator("#import-counts tbody td")
    expect(counts).to_have_text(["2", "2", "0", "0", "0"])  # total, new, changed, same, errors
    rows = page.locator("#import-rows tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(NEW_TITLE)
    expect(rows.nth(1)).to_contain_text("Lạng Sơn")
    assert not Adoption.objects.filter(practice=practice).exists()  # a dry run
    screens.check("xem-truoc")

    with page.expect_navigation():
        page.get_by_role("button", name="Bước 3/3: xác nhận nhập").click()
    success(page, "Đã nhập tệp “ap-dung-tinh.csv”. 2 dòng: 2 mới")
    screens.check("da-nhap")
    imported = Adoption.objects.get(practice=practice)
    assert imported.agency == Agency.objects.resolve("24") and imported.live
    assert Adoption.objects.filter(
        practice__title=SEED_TITLE, agency__name__contains="Lạng Sơn", status="adopted"
    ).exists()
