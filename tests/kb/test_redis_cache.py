"""Rate-limit counters on production's path: the `default` cache that kb.settings.production
builds from REDIS_URL (Django's RedisCache), which every process of the site shares.

tests/kb/test_rate_limits.py checks the limits themselves, in this process's memory. Here the
cache is configured exactly as production configures it (read from a process that loads those
settings) against the real Redis of REDIS_URL, and the count must be one for every client and
every process. Each test's keys get a prefix of its own (put before the cache's KEY_PREFIX:
the one change to production's config), deleted afterwards; the cache is never cleared, since
RedisCache.clear() empties the whole Redis database.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from unittest import mock

from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import Client, override_settings

import pytest
import redis

from tests.conftest import require_service
from tests.production import run_production

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

NOW = 1_800_000_000.0  # django-ratelimit's clock, frozen in both processes: one window
ADDRESS = "203.0.113.5"
SEARCH = ("/api/v1/search/", {"q": "phí"})
LIMIT = "3/m"

# Run by another interpreter under kb.settings.production (tests.production.run_production):
# one request to the search API, refused or not, from the same address in the same window.
OTHER_PROCESS = """import json, os
from unittest import mock
os.environ["DJANGO_SETTINGS_MODULE"] = "kb.settings.production"
import django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
prefix = os.environ["TEST_CACHE_PREFIX"] + settings.CACHES["default"].get("KEY_PREFIX", "")
default = {**settings.CACHES["default"], "KEY_PREFIX": prefix}
with (
    override_settings(CACHES={**settings.CACHES, "default": default}),
    mock.patch("django_ratelimit.core.time") as clock,
):
    clock.time.return_value = float(os.environ["TEST_RATELIMIT_NOW"])
    response = Client().get(
        *json.loads(os.environ["TEST_RATELIMIT_REQUEST"]),
        REMOTE_ADDR=os.environ["TEST_RATELIMIT_ADDRESS"], HTTP_HOST="example.org", secure=True,
    )
print(json.dumps({"status": response.status_code, "retry_after": response.get("Retry-After")}))
"""


def production_cache(redis_url):
    """The `default` cache as kb.settings.production builds it from this REDIS_URL."""
    done = run_production(
        "import json; print(json.dumps(s.CACHES['default']))", REDIS_URL=redis_url
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


class Keys:
    """What this test put into Redis (the cache writes more than counters, e.g. Wagtail's
    site root paths)."""

    def __init__(self, url, prefix):
        self.redis = redis.Redis.from_url(url)
        self.prefix = prefix

    def all(self):
        return list(self.redis.scan_iter(match=f"{self.prefix}*"))

    def counts(self):
        """The rate-limit counters (django-ratelimit's keys start with "rl:")."""
        keys = self.redis.scan_iter(match=f"{self.prefix}*:rl:*")
        return [int(self.redis.get(key)) for key in keys]

    def delete(self):
        if keys := self.all():
            self.redis.delete(*keys)


def use_cache(config, prefix):
    """`config` as the default cache, with this test's prefix before every key (and before
    the config's own prefix, if it has one)."""
    default = {**config, "KEY_PREFIX": prefix + config.get("KEY_PREFIX", "")}
    return override_settings(CACHES={**django_settings.CACHES, "default": default})


@pytest.fixture
def clock():
    with mock.patch("django_ratelimit.core.time") as fake:
        fake.time.return_value = NOW
        yield fake


@pytest.fixture
def prefix():
    return f"dvctt-test-{uuid.uuid4().hex}"


@pytest.fixture
def keys(redis_url, prefix, clock, seeded, settings):
    """The production cache at REDIS_URL as `default`, under this test's prefix, and
    RATELIMIT_SEARCH at LIMIT."""
    settings.RATELIMIT_SEARCH = LIMIT
    found = Keys(redis_url, prefix)
    with use_cache(production_cache(redis_url), prefix):
        try:
            yield found
        finally:
            found.delete()
    assert found.all() == []


def search(client):
    return client.get(*SEARCH, REMOTE_ADDR=ADDRESS)


def test_the_suite_keeps_its_own_cache_in_memory_whatever_redis_url_says(redis_url):
    """Tests that clear the cache (test_rate_limits.py) must never empty a Redis."""
    assert os.environ["REDIS_URL"] == redis_url
    assert django_settings.CACHES["default"]["BACKEND"].endswith(".LocMemCache")
    assert type(caches["default"]).__name__ == "LocMemCache"


def test_production_counts_in_redis(redis_url):
    config = production_cache(redis_url)
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert config["LOCATION"] == redis_url


def test_every_client_adds_to_one_count_in_redis(keys):
    first, second = Client(), Client()
    assert search(first).status_code == 200
    assert search(second).status_code == 200
    assert search(first).status_code == 200
    assert keys.counts() == [3]
    assert search(second).status_code == 429
    assert keys.counts() == [4]


def test_another_process_shares_the_count(keys, redis_url, prefix):
    for _ in range(3):
        assert search(Client()).status_code == 200
    other = run_production(
        OTHER_PROCESS,
        REDIS_URL=redis_url,
        RATELIMIT_SEARCH=LIMIT,
        TEST_CACHE_PREFIX=prefix,
        TEST_RATELIMIT_NOW=str(NOW),
        TEST_RATELIMIT_ADDRESS=ADDRESS,
        TEST_RATELIMIT_REQUEST=json.dumps(SEARCH),
    )
    assert other.returncode == 0, other.stderr
    refused = json.loads(other.stdout)
    assert refused["status"] == 429
    assert 1 <= int(refused["retry_after"]) <= 60
    # The other process's request was counted where this one counts too.
    assert keys.counts() == [4]
    assert search(Client()).status_code == 429


# --- When Redis goes away --------------------------------------------------------------------


class SpareRedis:
    """A Redis server of this test's own, so that it can be stopped under a running site."""

    def __init__(self, binary, folder):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(  # noqa: S603 - Debian's redis-server, fixed arguments
            [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
            + ["--appendonly", "no", "--dir", str(folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(50):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"redis-server did not answer on port {self.port}")

    def stop(self):
        self.process.send_signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
        self.process.terminate()
        self.process.wait(timeout=10)

    def pause(self):
        """The server keeps its connections open but answers nothing, as a hung one does."""
        self.process.send_signal(signal.SIGSTOP)


@pytest.fixture
def spare_redis(redis_url, tmp_path):
    binary = shutil.which("redis-server")
    require_service(bool(binary), "redis-server (scripts/services/redis.sh installs it)")
    server = SpareRedis(binary, tmp_path)
    yield server
    server.stop()


def test_requests_are_served_when_redis_goes_away(
    spare_redis, redis_url, prefix, clock, seeded, settings, caplog
):
    settings.RATELIMIT_SEARCH = "1/m"
    config = {**production_cache(redis_url), "LOCATION": spare_redis.url}
    with use_cache(config, prefix):
        client = Client()
        assert search(client).status_code == 200
        assert search(client).status_code == 429  # counted in that Redis
        spare_redis.stop()
        for _ in range(2):
            assert search(client).status_code == 200
    assert "Rate limit counters unavailable" in caplog.text


def test_a_redis_that_hangs_does_not_hold_the_request(
    spare_redis, redis_url, prefix, clock, seeded, settings, caplog
):
    """Without a socket timeout redis-py waits for an answer for as long as the server is
    stuck; the production cache gives up within a second and serves the request."""
    settings.RATELIMIT_SEARCH = "5/m"
    config = {**production_cache(redis_url), "LOCATION": spare_redis.url}
    with use_cache(config, prefix):
        client = Client()
        assert search(client).status_code == 200
        spare_redis.pause()
        started = time.monotonic()
        assert search(client).status_code == 200
        assert time.monotonic() - started < 5
    assert "Rate limit counters unavailable" in caplog.text
