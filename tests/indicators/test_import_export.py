"""Import and export of indicator values: all or nothing, units resolved on the period's last
day, formula-safe, round trip, the command, on SQLite and PostgreSQL alike."""

import csv
import datetime
import io
import json
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

import pytest
from openpyxl import load_workbook

from dashboards import cache
from indicators.models import IndicatorValue, ValueKind
from indicators.periods import PeriodKind
from indicators.resources import parse_decimal
from indicators.transfer import export_indicator_values, import_indicator_values, template
from practices.models import Agency, Indicator
from reporting.roles import EDITORS, REVIEWERS

pytestmark = pytest.mark.django_db

HEADER = "Chỉ số,Cơ quan,Loại kỳ,Ngày đầu kỳ,Giá trị,Loại số liệu,Nguồn,Văn bản giao chỉ tiêu"
GOOD = [
    'online-dossier-rate,24,Quý,01/04/2025,"54,8",Số đo,Cổng Dịch vụ công quốc gia,',
    "online-dossier-rate,24,Quý,01/07/2025,61.2,Số đo,Cổng Dịch vụ công quốc gia,",
    "Tỷ lệ hồ sơ trực tuyến,Bắc Ninh,Tháng,01/03/2025,50,,Cổng Dịch vụ công quốc gia,",
    "online-payment-rate,Cả nước,Năm,01/01/2026,70,Chỉ tiêu,Báo cáo,Quyết định số 1/QĐ-TTg",
    # The year of the reform: code 24 on its last day is the new Bắc Ninh.
    "online-dossier-rate,24,Năm,01/01/2025,58,Số đo,Cổng Dịch vụ công quốc gia,",
]


def _csv(*rows, header=HEADER):
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def _unit(code, on):
    return Agency.objects.resolve(code, datetime.date.fromisoformat(on))


def _imported():
    return IndicatorValue.objects.exclude(source__in=["en.vneconomy.vn", "vietnamlawmagazine.vn"])


def test_a_good_file_imports_each_code_as_the_unit_of_its_period(seeded):
    report = import_indicator_values(_csv(*GOOD), "csv")
    assert report.ok, [str(error) for error in report.errors]
    assert (report.total, report.new) == (5, 5)
    values = {(v.agency_id, v.period_start, v.period_kind): v for v in _imported().select_related()}
    second_quarter = values[
        (_unit("24", "2025-06-30").pk, datetime.date(2025, 4, 1), PeriodKind.QUARTER)
    ]
    assert second_quarter.agency.name == "Tỉnh Bắc Giang"  # code 24 until 30/6/2025
    assert second_quarter.value == Decimal("54.8")
    third_quarter = values[
        (_unit("24", "2025-07-01").pk, datetime.date(2025, 7, 1), PeriodKind.QUARTER)
    ]
    assert third_quarter.agency.name == "Tỉnh Bắc Ninh"
    # "Bắc Ninh" in March 2025 is the province before the merger.
    march = values[(_unit("27", "2025-03-31").pk, datetime.date(2025, 3, 1), PeriodKind.MONTH)]
    assert march.agency.valid_to == datetime.date(2025, 6, 30)
    year = values[(_unit("24", "2025-07-01").pk, datetime.date(2025, 1, 1), PeriodKind.YEAR)]
    assert year.value == Decimal(58)
    national = values[(None, datetime.date(2026, 1, 1), PeriodKind.YEAR)]
    assert (national.kind, national.instrument) == (ValueKind.TARGET, "Quyết định số 1/QĐ-TTg")


BAD_ROWS = [
    (
        "online-dossier-rate,Tỉnh Không Có,Quý,01/01/2025,50,,Nguồn,",
        "Cơ quan",
        "Không tìm thấy cơ quan, đơn vị “Tỉnh Không Có”",
    ),
    (
        # Bắc Giang's slug, for a quarter after it ended: code 24 was Bắc Ninh's by then.
        "online-dossier-rate,,Quý,01/07/2025,50,,Nguồn,",
        "Mã định danh cơ quan",
        "đơn vị lúc đó là Tỉnh Bắc Ninh (từ 01/07/2025)",
    ),
    (
        "online-dossier-rate,24,Quý,01/05/2025,50,,Nguồn,",
        "Ngày đầu kỳ",
        "Ngày đầu kỳ của kỳ quý phải là ngày 1 của tháng đầu quý",
    ),
    (
        "online-dossier-rate,24,Quý,01/01/2025,120,,Nguồn,",
        "Giá trị",
        "giá trị phải từ 0 đến 100",
    ),
    ("khong-co-chi-so,24,Quý,01/01/2025,50,,Nguồn,", "Chỉ số", "Không có chỉ số “khong-co-chi-so”"),
    ("online-dossier-rate,24,Quý,01/01/2025,50,,,", "Nguồn", "Thiếu giá trị bắt buộc."),
]


@pytest.mark.parametrize(("bad", "column", "reason"), BAD_ROWS)
def test_one_bad_row_writes_nothing_and_names_its_row_and_column(seeded, bad, column, reason):
    header = HEADER
    rows = [*GOOD[:2], bad, GOOD[2]]
    if column == "Mã định danh cơ quan":
        header += ",Mã định danh cơ quan"
        rows = [row + "," for row in rows]
        rows[2] = bad + ",bac-giang-den-2025"
    before = IndicatorValue.objects.count()
    report = import_indicator_values(_csv(*rows, header=header), "csv")
    assert not report.ok
    assert IndicatorValue.objects.count() == before
    assert [(error.row, error.column) for error in report.errors] == [(4, column)]
    assert reason in report.errors[0].reason


def test_a_measure_of_a_period_to_come_is_refused(seeded):
    next_year = datetime.date.today().year + 1
    report = import_indicator_values(
        _csv(f"online-dossier-rate,Cả nước,Năm,01/01/{next_year},50,Số đo,Nguồn,"), "csv"
    )
    assert [(error.row, error.column) for error in report.errors] == [(2, "Ngày đầu kỳ")]
    assert "chưa bắt đầu" in report.errors[0].reason


def test_a_row_twice_in_a_file_is_refused_and_a_known_key_updates(seeded):
    report = import_indicator_values(_csv(GOOD[0], GOOD[0]), "csv")
    assert [(error.row, error.column) for error in report.errors] == [(3, "Ngày đầu kỳ")]
    assert import_indicator_values(_csv(GOOD[0]), "csv").new == 1
    changed = GOOD[0].replace('"54,8"', "55")
    report = import_indicator_values(_csv(changed), "csv")
    assert (report.new, report.updated) == (0, 1)
    assert _imported().get().value == Decimal(55)


def _everything():
    fields = ("indicator_id", "agency_id", "period_kind", "period_start", "kind", "value")
    fields += ("source", "instrument", "note", "updated_at")
    return sorted(IndicatorValue.objects.values_list(*fields), key=repr)


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_export_then_import_changes_nothing(seeded, file_format):
    assert import_indicator_values(_csv(*GOOD), "csv").ok
    before = _everything()
    data = export_indicator_values(file_format=file_format)
    report = import_indicator_values(data, file_format)
    assert report.ok, [str(error) for error in report.errors]
    assert (report.new, report.updated, report.unchanged) == (0, 0, len(before))
    after = _everything()
    assert after == before


def test_a_formula_in_a_cell_is_neutralised_on_export_and_read_back(seeded):
    formula = '=HYPERLINK("http://x")'
    IndicatorValue.objects.create(
        indicator=Indicator.objects.get(code="online-dossier-rate"),
        agency=_unit("24", "2025-07-01"),
        period_kind=PeriodKind.QUARTER,
        period_start=datetime.date(2025, 7, 1),
        value=Decimal(50),
        source=formula,
        note="+84 123",
    )
    data = export_indicator_values(IndicatorValue.objects.measures(), "csv")
    row = next(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert (row["source"], row["note"]) == ("'" + formula, "'+84 123")
    assert (
        json.loads(export_indicator_values(IndicatorValue.objects.measures(), "json"))[0]["source"]
        == formula
    )
    report = import_indicator_values(data, "csv")
    assert (report.unchanged, report.updated) == (1, 0)
    assert IndicatorValue.objects.measures().get().source == formula


def test_numbers_are_read_as_people_type_them():
    assert parse_decimal("54,8") == Decimal("54.8")
    assert parse_decimal("1.234,5") == Decimal("1234.5")
    assert parse_decimal("1,234.5") == Decimal("1234.5")
    assert parse_decimal("80 %") == Decimal(80)
    with pytest.raises(ValueError, match="Không phải một số"):
        parse_decimal("năm mươi")


def test_only_national_editors_import(seeded):
    users = get_user_model().objects
    editor = users.create_user("bt", password="x")
    editor.groups.add(Group.objects.get(name=EDITORS))
    reviewer = users.create_user("td", password="x")
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    assert import_indicator_values(_csv(GOOD[0]), "csv", user=editor, dry_run=True).ok
    for user in (reviewer, users.create_user("bc", password="x")):
        with pytest.raises(PermissionDenied):
            import_indicator_values(_csv(GOOD[0]), "csv", user=user)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_template_imports_as_downloaded(seeded, file_format):
    user = get_user_model().objects.create_superuser("admin", password="x")
    data = template(user, file_format)
    report = import_indicator_values(data, file_format, dry_run=True)
    assert report.ok, [str(error) for error in report.errors]
    assert report.total == 1
    if file_format == "xlsx":
        book = load_workbook(io.BytesIO(data))
        assert book.sheetnames == ["Dữ liệu", "Giá trị hợp lệ"]
        assert [cell.value for cell in book["Dữ liệu"][1]][:4] == [
            "Chỉ số",
            "Cơ quan",
            "Loại kỳ",
            "Ngày đầu kỳ",
        ]


def test_the_command_reports_every_bad_row_and_writes_nothing(seeded, tmp_path):
    path = tmp_path / "chi-so.csv"
    path.write_bytes(_csv(GOOD[0], BAD_ROWS[0][0]))
    with pytest.raises(CommandError) as caught:
        call_command("import_indicator_values", str(path), stdout=io.StringIO())
    assert "dòng 3, cột “Cơ quan”" in str(caught.value)
    assert not _imported().exists()
    path.write_bytes(_csv(GOOD[0]))
    out = io.StringIO()
    call_command("import_indicator_values", str(path), stdout=out)
    assert "1 mới" in out.getvalue()


def test_an_import_makes_the_dashboards_cache_stale_once(
    seeded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert import_indicator_values(_csv(*GOOD), "csv").ok
    assert callbacks.count(cache.bump) == 1  # bulk writes send no signal per row
    with django_capture_on_commit_callbacks() as callbacks:
        import_indicator_values(_csv(*GOOD), "csv", dry_run=True)
    assert cache.bump not in callbacks
