"""Searches in the cache of anonymous answers (ops/pagecache.py), on the real node: an answer
asked again is served from the cache, a push that changed the index makes it stale once the
index shows the rows, and what the database answered because the node failed is not stored."""

from django.core.cache import cache
from django.test import override_settings

import pytest

from search import sync
from tests.search.test_commands import DOWN, live_adoption

pytestmark = pytest.mark.elasticsearch
HEADER = "X-Page-Cache"
WORD = "thuyenbuommuon"
URLS = [f"/api/v1/search/?q={WORD}", f"/tim-kiem/?q={WORD}"]


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def total(client, url):
    answer = client.get(url)
    if url.startswith("/api/"):
        return answer[HEADER], answer.json()["total"]
    return answer[HEADER], answer.content.decode().count('<li class="result">')


def test_a_cached_search_changes_once_the_push_reaches_the_index(
    client, search_index, django_capture_on_commit_callbacks
):
    for url in URLS:
        assert total(client, url) == ("miss", 0)
        assert total(client, url) == ("hit", 0)

    # Written while the node is away: the change moves the generation, the push fails.
    adoption = live_adoption()
    with (
        override_settings(ELASTICSEARCH_URL=DOWN),
        django_capture_on_commit_callbacks(execute=True),
    ):
        adoption.notes = f"Ghi chú có từ {WORD}, đẩy lên chỉ mục sau."
        adoption.save()
    # Asked again: answered anew, from the index that does not have the row yet, and stored.
    for url in URLS:
        assert total(client, url) == ("miss", 0)
        assert total(client, url) == ("hit", 0)

    with django_capture_on_commit_callbacks(execute=True):
        assert sync.push_pending() == 1  # what the worker's retry does
    for url in URLS:
        assert total(client, url) == ("miss", 1), url
        assert total(client, url) == ("hit", 1), url


def test_a_search_the_database_answered_is_not_stored(client, search_index):
    with override_settings(ELASTICSEARCH_URL=DOWN):
        for url in URLS:
            for _ in range(2):
                answer = client.get(url.replace(WORD, "tro+ly+ao"))
                assert answer.status_code == 200
                assert answer.get(HEADER) != "hit", url
                assert "no-store" in answer["Cache-Control"]
    # The node back: its answers are stored again.
    url = "/api/v1/search/?q=tro+ly+ao"
    assert client.get(url)[HEADER] == "miss"
    answer = client.get(url)
    assert answer[HEADER] == "hit" and answer.json()["engine"] == "elasticsearch"
