"""End to end in Debian's Chromium: a national editor imports agencies through the admin's
"Nhập, xuất dữ liệu" menu (upload, preview, confirm, each run by the real import worker while
the status page waits for it) and downloads them back (an export job of the same worker); and on every import screen, for a
reporter and an editor, on a desktop and a phone, each button's label can be read."""

import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

import pytest
from playwright.sync_api import expect

from practices.models import Adoption, Agency
from reporting.roles import EDITORS
from tests.browser.steps import PASSWORD, follow, log_in
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

    follow(page, "Tải tệp khác")
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

    # The download is a job of the worker too (ops.jobs): its page waits, then offers the file.
    page.goto(f"{base}/admin/nhap-xuat/co-quan/")
    page.locator("#export-links").get_by_role("button", name="CSV").click()
    work(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp co-quan-don-vi.csv").click()
    content = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    assert content.startswith('"code","slug","name"') and "HY-KHCN" in content  # all quoted


# The buttons of a screen's content (Wagtail's: links and spans styled as buttons too).
BUTTONS = "#main :is(button, input[type=submit], .button)"

# Why the label of the button `element` cannot be read, as a list of reasons (empty: it can):
# each piece of its text must have a size, lie inside the screen and inside every ancestor
# that clips, be what the browser finds at its place (not an icon or anything else drawn over
# it), and contrast with the background behind it (WCAG AA, 4.5:1).
READABLE = r"""
(element) => {
  const problems = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => node.textContent.trim() && !node.parentElement.closest("svg")
      ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT,
  });
  const texts = [];
  while (walker.nextNode()) texts.push(walker.currentNode);
  if (!texts.length) return ["no label text"];

  const rgba = (value) => {
    const match = value.match(/^rgba?\(([^)]*)\)$/);
    if (!match) throw new Error("colour not in rgb(): " + value);
    const parts = match[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, below) => top.slice(0, 3).map((c, i) => c * top[3] + below[i] * (1 - top[3]));
  const background = (node) => {
    const layers = [];
    for (let at = node; at; at = at.parentElement) {
      const colour = rgba(getComputedStyle(at).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] >= 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255]);
  };
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };

  // Icons let clicks through (pointer-events: none); for the hit test, nothing may.
  const all = [...document.querySelectorAll("*")];
  const saved = all.map((el) => [el.style.getPropertyValue("pointer-events"),
                                 el.style.getPropertyPriority("pointer-events")]);
  all.forEach((el) => el.style.setProperty("pointer-events", "auto", "important"));
  try {
    for (const text of texts) {
      const label = JSON.stringify(text.textContent.trim());
      const parent = text.parentElement;
      const range = document.createRange();
      range.selectNodeContents(text);
      for (const rect of range.getClientRects()) {
        if (rect.width < 1 || rect.height < 1) {
          problems.push(`${label} has no size`);
          continue;
        }
        if (rect.left < -1 || rect.right > window.innerWidth + 1) {
          problems.push(`${label} runs off the screen`);
        }
        for (let at = parent; at && at !== document.body; at = at.parentElement) {
          const style = getComputedStyle(at);
          if (style.overflowX === "visible" && style.overflowY === "visible") continue;
          const box = at.getBoundingClientRect();
          if (rect.left < box.left - 1 || rect.right > box.right + 1 ||
              rect.top < box.top - 1 || rect.bottom > box.bottom + 1) {
            problems.push(`${label} is cut off by <${at.tagName.toLowerCase()} class="${at.className}">`);
          }
        }
        for (const share of [0.2, 0.5, 0.8]) {
          const x = rect.left + rect.width * share, y = rect.top + rect.height / 2;
          const hit = document.elementFromPoint(x, y);
          const own = hit && (hit === parent ||
            (parent.contains(hit) && !hit.closest("svg, .icon, .icon-wrapper")));
          if (!own) {
            const what = hit ? `<${hit.tagName.toLowerCase()} class="${hit.getAttribute("class")}">` : "nothing";
            problems.push(`${label} is covered at ${Math.round(share * 100)}% by ${what}`);
            break;
          }
        }
      }
      let opacity = 1;
      for (let at = parent; at; at = at.parentElement) opacity *= Number(getComputedStyle(at).opacity);
      if (opacity < 0.9) problems.push(`${label} is faded (opacity ${opacity})`);
      const back = background(parent);
      const fore = over(rgba(getComputedStyle(parent).color), back);
      const [light, dark] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
      const ratio = (light + 0.05) / (dark + 0.05);
      if (ratio < 4.5) problems.push(`${label} contrasts ${ratio.toFixed(2)}:1 with its background`);
    }
  } finally {
    all.forEach((el, i) => el.style.setProperty("pointer-events", saved[i][0], saved[i][1]));
  }
  return problems;
}
"""


def assert_buttons_readable(page, *expected):
    """Every visible button of the screen's content has a readable label, and the buttons
    labelled `expected` are among them."""
    labels = []
    buttons = page.locator(BUTTONS)
    for at in range(buttons.count()):
        button = buttons.nth(at)
        if not button.is_visible():
            continue
        button.scroll_into_view_if_needed()
        label = " ".join(button.inner_text().split())
        problems = button.evaluate(READABLE)
        assert not problems, f"{page.url}, button “{label}”: {'; '.join(problems)}"
        labels.append(label)
    missing = [label for label in expected if label not in labels]
    assert not missing, f"{page.url}: no visible button {missing}; buttons: {labels}"


def download(page, name, folder):
    with page.expect_download() as started:
        page.get_by_role("link", name=name, exact=True).click()
    path = folder / started.value.suggested_filename
    started.value.save_as(path)
    return path


def preview(page, path):
    page.locator("input[name=file]").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="Xem trước").click()


EXPORTS = ("CSV", "XLSX", "JSON")
TEMPLATES = ("Tệp mẫu CSV", "Tệp mẫu XLSX")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_every_button_of_the_import_screens_shows_its_label(
    page, live_server, seeded, settings, tmp_path, width
):
    """Each screen of an import (menu page, upload, preview with and without errors, its
    pages and error filter, a failed job's status, the confirm), as a reporter and as an
    editor: every button can be read. The imports run in the request (the test settings'
    immediate task backend)."""
    settings.IMPORT_UPLOAD_DIR = str(tmp_path)
    settings.IMPORT_PREVIEW_PAGE_SIZE = 1  # three rows: three pages, with their buttons
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    bac_ninh = Agency.objects.resolve("24")
    Adoption.objects.filter(agency=bac_ninh).delete()
    call_command("create_reporter", "baocao-nut", "--agency", "24", "--password", PASSWORD)
    editor = get_user_model().objects.create_user("bientap-nut", password=PASSWORD)
    editor.groups.add(Group.objects.get(name=EDITORS))

    # A reporter: the menu's page, then the adoptions' screens.
    log_in(page, base, "baocao-nut")
    page.goto(f"{base}/admin/nhap-xuat/")
    expect(page.get_by_role("heading", name="Kết quả áp dụng")).to_be_visible()
    assert_buttons_readable(page, "Nhập từ tệp", *TEMPLATES, "Tải CSV", "Tải XLSX", "Tải JSON")
    follow(page, "Nhập từ tệp")
    expect(page.get_by_role("heading", name=re.compile("Nhập dữ liệu áp dụng"))).to_be_visible()
    assert_buttons_readable(page, "Xem trước", *TEMPLATES, *EXPORTS)

    template = download(page, "Tệp mẫu XLSX", tmp_path)
    preview(page, template)
    expect(page.locator("#import-rows")).to_contain_text("Mới")
    assert_buttons_readable(page, "Bước 3/3: xác nhận nhập", "Hủy, tải tệp khác")

    follow(page, "Hủy, tải tệp khác")
    faulty = tmp_path / "co-loi.csv"
    faulty.write_text(
        "Sáng kiến,Cơ quan,Trạng thái\n"
        "tro-ly-ao-huong-dan-dvctt,Bắc Ninh,thí điểm\n"
        "Sáng kiến không có,Bắc Ninh,thí điểm\n"
        "giam-phi-le-phi-dvctt,Bắc Ninh,đã áp dụng\n",
        encoding="utf-8",
    )
    preview(page, faulty)
    expect(page.locator("#import-errors")).to_contain_text("Không có sáng kiến nào")
    assert_buttons_readable(page, "Tất cả các dòng", "Chỉ dòng lỗi", "Trang sau", "Tải tệp khác")
    follow(page, "Trang sau")
    assert_buttons_readable(page, "Trang trước", "Trang sau", "Chỉ dòng lỗi")
    follow(page, "Chỉ dòng lỗi")
    assert_buttons_readable(page, "Tất cả các dòng", "Chỉ dòng lỗi", "Tải tệp khác")

    follow(page, "Tải tệp khác")
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"not a workbook")
    preview(page, broken)
    expect(page.locator("#import-failed")).to_be_visible()
    assert_buttons_readable(page, "Tải tệp khác")

    follow(page, "Tải tệp khác")
    preview(page, download(page, "Tệp mẫu CSV", tmp_path))
    with page.expect_navigation():
        page.get_by_role("button", name="Bước 3/3: xác nhận nhập").click()
    expect(page.locator(".messages")).to_contain_text("1 mới")
    assert Adoption.objects.filter(agency=bac_ninh, live=False).count() == 1  # a report
    page.context.clear_cookies()  # signed out (the phone's sidebar hides the account menu)

    # An editor: the menu's page lists the three kinds; each upload and its preview.
    log_in(page, base, "bientap-nut")
    page.goto(f"{base}/admin/nhap-xuat/")
    for heading in ("Kết quả áp dụng", "Cơ quan, đơn vị", "Danh mục sáng kiến"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    assert_buttons_readable(page, "Nhập từ tệp", *TEMPLATES, "Tải CSV", "Tải XLSX", "Tải JSON")
    for path in ("ap-dung/", "co-quan/", "sang-kien/"):
        page.goto(f"{base}/admin/nhap-xuat/{path}")
        assert_buttons_readable(page, "Xem trước", *TEMPLATES, *EXPORTS)
        preview(page, download(page, "Tệp mẫu XLSX", tmp_path))
        expect(page.locator("#import-counts")).to_contain_text("1")
        assert_buttons_readable(page, "Bước 3/3: xác nhận nhập", "Hủy, tải tệp khác")
