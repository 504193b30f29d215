"""`make serve`: the production settings behind gunicorn, on a fresh database, answer the
pages, the static files of the manifest, and a load balancer's probes; Ctrl-C stops it all."""

import json
import os
import re
import signal
import subprocess
import time
import urllib.request

import pytest

from tests.kb.test_setup_steps import REPO, free_port, make_command, process_group_ended

pytestmark = [pytest.mark.makefile, pytest.mark.redis]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our server
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_make_serve_answers_as_production(tmp_path, redis_url):
    port = free_port()
    command, env = make_command("serve", tmp_path, port, SERVE_PORT=port)
    env |= {"REDIS_URL": redis_url, "ELASTICSEARCH_URL": ""}  # search in the database
    server = subprocess.Popen(  # noqa: S603 - make and our own Makefile
        command,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                if get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(2)
        status, _, body = get(f"{base}/readyz")
        assert status == 200, body
        assert json.loads(body)["status"] == "ready"

        status, headers, page = get(f"{base}/")
        assert status == 200
        assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
        assert headers["Server"].startswith("gunicorn")
        stylesheet = re.search(rb"/static/css/site\.[0-9a-f]{12}\.css", page)
        assert stylesheet, "the manifest's hashed names (collectstatic ran)"
        assert get(base + stylesheet.group().decode())[0] == 200
        assert get(f"{base}/tai-ve/giai-phap.csv")[0] == 200
    finally:
        os.killpg(server.pid, signal.SIGINT)
        output = server.communicate(timeout=60)[0]
    assert process_group_ended(server.pid), "Ctrl-C left a process of `make serve` running"
    access = [json.loads(line) for line in output.splitlines() if '"ops.requests"' in line]
    assert {"path": "/", "status": 200} in [
        {"path": a["path"], "status": a["status"]} for a in access
    ]
    assert all(a["request_id"] for a in access)
