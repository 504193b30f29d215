"""End to end in Debian's Chromium: the replication matrix and a practice page."""

import pytest

from practices.models import Agency, PracticePage

pytestmark = pytest.mark.browser


def row(page, name):
    return page.locator("#ma-tran tbody tr").filter(
        has=page.get_by_role("link", name=name, exact=True)
    )


@pytest.mark.django_db(transaction=True)
def test_matrix_switches_periods_and_links_to_a_practice(page, live_server, seeded):
    practice = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    bac_ninh = Agency.objects.resolve("24")

    page.goto(f"{live_server.url}/ma-tran/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("#ma-tran tbody tr").count() == 34
    # Bắc Giang's 2022 fee cut shows under today's Bắc Ninh.
    assert row(page, bac_ninh.display_name).locator('[data-status="adopted"]').count() == 2

    page.locator('a[href*="pham-vi=tinh-thanh-2008-2025"]').first.click()
    page.wait_for_url("**pham-vi=tinh-thanh-2008-2025")
    assert page.locator("#ma-tran tbody tr").count() == 63
    assert row(page, "Bắc Giang").locator('[data-status="adopted"]').count() == 2
    assert row(page, "Bắc Ninh").locator('[data-status="adopted"]').count() == 0

    page.locator(f'#ma-tran thead a[href="{practice.url}"]').first.click()
    page.wait_for_url(f"**{practice.url}")
    assert page.get_by_role("heading", level=1).inner_text() == practice.title
    body = page.locator("main").inner_text()
    for adopter in ("Thành phố Hồ Chí Minh", "Tỉnh Long An", "Tỉnh Bắc Giang"):
        assert adopter in body


@pytest.mark.django_db(transaction=True)
def test_skip_link_is_first_in_keyboard_order(page, live_server, seeded):
    page.goto(f"{live_server.url}/ma-tran/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#noi-dung"
