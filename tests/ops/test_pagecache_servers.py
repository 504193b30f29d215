"""Two app servers (gunicorn, production settings) on one database and one Redis: an answer
either of them cached is served by both, and a change published on a third machine is what
both serve at the next request, with no wait. Requests carry the one public host name, as
from the reverse proxy in front of them."""

import os
import signal
import subprocess
import sys
import time
import urllib.request

from django.conf import settings

import pytest
import redis

from tests.kb.test_setup_steps import free_port
from tests.ops.test_sessions_shared import SECRET_KEY, database_url
from tests.production import production_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SLUG = "tro-ly-ao-huong-dan-dvctt"
HOST = "dichvucong.example.gov.vn"
PUBLISH = f"""
import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'kb.settings.production'
import django; django.setup()
from practices.models import PracticePage
page = PracticePage.objects.get(slug="{SLUG}")
page.title = "{{title}}"
page.save_revision().publish()
"""


def server_env(redis_url, static_root):
    return production_env(
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS=HOST,
        STATIC_ROOT=str(static_root),
        ELASTICSEARCH_URL="",  # search in the database: this test is about the cache
        SECURE_SSL_REDIRECT="false",
        DJANGO_SETTINGS_MODULE="kb.settings.production",
        PAGE_CACHE_SECONDS="300",
        ACCESS_LOG="false",
    )


@pytest.fixture
def servers(seeded, transactional_db, redis_url, tmp_path):
    env = server_env(redis_url, tmp_path / "static")
    # Answers cached by an earlier run, from another database, must not be served.
    redis.Redis.from_url(redis_url).delete(":1:pagecache:generation")
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    started = []
    for _ in range(2):
        port = free_port()
        process = subprocess.Popen(  # noqa: S603 - gunicorn of this virtualenv
            [
                os.path.join(os.path.dirname(sys.executable), "gunicorn"),
                "-c",
                "ops/gunicorn.conf.py",
                "kb.wsgi",
            ],
            cwd=settings.BASE_DIR,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        started.append((process, f"http://127.0.0.1:{port}"))
    try:
        for process, base in started:
            wait_until_up(process, base)
        yield env, [base for _, base in started]
    finally:
        for process, _ in started:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


def wait_until_up(process, base):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()[-3000:]
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):  # noqa: S310
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{base} did not start")


def get(url):
    request = urllib.request.Request(url, headers={"Host": HOST})  # noqa: S310 - our servers
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our servers
        return response.headers.get("X-Page-Cache"), response.read().decode()


def publish_title(env, title):
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", PUBLISH.format(title=title)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_a_change_published_anywhere_is_served_by_every_app_server_at_once(servers):
    env, (first, second) = servers
    for path in (f"/sang-kien/{SLUG}/", f"/api/v1/practices/{SLUG}/"):
        state, answer = get(first + path)
        assert state == "miss"
        for base in (first, second, first, second):
            assert get(base + path) == ("hit", answer), "one cache for both servers"

    publish_title(env, "Trợ lý ảo cho người nộp hồ sơ")
    for path in (f"/sang-kien/{SLUG}/", f"/api/v1/practices/{SLUG}/"):
        state, answer = get(second + path)
        assert state == "miss"
        assert "Trợ lý ảo cho người nộp hồ sơ" in answer
        assert get(first + path) == ("hit", answer)
