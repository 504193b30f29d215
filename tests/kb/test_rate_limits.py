"""Rate limits on the public doors (kb/ratelimits.py): the search page, the search API,
suggestions and the open-data API. Each client address gets the number of requests per
window that settings give; the next one is a 429 with Retry-After and a Vietnamese message.

The clock django-ratelimit reads is frozen, so that no test straddles the end of a window.
"""

import json
from unittest import mock

from django.core.cache import cache
from django.test import RequestFactory

import pytest

from kb.ratelimits import client_ip

pytestmark = pytest.mark.django_db

# (path, parameters, setting of its limit, the kind of answer)
DOORS = [
    ("/tim-kiem/", {"q": "giảm phí"}, "RATELIMIT_SEARCH", "html"),
    ("/api/v1/search/", {"q": "giảm phí"}, "RATELIMIT_SEARCH", "json"),
    ("/api/v1/search/suggest/", {"q": "bac"}, "RATELIMIT_SUGGEST", "json"),
    ("/api/v1/practices/", {}, "RATELIMIT_API", "json"),
    ("/api/v1/agencies/", {"kind": "province"}, "RATELIMIT_API", "json"),
    ("/api/v1/agencies/ha-noi/", {}, "RATELIMIT_API", "json"),
    ("/api/v1/adoptions/", {"status": "adopted"}, "RATELIMIT_API", "json"),
]
IDS = [door[0] for door in DOORS]
MESSAGE = "Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau"


class Clock:
    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now


@pytest.fixture
def clock():
    """The time django-ratelimit sees; tests move it forward by hand."""
    fake = Clock(1_800_000_000.0)
    with mock.patch("django_ratelimit.core.time", fake):
        yield fake


@pytest.fixture(autouse=True)
def empty_counters(clock, seeded):
    cache.clear()
    yield
    cache.clear()


def limited(settings, name, rate="3/m"):
    setattr(settings, name, rate)


def get(client, path, params, address="127.0.0.1", **headers):
    return client.get(path, params, REMOTE_ADDR=address, **headers)


def assert_refused(response, kind, period=60):
    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    assert 1 <= seconds <= period
    if kind == "json":
        assert response["Content-Type"].startswith("application/json")
        data = response.json()
        assert data == {"error": f"{MESSAGE} {seconds} giây.", "retry_after": seconds}
    else:
        assert response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert f"{MESSAGE} {seconds} giây." in page
        assert 'name="q" value="giảm phí"' in page  # the box keeps the query
    return seconds


@pytest.mark.parametrize(("path", "params", "setting", "kind"), DOORS, ids=IDS)
def test_the_request_over_the_limit_gets_429_with_retry_after(
    client, settings, path, params, setting, kind
):
    limited(settings, setting)
    for _ in range(3):
        assert get(client, path, params).status_code == 200
    assert_refused(get(client, path, params), kind)


@pytest.mark.parametrize(("path", "params", "setting", "kind"), DOORS, ids=IDS)
def test_another_address_is_not_limited(client, settings, path, params, setting, kind):
    limited(settings, setting, "1/m")
    assert get(client, path, params).status_code == 200
    assert get(client, path, params).status_code == 429
    assert get(client, path, params, address="198.51.100.7").status_code == 200
    assert get(client, path, params, address="2001:db8:1::1").status_code == 200


@pytest.mark.parametrize(("path", "params", "setting", "kind"), DOORS, ids=IDS)
def test_after_retry_after_the_door_opens_again(
    client, clock, settings, path, params, setting, kind
):
    limited(settings, setting, "1/m")
    assert get(client, path, params).status_code == 200
    seconds = assert_refused(get(client, path, params), kind)
    clock.now += seconds - 1
    assert get(client, path, params).status_code == 429
    clock.now += 1
    assert get(client, path, params).status_code == 200


@pytest.mark.parametrize(("rate", "allowed", "period"), [("5/m", 5, 60), ("2/h", 2, 3600)])
def test_limits_come_from_settings(client, settings, rate, allowed, period):
    settings.RATELIMIT_SEARCH = rate
    for _ in range(allowed):
        assert get(client, "/api/v1/search/", {"q": "phí"}).status_code == 200
    assert_refused(get(client, "/api/v1/search/", {"q": "phí"}), "json", period)


def test_an_empty_setting_turns_a_limit_off(client, settings):
    settings.RATELIMIT_SUGGEST = ""
    for _ in range(20):
        assert get(client, "/api/v1/search/suggest/", {"q": "bac"}).status_code == 200


def test_the_search_page_and_the_search_api_share_one_count(client, settings):
    limited(settings, "RATELIMIT_SEARCH")
    assert get(client, "/tim-kiem/", {"q": "phí"}).status_code == 200
    assert get(client, "/api/v1/search/", {"q": "phí"}).status_code == 200
    assert get(client, "/tim-kiem/", {"q": "hồ sơ"}).status_code == 200
    assert get(client, "/api/v1/search/", {"q": "phí"}).status_code == 429
    # Suggestions and the open-data API count apart.
    assert get(client, "/api/v1/search/suggest/", {"q": "bac"}).status_code == 200
    assert get(client, "/api/v1/practices/", {}).status_code == 200


def test_the_open_data_endpoints_share_one_count(client, settings):
    limited(settings, "RATELIMIT_API")
    for path in ("/api/v1/practices/", "/api/v1/agencies/", "/api/v1/adoptions/"):
        assert get(client, path, {}).status_code == 200
    assert get(client, "/api/v1/practices/", {}).status_code == 429


# --- Whose address ---------------------------------------------------------------------------


def test_a_forged_forwarded_for_does_not_escape_the_limit(client, settings):
    limited(settings, "RATELIMIT_SEARCH", "2/m")
    for i in range(2):
        forged = {"HTTP_X_FORWARDED_FOR": f"203.0.113.{i}"}
        assert get(client, "/api/v1/search/", {"q": "phí"}, **forged).status_code == 200
    forged = {"HTTP_X_FORWARDED_FOR": "203.0.113.99"}
    assert get(client, "/api/v1/search/", {"q": "phí"}, **forged).status_code == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_count(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    limited(settings, "RATELIMIT_SEARCH", "2/m")

    def via_proxy(forwarded):
        return get(
            client,
            "/api/v1/search/",
            {"q": "phí"},
            address="10.0.0.5",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    # What the client wrote itself (left of the address the proxy saw) changes nothing.
    assert via_proxy("1.1.1.1, 203.0.113.7").status_code == 200
    assert via_proxy("2.2.2.2, 203.0.113.7").status_code == 200
    assert via_proxy("203.0.113.7").status_code == 429
    assert via_proxy("203.0.113.8").status_code == 200


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.7", "", [], "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", [], "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", ["10.0.0.0/8"], "203.0.113.7"),
        ("10.0.0.5", "198.51.100.1", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.5", "9.9.9.9, 198.51.100.1, 10.0.0.9", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.5", "", ["10.0.0.0/8"], "10.0.0.5"),
        ("10.0.0.5", "not-an-address", ["10.0.0.0/8"], "10.0.0.5"),
        ("::1", "2001:db8::7", ["::1"], "2001:db8::7"),
        ("", "198.51.100.1", [], "198.51.100.1"),  # a Unix socket: the proxy is local
        ("", "", [], "127.0.0.1"),
    ],
)
def test_client_ip(settings, remote, forwarded, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# --- When the counters are away ----------------------------------------------------------


def test_the_doors_stay_open_when_the_counter_cache_is_down(client, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
        }
    }
    limited(settings, "RATELIMIT_SEARCH", "1/m")
    for _ in range(2):
        response = get(client, "/api/v1/search/", {"q": "phí"})
        assert response.status_code == 200, json.loads(response.content)
    assert "Rate limit counters unavailable" in caplog.text
