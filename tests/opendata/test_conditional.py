"""Conditional requests on the open-data API: an unchanged answer is a 304 for the ETag or
the Last-Modified the client holds, and any change to what is public makes it a 200 again;
lists say where their other pages are in a Link header."""

import datetime
import re

from django.utils import timezone
from django.utils.http import http_date, parse_http_date

import pytest

from practices.models import PracticePage

pytestmark = pytest.mark.django_db

PRACTICES = "/api/v1/practices/"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def committed():
        return django_capture_on_commit_callbacks(execute=True)

    return committed


def test_an_unchanged_answer_is_304_for_its_etag_and_200_after_a_change(client, seeded, commit):
    first = client.get(PRACTICES)
    etag = first["ETag"]
    again = client.get(PRACTICES, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag

    practice = PracticePage.objects.live().first()
    with commit():
        practice.title = "Một tên mới cho giải pháp"
        practice.save_revision().publish()
    changed = client.get(PRACTICES, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "Một tên mới cho giải pháp" in changed.content.decode()


def test_last_modified_is_when_the_public_data_changed_and_answers_304(client, seeded, commit):
    from search.models import SearchDocument

    # HTTP dates count whole seconds: the data last changed two seconds ago.
    SearchDocument.objects.update(updated_at=timezone.now() - datetime.timedelta(seconds=2))
    first = client.get("/api/v1/adoptions/")
    modified = parse_http_date(first["Last-Modified"])
    assert modified <= timezone.now().timestamp() + 1
    again = client.get("/api/v1/adoptions/", headers={"If-Modified-Since": first["Last-Modified"]})
    assert again.status_code == 304

    practice = PracticePage.objects.live().first()
    with commit():
        practice.unpublish()  # withdrawn: the public data changed
    later = client.get("/api/v1/adoptions/", headers={"If-Modified-Since": first["Last-Modified"]})
    assert later.status_code == 200
    assert parse_http_date(later["Last-Modified"]) >= modified


def test_last_modified_is_never_before_today(client, seeded):
    from search.models import SearchDocument

    SearchDocument.objects.update(updated_at=timezone.now() - datetime.timedelta(days=30))
    response = client.get("/api/v1/agencies/")
    midnight = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time.min)
    )
    assert response["Last-Modified"] == http_date(midnight.timestamp())


def test_the_schema_has_an_etag_but_no_data_date(client):
    response = client.get("/api/v1/schema/")
    assert response.has_header("ETag") and not response.has_header("Last-Modified")


def test_a_list_names_its_first_previous_next_and_last_pages_in_link(client, seeded):
    body = client.get(PRACTICES, {"page_size": 2, "page": 2}).json()
    response = client.get(PRACTICES, {"page_size": 2, "page": 2})
    links = dict((rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response["Link"]))
    assert links["next"] == body["next"] and links["prev"] == body["previous"]
    last = -(-body["count"] // 2)
    assert f"page={last}" in links["last"]
    assert "page=" not in links["first"]
    assert client.get(links["last"]).json()["next"] is None


def test_a_feed_answers_304_while_nothing_new_is_public(client, seeded):
    first = client.get("/theo-doi/ket-qua.atom")
    assert first.has_header("Last-Modified") and first.has_header("ETag")
    again = client.get("/theo-doi/ket-qua.atom", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_an_empty_feed_is_the_same_bytes_from_one_request_to_the_next(client, seeded):
    from tests import factories

    lonely = factories.practice(title="Giải pháp chưa có nơi áp dụng")
    url = f"/theo-doi/giai-phap/{lonely.slug}.atom"
    first = client.get(url)
    assert b"<entry>" not in first.content
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
