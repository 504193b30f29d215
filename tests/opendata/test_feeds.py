"""Atom feeds (opendata/feeds.py): an approved report appears in the feeds that concern it and
leaves them when it is withdrawn; a unit's feed holds its predecessors' records; pages point
to their feeds."""

from django.urls import reverse

import pytest
from defusedxml import ElementTree

from practices.models import Adoption, Agency, PracticePage
from tests.reporting.test_reporting import ADMIN, form_data

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    return [
        {
            "title": entry.find(f"{ATOM}title").text,
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.find(f"{ATOM}summary").text or "",
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


def feeds_of(page, agency):
    return [
        "/theo-doi/ket-qua.atom",
        f"/theo-doi/giai-phap/{page.slug}.atom",
        f"/theo-doi/nhom/{page.category.code}.atom",
        f"/theo-doi/co-quan/{agency.slug}.atom",
    ]


def test_an_approved_report_enters_its_feeds_and_leaves_them_when_unpublished(
    client, reporter, reviewer, bac_ninh, practice, django_capture_on_commit_callbacks
):
    client.force_login(reporter)
    client.post(reverse(f"{ADMIN}:add"), form_data(practice, bac_ninh, **{"action-submit": "1"}))
    client.logout()
    report = Adoption.objects.get(practice=practice, agency=bac_ninh)
    instrument = "Quyết định số 12/QĐ-UBND"
    for url in feeds_of(practice, bac_ninh):
        assert not any(instrument in e["summary"] for e in entries(client, url)), url

    task_state = report.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, reviewer, "approve", comment="Đã kiểm tra")
    for url in feeds_of(practice, bac_ninh):
        found = [e for e in entries(client, url) if instrument in e["summary"]]
        assert len(found) == 1, url
        assert found[0]["link"].endswith(f"#ap-dung-{report.pk}")
        assert practice.title in found[0]["title"]

    Adoption.objects.get(pk=report.pk).unpublish()
    for url in feeds_of(practice, bac_ninh):
        assert not any(instrument in e["summary"] for e in entries(client, url)), url


def test_a_units_feed_holds_the_records_of_the_units_that_became_it(client, seeded):
    bac_giang = Agency.objects.get(code="24", valid_to__isnull=False)  # ended 30/06/2025
    successor = Agency.objects.resolve("24")
    old = Adoption.objects.public().filter(agency=bac_giang)
    assert old.exists()
    links = {e["link"] for e in entries(client, f"/theo-doi/co-quan/{successor.slug}.atom")}
    assert {f"http://testserver{a.get_absolute_url()}" for a in old} <= links


def test_a_feed_of_nothing_public_is_404(client, seeded):
    assert client.get("/theo-doi/giai-phap/khong-co.atom").status_code == 404
    draft = PracticePage.objects.live().first()
    draft.unpublish()
    assert client.get(f"/theo-doi/giai-phap/{draft.slug}.atom").status_code == 404


def test_knowledge_pages_have_their_feed(client, seeded):
    from kb.models import KnowledgePage

    pages = KnowledgePage.objects.live()
    assert pages.exists()
    titles = {e["title"] for e in entries(client, "/theo-doi/kien-thuc.atom")}
    assert {p.title for p in pages[:5]} <= titles


def test_pages_announce_their_feeds_and_show_a_follow_link(client, seeded):
    fees = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    unit = Agency.objects.resolve("24")
    for url, feed in [
        ("/", "/theo-doi/ket-qua.atom"),
        ("/", "/theo-doi/kien-thuc.atom"),
        (fees.url, f"/theo-doi/giai-phap/{fees.slug}.atom"),
        (fees.url, f"/theo-doi/nhom/{fees.category.code}.atom"),
        (unit.get_absolute_url(), f"/theo-doi/co-quan/{unit.slug}.atom"),
    ]:
        page = client.get(url).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in page, url
        assert f'href="{feed}"' in page, (url, feed)
        assert "Theo dõi" in page, url
