"""The Content-Security-Policy in Debian's Chromium: the public site and the admin's screens load
with no violation (no inline script runs or is needed), and the admin widgets that Wagtail starts
with inline scripts still work through static/js/admin-init.js."""

from django.contrib.auth import get_user_model

import pytest
from playwright.sync_api import expect

from practices.models import Adoption, Agency, PracticePage

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-csp-2025"  # noqa: S105 - a throwaway test account


def watch_violations(page):
    violations = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and violations.append((page.url, message.text))
        ),
    )
    return violations


@pytest.mark.django_db(transaction=True)
def test_admin_and_public_pages_load_without_a_policy_violation(page, live_server, seeded):
    base = live_server.url
    get_user_model().objects.create_superuser("quantri-csp", "q@example.org", PASSWORD)
    practice = PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")
    adoption = Adoption.objects.first()
    agency = Agency.objects.resolve("24")
    violations = watch_violations(page)

    page.goto(f"{base}/admin/login/")
    page.locator("input[name=username]").fill("quantri-csp")
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()

    paths = [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{practice.pk}/edit/",
        f"/admin/pages/add/practices/practicepage/{practice.get_parent().pk}/",
        "/admin/snippets/practices/adoption/",
        f"/admin/snippets/practices/adoption/edit/{adoption.pk}/",
        f"/admin/snippets/practices/agency/edit/{agency.pk}/",
        "/admin/documents/",
        "/admin/images/",
        "/admin/users/",
        "/admin/account/",
        "/admin/reports/site-history/",
        "/admin/nhap-xuat/ap-dung/",
        "/admin/xac-thuc/dang-ky/",
        "/admin/xac-thuc/thiet-bi/",
        "/django-admin/",
        "/django-admin/axes/accessfailurelog/",
        "/",
        practice.url,
        "/ma-tran/",
        agency.get_absolute_url(),
        "/tim-kiem/?q=ho+so",
    ]
    for path in paths:
        page.goto(f"{base}{path}")
        page.wait_for_load_state("load")

    # The widgets Wagtail starts with inline scripts, started by admin-init.js instead.
    page.goto(f"{base}/admin/snippets/practices/adoption/add/")
    page.locator("#id_decided_on").click()
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_have_count(1)
    page.keyboard.press("Escape")
    page.locator("#id_results-ADD").click()
    expect(page.locator("#id_results-TOTAL_FORMS")).to_have_value("1")
    page.locator("#id_agency-chooser [data-chooser-action-choose]").click()
    expect(page.locator(".modal-dialog")).to_be_visible()

    assert violations == []
