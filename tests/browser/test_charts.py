"""The home page's chart in Chromium: vega-embed draws it under the site's CSP (interpreted
expressions, no injected style), its tooltip shows, it passes axe; without JavaScript the
server's SVG and the table are there."""

import pytest
from playwright.sync_api import expect

from practices.models import Adoption, AdoptionStatus
from tests.browser.axe import assert_accessible
from tests.browser.conftest import _open_page
from tests.kb.english_strings import english_in

pytestmark = pytest.mark.browser

FIGURE = "figure#bieu-do-ket-qua-theo-trang-thai"


def watch_console(page):
    messages = []
    page.on("console", lambda m: m.type in ("error", "warning") and messages.append(m.text))
    page.on("pageerror", lambda error: messages.append(str(error)))
    return messages


@pytest.mark.django_db(transaction=True)
def test_the_chart_draws_under_the_csp_with_a_tooltip_and_passes_axe(page, live_server, seeded):
    messages = watch_console(page)
    page.goto(f"{live_server.url}/")
    figure = page.locator(FIGURE)
    expect(figure).to_have_attribute("data-chart-ready", "true")
    # vega-embed's drawing replaced the server's picture.
    expect(figure.locator("[data-chart-interactive] svg.marks")).to_have_count(1)
    expect(figure.locator("[data-chart-picture]")).to_be_hidden()

    adopted = Adoption.objects.public().filter(status=AdoptionStatus.ADOPTED).count()
    bar = figure.locator("[data-chart-interactive] g.mark-rect path").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(box["x"] + box["width"] / 2 + 3, box["y"] + box["height"] / 2)
    tooltip = page.locator("#vg-tooltip-element.visible")
    expect(tooltip).to_contain_text("✓ Đã áp dụng")
    expect(tooltip).to_contain_text(str(adopted))
    # No <style> was injected (the CSP would refuse it: the rules are in charts.css).
    assert page.locator("style#vega-embed-style, style#vega-tooltip-style").count() == 0

    assert [m for m in messages if "Content Security Policy" in m or "eval" in m] == []
    assert messages == []
    # Vega's own ARIA labels are English ("X-axis titled …"): off, and the picture is one
    # image named in Vietnamese.
    assert figure.locator("[data-chart-interactive] svg [aria-label]").count() == 0
    expect(figure.locator("[data-chart-interactive]")).to_have_attribute(
        "aria-label", "Biểu đồ: Kết quả áp dụng theo trạng thái (số liệu ở bảng dưới biểu đồ)"
    )
    assert english_in(page.content()) == {}
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_server_svg_and_the_table_show(chromium_path, live_server, seeded):
    for page in _open_page(chromium_path, locale="vi-VN", java_script_enabled=False):
        page.goto(f"{live_server.url}/")
        figure = page.locator(FIGURE)
        picture = figure.locator("[data-chart-picture] img")
        expect(picture).to_be_visible()
        # The server's drawing arrived: an SVG of some width, not a broken image.
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
        )
        expect(figure.locator("[data-chart-interactive]")).to_be_hidden()
        figure.locator("summary").click()
        expect(figure.locator("table tbody tr")).to_have_count(4)
        expect(figure.get_by_role("link", name="Tải dữ liệu CSV")).to_be_visible()
