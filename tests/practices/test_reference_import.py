"""Import and export of agencies and practices: the reference data national editors keep."""

import csv
import datetime
import io
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from wagtail.models import ModelLogEntry, PageLogEntry, Revision

import pytest

from practices.models import Adoption, Agency, AgencyKind, PracticePage, Succession
from practices.resources import (
    export_agencies,
    export_practices,
    import_agencies,
    import_practices,
)
from reporting.roles import EDITORS
from search.models import SearchDocument

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "import_samples"
NEW_PRACTICE = "so-hoa-ho-so-giay-ngay-tai-bo-phan-mot-cua"


def resolve(code, on=None):
    return Agency.objects.resolve(code, datetime.date.fromisoformat(on) if on else None)


def errors_of(report):
    return [(e.row, e.column) for e in report.errors]


@pytest.fixture
def editor(seeded):
    user = get_user_model().objects.create_user("bientap", "bientap@example.org", "x")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def reporter(seeded):
    call_command(
        "create_reporter",
        "baocao-hy",
        "--agency",
        "33",
        "--password",
        "mat-khau-thu-2025",
        stdout=None,
    )
    return get_user_model().objects.get(username="baocao-hy")


# --- Agencies ----------------------------------------------------------------------------


def test_agency_file_imports_with_parents_and_successors_read_on_their_dates(editor):
    report = import_agencies(SAMPLES / "agencies_good.csv", user=editor)
    assert report.ok, [str(e) for e in report.errors]
    assert (report.new, report.updated, report.unchanged) == (3, 0, 0)
    old = Agency.objects.get(code="HY-TTTT")
    new = Agency.objects.get(code="HY-KHCN")
    centre = Agency.objects.get(code="HY-TTHC")
    # "Hung Yen" on 28/02/2025 is the province before the merger; "Tỉnh Hưng Yên" today and
    # code 33 from 01/07/2025 are the merged one.
    assert old.parent == resolve("33", "2025-02-28")
    assert new.parent == centre.parent == resolve("33")
    assert old.parent != new.parent
    assert old.kind == new.kind == AgencyKind.DEPARTMENT
    assert old.slug == "so-thong-tin-va-truyen-thong-tinh-hung-yen-den-2025"
    assert new.slug == "so-khoa-hoc-va-cong-nghe-tinh-hung-yen"
    assert old.valid_to == datetime.date(2025, 2, 28)
    # The successor is on a later row: linked once every row is saved, the day after the end.
    link = Succession.objects.get(predecessor=old)
    assert (link.successor, link.effective_on) == (new, datetime.date(2025, 3, 1))
    # History and search follow.
    assert ModelLogEntry.objects.filter(
        object_id=str(new.pk), action="wagtail.create", user=editor
    ).exists()
    assert SearchDocument.objects.filter(key=f"agency:{new.pk}", deleted=False).exists()
    assert [row.cells for row in report.rows][0] == (
        "HY-TTTT",
        "Sở Thông tin và Truyền thông tỉnh Hưng Yên",
    )
    assert report.row_headers == ("Mã", "Tên")


def test_agency_reimport_changes_nothing_and_a_changed_row_updates(editor):
    import_agencies(SAMPLES / "agencies_good.csv", user=editor)
    counts = (Agency.objects.count(), Succession.objects.count(), ModelLogEntry.objects.count())
    again = import_agencies(SAMPLES / "agencies_good.csv", user=editor)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    assert counts == (
        Agency.objects.count(),
        Succession.objects.count(),
        ModelLogEntry.objects.count(),
    )

    changed = (
        (SAMPLES / "agencies_good.csv")
        .read_bytes()
        .replace("Sở KH&CN Hưng Yên".encode(), "Sở KHCN Hưng Yên".encode())
    )
    report = import_agencies(changed, "csv", user=editor)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 2)
    new = Agency.objects.get(code="HY-KHCN")
    assert new.short_name == "Sở KHCN Hưng Yên"
    assert ModelLogEntry.objects.filter(object_id=str(new.pk), action="wagtail.edit").exists()


def test_faulty_agency_file_imports_nothing_and_lists_every_bad_row(editor):
    before = (Agency.objects.count(), Succession.objects.count())
    report = import_agencies(SAMPLES / "agencies_faulty.csv", user=editor)
    assert not report.ok
    assert before == (Agency.objects.count(), Succession.objects.count())
    found = errors_of(report)
    assert (2, "Loại") in found  # no kind
    assert (3, "Hiệu lực từ ngày") in found  # 31/02/2024
    assert (4, "Mã") in found  # code 24 is Bắc Ninh's in the same period
    assert (5, "Cơ quan cấp trên") in found  # unknown parent
    assert (6, "Đơn vị kế thừa") in found  # a successor for a unit that has not ended
    assert (8, "Đường dẫn") in found  # the slug of row 7 again
    assert (9, "Hiệu lực đến ngày") in found  # ends before it starts
    assert {row for row, _ in found} == {2, 3, 4, 5, 6, 8, 9}
    by_row = {e.row: e for e in report.errors}
    assert "Trùng với dòng 7" in by_row[8].reason
    assert "Tỉnh Bắc Ninh" in by_row[4].reason
    assert "Không tìm thấy" in by_row[5].reason


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_agency_export_imports_back_unchanged(seeded, file_format):
    data = export_agencies(file_format=file_format)
    counts = (Agency.objects.count(), Succession.objects.count())
    report = import_agencies(data, file_format)
    assert report.ok, [str(e) for e in report.errors[:5]]
    assert (report.new, report.updated, report.unchanged) == (0, 0, counts[0])
    assert counts == (Agency.objects.count(), Succession.objects.count())


def test_agency_export_lists_parents_first_with_successor_slugs(seeded):
    rows = json.loads(export_agencies(file_format="json"))
    position = {row["slug"]: index for index, row in enumerate(rows)}
    for row in rows:
        if row["parent"]:
            assert position[row["parent"]] < position[row["slug"]]
    bac_giang = next(row for row in rows if row["slug"] == resolve("24", "2022-01-01").slug)
    assert bac_giang["successors"] == resolve("24").slug  # today's Bắc Ninh
    assert bac_giang["valid_to"] == "30/06/2025"


def test_agency_codes_keep_their_leading_zero(editor):
    slug = resolve("06", "2025-01-01").slug
    data = f"Mã,Đường dẫn,Tên,Loại,Hiệu lực đến ngày\n6,{slug},Tỉnh Bắc Kạn,tỉnh,30/06/2025\n"
    report = import_agencies(data.encode(), "csv", user=editor)
    assert report.ok, [str(e) for e in report.errors]
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
    # Without the slug, the name makes a new unit whose code clashes with Bắc Kạn's.
    data = "Mã,Tên,Loại,Hiệu lực đến ngày\n6,Tỉnh Bắc Kạn,tỉnh,30/06/2025\n"
    report = import_agencies(data.encode(), "csv", user=editor)
    assert [(e.row, e.column) for e in report.errors] == [(2, "Mã")]
    assert "Mã 06 đã được dùng" in report.errors[0].reason


# --- Practices ---------------------------------------------------------------------------


def test_practice_file_creates_a_published_page(editor, client):
    report = import_practices(SAMPLES / "practices_good.csv", user=editor)
    assert report.ok, [str(e) for e in report.errors]
    assert (report.new, report.updated, report.unchanged) == (1, 0, 0)
    page = PracticePage.objects.get(slug=NEW_PRACTICE)
    assert page.live and page.get_parent().specific_class.__name__ == "PracticeIndexPage"
    assert page.category.code == "paperless"  # its name, typed without diacritics
    assert sorted(i.code for i in page.indicators.all()) == [
        "online-dossier-rate",
        "user-satisfaction",
    ]
    assert [a.slug for a in page.published_by.all()] == ["cuc-kiem-soat-thu-tuc-hanh-chinh"]
    assert [block.block_type for block in page.body] == ["markdown"]
    assert page.body[0].value.startswith("## Nội dung\n\nHồ sơ giấy")
    assert page.live_revision.user == editor
    assert PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists()
    response = client.get(page.url)
    assert response.status_code == 200
    assert "Quét hồ sơ" in response.content.decode()
    assert SearchDocument.objects.filter(key=f"practice:{page.pk}", deleted=False).exists()


def test_practice_reimport_changes_nothing_and_a_change_publishes_a_revision(editor):
    import_practices(SAMPLES / "practices_good.csv", user=editor)
    page = PracticePage.objects.get(slug=NEW_PRACTICE)
    revisions = Revision.objects.filter(object_id=str(page.pk)).count()
    again = import_practices(SAMPLES / "practices_good.csv", user=editor)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    assert Revision.objects.filter(object_id=str(page.pk)).count() == revisions

    # A changed summary and an empty body cell: the summary is published, the body kept.
    data = (SAMPLES / "practices_good.csv").read_bytes().decode("utf-8-sig")
    header, row = data.split("\r\n", 1)
    row = row.replace("Bộ phận một cửa quét", "Bộ phận một cửa của tỉnh quét")
    row = row[: row.index('"## Nội dung')] + "\r\n"
    report = import_practices(f"{header}\r\n{row}".encode(), "csv", user=editor)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 0)
    page.refresh_from_db()
    assert page.summary.startswith("Bộ phận một cửa của tỉnh quét")
    assert page.body[0].value.startswith("## Nội dung")
    assert Revision.objects.filter(object_id=str(page.pk)).count() == revisions + 1


def test_faulty_practice_file_imports_nothing(editor):
    before = (PracticePage.objects.count(), Revision.objects.count())
    report = import_practices(SAMPLES / "practices_faulty.csv", user=editor)
    assert before == (PracticePage.objects.count(), Revision.objects.count())
    found = errors_of(report)
    assert (2, "Nhóm") in found
    assert (3, "Chỉ số") in found
    assert (4, "Tên sáng kiến") in found
    assert (5, "Đường dẫn") in found
    assert (7, "Đường dẫn") in found  # the slug of row 6 again
    assert (8, "Tóm tắt") in found
    assert (8, "Cơ quan công bố") in found
    assert {row for row, _ in found} == {2, 3, 4, 5, 7, 8}


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_practice_export_imports_back_unchanged(seeded, file_format):
    data = export_practices(file_format=file_format)
    revisions = Revision.objects.count()
    report = import_practices(data, file_format)
    assert report.ok, [str(e) for e in report.errors[:5]]
    assert (report.new, report.updated) == (0, 0)
    assert report.unchanged == PracticePage.objects.count()
    assert Revision.objects.count() == revisions


# --- Doors: functions, commands, admin ---------------------------------------------------


def test_reporters_may_not_import_reference_data(reporter):
    with pytest.raises(PermissionDenied):
        import_agencies(SAMPLES / "agencies_good.csv", user=reporter)
    with pytest.raises(PermissionDenied):
        import_practices(SAMPLES / "practices_good.csv", user=reporter)
    assert not Agency.objects.filter(code="HY-TTTT").exists()


@pytest.mark.parametrize(
    "url", ["practices_import:upload_agencies", "practices_import:upload_practices"]
)
def test_admin_reference_import_is_for_editors(client, reporter, editor, url):
    client.force_login(reporter)
    assert client.get(reverse(url)).status_code == 403
    kind = "agencies" if "agencies" in url else "practices"
    export = reverse("practices_import:export", args=[kind, "csv"])
    assert client.post(export).status_code == 403
    client.force_login(editor)
    page = client.get(reverse(url)).content.decode()
    assert "csrfmiddlewaretoken" in page and export in page


def test_admin_agency_import_previews_then_confirms(client, editor, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_UPLOAD_DIR = str(tmp_path)
    client.force_login(editor)
    upload = SimpleUploadedFile("co-quan.csv", (SAMPLES / "agencies_good.csv").read_bytes())
    response = client.post(
        reverse("practices_import:upload_agencies"), {"file": upload}, follow=True
    )
    assert response.status_code == 200
    assert not Agency.objects.filter(code="HY-TTTT").exists()  # a dry run
    page = response.content.decode()
    assert "<th>Mã</th><th>Tên</th>" in page and "HY-KHCN" in page
    response = client.post(
        reverse("practices_import:confirm"), {"token": response.context["token"]}, follow=True
    )
    # The confirm's job, once done, leads to the list.
    assert response.redirect_chain[-1] == (reverse("wagtailsnippets_practices_agency:list"), 302)
    assert Agency.objects.filter(code__in=["HY-TTTT", "HY-KHCN", "HY-TTHC"]).count() == 3


def exported(client, kind, file_format):
    """The file of an export job (run in the request by the test settings) as downloaded
    from its page."""
    job_page = client.post(
        reverse("practices_import:export", args=[kind, file_format]), follow=True
    )
    assert job_page.context["job"].state == "done"
    response = client.get(reverse("ops_jobs:download", args=[job_page.context["job"].pk]))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def test_admin_export_downloads_the_import_columns(client, editor):
    client.force_login(editor)
    response, body = exported(client, "practices", "csv")
    assert response["Content-Disposition"] == 'attachment; filename="sang-kien.csv"'
    assert body.startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[:4] == ["slug", "title", "category", "summary"]
    assert (
        client.post(reverse("practices_import:export", args=["practices", "exe"])).status_code
        == 404
    )


def test_reporter_export_of_adoptions_has_their_agencies_only(client, reporter):
    from tests import factories

    factories.adoption(PracticePage.objects.first(), resolve("33"), decided_on=None)
    assert Adoption.objects.exclude(agency=resolve("33")).exists()
    client.force_login(reporter)
    _, body = exported(client, "adoptions", "json")
    rows = json.loads(body)
    # Hưng Yên (33) reports the history of Thái Bình (34), which became part of it in 2025.
    slugs = {row["agency_slug"] for row in rows}
    assert "thai-binh-den-2025" in slugs
    assert slugs <= {"hung-yen", "hung-yen-den-2025", "thai-binh-den-2025"}
    assert {row["agency"] for row in rows} <= {"33", "34"}


def test_commands_import_and_export_reference_data(seeded, tmp_path):
    out = io.StringIO()
    call_command("import_agencies", str(SAMPLES / "agencies_good.csv"), "--dry-run", stdout=out)
    assert "3 mới" in out.getvalue() and "Chạy thử" in out.getvalue()
    assert not Agency.objects.filter(code="HY-TTTT").exists()
    with pytest.raises(CommandError, match="dòng 4"):
        call_command("import_agencies", str(SAMPLES / "agencies_faulty.csv"), stdout=io.StringIO())
    call_command("import_practices", str(SAMPLES / "practices_good.csv"), stdout=io.StringIO())
    assert PracticePage.objects.filter(slug=NEW_PRACTICE, live=True).exists()

    target = tmp_path / "co-quan.xlsx"
    call_command("export_agencies", "--output", str(target), stderr=io.StringIO())
    assert import_agencies(target).unchanged == Agency.objects.count()
    target = tmp_path / "sang-kien.json"
    call_command("export_practices", "--output", str(target), stderr=io.StringIO())
    slugs = [row["slug"] for row in json.loads(target.read_text(encoding="utf-8"))]
    assert NEW_PRACTICE in slugs


def test_admin_practice_import_lands_on_the_catalogue_pages(client, editor, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from practices.models import PracticeIndexPage

    settings.IMPORT_UPLOAD_DIR = str(tmp_path)
    client.force_login(editor)
    upload = SimpleUploadedFile("sang-kien.csv", (SAMPLES / "practices_good.csv").read_bytes())
    response = client.post(
        reverse("practices_import:upload_practices"), {"file": upload}, follow=True
    )
    response = client.post(
        reverse("practices_import:confirm"), {"token": response.context["token"]}, follow=True
    )
    index_page = PracticeIndexPage.objects.get()
    explore = reverse("wagtailadmin_explore", args=[index_page.pk])
    assert response.redirect_chain[-1] == (explore, 302)
    assert PracticePage.objects.filter(slug=NEW_PRACTICE, live=True).exists()
