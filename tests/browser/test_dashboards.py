"""The practice dashboard and the national overview in Chromium: every chart is drawn by
vega-embed under the site's CSP, no English reaches the page, and axe-core finds no serious or
critical violation."""

import datetime

import pytest
from playwright.sync_api import expect

from practices.models import Adoption, Agency, PracticePage
from tests.browser.axe import assert_accessible
from tests.kb.english_strings import english_in

pytestmark = pytest.mark.browser

D = datetime.date


def watch_console(page):
    messages = []
    page.on("console", lambda m: m.type in ("error", "warning") and messages.append(m.text))
    page.on("pageerror", lambda error: messages.append(str(error)))
    return messages


@pytest.fixture
def practice(seeded):
    """A seed practice with adopters on both sides of 1/7/2025 and a "Học tập từ" link."""
    practice = PracticePage.objects.get(slug="giao-chi-tieu-dvctt")
    source = Adoption.objects.public().filter(practice=practice).first()
    for code, status, day in (("01", "adopted", D(2025, 9, 1)), ("79", "piloting", D(2025, 10, 1))):
        agency = Agency.objects.resolve(code, day)
        Adoption.objects.update_or_create(
            practice=practice,
            agency=agency,
            defaults={"status": status, "decided_on": day, "adapted_from": source, "live": True},
        )
    return practice


def assert_drawn(page, count):
    figures = page.locator("figure.chart")
    expect(figures).to_have_count(count)
    for index in range(count):
        figure = figures.nth(index)
        expect(figure).to_have_attribute("data-chart-ready", "true")
        expect(figure.locator("[data-chart-interactive] svg.marks")).to_have_count(1)


@pytest.mark.django_db(transaction=True)
def test_the_practice_dashboard_draws_its_charts_and_passes_axe(page, live_server, practice):
    messages = watch_console(page)
    page.goto(f"{live_server.url}/sang-kien/{practice.slug}/lan-toa/")
    # Two curves, two quarterly charts, the regions and the learned-from graph.
    assert_drawn(page, 6)
    expect(page.get_by_role("heading", name="Học tập từ", exact=True)).to_be_visible()
    expect(page.locator(".learned-list li")).to_have_count(2)
    assert messages == []
    assert english_in(page.content()) == {}
    assert_accessible(page)

    # The same page on a day before the reform: 63 provinces.
    page.goto(f"{live_server.url}/sang-kien/{practice.slug}/lan-toa/?ngay=2025-06-30")
    expect(page.locator(".stats")).to_contain_text("/63")
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_the_overview_draws_its_charts_and_passes_axe(page, live_server, practice):
    messages = watch_console(page)
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role(
        "link", name="Tổng quan"
    ).click()
    expect(page).to_have_url(f"{live_server.url}/tong-quan/")
    # Coverage and trend for the provinces and the ministries, and the regions.
    assert_drawn(page, 5)
    expect(page.locator(".behind-list").first.locator("li")).to_have_count(10)
    assert messages == []
    assert english_in(page.content()) == {}
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_the_practice_page_leads_to_its_dashboard(page, live_server, practice):
    page.goto(f"{live_server.url}{practice.url}")
    page.get_by_role("link", name="Xem diễn biến nhân rộng").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diễn biến nhân rộng")
    assert_accessible(page)
