"""The admin import runs outside the request: the upload and the confirm queue a job of the
task backend `background`, its status page shows the progress and then the result, only to the
user who started it, and a job that crashes is marked failed and writes nothing."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

import pytest
from django_tasks_db.models import DBTaskResult

from imports import progress
from imports.models import ImportJob
from practices.models import Adoption, Agency
from reporting.roles import EDITORS, REVIEWERS

HEADER = "Sáng kiến,Cơ quan,Trạng thái,Ngày quyết định,Văn bản,Minh chứng,Mức minh chứng,Ghi chú"
ASSISTANT = "tro-ly-ao-huong-dan-dvctt"
FEES = "giam-phi-le-phi-dvctt"
GOOD = (
    f"{HEADER}\n{ASSISTANT},24,thí điểm,01/09/2025,Quyết định số 12/QĐ-UBND,,,\n"
    f"{FEES},Bắc Ninh,đã áp dụng,,Quyết định số 34/QĐ-UBND,,,\n"
).encode()
DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "imports", "mail", "search"],
    },
}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


@pytest.fixture
def bac_ninh(seeded):
    agency = Agency.objects.resolve("24")
    Adoption.objects.filter(agency=agency).delete()
    return agency


def make_reporter(username, code):
    call_command(
        "create_reporter",
        username,
        "--agency",
        code,
        "--password",
        "mat-khau-thu-2025",
        stdout=None,
    )
    return get_user_model().objects.get(username=username)


@pytest.fixture
def reporter(bac_ninh):
    user = make_reporter("baocao-bn", "24")
    user.first_name, user.last_name, user.email = "Cán bộ", "Nhập liệu", "nhaplieu@example.org"
    user.save()
    return user


@pytest.fixture
def editor(seeded):
    user = get_user_model().objects.create_user("bientap", "bientap@example.org", "x")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def post_file(client, data, url="practices_import:upload", name="bao-cao.csv"):
    return client.post(reverse(url), {"file": SimpleUploadedFile(name, data, "text/csv")})


def run_worker():
    """The real worker of the database backend, until the queue is empty."""
    call_command(
        "db_worker",
        "--backend",
        "background",
        "--queue-name",
        "*",
        "--batch",
        "--no-reload",
        "--no-startup-delay",
        verbosity=0,
    )


def import_tasks(status):
    """The import jobs' tasks (a change may also queue a push of search rows)."""
    return DBTaskResult.objects.filter(status=status, task_path="imports.tasks.run_import")


def status_json(client, job):
    response = client.get(reverse("practices_import:status_json", args=[job.pk]))
    assert response.status_code == 200
    return response.json()


# Transactional: the worker, as in production, closes and reopens its connection between
# jobs (close_old_connections), which would end a test's rolled-back transaction.
@pytest.mark.django_db(transaction=True)
def test_preview_and_confirm_are_jobs_run_by_the_database_worker(
    client, reporter, bac_ninh, settings
):
    settings.TASKS = DATABASE_TASKS
    client.force_login(reporter)

    response = post_file(client, GOOD)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("practices_import:status", args=[job.pk])
    # Queued in the database, not run in the request.
    assert import_tasks("READY").count() == 1
    assert job.state == "queued" and status_json(client, job)["state"] == "queued"
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-progress"' in page and "Đang chờ" in page
    assert '<script src="/static/js/import-progress.js" defer>' in page  # no inline script

    run_worker()
    job.refresh_from_db()
    assert job.state == "done" and job.summary["new"] == 2
    assert status_json(client, job)["finished"] is True
    assert not Adoption.objects.filter(agency=bac_ninh).exists()  # a dry run
    response = client.get(reverse("practices_import:status", args=[job.pk]))
    assert [row.label for row in response.context["report"].rows] == ["Mới", "Mới"]
    token = response.context["token"]
    assert token == str(job.pk)

    response = client.post(reverse("practices_import:confirm"), {"token": token})
    confirm = ImportJob.objects.get(preview=job)
    assert response["Location"] == reverse("practices_import:status", args=[confirm.pk])
    assert not Adoption.objects.filter(agency=bac_ninh).exists()  # queued, not yet run
    run_worker()
    confirm.refresh_from_db()
    assert confirm.state == "done"
    assert Adoption.objects.filter(agency=bac_ninh).count() == 2
    response = client.get(reverse("practices_import:status", args=[confirm.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailsnippets_practices_adoption:list")
    assert import_tasks("SUCCESSFUL").count() == 2


def test_only_the_user_who_uploaded_sees_the_job(client, reporter, seeded):
    client.force_login(reporter)
    post_file(client, GOOD)
    job = ImportJob.objects.get()
    other = make_reporter("baocao-hn", "01")  # another agency's reporter
    national = get_user_model().objects.create_user("thamdinh-2", "td2@example.org", "x")
    national.groups.add(Group.objects.get(name=REVIEWERS))
    for user in (other, national):
        client.force_login(user)
        for name in ("practices_import:status", "practices_import:status_json"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404
        client.post(reverse("practices_import:confirm"), {"token": str(job.pk)})
    assert not ImportJob.objects.filter(dry_run=False).exists()
    client.logout()
    response = client.get(reverse("practices_import:status_json", args=[job.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_status_shows_rows_done_while_the_job_runs(client, reporter):
    client.force_login(reporter)
    job = ImportJob.objects.create(
        user=reporter, kind="adoptions", file_name="lon.csv", file_format="csv", upload="x" * 32
    )
    ImportJob.objects.filter(pk=job.pk).update(state="running")
    assert status_json(client, job)["text"] == "Đang đọc tệp…"
    progress.write(job.pk, 1234, 5000)
    data = status_json(client, job)
    assert (data["done"], data["total"], data["percent"]) == (1234, 5000, 24)
    assert data["text"] == "Đã xử lý 1.234/5.000 dòng" and data["finished"] is False
    page = client.get(reverse("practices_import:status", args=[job.pk])).content.decode()
    assert 'value="24"' in page and "Đã xử lý 1.234/5.000 dòng" in page


def test_the_import_reports_its_progress_to_the_status_page(client, reporter, monkeypatch):
    written = []
    monkeypatch.setattr(progress, "write", lambda job_id, done, total: written.append(done))
    client.force_login(reporter)
    post_file(client, GOOD)
    assert written and written[-1] == 2  # the last row is always written


def test_a_crash_marks_the_job_failed_and_writes_nothing(client, reporter, bac_ninh, monkeypatch):
    from imports import tasks

    client.force_login(reporter)
    post_file(client, GOOD)
    preview = ImportJob.objects.get()

    def crash(job, report):  # after the rows were written, before the job is done
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tasks, "_finish", crash)
    client.post(reverse("practices_import:confirm"), {"token": str(preview.pk)})
    job = ImportJob.objects.get(preview=preview)
    assert job.state == "failed"
    assert "không có thay đổi nào được lưu" in job.message
    assert not Adoption.objects.filter(agency=bac_ninh).exists()
    assert mail.outbox == []  # no digest for reports that were rolled back
    page = client.get(reverse("practices_import:status", args=[job.pk])).content.decode()
    assert 'id="import-failed"' in page and "Có lỗi không mong đợi" in page


def test_a_file_that_cannot_be_read_fails_with_its_reason(client, reporter):
    client.force_login(reporter)
    post_file(client, b"\x00\x01 not a table", name="hong.json")
    job = ImportJob.objects.get()
    assert job.state == "failed" and job.message
    page = client.get(reverse("practices_import:status", args=[job.pk])).content.decode()
    assert job.message in page


def test_a_user_has_a_bounded_number_of_unfinished_jobs(client, reporter, settings):
    settings.TASKS = DATABASE_TASKS  # nothing runs: each upload stays queued
    settings.IMPORT_MAX_ACTIVE_JOBS = 2
    client.force_login(reporter)
    post_file(client, GOOD)
    post_file(client, GOOD)
    response = post_file(client, GOOD)
    assert response.status_code == 200
    assert "lần nhập chưa xong" in response.content.decode()
    assert ImportJob.objects.count() == 2


def agencies_file(rows):
    lines = ["Mã,Tên,Loại,Cơ quan cấp trên,Hiệu lực từ ngày"]
    lines += [
        f"THU-{number:05d},Đơn vị thử số {number},department,33,01/07/2025"
        for number in range(1, rows + 1)
    ]
    return ("\n".join(lines) + "\n").encode()


def row_numbers(response):
    return [row.row for row in response.context["report"].rows]


def test_a_large_preview_is_paginated(client, editor, settings):
    settings.IMPORT_PREVIEW_PAGE_SIZE = 100
    client.force_login(editor)
    response = post_file(client, agencies_file(5000), url="practices_import:upload_agencies")
    url = response["Location"]
    response = client.get(url)
    page = response.content.decode()
    assert page.count("<tr>") < 110  # 100 rows, the headers and the counts, not 5,000
    assert row_numbers(response) == list(range(2, 102))  # header = row 1
    assert response.context["report"].total == 5000 and "Trang 1/50" in page
    assert "THU-00100" in page and "THU-00101" not in page
    response = client.get(url, {"p": 2})
    assert row_numbers(response) == list(range(102, 202))
    assert "THU-00101" in response.content.decode()
    assert response.context["token"]  # the whole file can still be confirmed
    assert row_numbers(client.get(url, {"p": "999"}))[-1] == 5001  # the last page
    assert client.get(url, {"p": "x"}).status_code == 200


def test_errors_come_first_and_can_be_listed_alone(client, editor, settings):
    settings.IMPORT_PREVIEW_PAGE_SIZE = 50
    client.force_login(editor)
    data = agencies_file(300).replace(b",department,33,", b",department,,", 120)
    url = post_file(client, data, url="practices_import:upload_agencies")["Location"]
    response = client.get(url)
    page = response.content.decode()
    report = response.context["report"]
    assert report.error_count == 120
    assert len(report.errors) == 20 and report.errors[0].row == 2
    assert page.index('id="import-errors"') < page.index('id="import-rows"')
    assert "Còn 100 lỗi khác" in page and response.context["token"] == ""
    response = client.get(url, {"chi_loi": "1", "p": "3"})
    errors = response.context["report"].errors
    assert len(errors) == 20 and errors[0].row == 102  # errors 101–120 of 120
    assert 'id="import-rows"' not in response.content.decode()


def test_status_of_a_missing_job_is_404(client, reporter):
    client.force_login(reporter)
    response = client.get("/admin/nhap-xuat/tien-trinh/8a6e0804-2bd0-4672-b79b-d80b7df2d62c/")
    assert response.status_code == 404
