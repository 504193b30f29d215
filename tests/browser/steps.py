"""Steps the browser tests share: signing in and out of the admin, picking a row in a Wagtail
chooser, the footer's action menu, following a link, reading a public page."""

import re

from playwright.sync_api import expect

PASSWORD = "mat-khau-e2e-2025"  # noqa: S105 - a throwaway test account
# The toggle of the footer's action menu (its label is an aria-label).
MORE_ACTIONS = re.compile("Thao tác khác|More actions")


def log_in(page, base_url, username, password=PASSWORD):
    page.goto(f"{base_url}/admin/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()
    assert "/admin/login/" not in page.url, "login failed"


def log_out(page, base_url):
    """Log out through the sidebar's account menu (a POST form)."""
    page.goto(f"{base_url}/admin/")
    page.locator("[data-wagtail-sidebar] .sidebar-footer__account").click()
    with page.expect_navigation():
        page.locator("form[action='/admin/logout/']").get_by_role(
            "button", name=re.compile(r"Thoát|Log out", re.I)
        ).click()
    page.wait_for_url(re.compile(r".*/admin/login/.*"))


def choose_in_modal(page, button_name, link_name, search=None):
    """Open a Wagtail chooser modal by its button, optionally search, and pick a row."""
    page.get_by_role("button", name=button_name).click()
    modal = page.locator(".modal-dialog").last
    expect(modal).to_be_visible()
    if search:
        modal.locator("input[name=q]").fill(search)
    link = modal.get_by_role("link", name=link_name).first
    link.click()
    expect(modal).to_be_hidden()


def footer_action(page, name):
    """A button of the editor's footer action menu, opened ("More actions")."""
    page.locator("footer").get_by_role("button", name=MORE_ACTIONS).click()
    button = page.get_by_role("button", name=name)
    expect(button).to_be_visible()
    return button


def follow(page, name):
    with page.expect_navigation():
        page.get_by_role("link", name=name, exact=True).click()


def public_text(page, base_url, path):
    page.goto(f"{base_url}{path}")
    return page.locator("main").inner_text()
