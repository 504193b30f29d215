"""End to end in Debian's Chromium: a national editor imports agencies through the admin's
"Nhập, xuất dữ liệu" menu (upload, preview, confirm, each run by the real import worker while
the status page waits for it) and downloads them back."""

import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

import pytest
from playwright.sync_api import expect

from practices.models import Agency
from reporting.roles import EDITORS
from tests.browser.test_reporting_flow import PASSWORD, log_in
from tests.practices.test_admin_import_tasks import DATABASE_TASKS, run_worker

pytestmark = pytest.mark.browser

SAMPLES = Path(__file__).parent.parent / "practices" / "import_samples"
STATUS_JSON = re.compile(r".*/trang-thai\.json$")


def work(page):
    """Run the queued job with the worker while the status page waits, then let its script
    see the end. Its polls are held back meanwhile, so that the worker and the live server
    never share the test database's connection at once (in-memory SQLite)."""
    expect(page.locator("#import-progress-state")).to_contain_text("Đang chờ")
    page.route(STATUS_JSON, lambda route: route.abort())
    run_worker()
    page.unroute(STATUS_JSON)


@pytest.mark.django_db(transaction=True)
def test_editor_previews_then_confirms_an_agency_import(
    page, live_server, seeded, settings, tmp_path
):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path)
    settings.TASKS = DATABASE_TASKS
    base = live_server.url
    editor = get_user_model().objects.create_user("bientap-e2e", password=PASSWORD)
    editor.groups.add(Group.objects.get(name=EDITORS))
    log_in(page, base, "bientap-e2e")

    page.goto(f"{base}/admin/")
    page.get_by_role("button", name="Nhập, xuất dữ liệu").click()
    page.get_by_role("link", name="Cơ quan, đơn vị").click()
    expect(page.get_by_role("heading", name="Nhập dữ liệu cơ quan, đơn vị")).to_be_visible()

    # A faulty file: the preview lists the errors and offers no confirmation.
    page.locator("input[name=file]").set_input_files(str(SAMPLES / "agencies_faulty.csv"))
    page.get_by_role("button", name="Xem trước").click()
    expect(page.locator("#import-progress")).to_be_visible()
    work(page)
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("Trùng với dòng 7")
    expect(page.get_by_role("button", name=re.compile("xác nhận nhập"))).to_have_count(0)
    assert not Agency.objects.filter(code="HY-A").exists()

    page.get_by_role("link", name="Tải tệp khác").click()
    page.locator("input[name=file]").set_input_files(str(SAMPLES / "agencies_good.csv"))
    page.get_by_role("button", name="Xem trước").click()
    work(page)
    rows = page.locator("#import-rows tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("HY-TTTT")
    expect(rows.first).to_contain_text("Mới")
    assert not Agency.objects.filter(code="HY-TTTT").exists()  # still a dry run

    page.get_by_role("button", name=re.compile("xác nhận nhập")).click()
    work(page)
    expect(page.locator(".messages")).to_contain_text("3 mới")
    assert Agency.objects.filter(code__in=["HY-TTTT", "HY-KHCN", "HY-TTHC"]).count() == 3

    page.goto(f"{base}/admin/nhap-xuat/co-quan/")
    with page.expect_download() as download:
        page.locator("#export-links").get_by_role("link", name="CSV").click()
    content = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    assert content.startswith('"code","slug","name"') and "HY-KHCN" in content  # all quoted
