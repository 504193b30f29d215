"""The cache of anonymous answers (ops/pagecache.py): what it serves, to whom, and that a
published change, an approved report or a withdrawn one makes every cached answer stale."""

from django.core.cache import cache
from django.http import HttpResponse

import pytest

from ops import pagecache
from practices.models import Adoption, Agency, PracticePage
from tests.reporting.test_review import act, reporter, reviewer, submit  # noqa: F401, F811

HEADER = "X-Page-Cache"


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def practice(seeded):
    return PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")


def test_an_anonymous_answer_is_served_from_the_cache_until_its_page_changes(
    client, practice, django_capture_on_commit_callbacks
):
    first = client.get(practice.url)
    assert first[HEADER] == "miss"
    again = client.get(practice.url)
    assert again[HEADER] == "hit"
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]

    with django_capture_on_commit_callbacks(execute=True):
        practice.title = "Trợ lý ảo hướng dẫn nộp hồ sơ (đã sửa)"
        practice.save_revision().publish()
    changed = client.get(practice.url)
    assert changed[HEADER] == "miss"
    assert "đã sửa" in changed.content.decode()


def test_an_api_answer_is_cached_and_a_published_change_reaches_it(
    client, practice, django_capture_on_commit_callbacks
):
    url = f"/api/v1/practices/{practice.slug}/"
    assert client.get(url)[HEADER] == "miss"
    assert client.get(url)[HEADER] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        practice.title = "Trợ lý ảo (tên mới)"
        practice.save_revision().publish()
    answer = client.get(url)
    assert answer[HEADER] == "miss"
    assert answer.json()["title"] == "Trợ lý ảo (tên mới)"


def test_a_draft_leaves_the_cache_warm_and_approving_or_withdrawing_a_report_does_not(
    client,
    practice,
    reporter,  # noqa: F811 - the fixtures imported above
    reviewer,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client.get(practice.url)
    with django_capture_on_commit_callbacks(execute=True):
        report = submit(client, reporter, practice, "24")
    assert client.get(practice.url)[HEADER] == "hit", "a report awaiting review is not public"

    agency = Agency.objects.resolve("24")
    assert agency.name not in client.get(practice.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        act(client, reviewer, report, "approve", evidence_checked="on")
    approved = client.get(practice.url)
    assert approved[HEADER] == "miss"
    assert agency.name in approved.content.decode()

    client.get(practice.url)
    with django_capture_on_commit_callbacks(execute=True):
        Adoption.objects.get(pk=report.pk).unpublish()
    withdrawn = client.get(practice.url)
    assert withdrawn[HEADER] == "miss"
    assert agency.name not in withdrawn.content.decode()


def test_a_signed_in_user_neither_reads_nor_fills_the_cache(client, practice, reviewer):  # noqa: F811
    client.force_login(reviewer)
    signed_in = client.get(practice.url)
    assert signed_in.status_code == 200
    assert HEADER not in signed_in
    client.logout()
    assert client.get(practice.url)[HEADER] == "miss"

    client.force_login(reviewer)
    assert HEADER not in client.get(practice.url), "the anonymous copy is not served"


@pytest.mark.parametrize("path", ["/khong-co-trang-nay/", "/admin/"])
def test_errors_and_the_admin_are_not_cached(client, seeded, path):
    client.get(path)
    assert HEADER not in client.get(path)


def test_an_answer_that_sets_a_cookie_is_not_stored(rf, seeded):
    """A page with a form carries a CSRF token and sets its cookie: stored, it would hand one
    visitor's token to all."""
    calls = []

    def view(request):
        calls.append(request)
        response = HttpResponse("<form>…</form>")
        response.set_cookie("csrftoken", "abc")
        return response

    middleware = pagecache.PageCacheMiddleware(view)
    for _ in range(2):
        assert HEADER not in middleware(rf.get("/trang-co-bieu-mau/"))
    assert len(calls) == 2


def test_a_lost_generation_does_not_bring_back_older_answers(client, practice):
    client.get(practice.url)
    assert client.get(practice.url)[HEADER] == "hit"
    cache.delete(pagecache.GENERATION_KEY)  # Redis evicted it, or restarted empty
    assert client.get(practice.url)[HEADER] == "miss"


def test_a_cache_that_is_down_serves_the_answer_uncached(rf, settings):
    settings.CACHES = {
        **settings.CACHES,
        "down": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
            "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
        },
    }
    settings.PAGE_CACHE_ALIAS = "down"
    middleware = pagecache.PageCacheMiddleware(lambda request: HttpResponse("Trang chủ"))
    answer = middleware(rf.get("/"))
    assert answer.status_code == 200
    assert answer.content.decode() == "Trang chủ"
    assert HEADER not in answer
    pagecache._bump()  # a change saved meanwhile raises nothing either
