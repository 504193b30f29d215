"""Chromium for the end-to-end tests: Debian's binary, driven by Playwright."""

import os

import pytest

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
# ordinary blocking calls made before and after browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _open_page(chromium_path, **context_options):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, **context_options)
        context.set_default_timeout(15_000)
        yield context.new_page()
        browser.close()


@pytest.fixture
def page(chromium_path):
    yield from _open_page(chromium_path, locale="vi-VN")


@pytest.fixture
def english_page(chromium_path):
    """A browser set to English, as in many Vietnamese offices: the admin must still speak
    Vietnamese."""
    yield from _open_page(
        chromium_path,
        locale="en-US",
        extra_http_headers={"Accept-Language": "en-US,en;q=0.9"},
    )
