"""Sessions on production's path (kb.settings.production: `cached_db` on the Redis of
REDIS_URL): a session one app process writes, another reads, from Redis first and from the
database when Redis has lost it."""

import secrets
import uuid

from django.conf import settings

import pytest
import redis

from tests.production import run_production

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

WRITE = """
import django; django.setup()
from django.contrib.sessions.backends.cached_db import SessionStore
store = SessionStore(); store["marker"] = "{marker}"; store.save(); print(store.session_key)
"""
READ = """
import django; django.setup()
from django.contrib.sessions.backends.cached_db import SessionStore
print(SessionStore("{key}").get("marker", "(none)"))
"""


def database_url():
    db = settings.DATABASES["default"]
    return f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


SECRET_KEY = secrets.token_urlsafe(64)  # the one every app server shares (it signs sessions)


def in_production(code, redis_url):
    done = run_production(
        f"import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'kb.settings.production'\n{code}",
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
        SECRET_KEY=SECRET_KEY,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_a_session_written_by_one_process_is_read_by_another(postgres, transactional_db, redis_url):
    marker = uuid.uuid4().hex
    key = in_production(WRITE.format(marker=marker), redis_url)
    assert in_production(READ.format(key=key), redis_url) == marker

    # In Redis (production's cache), and in the database: Redis lost, the session stays.
    server = redis.Redis.from_url(redis_url)
    cached = [k for k in server.scan_iter(match=f"*{key}*")]
    assert cached, "the session is in the shared cache"
    server.delete(*cached)
    assert in_production(READ.format(key=key), redis_url) == marker
