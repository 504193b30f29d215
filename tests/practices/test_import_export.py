"""Import and export of adoptions: formats, encodings, matching, all or nothing, queries."""

import csv
import datetime
import io
import json
from pathlib import Path

from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import ModelLogEntry, Revision

import pytest
from openpyxl import Workbook, load_workbook

from practices.matching import AgencyIndex, AgencyNotFound, match_agency
from practices.models import Adoption, Agency, AgencyKind
from practices.resources import (
    ImportFileError,
    export_adoptions,
    import_adoptions,
    neutralise,
)
from tests import factories

SAMPLES = Path(__file__).parent / "import_samples"
PRACTICE = "tro-ly-ao-huong-dan-dvctt"
HEADER = [
    "Sáng kiến",
    "Cơ quan",
    "Trạng thái",
    "Ngày quyết định",
    "Văn bản",
    "Minh chứng",
    "Mức minh chứng",
    "Ghi chú",
]

pytestmark = pytest.mark.django_db


def unit(code, on):
    return Agency.objects.resolve(code, datetime.date.fromisoformat(on))


def imported():
    return {
        a.agency.code + "@" + a.agency.name: a
        for a in Adoption.objects.filter(practice__slug=PRACTICE).select_related("agency")
    }


def check_good_import(report):
    assert report.ok, [str(e) for e in report.errors]
    assert (report.total, report.new, report.updated, report.unchanged) == (5, 5, 0, 0)
    rows = {a.agency_id: a for a in Adoption.objects.filter(practice__slug=PRACTICE)}
    bac_giang = rows[unit("24", "2022-03-15").pk]
    assert bac_giang.agency.name == "Tỉnh Bắc Giang"
    assert (bac_giang.status, bac_giang.evidence_level) == ("adopted", "documented")
    assert bac_giang.decided_on == datetime.date(2022, 3, 15)
    assert bac_giang.notes == "Trợ lý ảo, giai đoạn 1"
    assert rows[unit("17", "2023-06-01").pk].status == "piloting"  # "Tỉnh Hòa Bình"
    assert rows[unit("79", "2025-09-10").pk].status == "planned"  # "TP HCM", new unit
    bac_ninh = rows[unit("24", "2026-01-05").pk]
    assert bac_ninh.agency.name == "Tỉnh Bắc Ninh"
    assert (bac_ninh.status, bac_ninh.evidence_level) == ("discontinued", "verified")
    assert rows[unit("56", "2024-12-20").pk].status == "discontinued"  # "Khánh Hoà"
    assert all(a.latest_revision_id for a in rows.values())


@pytest.fixture
def clean_practice(seeded):
    Adoption.objects.filter(practice__slug=PRACTICE).delete()


@pytest.fixture
def twin_centres(seeded):
    for n in (1, 2):
        factories.agency(
            name="Trung tâm Phục vụ hành chính công",
            code=f"TTPVHCC-{n}",
            kind=AgencyKind.DEPARTMENT,
        )


# --- Matching --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,on,expected",
    [
        ("Bắc Giang", "2022-05-01", "Tỉnh Bắc Giang"),
        ("bac giang", "2022-05-01", "Tỉnh Bắc Giang"),
        ("24", "2022-05-01", "Tỉnh Bắc Giang"),
        ("24", "2026-05-01", "Tỉnh Bắc Ninh"),
        ("Tỉnh Hòa Bình", "2022-05-01", "Tỉnh Hoà Bình"),
        ("Hoa Binh", "2022-05-01", "Tỉnh Hoà Bình"),
        ("Khánh Hoà", "2026-05-01", "Tỉnh Khánh Hòa"),
        ("TP HCM", "2026-05-01", "Thành phố Hồ Chí Minh"),
        ("TPHCM", "2022-05-01", "Thành phố Hồ Chí Minh"),
        ("HCM", "2022-05-01", "Thành phố Hồ Chí Minh"),
        ("T.P Hồ Chí Minh", "2022-05-01", "Thành phố Hồ Chí Minh"),
        ("TP. Hà Nội", "2022-05-01", "Thành phố Hà Nội"),
        ("Thành phố Huế", "2026-05-01", "Thành phố Huế"),
        ("1", "2026-05-01", "Thành phố Hà Nội"),
    ],
)
def test_matcher_finds_the_unit_of_the_date(reference_data, text, on, expected):
    found = match_agency(text, datetime.date.fromisoformat(on))
    assert found.name == expected
    assert found.is_valid_on(datetime.date.fromisoformat(on))


def test_matcher_tells_the_period_apart(reference_data):
    index = AgencyIndex.load()
    old = index.match("Bắc Giang", datetime.date(2022, 1, 1))
    assert old.valid_to == datetime.date(2025, 6, 30)
    with pytest.raises(AgencyNotFound) as error:
        index.match("Bắc Giang", datetime.date(2026, 1, 1))
    assert "Tỉnh Bắc Giang (mã 24" in str(error.value)


def test_matcher_names_the_candidates_when_ambiguous(twin_centres):
    with pytest.raises(AgencyNotFound) as error:
        match_agency("trung tam phuc vu hanh chinh cong")
    assert "TTPVHCC-1" in str(error.value) and "TTPVHCC-2" in str(error.value)
    assert len(error.value.candidates) == 2


def test_matcher_rejects_an_unknown_name(reference_data):
    with pytest.raises(AgencyNotFound, match="Không tìm thấy"):
        match_agency("Tỉnh Không Tồn Tại")


def test_matcher_loads_agencies_with_one_query(reference_data):
    with CaptureQueriesContext(connection) as queries:
        index = AgencyIndex.load()
        for text in ("Bac Giang", "24", "HCM", "Hoa Binh"):
            index.match(text, datetime.date(2022, 1, 1))
    assert len(queries) == 1


# --- Formats and encodings --------------------------------------------------------------


@pytest.mark.parametrize(
    "name,file_format",
    [
        ("adoptions_good.csv", None),
        ("adoptions_good_utf16.txt", "csv"),
        ("adoptions_good.json", None),
    ],
)
def test_good_sample_imports(clean_practice, name, file_format):
    check_good_import(import_adoptions(SAMPLES / name, file_format=file_format))


def test_sample_file_encodings_are_what_they_claim():
    assert (SAMPLES / "adoptions_good.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in (SAMPLES / "adoptions_good.csv").read_bytes()
    assert (SAMPLES / "adoptions_good_utf16.txt").read_bytes().startswith(b"\xff\xfe")


def _sample_rows():
    with open(SAMPLES / "adoptions_good.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_xlsx_imports_with_real_dates_and_numeric_codes(clean_practice, tmp_path):
    book = Workbook()
    sheet = book.active
    for i, row in enumerate(_sample_rows()):
        if i and row[3]:
            day, month, year = row[3].split("/")
            row[3] = datetime.datetime(int(year), int(month), int(day))
        if row[1] == "24":
            row[1] = 24  # Excel turns codes into numbers
        sheet.append(row)
    path = tmp_path / "adoptions.xlsx"
    book.save(path)
    check_good_import(import_adoptions(path))


def test_lf_utf8_without_bom_and_semicolons(clean_practice):
    rows = [[cell.replace(",", " –") for cell in row] for row in _sample_rows()]
    data = "\n".join(";".join(row) for row in rows).encode("utf-8")
    report = import_adoptions(data, file_format="csv")
    assert report.ok and (report.total, report.new) == (5, 5)


def test_command_shows_a_progress_bar_on_large_files(seeded, tmp_path):
    path = tmp_path / "many.csv"
    path.write_bytes(_generated(200))
    Adoption.objects.all().delete()
    out, err = io.StringIO(), io.StringIO()
    call_command("import_adoptions", str(path), stdout=out, stderr=err)
    assert "200/200 dòng" in err.getvalue() and "\r[" in err.getvalue()
    assert "200 mới, 0 cập nhật, 0 không đổi, 0 lỗi" in out.getvalue()


def test_header_matching_is_folded_and_case_insensitive(clean_practice):
    data = (
        "SANG KIEN,co quan,Trang Thai,ngay quyet dinh\n"
        f"{PRACTICE},Bac Giang,Da ap dung,2022-03-15\n"
    ).encode()
    report = import_adoptions(data, file_format="csv")
    assert report.ok and report.new == 1


def test_missing_required_column_is_refused(seeded):
    with pytest.raises(ImportFileError, match="Thiếu cột bắt buộc: Trạng thái"):
        import_adoptions(b"practice,agency\nx,y\n", file_format="csv")


def test_file_over_the_size_limit_is_refused(seeded, settings, tmp_path):
    settings.IMPORT_MAX_BYTES = 100
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 101)
    with pytest.raises(ImportFileError, match="quá lớn"):
        import_adoptions(path)
    with pytest.raises(CommandError, match="quá lớn"):
        call_command("import_adoptions", str(path))


def test_unknown_encoding_is_refused(seeded):
    with pytest.raises(ImportFileError, match="UTF-8"):
        import_adoptions(b"practice,agency,status\nx,B\xe1c Giang,y\n", file_format="csv")


# --- All or nothing ----------------------------------------------------------------------


def test_faulty_file_imports_nothing_and_reports_every_bad_row(clean_practice, twin_centres):
    before = Adoption.objects.count()
    report = import_adoptions(SAMPLES / "adoptions_faulty.csv")
    assert Adoption.objects.count() == before
    by_row = {(e.row, e.column): e for e in report.errors}
    assert set(by_row) == {
        (2, "Cơ quan"),
        (3, "Cơ quan"),
        (4, "Ngày quyết định"),
        (5, "Trạng thái"),
        (6, "Sáng kiến"),
        (7, "Cơ quan"),
    }
    assert by_row[(2, "Cơ quan")].value == "Tỉnh Không Tồn Tại"
    assert "Không tìm thấy" in by_row[(2, "Cơ quan")].reason
    assert "TTPVHCC-1" in by_row[(3, "Cơ quan")].reason
    assert "TTPVHCC-2" in by_row[(3, "Cơ quan")].reason
    assert by_row[(4, "Ngày quyết định")].value == "31/02/2023"
    assert "không tồn tại" in by_row[(4, "Ngày quyết định")].reason
    assert by_row[(5, "Trạng thái")].value == "đang làm"
    assert by_row[(6, "Sáng kiến")].value == "khong-co-sang-kien"
    assert "bắt buộc" in by_row[(7, "Cơ quan")].reason
    assert "dòng 4, cột “Ngày quyết định” (giá trị “31/02/2023”)" in str(
        by_row[(4, "Ngày quyết định")]
    )


def test_faulty_file_command_fails_with_the_list(clean_practice, twin_centres):
    with pytest.raises(CommandError) as error:
        call_command(
            "import_adoptions", str(SAMPLES / "adoptions_faulty.csv"), stdout=io.StringIO()
        )
    message = str(error.value)
    assert "6 lỗi" in message and "dòng 2" in message and "dòng 7" in message
    assert not Adoption.objects.filter(practice__slug=PRACTICE).exists()


def test_duplicate_rows_in_one_file_are_an_error(clean_practice):
    data = (
        "practice,agency,status,decided_on\n"
        f"{PRACTICE},Bac Giang,adopted,2022-03-15\n{PRACTICE},24,planned,2022-03-15\n"
    )
    report = import_adoptions(data.encode(), file_format="csv")
    assert [(e.row, "dòng 2" in e.reason) for e in report.errors] == [(3, True)]


def test_dry_run_writes_nothing(clean_practice):
    revisions = Revision.objects.count()
    report = import_adoptions(SAMPLES / "adoptions_good.csv", dry_run=True)
    assert (report.new, report.dry_run) == (5, True)
    assert not Adoption.objects.filter(practice__slug=PRACTICE).exists()
    assert Revision.objects.count() == revisions
    out = io.StringIO()
    call_command("import_adoptions", str(SAMPLES / "adoptions_good.csv"), "--dry-run", stdout=out)
    assert "5 mới" in out.getvalue() and "Chạy thử" in out.getvalue()
    assert not Adoption.objects.filter(practice__slug=PRACTICE).exists()


# --- Re-import, changes, revisions -------------------------------------------------------


def test_reimport_changes_nothing(clean_practice):
    import_adoptions(SAMPLES / "adoptions_good.csv")
    revisions = Revision.objects.count()
    report = import_adoptions(SAMPLES / "adoptions_good.csv")
    assert (report.new, report.updated, report.unchanged) == (0, 0, 5)
    assert Revision.objects.count() == revisions
    out = io.StringIO()
    call_command(
        "import_adoptions", str(SAMPLES / "adoptions_good_utf16.txt"), "--format", "csv", stdout=out
    )
    assert "5 không đổi" in out.getvalue()


def test_changed_row_updates_and_adds_a_revision(clean_practice):
    user = factories_user()
    import_adoptions(SAMPLES / "adoptions_good.csv")
    target = Adoption.objects.get(practice__slug=PRACTICE, agency=unit("24", "2022-03-15"))
    assert Revision.objects.for_instance(target).count() == 1
    text = (
        (SAMPLES / "adoptions_good.csv")
        .read_bytes()
        .replace("Trợ lý ảo, giai đoạn 1".encode(), "Trợ lý ảo, giai đoạn 2".encode())
    )
    report = import_adoptions(text, file_format="csv", user=user)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 4)
    target.refresh_from_db()
    assert target.notes == "Trợ lý ảo, giai đoạn 2"
    revisions = Revision.objects.for_instance(target).order_by("created_at", "pk")
    assert revisions.count() == 2
    assert target.latest_revision_id == revisions.last().pk
    assert revisions.last().content["notes"] == "Trợ lý ảo, giai đoạn 2"
    assert revisions.last().user == user
    log = ModelLogEntry.objects.filter(object_id=str(target.pk)).order_by("pk").last()
    assert (log.action, log.user, log.revision_id) == ("wagtail.edit", user, revisions.last().pk)


def factories_user():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from reporting.roles import EDITORS

    # A national editor: the import publishes directly (a user limited to some agencies
    # imports reports instead; see test_import_permissions.py).
    user = get_user_model().objects.create_user("importer", password="x")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def test_import_refreshes_search_rows_once(clean_practice, monkeypatch):
    from search import sync
    from search.models import SearchDocument

    calls = []
    refresh_touched = sync.refresh_touched
    monkeypatch.setattr(sync, "refresh_all", lambda *a, **k: pytest.fail("refreshed everything"))
    monkeypatch.setattr(sync, "refresh_touched", lambda t: calls.append(t) or refresh_touched(t))
    import_adoptions(SAMPLES / "adoptions_good.csv")
    pks = list(Adoption.objects.filter(practice__slug=PRACTICE).values_list("pk", flat=True))
    # One refresh, of the rows of the imported adoptions only.
    assert calls == [{("adoption", pk) for pk in pks}]
    rows = SearchDocument.objects.filter(key__in=[f"adoption:{pk}" for pk in pks], deleted=False)
    assert len(pks) == rows.count() == 5
    import_adoptions(SAMPLES / "adoptions_faulty.csv")
    assert len(calls) == 1  # nothing to refresh after a refused file


# --- Export -----------------------------------------------------------------------------


def test_export_neutralises_formulas(clean_practice):
    assert [neutralise(v) for v in ("=1+1", "+84", "-x", "@SUM", "\tx", "ok")] == [
        "'=1+1",
        "'+84",
        "'-x",
        "'@SUM",
        "'\tx",
        "ok",
    ]
    practice = Adoption.objects.filter(practice__slug="giao-chi-tieu-dvctt").first().practice
    agency = unit("30", "2022-01-01")
    Adoption.objects.filter(practice=practice, agency=agency).delete()
    factories.adoption(practice, agency, notes='=HYPERLINK("http://x")', instrument="+84 123")
    data = export_adoptions(Adoption.objects.filter(practice=practice, agency=agency), "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["notes"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["instrument"] == "'+84 123"
    # …and reads back as it was written.
    report = import_adoptions(data, file_format="csv")
    assert (report.unchanged, report.updated) == (1, 0)


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_export_import_round_trip_is_unchanged(seeded, file_format):
    data = export_adoptions(file_format=file_format)
    count = Adoption.objects.count()
    report = import_adoptions(data, file_format=file_format)
    assert report.ok, [str(e) for e in report.errors]
    assert (report.total, report.unchanged, report.new, report.updated) == (count, count, 0, 0)


def test_export_command_filters_and_writes_files(seeded, tmp_path):
    out = tmp_path / "bg.xlsx"
    call_command(
        "export_adoptions",
        "--agency",
        "24",
        "--on",
        "22/11/2022",
        "--output",
        str(out),
        stderr=io.StringIO(),
    )
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("practice", "agency", "agency_slug", "status")
    assert rows[1:] and {r[1:3] for r in rows[1:]} == {("24", "bac-giang-den-2025")}
    expected = Adoption.objects.filter(agency=unit("24", "2022-11-22")).count()
    assert len(rows) - 1 == expected

    out = tmp_path / "one.json"
    call_command(
        "export_adoptions",
        "--practice",
        "giam-phi-le-phi-dvctt",
        "--output",
        str(out),
        stderr=io.StringIO(),
    )
    items = json.loads(out.read_text("utf-8"))
    assert {i["practice"] for i in items} == {"giam-phi-le-phi-dvctt"}
    assert len(items) == Adoption.objects.filter(practice__slug="giam-phi-le-phi-dvctt").count()


# --- Queries do not grow with the rows ---------------------------------------------------


def _generated(n):
    agencies = list(Agency.objects.provincial().valid_on(datetime.date(2022, 1, 1)))
    practices = [
        "giao-chi-tieu-dvctt",
        "chuan-hoa-trai-nghiem-nguoi-dung-dvctt",
        "giam-phi-le-phi-dvctt",
        "uu-tien-tra-ket-qua-som-ho-so-truc-tuyen",
        "thi-diem-dich-vu-khong-tiep-nhan-ho-so-giay",
        PRACTICE,
    ]
    pairs = [(p, a) for p in practices for a in agencies][:n]
    lines = ["practice,agency,status,decided_on"]
    lines += [f"{p},{a.name},thí điểm,01/02/2022" for p, a in pairs]
    return "\n".join(lines).encode()


def _queries_for(n):
    Adoption.objects.all().delete()
    data = _generated(n)
    with CaptureQueriesContext(connection) as new:
        report = import_adoptions(data, file_format="csv")
    assert report.ok and report.new == n
    changed = data.replace("thí điểm".encode(), "đã áp dụng".encode())
    with CaptureQueriesContext(connection) as updated:
        report = import_adoptions(changed, file_format="csv")
    assert report.updated == n
    return len(new), len(updated)


def test_query_count_does_not_grow_with_rows(seeded, monkeypatch):
    from search import sync

    monkeypatch.setattr(sync, "refresh_all", lambda *a, **k: (0, 0))  # measured elsewhere
    small_new, small_updated = _queries_for(20)
    large_new, large_updated = _queries_for(200)
    print("queries (20 rows, 200 rows):", (small_new, large_new), (small_updated, large_updated))
    # Bulk writes are split into batches only by the database's parameter limit (999 on
    # SQLite: a few extra statements for 200 rows; none on PostgreSQL), never per row.
    assert large_new - small_new <= 8, (small_new, large_new)
    assert large_updated - small_updated <= 8, (small_updated, large_updated)
