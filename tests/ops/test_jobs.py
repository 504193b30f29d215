"""Exports and snapshots as background jobs (ops/jobs.py, ops/admin_views.py): queued by the
admin, not run in the request; their progress on the job's page; the export's file the one the
request used to make, for its owner only; a snapshot a package that validates and restores; a
job that fails, or whose worker is killed, leaves nothing behind and says so."""

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

import openpyxl
import pytest
from django_tasks_db.models import DBTaskResult

from opendata import snapshots
from ops import jobs
from ops.models import Job
from practices.admin_views import KINDS
from practices.models import Adoption, Agency, AgencyKind, PracticePage
from practices.resources import writers
from reporting.roles import EDITORS, REVIEWERS
from tests import factories
from tests.opendata.test_snapshots import report_of
from tests.practices.test_admin_import_tasks import DATABASE_TASKS, make_reporter, run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    settings.JOB_FILES_ROOT = tmp_path / "job-files"
    return settings.JOB_FILES_ROOT


@pytest.fixture
def snapshot_root(settings, tmp_path):
    settings.SNAPSHOTS_ROOT = tmp_path / "snapshots"
    return settings.SNAPSHOTS_ROOT


def _user(username, group=None, **fields):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "x", **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(seeded):
    return _user("bientap-nen", EDITORS)


@pytest.fixture
def other_editor(seeded):
    return _user("bientap-khac", EDITORS)


@pytest.fixture
def superuser(seeded):
    return _user("quantri-nen", is_superuser=True, is_staff=True)


def export(client, kind="adoptions", file_format="csv"):
    response = client.post(reverse("practices_import:export", args=[kind, file_format]))
    assert response.status_code == 302, response.content[:300]
    job = Job.objects.order_by("-created_at").first()
    assert response["Location"] == reverse("ops_jobs:detail", args=[job.pk])
    return job


def status(client, job):
    response = client.get(reverse("ops_jobs:status", args=[job.pk]))
    assert response.status_code == 200
    return response.json()


def leftovers(folder):
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def parsed(data, file_format):
    """The rows of an export file, header first, as text."""
    if file_format == "csv":
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    if file_format == "json":
        return json.loads(data)
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def made_in_the_request(kind, user, file_format):
    """The file as the export view made it before it was a job: the resource's whole dataset
    at once (`resource.export`), then the writer."""
    exported = KINDS[kind].exported(user)
    dataset = exported.resource.export(exported.records)
    return writers.to_bytes(file_format, list(dataset.headers), list(dataset))


def downloaded(client, job):
    response = client.get(reverse("ops_jobs:download", args=[job.pk]))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


# --- Exports --------------------------------------------------------------------------------


# Transactional: the worker closes and reopens its connection between jobs.
@pytest.mark.django_db(transaction=True)
def test_an_export_is_queued_then_written_by_the_database_worker(client, editor, settings):
    settings.TASKS = DATABASE_TASKS
    settings.JOB_EXPORT_BATCH = 10
    client.force_login(editor)

    job = export(client, "adoptions", "csv")
    # Queued in the database, not run in the request.
    assert job.state == "queued" and job.user == editor
    assert job.params == {"kind": "adoptions", "format": "csv"}
    assert DBTaskResult.objects.filter(task_path="ops.jobs.run_export", status="READY").count() == 1
    assert leftovers(django_settings.JOB_FILES_ROOT) == []
    assert status(client, job)["state"] == "queued"
    page = client.get(reverse("ops_jobs:detail", args=[job.pk])).content.decode()
    assert 'id="import-progress"' in page and "Đang chờ đến lượt xử lý" in page
    assert f'data-status-url="{reverse("ops_jobs:status", args=[job.pk])}"' in page
    assert '<script src="/static/js/import-progress.js" defer>' in page  # no inline script
    # A second click while it waits leads to the same job.
    assert export(client, "adoptions", "csv") == job

    run_worker()
    job.refresh_from_db()
    assert job.state == "done", job.message
    rows = Adoption.objects.count()
    assert (job.done, job.total, job.message) == (rows, rows, f"Đã xuất {rows} dòng.")
    assert status(client, job)["finished"] is True
    assert leftovers(django_settings.JOB_FILES_ROOT) == [f"{job.pk}.csv"]  # no partial name
    page = client.get(reverse("ops_jobs:detail", args=[job.pk])).content.decode()
    assert reverse("ops_jobs:download", args=[job.pk]) in page and f"{rows} dòng" in page
    response, data = downloaded(client, job)
    assert response["Content-Disposition"] == 'attachment; filename="ket-qua-ap-dung.csv"'
    assert data == made_in_the_request("adoptions", editor, "csv")


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_the_file_is_the_one_the_request_made(client, editor, settings, kind, file_format):
    settings.JOB_EXPORT_BATCH = 7  # batches that do not divide the rows
    client.force_login(editor)
    job = export(client, kind, file_format)  # the test settings run the job in the request
    job.refresh_from_db()
    assert job.state == "done", job.message
    response, data = downloaded(client, job)
    before = made_in_the_request(kind, editor, file_format)
    assert parsed(data, file_format) == parsed(before, file_format)
    if file_format != "xlsx":  # a workbook holds the time it was written
        assert data == before
    assert response["Content-Type"] == writers.CONTENT_TYPES[file_format]
    stem = KINDS[kind].file_stem
    assert response["Content-Disposition"] == f'attachment; filename="{stem}.{file_format}"'


def test_a_reporter_s_file_holds_their_agencies_and_no_formula(client, seeded):
    reporter = make_reporter("baocao-nen", "33")
    practice = PracticePage.objects.get(slug="giao-chi-tieu-dvctt")
    hung_yen = Agency.objects.resolve("33")
    Adoption.objects.filter(practice=practice, agency=hung_yen).delete()
    factories.adoption(practice, hung_yen, notes='=HYPERLINK("http://x")')
    client.force_login(reporter)
    job = export(client, "adoptions", "csv")
    _, data = downloaded(client, job)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows and {row["agency"] for row in rows} <= {"33", "34"}
    assert '\'=HYPERLINK("http://x")' in [row["notes"] for row in rows]


def test_only_the_user_who_asked_or_a_superuser_sees_and_downloads_it(
    client, editor, other_editor, superuser
):
    client.force_login(editor)
    job = export(client, "practices", "json")
    urls = [
        reverse(name, args=[job.pk])
        for name in ("ops_jobs:detail", "ops_jobs:status", "ops_jobs:download")
    ]
    reviewer = _user("thamdinh-nen", REVIEWERS)
    for user in (other_editor, reviewer):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, url
        listing = client.get(reverse("ops_jobs:list")).content.decode()
        assert str(job.pk) not in listing and 'id="jobs-empty"' in listing
        assert 'id="queues-panel"' not in listing
    client.force_login(superuser)
    for url in urls:
        assert client.get(url).status_code == 200, url
    listing = client.get(reverse("ops_jobs:list")).content.decode()
    assert reverse("ops_jobs:detail", args=[job.pk]) in listing and editor.username in listing
    client.logout()
    assert "/login/" in client.get(urls[2])["Location"]
    # The owner, once no longer allowed to export that kind, no longer gets the file.
    editor.groups.clear()
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.get(urls[2]).status_code == 403
    assert (
        client.post(reverse("practices_import:export", args=["practices", "csv"])).status_code
        == 403
    )


def test_an_export_is_asked_for_with_a_post(client, editor):
    client.force_login(editor)
    url = reverse("practices_import:export", args=["practices", "csv"])
    assert client.get(url).status_code == 405
    assert not Job.objects.exists()
    assert (
        client.post(reverse("practices_import:export", args=["practices", "exe"])).status_code
        == 404
    )
    page = client.get(reverse("practices_import:index")).content.decode()
    assert f'formaction="{url}"' in page  # the index's buttons post


@pytest.mark.django_db(transaction=True)
def test_the_worker_asks_again_whether_the_user_may_export(client, seeded, settings):
    settings.TASKS = DATABASE_TASKS
    editor = _user("bientap-mat-quyen", EDITORS)
    client.force_login(editor)
    job = export(client, "agencies", "csv")
    editor.groups.clear()  # between the click and the worker
    run_worker()
    job.refresh_from_db()
    assert (job.state, job.message) == ("failed", jobs.NOT_ALLOWED)
    assert leftovers(django_settings.JOB_FILES_ROOT) == []


def test_an_export_that_raises_midway_leaves_no_file(client, editor, settings, monkeypatch):
    from practices.resources.agencies import AgencyResource

    settings.JOB_EXPORT_BATCH = 5
    real, written = AgencyResource.export_resource, []

    def fails_at_row_20(self, *args, **kwargs):
        written.append(1)
        if len(written) == 20:
            raise RuntimeError("disk on fire")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(AgencyResource, "export_resource", fails_at_row_20)
    client.force_login(editor)
    job = export(client, "agencies", "xlsx")
    job.refresh_from_db()
    assert job.state == "failed" and job.done == 15  # three batches were reported
    assert job.message == jobs.CRASHED.format(job_id=job.pk)
    assert leftovers(django_settings.JOB_FILES_ROOT) == []  # not even the partial file
    page = client.get(reverse("ops_jobs:detail", args=[job.pk])).content.decode()
    assert 'id="job-failed"' in page and "không có tệp dở dang nào được giữ lại" in page
    assert client.get(reverse("ops_jobs:download", args=[job.pk])).status_code == 404


def test_the_page_shows_progress_while_it_runs_and_a_silent_job_as_interrupted(client, editor):
    client.force_login(editor)
    job = Job.objects.create(
        kind="export", params={"kind": "agencies", "format": "csv"}, user=editor
    )
    Job.objects.filter(pk=job.pk).update(state="running", progress_at=job.created_at)
    assert status(client, job)["text"] == "Đang đọc dữ liệu…"
    Job.objects.filter(pk=job.pk).update(done=1234, total=5000)
    data = status(client, job)
    assert (data["done"], data["total"], data["percent"]) == (1234, 5000, 24)
    assert data["text"] == "Đã xử lý 1.234/5.000 dòng" and data["finished"] is False
    page = client.get(reverse("ops_jobs:detail", args=[job.pk])).content.decode()
    assert 'value="24"' in page and 'id="job-stale"' not in page
    # No progress for JOB_STALE_SECONDS: its worker has probably stopped.
    silent = job.created_at - jobs.stale_after()
    Job.objects.filter(pk=job.pk).update(progress_at=silent)
    page = client.get(reverse("ops_jobs:detail", args=[job.pk])).content.decode()
    assert 'id="job-stale"' in page and "có thể đã bị gián đoạn" in page
    assert "có thể đã bị gián đoạn" in status(client, job)["text"]


# --- Snapshots ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_snapshot_job_publishes_a_package_that_validates_and_restores(
    client, editor, settings, snapshot_root, monkeypatch
):
    settings.TASKS = DATABASE_TASKS
    client.force_login(editor)
    listing = client.get(reverse("ops_jobs:list")).content.decode()
    assert "Tạo bản sao dữ liệu" in listing
    response = client.post(reverse("ops_jobs:snapshot"))
    job = Job.objects.get(kind="snapshot")
    assert response["Location"] == reverse("ops_jobs:detail", args=[job.pk])
    assert job.state == "queued" and snapshots.published() == []

    # While the worker reads every table in one transaction, its progress is seen at once by
    # another connection (the job's page).
    seen = []
    table = snapshots.TABLES[3]

    def write_and_look():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute(f"SELECT done, total FROM {Job._meta.db_table}")  # noqa: S608
                seen.append(cursor.fetchone())
        finally:
            other.close()
        return write()

    write = table.write
    monkeypatch.setattr(table, "write", write_and_look)
    run_worker()
    job.refresh_from_db()
    assert job.state == "done", job.message
    assert seen == [(3, len(snapshots.TABLES))]
    (snapshot,) = snapshots.published()
    assert job.file_name == f"{snapshot.date:%Y-%m-%d}"
    assert f"{snapshot.date:%d/%m/%Y}" in job.message
    report, errors = report_of(snapshot.folder)
    assert report.valid, errors
    page = client.get(reverse("ops_jobs:detail", args=[job.pk])).content.decode()
    assert 'href="/du-lieu-mo/ban-sao/"' in page
    assert f"{snapshot.date:%d/%m/%Y}" in client.get("/du-lieu-mo/ban-sao/").content.decode()
    out = io.StringIO()
    call_command("restore_snapshot", str(snapshot.folder), stdout=out)
    assert "Đã nhập lại bản sao." in out.getvalue()


def test_only_superusers_and_national_editors_publish_snapshots(
    client, editor, superuser, snapshot_root
):
    reviewer = _user("thamdinh-banh", REVIEWERS)
    client.force_login(reviewer)
    assert client.post(reverse("ops_jobs:snapshot")).status_code == 403
    assert "Tạo bản sao dữ liệu" not in client.get(reverse("ops_jobs:list")).content.decode()
    assert not Job.objects.exists()
    for user in (editor, superuser):
        client.force_login(user)
        assert client.post(reverse("ops_jobs:snapshot")).status_code == 302
    assert Job.objects.filter(kind="snapshot", state="done").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_snapshot_that_raises_midway_publishes_nothing(
    client, editor, settings, snapshot_root, monkeypatch
):
    call_command("publish_snapshot", stdout=io.StringIO())  # an earlier package of today
    (earlier,) = snapshots.published()
    sums = snapshots.read_sums(earlier.folder)

    def crash():
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(snapshots.TABLES[4], "write", crash)
    Adoption.objects.update(notes="đổi")  # the next package would differ
    settings.TASKS = DATABASE_TASKS
    client.force_login(editor)
    client.post(reverse("ops_jobs:snapshot"))
    run_worker()
    job = Job.objects.get(kind="snapshot")
    # Four tables were written: their progress, outside the rolled-back reads, stays.
    assert (job.state, job.done) == ("failed", 4)
    assert job.message == jobs.CRASHED.format(job_id=job.pk)
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert task.status == "FAILED" and "disk on fire" in task.traceback
    assert leftovers(snapshot_root) == [earlier.folder.name]  # no hidden folder left
    assert snapshots.read_sums(earlier.folder) == sums  # the earlier package as it was
    page = client.get(reverse("ops_jobs:detail", args=[job.pk])).content.decode()
    assert "không có bản sao dở dang nào được công bố" in page


def test_leftovers_of_a_killed_snapshot_are_removed_once_silent(
    editor, snapshot_root, settings, client
):
    client.force_login(editor)
    client.post(reverse("ops_jobs:snapshot"))
    (published,) = snapshots.published()
    job = Job.objects.create(kind="snapshot", user=editor)
    silent = job.created_at - jobs.stale_after()
    Job.objects.filter(pk=job.pk).update(state="running", progress_at=silent, done=2, total=6)
    # What a kill leaves: the folder being written, and an earlier package set aside while
    # the new one was to replace it (killed between the two renames).
    half = snapshot_root / ".2030-01-02-abcd"
    half.mkdir()
    (half / "categories.csv").write_text("x")
    set_aside = snapshot_root / ".2030-01-01-replaced"
    published.folder.rename(set_aside)
    for path in (half, set_aside):
        os.utime(path, (silent.timestamp(), silent.timestamp()))
    fresh = snapshot_root / ".2030-01-03-efgh"  # one being written now stays
    fresh.mkdir()

    out = io.StringIO()
    call_command("mark_interrupted_jobs", stdout=out)
    assert "Đã đánh dấu 1 công việc bị gián đoạn." in out.getvalue()
    job.refresh_from_db()
    assert (job.state, job.message) == ("failed", jobs.INTERRUPTED)
    assert leftovers(snapshot_root) == [".2030-01-03-efgh", "2030-01-01"]


# --- A killed worker ------------------------------------------------------------------------


def _database_url():
    db = django_settings.DATABASES["default"]
    return f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _start_worker(job_files):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.ops.worker_settings",
        "DATABASE_URL": _database_url(),
        "JOB_FILES_ROOT": str(job_files),
        "JOB_EXPORT_BATCH": "1",  # a progress write per record: slow, without sleeping
    }
    return subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "db_worker", "--backend", "background"]
        + ["--queue-name", "*", "--no-reload", "--no-startup-delay", "--interval", "0.1"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_no_file_and_its_job_is_marked_interrupted(
    postgres, client, seeded, settings, job_files
):
    settings.TASKS = DATABASE_TASKS
    Agency.objects.bulk_create(
        Agency(
            slug=f"don-vi-nen-{n}",
            code=f"NEN-{n}",
            name=f"Đơn vị nền {n}",
            kind=AgencyKind.DEPARTMENT,
        )
        for n in range(2000)
    )
    editor = _user("bientap-kill", EDITORS)
    client.force_login(editor)
    job = export(client, "agencies", "csv")
    worker = _start_worker(job_files)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert time.monotonic() < deadline, worker.stderr.read1().decode()[-2000:]
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
            # Holding the job's row stops the worker at its next progress write, so that what
            # is seen here is where it is killed.
            with transaction.atomic():
                seen = Job.objects.select_for_update().get(pk=job.pk)
                if seen.done > 0:
                    assert seen.state == "running" and seen.done < seen.total
                    data = status(client, job)  # the page sees the progress
                    assert data["state"] == "running" and data["text"].startswith("Đã xử lý")
                    worker.send_signal(signal.SIGKILL)
                    worker.wait(timeout=30)
                    break
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == -signal.SIGKILL

    # Nothing under the file's name; the partial file of the kill is hidden, and the job
    # still says running, its task too: no worker will ever end them.
    assert not (job_files / f"{job.pk}.csv").exists()
    assert leftovers(job_files) == [f".{job.pk}.csv.part"]
    job.refresh_from_db()
    assert job.state == "running"
    assert DBTaskResult.objects.get(pk=job.task_id).status == "RUNNING"

    # Silent for JOB_STALE_SECONDS: the page says it may have been interrupted…
    settings.JOB_STALE_SECONDS = 1
    time.sleep(1.5)
    page = client.get(reverse("ops_jobs:detail", args=[job.pk])).content.decode()
    assert 'id="job-stale"' in page
    # …and the next worker, as it starts a task, marks it failed and removes its file.
    again = export(client, "practices", "csv")
    run_worker()
    job.refresh_from_db()
    assert (job.state, job.message) == ("failed", jobs.INTERRUPTED)
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert (task.status, task.exception_class_path) == ("FAILED", "ops.jobs.Interrupted")
    assert leftovers(job_files) == [f"{again.pk}.csv"]
    again.refresh_from_db()
    assert again.state == "done"
    page = client.get(reverse("ops_jobs:detail", args=[job.pk])).content.decode()
    assert 'id="job-failed"' in page and "bị gián đoạn" in page
    assert "không có tệp dở dang nào được giữ lại" in page


# --- The page of background work ------------------------------------------------------------


def test_the_list_is_paginated_newest_first(client, editor):
    for _ in range(25):
        Job.objects.create(kind="export", params={"kind": "agencies", "format": "csv"}, user=editor)
    newest = Job.objects.order_by("-created_at").first()
    client.force_login(editor)
    response = client.get(reverse("ops_jobs:list"))
    page = response.content.decode()
    assert len(response.context["rows"]) == 20 and "Trang 1/2" in page
    assert response.context["rows"][0][0] == newest
    assert len(client.get(reverse("ops_jobs:list"), {"p": 2}).context["rows"]) == 5


def test_a_superuser_sees_the_queues_and_the_imports(client, superuser, editor, settings):
    from imports.models import ImportJob

    ImportJob.objects.create(
        user=editor, kind="agencies", file_name="co-quan.csv", file_format="csv", upload="x"
    )
    client.force_login(superuser)
    page = client.get(reverse("ops_jobs:list")).content.decode()
    assert "co-quan.csv" in page and editor.username in page
    assert 'id="queues-immediate"' in page  # the test settings run tasks in the request

    settings.TASKS = DATABASE_TASKS
    from ops.mail import deliver

    deliver.enqueue({"to": ["a@example.org"]})  # waits: no worker runs here
    DBTaskResult.objects.create(
        task_path="ops.mail.deliver",
        queue_name="mail",
        backend_name="background",
        status="FAILED",
        args_kwargs={"args": [], "kwargs": {}},
        run_after=timezone.now(),
        exception_class_path="smtplib.SMTPServerDisconnected",
        traceback="Traceback (most recent call last):\n  File ...\n"
        "smtplib.SMTPServerDisconnected: Connection unexpectedly closed\nsecond line\n",
    )
    page = client.get(reverse("ops_jobs:list")).content.decode()
    assert 'id="queue-counts"' in page and "Thư điện tử" in page
    assert "SMTPServerDisconnected</code>: Connection unexpectedly closed" in page
    assert "Thư điện tử chờ gửi: <strong>1</strong>" in page
    # The editor's own imports, linked; no queues.
    client.force_login(editor)
    page = client.get(reverse("ops_jobs:list")).content.decode()
    assert "co-quan.csv" in page and 'id="queues-panel"' not in page


def test_the_menu_shows_the_page_to_who_may_start_a_job(client, editor, seeded):
    client.force_login(editor)
    assert reverse("ops_jobs:list") in client.get("/admin/").content.decode()
    nobody = _user("khong-quyen")
    nobody.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(nobody)
    assert reverse("ops_jobs:list") not in client.get("/admin/").content.decode()
