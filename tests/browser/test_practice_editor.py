"""In Chromium, a national editor creates a practice with a Vietnamese title: the slug fills in
ASCII as the title is typed (the admin's slug widget with kb.slugs' rules), "Cơ quan công bố"
is searched with and without diacritics, the agencies chosen are saved, and a second practice
with the same title is answered with the Vietnamese error that links to the first."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

import pytest
from playwright.sync_api import expect

from practices.models import PracticeCategory, PracticeIndexPage, PracticePage
from reporting.roles import EDITORS
from tests.browser.steps import PASSWORD, choose_in_modal, log_in

pytestmark = pytest.mark.browser

TITLE = "Cắt giảm lệ phí nộp hồ sơ trực tuyến"
SLUG = "cat-giam-le-phi-nop-ho-so-truc-tuyen"


def open_create_screen(page, base, index):
    page.goto(f"{base}/admin/pages/add/practices/practicepage/{index.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mới: Giải pháp, sáng kiến")


def type_title(page):
    # Typed key by key, as an editor does: the slug follows each keystroke.
    title = page.get_by_label(re.compile("^Tiêu đề"))
    title.press_sequentially(TITLE)
    title.blur()


def choose_category(page):
    # The chooser's button reads "Choose nhóm giải pháp" until Wagtail's string is translated.
    category = PracticeCategory.objects.order_by("name").first()
    choose_in_modal(page, re.compile("nhóm giải pháp$"), category.name)


def agency_search(page):
    """The search box that Tom Select puts in place of the "Cơ quan công bố" select."""
    return page.locator("#id_published_by-ts-control")


def options_for(page, query, count):
    """The options offered for a query, once the list is filtered down to `count` of them."""
    agency_search(page).fill(query)
    options = page.locator("#id_published_by-ts-dropdown .option")
    expect(options).to_have_count(count)
    return options


def chosen_agencies(page):
    return page.locator(".ts-wrapper:has(#id_published_by-ts-control) .ts-control > .item")


@pytest.mark.django_db(transaction=True)
def test_editor_creates_a_practice_with_a_vietnamese_title(page, live_server, seeded):
    base = live_server.url
    editor = get_user_model().objects.create_user("bientap-e2e", "bientap@example.org", PASSWORD)
    editor.groups.add(Group.objects.get(name=EDITORS))
    index = PracticeIndexPage.objects.get()

    log_in(page, base, "bientap-e2e")
    open_create_screen(page, base, index)

    # The slug, on the other tab, follows the title as it is typed.
    type_title(page)
    expect(page.locator("input[name=slug]")).to_have_value(SLUG)

    page.get_by_label(re.compile("^Tóm tắt")).fill("Giảm lệ phí cho hồ sơ nộp trực tuyến.")
    choose_category(page)

    # "Cơ quan công bố": typed without diacritics, then with them; both units of Bắc Ninh
    # are offered with their periods, and nothing else.
    labels = sorted(options_for(page, "bac ninh", 2).all_inner_texts())
    assert labels == ["Tỉnh Bắc Ninh (từ 01/07/2025)", "Tỉnh Bắc Ninh (đến 30/06/2025)"]
    assert sorted(options_for(page, "Bắc Ninh", 2).all_inner_texts()) == labels
    options_for(page, "bac ninh", 2).filter(has_text="từ 01/07/2025").click()
    expect(agency_search(page)).to_have_value("")  # the query is cleared after a choice
    options_for(page, "bo cong an", 1).filter(has_text="Bộ Công an").click()
    expect(chosen_agencies(page)).to_have_count(2)

    with page.expect_navigation():
        page.locator("footer").get_by_role("button", name="Lưu bản nháp").click()
    expect(page.locator(".messages .success")).to_be_visible()

    practice = PracticePage.objects.get(slug=SLUG)
    draft = practice.get_latest_revision_as_object()
    assert draft.title == TITLE
    assert {a.slug for a in draft.published_by.all()} == {"bac-ninh", "bo-cong-an"}
    # The chosen agencies are shown again when the page is reopened.
    expect(chosen_agencies(page)).to_contain_text(["Tỉnh Bắc Ninh (từ 01/07/2025)", "Bộ Công an"])

    # The same title again: refused in Vietnamese, with a link to the page that has the slug.
    open_create_screen(page, base, index)
    type_title(page)
    page.get_by_label(re.compile("^Tóm tắt")).fill("Một bản khác.")
    choose_category(page)
    with page.expect_navigation():
        page.locator("footer").get_by_role("button", name="Lưu bản nháp").click()
    assert PracticePage.objects.filter(title=TITLE).count() == 1
    link = page.get_by_role("link", name=f"Mở trang “{TITLE}” để sửa tiếp").first
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()
    assert page.url.endswith(f"/admin/pages/{practice.pk}/edit/")
