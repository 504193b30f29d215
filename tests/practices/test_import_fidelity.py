"""What an export writes, an import reads back unchanged: records of units that have ended
(whose code may be another unit's today), and cells a spreadsheet would run as formulas."""

import csv
import datetime
import io
import json

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from practices.models import Adoption, Agency, AgencyKind, PracticePage
from practices.resources import export_adoptions, import_adoptions
from tests import factories

pytestmark = pytest.mark.django_db

PRACTICE = "tro-ly-ao-huong-dan-dvctt"
FORMATS = ["csv", "xlsx", "json"]


def unit(code, on):
    return Agency.objects.resolve(code, on)


@pytest.fixture
def practice(seeded):
    Adoption.objects.filter(practice__slug=PRACTICE).delete()
    return PracticePage.objects.get(slug=PRACTICE)


@pytest.fixture
def old_bac_giang(seeded):
    return unit("24", datetime.date(2022, 1, 1))  # its code is today's Bắc Ninh's


@pytest.fixture
def today_bac_ninh(seeded):
    return unit("24", timezone.localdate())


def undated(practice, agency, **fields):
    """A record made before a unit that has ended needed a decision date."""
    return factories.adoption(practice, agency, decided_on=None, **fields)


def round_trip(queryset, file_format):
    data = export_adoptions(queryset, file_format)
    report = import_adoptions(data, file_format=file_format)
    assert report.ok, [str(e) for e in report.errors]
    return report


# --- Units that have ended ---------------------------------------------------------------


@pytest.mark.parametrize("file_format", FORMATS)
def test_an_undated_record_of_old_bac_giang_does_not_come_back_new_for_bac_ninh(
    practice, old_bac_giang, today_bac_ninh, file_format
):
    record = undated(practice, old_bac_giang, notes="trước sáp nhập")
    report = round_trip(Adoption.objects.filter(pk=record.pk), file_format)
    assert (report.unchanged, report.new, report.updated) == (1, 0, 0)
    assert not Adoption.objects.filter(practice=practice, agency=today_bac_ninh).exists()


@pytest.mark.parametrize("file_format", FORMATS)
def test_an_undated_record_of_an_old_department_does_not_match_the_current_one(
    practice, old_bac_giang, today_bac_ninh, file_format
):
    # A department code reused by the department of the merged province.
    old = factories.agency(
        name="Sở Nội vụ tỉnh Bắc Giang",
        code="SNV-24",
        kind=AgencyKind.DEPARTMENT,
        parent=old_bac_giang,
        valid_to=datetime.date(2025, 6, 30),
        slug="so-noi-vu-bac-giang-den-2025",
    )
    current = factories.agency(
        name="Sở Nội vụ tỉnh Bắc Ninh",
        code="SNV-24",
        kind=AgencyKind.DEPARTMENT,
        parent=today_bac_ninh,
        valid_from=datetime.date(2025, 7, 1),
    )
    record = undated(practice, old, status="piloting")
    theirs = factories.adoption(practice, current, decided_on=datetime.date(2025, 9, 1))
    report = round_trip(Adoption.objects.filter(pk=record.pk), file_format)
    assert (report.unchanged, report.new, report.updated) == (1, 0, 0)
    theirs.refresh_from_db()
    assert (theirs.status, theirs.decided_on) == ("adopted", datetime.date(2025, 9, 1))


@pytest.mark.parametrize("file_format", FORMATS)
def test_an_undated_record_of_old_bac_giang_is_not_a_duplicate_of_bac_ninhs(
    practice, old_bac_giang, today_bac_ninh, file_format
):
    undated(practice, old_bac_giang)
    factories.adoption(practice, today_bac_ninh, decided_on=datetime.date(2025, 12, 1))
    report = round_trip(Adoption.objects.filter(practice=practice), file_format)
    assert (report.total, report.unchanged) == (2, 2)


def test_the_agency_slug_column_is_read_first_and_alone_is_enough(practice, old_bac_giang):
    data = f"practice,agency_slug,status\n{PRACTICE},{old_bac_giang.slug},adopted\n"
    report = import_adoptions(data.encode(), file_format="csv", dry_run=True)
    # The unit is found, and, having ended, needs its decision date.
    assert [(e.row, e.column) for e in report.errors] == [(2, "decided_on")]
    assert "đã kết thúc ngày 30/06/2025" in report.errors[0].reason
    report = import_adoptions(
        (data.strip() + ",").replace("status\n", "status,Ngày quyết định\n").encode()
        + b"15/03/2022\n",
        file_format="csv",
    )
    assert report.ok and report.new == 1
    assert Adoption.objects.get(practice=practice).agency == old_bac_giang


def test_an_unknown_agency_slug_is_an_error_of_its_column(practice):
    data = f"practice,agency,Mã định danh cơ quan,status\n{PRACTICE},24,khong-co,adopted\n"
    report = import_adoptions(data.encode(), file_format="csv")
    assert [(e.row, e.column) for e in report.errors] == [(2, "Mã định danh cơ quan")]
    assert "khong-co" in report.errors[0].reason


def test_an_agency_slug_that_names_another_unit_than_its_code_is_an_error(practice, old_bac_giang):
    data = f"practice,agency,agency_slug,status,decided_on\n{PRACTICE},01,{old_bac_giang.slug},adopted,15/03/2022\n"
    report = import_adoptions(data.encode(), file_format="csv")
    assert [(e.row, e.column) for e in report.errors] == [(2, "agency_slug")]
    assert "không phải “01”" in report.errors[0].reason
    # The same code, read on any date, is no mismatch.
    report = import_adoptions(data.replace(",01,", ",24,").encode(), file_format="csv")
    assert report.ok


def test_a_slug_and_a_date_outside_the_units_period_is_an_error(practice, old_bac_giang):
    data = f"practice,agency_slug,status,decided_on\n{PRACTICE},{old_bac_giang.slug},adopted,01/08/2025\n"
    report = import_adoptions(data.encode(), file_format="csv")
    assert [(e.row, e.column) for e in report.errors] == [(2, "decided_on")]
    reason = report.errors[0].reason
    assert reason.startswith("Ngày quyết định 01/08/2025 sau khi Tỉnh Bắc Giang (mã 24,")
    assert "đơn vị lúc đó là Tỉnh Bắc Ninh (từ 01/07/2025)" in reason


def test_a_changed_undated_record_of_an_ended_unit_needs_its_date(practice, old_bac_giang):
    record = undated(practice, old_bac_giang)
    data = export_adoptions(Adoption.objects.filter(pk=record.pk), "json")
    items = json.loads(data)
    items[0]["notes"] = "đã bổ sung"
    report = import_adoptions(json.dumps(items).encode(), file_format="json")
    assert [(e.row, e.column) for e in report.errors] == [(2, "decided_on")]
    items[0]["decided_on"] = "10/10/2024"
    report = import_adoptions(json.dumps(items).encode(), file_format="json")
    assert report.ok and report.updated == 1
    record.refresh_from_db()
    assert (record.notes, record.decided_on) == ("đã bổ sung", datetime.date(2024, 10, 10))


def test_a_new_record_of_an_ended_unit_needs_a_decision_date_in_the_model(
    practice, old_bac_giang, today_bac_ninh
):
    record = Adoption(practice=practice, agency=old_bac_giang, status="adopted")
    with pytest.raises(ValidationError) as error:
        record.full_clean(validate_unique=False, validate_constraints=False)
    assert "decided_on" in error.value.message_dict
    assert "đã kết thúc ngày 30/06/2025" in error.value.message_dict["decided_on"][0]
    record.decided_on = datetime.date(2024, 5, 1)
    record.full_clean(validate_unique=False, validate_constraints=False)
    # A unit that still exists needs none.
    Adoption(practice=practice, agency=today_bac_ninh, status="adopted").full_clean(
        validate_unique=False, validate_constraints=False
    )


# --- Formulas ----------------------------------------------------------------------------

STARTS = ["=", "+", "-", "@", "\t", "\r"]
DELIMITERS = [",", ";", "\t"]
# Each at the start of a cell and after each delimiter; and one that starts with an
# apostrophe before a formula, which must come back with it.
VALUES = [f"{start}1+1" for start in STARTS]
VALUES += [f"x{delimiter}{start}1+1" for delimiter in DELIMITERS for start in STARTS]
VALUES += ["'=1+1", 'x;"=1+1"']


@pytest.fixture
def formulas(practice):
    agencies = list(Agency.objects.provincial().valid_on(datetime.date(2022, 1, 1)))
    for agency, value in zip(agencies, VALUES, strict=False):
        factories.adoption(practice, agency, notes=value, instrument=value[:255])
    return Adoption.objects.filter(practice=practice)


def cells_as_a_spreadsheet_may_split_them(text, delimiter):
    """Every cell of `text` read with `delimiter`: with quotes honoured, and with quotes
    ignored and lines broken at every line break."""
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    naive = [line.split(delimiter) for line in text.replace("\r", "\n").split("\n")]
    return [cell for row in rows + naive for cell in row]


def test_csv_export_starts_no_cell_with_a_formula_whatever_the_delimiter(formulas):
    text = export_adoptions(formulas, "csv").decode("utf-8-sig")
    for delimiter in DELIMITERS:
        for cell in cells_as_a_spreadsheet_may_split_them(text, delimiter):
            assert not cell.lstrip('"').startswith(tuple(STARTS)), (delimiter, cell)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {row["notes"] for row in rows} >= {"'=1+1", "x;'=1+1", "x,'@1+1", "'\t1+1"}
    # Every cell is quoted: the header too.
    assert text.startswith('"practice","agency","agency_slug","status"')


def test_xlsx_export_has_no_formula_cell_and_keeps_the_text(formulas):
    sheet = load_workbook(io.BytesIO(export_adoptions(formulas, "xlsx"))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    headers = [cell.value for cell in sheet[1]]
    notes = {row[headers.index("notes")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    # As they are, but for the one that starts with an apostrophe before a formula, and
    # carriage returns, escaped as Excel writes them.
    expected = (set(VALUES) - {"'=1+1"}) | {"''=1+1"}
    assert notes == {value.replace("\r", "_x000D_") for value in expected}


def test_json_export_adds_no_apostrophe(formulas):
    items = json.loads(export_adoptions(formulas, "json"))
    assert {item["notes"] for item in items} == (set(VALUES) - {"'=1+1"}) | {"''=1+1"}


@pytest.mark.parametrize("file_format", FORMATS)
def test_cells_that_read_as_formulas_round_trip_in_every_format(formulas, file_format):
    # A value that starts with a tab or a line break cannot be stored (the forms and the
    # import strip a cell's ends); the others come back as they were.
    formulas.filter(notes__regex=r"^\s").delete()
    before = {a.pk: (a.notes, a.instrument) for a in formulas.all()}
    report = round_trip(formulas.all(), file_format)
    assert (report.unchanged, report.updated) == (len(before), 0)
    assert {a.pk: (a.notes, a.instrument) for a in formulas.all()} == before


@pytest.mark.parametrize("file_format", ["xlsx", "json"])
def test_older_exports_with_an_apostrophe_before_a_formula_read_as_meant(
    practice, old_bac_giang, file_format
):
    record = factories.adoption(practice, old_bac_giang, notes="=1+1", instrument="-5")
    items = json.loads(export_adoptions(Adoption.objects.filter(pk=record.pk), "json"))
    items[0] |= {"notes": "'=1+1", "instrument": "'-5"}  # as exports used to write them
    if file_format == "json":
        data = json.dumps(items).encode()
    else:
        from openpyxl import Workbook

        book = Workbook()
        book.active.append(list(items[0]))
        book.active.append(list(items[0].values()))
        output = io.BytesIO()
        book.save(output)
        data = output.getvalue()
    report = import_adoptions(data, file_format=file_format)
    assert (report.unchanged, report.updated) == (1, 0), [str(e) for e in report.errors]


def test_xlsx_keeps_carriage_returns_and_text_that_looks_escaped(practice, old_bac_giang):
    notes = "dòng 1\r\ndòng 2, mã _x0041_"
    record = factories.adoption(practice, old_bac_giang, notes=notes)
    data = export_adoptions(Adoption.objects.filter(pk=record.pk), "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    headers = [cell.value for cell in sheet[1]]
    # As Excel writes them: a carriage return escaped, and an underscore that would start an
    # escape escaped too.
    assert sheet.cell(2, headers.index("notes") + 1).value == (
        "dòng 1_x000D_\ndòng 2, mã _x005F_x0041_"
    )
    report = import_adoptions(data, file_format="xlsx")
    assert (report.unchanged, report.updated) == (1, 0)


def test_export_command_lists_the_undated_records_of_ended_units(
    practice, old_bac_giang, today_bac_ninh, tmp_path
):
    from django.core.management import call_command

    record = undated(practice, old_bac_giang)
    undated(practice, today_bac_ninh)  # a unit that still exists needs no date
    out = tmp_path / "undated.json"
    call_command("export_adoptions", "--undated", "--output", str(out), stderr=io.StringIO())
    items = json.loads(out.read_text("utf-8"))
    assert [(i["practice"], i["agency_slug"]) for i in items] == [(PRACTICE, old_bac_giang.slug)]
    # Dated in the file, it imports back onto the same record.
    items[0]["decided_on"] = "01/02/2023"
    assert import_adoptions(json.dumps(items).encode(), file_format="json").updated == 1
    record.refresh_from_db()
    assert record.decided_on == datetime.date(2023, 2, 1)
