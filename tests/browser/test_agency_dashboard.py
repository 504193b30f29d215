"""End to end in Chromium: the agency page's timeline draws, its gap list names whom to ask,
and the comparison page compares with another unit chosen in its form; both pass axe-core, at
desktop and phone widths."""

import datetime

import pytest

from practices.models import AdoptionStep, Agency
from tests import factories
from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser

ON = "2025-09-01"
AFTER = datetime.date(2025, 9, 1)


@pytest.fixture
def history(seeded):
    """Hòa Bình piloted then adopted a practice before the reform (inherited by Phú Thọ);
    Thái Nguyên, a neighbour of Phú Thọ, adopted another since."""
    practice = factories.practice("Giải pháp Thử Trên Trình Duyệt")
    hoa_binh = Agency.objects.resolve("17", on=datetime.date(2025, 6, 1))
    record = factories.adoption(
        practice, hoa_binh, status="piloting", decided_on=datetime.date(2024, 1, 10)
    )
    AdoptionStep.objects.create(
        adoption=record, status="adopted", on=datetime.date(2024, 5, 1), instrument="QĐ 45/QĐ-UBND"
    )
    other = factories.practice("Giải pháp Thử Hỏi Láng Giềng")
    factories.adoption(
        other,
        Agency.objects.resolve("19", on=AFTER),
        decided_on=datetime.date(2025, 8, 15),
        instrument="QĐ 101/QĐ-UBND",
        evidence_url="https://example.org/qd-101.pdf",
    )
    return Agency.objects.resolve("25", on=AFTER), practice, other


WIDTHS = (1280, 390)  # desktop, phone


@pytest.mark.django_db(transaction=True)
def test_the_agency_page_draws_its_timeline_and_gap_list(page, live_server, history):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        check_agency_page(page, live_server, history, width)


def check_agency_page(page, live_server, history, width):
    phu_tho, practice, other = history
    page.goto(f"{live_server.url}{phu_tho.get_absolute_url()}?ngay={ON}")
    figure = page.locator(".agency-dashboard figure")
    figure.wait_for()
    page.wait_for_function(
        "document.querySelector('.agency-dashboard figure').dataset.chartReady !== 'false'"
    )
    assert figure.get_attribute("data-chart-ready") == "true"
    # vega-embed drew the marks: one symbol per step.
    assert page.locator(".agency-dashboard .chart__interactive svg .mark-symbol path").count() >= 2
    timeline = page.locator(".agency-timeline")
    assert "kế thừa từ Tỉnh Hoà Bình" in timeline.inner_text().replace("Hòa", "Hoà")
    gap = page.locator(".gap").filter(has=page.get_by_role("link", name=other.title))
    assert "Tỉnh Thái Nguyên" in gap.inner_text()
    assert "Giáp ranh" in gap.inner_text()
    assert gap.get_by_role("link", name="Minh chứng").get_attribute("href") == (
        "https://example.org/qd-101.pdf"
    )
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_the_comparison_page_compares_with_a_unit_chosen_in_its_form(page, live_server, history):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        check_comparison_page(page, live_server, history, width)


def check_comparison_page(page, live_server, history, width):
    phu_tho, practice, other = history
    page.goto(f"{live_server.url}{phu_tho.get_absolute_url()}?ngay={ON}")
    page.get_by_role("link", name="So sánh với đơn vị khác hoặc với cả nước").click()
    page.wait_for_url("**/so-sanh/**")
    assert "với cả nước" in page.get_by_role("heading", level=1).inner_text()
    row = page.locator(".agency-comparison tbody tr").filter(has_text=practice.title)
    assert "Đã áp dụng" in row.inner_text()
    assert "1/34 đơn vị" in row.inner_text()
    assert_accessible(page)

    page.get_by_label("Tìm đơn vị (có dấu hay không dấu)").fill("thai nguyen")
    page.get_by_role("button", name="So sánh").click()
    page.wait_for_url("**tim=thai+nguyen**")
    page.get_by_label("So sánh với").select_option(label="Tỉnh Thái Nguyên (từ 01/07/2025)")
    page.get_by_role("button", name="So sánh").click()
    page.wait_for_url("**voi=**")
    assert "với Tỉnh Thái Nguyên" in page.get_by_role("heading", level=1).inner_text()
    row = page.locator(".agency-comparison tbody tr").filter(has_text=other.title)
    cells = row.locator("td")
    assert "Chưa ghi nhận" in cells.nth(0).inner_text()
    assert "Đã áp dụng" in cells.nth(1).inner_text() and "15/08/2025" in cells.nth(1).inner_text()
    page.locator(".agency-comparison").wait_for()
    page.wait_for_function(
        "[...document.querySelectorAll('figure[data-chart]')]"
        ".every(f => f.dataset.chartReady !== 'false')"
    )
    assert_accessible(page)
