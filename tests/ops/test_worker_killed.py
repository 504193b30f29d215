"""A worker killed in the middle of an import (SIGKILL: the machine lost, the OOM killer)
leaves the database as it was before the import started, and the job's page, instead of a
progress bar for ever, says the import was interrupted and nothing was saved
(imports/recovery.py). The worker is a separate process with the production settings, as
deployed; the import is 10,000 adoption rows, long enough to be killed half-way."""

import datetime
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

import pytest
from django_tasks_db.models import DBTaskResult

from benchmarks.imports import create_agencies, create_practices, make_rows, write_csv
from imports import progress, recovery, uploads
from imports.models import ImportJob
from imports.tasks import run_import
from practices.models import Adoption
from search.models import SearchDocument
from tests.ops.test_sessions_shared import SECRET_KEY, database_url
from tests.production import production_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
ROWS = 10_000


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {
        **settings.TASKS,
        "background": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": settings.TASK_QUEUES,
        },
    }


@pytest.fixture
def big_file(seeded, transactional_db, tmp_path):
    practices = create_practices(20)
    agencies = create_agencies(ROWS // 20)
    path = tmp_path / "ket-qua.csv"
    write_csv(path, make_rows(practices, agencies, seed=14))
    return path.read_bytes()


def start_worker(tmp_path, redis_url):
    env = production_env(
        DATABASE_URL=database_url(),
        REDIS_URL=redis_url,
        SECRET_KEY=SECRET_KEY,
        ELASTICSEARCH_URL="",
        DJANGO_SETTINGS_MODULE="kb.settings.production",
        IMPORT_UPLOAD_DIR=str(uploads.directory()),
        IMPORT_PROGRESS_DIR=settings.CACHES[progress.CACHE]["LOCATION"],
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
        LOG_LEVEL="ERROR",
    )
    return subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--backend",
            "background",
            "--queue-name",
            "*",
            "--no-reload",
            "--no-startup-delay",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def wait_for_rows(worker, job, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert worker.poll() is None, worker.stderr.read().decode()[-3000:]
        done, total = progress.read(job.pk) or (0, 0)
        if 0 < done < total:
            return done
        time.sleep(0.05)
    raise AssertionError("the import never started")


def test_a_worker_killed_mid_import_leaves_the_data_as_it_was(
    big_file, database_queue, client, tmp_path, redis_url, monkeypatch
):
    monkeypatch.setattr(recovery, "GRACE", datetime.timedelta(0))  # judge it at once
    editor = get_user_model().objects.create_superuser("quantri", "qt@example.org", "x")
    adoptions_before = Adoption.objects.count()
    rows_before = SearchDocument.objects.count()
    job = ImportJob.objects.create(
        user=editor,
        kind="adoptions",
        dry_run=False,
        file_name="ket-qua.csv",
        file_format="csv",
        upload=uploads.store(big_file),
    )
    run_import.enqueue(str(job.pk))

    worker = start_worker(tmp_path, redis_url)
    try:
        done = wait_for_rows(worker, job)
        # Alive: the page shows it running, however long it has run.
        client.force_login(editor)
        status_url = reverse("practices_import:status_json", args=[job.pk])
        assert client.get(status_url).json()["state"] == "running"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)

    assert 0 < done < ROWS
    assert Adoption.objects.count() == adoptions_before, "none of the rows it had written"
    assert SearchDocument.objects.count() == rows_before

    # The database ends the dead worker's transaction once it notices the connection gone
    # (at once when idle, after the statement under way when busy); the page polls meanwhile.
    deadline = time.monotonic() + 30
    while (state := client.get(status_url).json())["state"] == "running":
        assert time.monotonic() < deadline, "still shown running after the worker died"
        time.sleep(0.5)
    assert state["state"] == "failed" and state["finished"] is True
    page = client.get(reverse("practices_import:status", args=[job.pk])).content.decode()
    assert "bị gián đoạn" in page and "Không có thay đổi nào được lưu" in page
    task = DBTaskResult.objects.get(task_path=run_import.module_path)
    assert task.status == "FAILED", "the queue no longer lists it as running"
