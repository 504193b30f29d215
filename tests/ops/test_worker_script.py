"""scripts/worker.sh: the background worker started again after it fails, as systemd would,
and stopped for good by SIGTERM. The worker is a stand-in `python` (the script's BIN) that
records each start, so the test controls how it ends; the load test runs the real one through
a PostgreSQL restart (benchmarks/load.py)."""

import os
import signal
import subprocess
import time

from tests.kb.test_setup_steps import REPO

STAND_IN = """#!/usr/bin/env bash
# Each start: a line in starts.log with the arguments; then as the count file says.
echo "$*" >> "{folder}/starts.log"
n=$(wc -l < "{folder}/starts.log")
case "$(sed -n "${{n}}p" "{folder}/plan")" in
  fail) exit 1 ;;
  ok) exit 0 ;;
  wait) trap 'echo stopped >> "{folder}/stopped.log"; exit 0' TERM; while :; do sleep 0.1; done ;;
esac
"""


def worker(tmp_path, plan):
    (tmp_path / "plan").write_text("\n".join(plan) + "\n")
    python = tmp_path / "python"
    python.write_text(STAND_IN.format(folder=tmp_path))
    python.chmod(0o755)
    env = {**os.environ, "BIN": str(tmp_path), "WORKER_RESTART_SECONDS": "0.2"}
    return subprocess.Popen(  # noqa: S603 - our own script
        ["bash", "scripts/worker.sh"],  # noqa: S607
        cwd=REPO,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def starts(tmp_path):
    return (tmp_path / "starts.log").read_text().splitlines()


def test_a_failed_worker_is_started_again_until_it_ends_cleanly(tmp_path):
    process = worker(tmp_path, ["fail", "fail", "ok"])
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 0
    assert len(starts(tmp_path)) == 3
    assert starts(tmp_path)[0].split()[:4] == ["manage.py", "db_worker", "--backend", "background"]
    assert errors.count("starting again") == 2, errors


def test_sigterm_stops_the_worker_and_the_loop(tmp_path):
    process = worker(tmp_path, ["fail", "wait"])
    deadline = time.monotonic() + 20
    while not (tmp_path / "starts.log").exists() or len(starts(tmp_path)) < 2:
        assert time.monotonic() < deadline, "the worker was not started again"
        time.sleep(0.1)
    time.sleep(0.3)  # the stand-in has set its trap
    process.send_signal(signal.SIGTERM)  # the loop only, as systemd's stop would first
    process.communicate(timeout=20)
    assert process.returncode == 0
    assert (tmp_path / "stopped.log").read_text().split() == ["stopped"]
    time.sleep(0.5)
    assert len(starts(tmp_path)) == 2  # not started a third time
