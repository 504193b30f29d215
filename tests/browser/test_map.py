"""End to end in Debian's Chromium: the map page's date slider, its table and its keyboard
path (the seed's fee cut in Bắc Giang shows under Bắc Ninh from 1/7/2025)."""

import re

import pytest
from playwright.sync_api import expect

from practices.models import Agency
from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser

URL = "/ban-do/?giai-phap=giam-phi-le-phi-dvctt&ngay=2025-06-30"


def status_of(page, code):
    return page.locator(f'[data-map-table] tr[data-code="{code}"] [data-status]').get_attribute(
        "data-status"
    )


@pytest.mark.django_db(transaction=True)
def test_the_slider_redraws_the_map_and_the_table_for_the_new_date(page, live_server, seeded):
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    bac_ninh = Agency.objects.resolve("24")

    page.goto(live_server.url + URL)
    page.wait_for_selector("[data-map-chart] svg path")
    rows = page.locator("[data-map-table] tbody tr")
    assert rows.count() == 63
    assert page.locator("output#ngay-chon").inner_text() == "30/06/2025"
    assert status_of(page, "24") == "adopted"  # Bắc Giang, before the reform
    assert "Bắc Giang" in page.locator('tr[data-code="24"]').inner_text()

    # One step right: the next month, 1/7/2025, with the 34 units.
    page.locator("input#thang").focus()
    page.keyboard.press("ArrowRight")
    expect(rows).to_have_count(34)
    assert page.locator("output#ngay-chon").inner_text() == "01/07/2025"
    assert status_of(page, "24") == "adopted"
    assert bac_ninh.short_name in page.locator('tr[data-code="24"]').inner_text()
    assert "34 tỉnh, thành phố" in page.locator("[data-map-summary]").inner_text()
    assert re.search(r"ngay=2025-07-01", page.url)
    assert "thanglequoc" in page.locator("[data-map-attribution]").inner_text()
    page.wait_for_selector("[data-map-chart] svg path")
    assert page.locator("[data-map-chart] svg text", has_text="✓").count() >= 1
    chart = page.locator("[data-map-chart]")
    assert chart.get_attribute("role") == "img"
    assert chart.get_attribute("aria-roledescription") is None  # Vega's English "visualization"
    assert "ngày 01/07/2025" in chart.get_attribute("aria-label")

    # Keyboard: a focused row is announced (unit, status, date) and outlined on the map.
    row = page.locator('tr[data-code="24"]')
    row.focus()
    announced = page.locator("[data-map-announce]").inner_text()
    assert bac_ninh.short_name in announced and "Đã áp dụng" in announced
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.code") == "25"
    highlighted = page.locator('[data-map-chart] svg path[stroke-width="3"]')
    highlighted.first.wait_for()
    assert highlighted.count() == 1

    # Hover: vega's tooltip names the unit and its status.
    page.locator("[data-map-chart] g.mark-text text").first.hover()
    tooltip = page.locator("#vg-tooltip-element.visible")
    tooltip.wait_for()
    assert "Trạng thái" in tooltip.inner_text() and "Đơn vị" in tooltip.inner_text()
    assert problems == []
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_form_shows_the_servers_map(chromium_path, live_server, seeded):
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(live_server.url + URL)
        image = page.locator(".map-chart__static")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        page.locator("input#thang").fill(str(2025 * 12 + 6))
        page.get_by_role("button", name="Xem bản đồ").click()
        page.wait_for_url("**thang=*")
        assert page.locator("[data-map-table] tbody tr").count() == 34
        assert page.locator("output#ngay-chon").inner_text() == "01/07/2025"
        browser.close()
