"""A reporter's import submits many reports at once: each reviewer gets one e-mail for the
file (a digest in Vietnamese), not one per row; a report submitted from the admin form still
sends its own e-mail."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from wagtail.models import WorkflowState

import pytest

from practices.models import Adoption, Agency, AgencyKind, PracticePage
from reporting.roles import REVIEWERS
from tests import factories
from tests.reporting.test_reporting import ADMIN, form_data

HEADER = "Sáng kiến,Cơ quan,Trạng thái,Ngày quyết định,Văn bản,Minh chứng,Mức minh chứng,Ghi chú"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")


@pytest.fixture
def bac_ninh(seeded):
    agency = Agency.objects.resolve("24")
    Adoption.objects.filter(agency=agency).delete()
    return agency


@pytest.fixture
def reporter(bac_ninh):
    call_command(
        "create_reporter",
        "baocao-bn",
        "--agency",
        "24",
        "--password",
        "mat-khau-thu-2025",
        stdout=None,
    )
    user = get_user_model().objects.get(username="baocao-bn")
    user.first_name, user.last_name, user.email = "Cán bộ", "Nhập liệu", "nhaplieu@example.org"
    user.save()
    return user


@pytest.fixture
def reviewers(seeded):
    """Two reviewers with an address, one without (Wagtail cannot write to them)."""
    group = Group.objects.get(name=REVIEWERS)
    users = []
    for username, email in [("td-1", "td1@example.org"), ("td-2", "td2@example.org"), ("td-3", "")]:
        user = get_user_model().objects.create_user(username, email, "x")
        user.groups.add(group)
        users.append(user)
    return users


def fifty_rows(bac_ninh):
    """50 reports: the seed's practices for Bắc Ninh and for departments of it."""
    units = [bac_ninh] + [
        factories.agency(
            name=f"Sở Thử {n} tỉnh Bắc Ninh",
            code=f"BN-S{n}",
            kind=AgencyKind.DEPARTMENT,
            parent=bac_ninh,
        )
        for n in range(1, 9)
    ]
    slugs = list(PracticePage.objects.order_by("slug").values_list("slug", flat=True))
    rows = [
        f"{slug},{unit.code},thí điểm,01/09/2025,Quyết định số {n}/QĐ-UBND,,,"
        for n, (unit, slug) in enumerate(((u, s) for u in units for s in slugs), start=1)
    ][:50]
    assert len(rows) == 50
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def test_a_reporter_import_sends_one_digest_per_reviewer(
    client, reporter, reviewers, bac_ninh, django_capture_on_commit_callbacks
):
    data = fifty_rows(bac_ninh)
    client.force_login(reporter)
    response = client.post(
        reverse("practices_import:upload"),
        {"file": SimpleUploadedFile("bao-cao-50.csv", data, "text/csv")},
        follow=True,
    )
    assert response.context["report"].new == 50
    assert mail.outbox == []  # the preview submits nothing

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("practices_import:confirm"), {"token": response.context["token"]})

    assert WorkflowState.objects.filter(status="in_progress", requested_by=reporter).count() == 50
    assert sorted(message.to[0] for message in mail.outbox) == [
        "td1@example.org",
        "td2@example.org",
    ]
    message = mail.outbox[0]
    assert message.subject == "50 báo cáo chờ thẩm định, nhập từ tệp của Cán bộ Nhập liệu"
    assert "Cán bộ Nhập liệu (Tỉnh Bắc Ninh)" in message.body
    assert "“bao-cao-50.csv”: 50 báo cáo" in message.body
    assert "và 40 báo cáo khác" in message.body
    assert "http://testserver/admin/" in message.body  # the reviewers' queue
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_report_submitted_from_the_form_still_sends_its_own_email(
    client, reporter, reviewers, bac_ninh, django_capture_on_commit_callbacks
):
    practice = PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")
    client.force_login(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(f"{ADMIN}:add"), form_data(practice, bac_ninh, **{"action-submit": "1"})
        )
    assert response.status_code == 302
    assert sorted(message.to[0] for message in mail.outbox) == [
        "td1@example.org",
        "td2@example.org",
    ]
    assert all("chờ thẩm định" in message.subject for message in mail.outbox)
    assert all("50 báo cáo" not in message.subject for message in mail.outbox)


def test_the_command_sends_one_digest_too(
    reporter, reviewers, bac_ninh, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "bao-cao-lenh.csv"
    path.write_bytes(fifty_rows(bac_ninh))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_adoptions", str(path), "--as-user", "baocao-bn", stdout=None)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "td1@example.org",
        "td2@example.org",
    ]
    assert "“bao-cao-lenh.csv”: 50 báo cáo" in mail.outbox[0].body


def test_a_digest_is_not_sent_when_the_outer_transaction_rolls_back(
    reporter, reviewers, bac_ninh, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from practices.resources import import_adoptions

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            report = import_adoptions(fifty_rows(bac_ninh), "csv", user=reporter)
            assert report.ok
            raise RuntimeError("the worker stops before it commits")
    assert mail.outbox == []
