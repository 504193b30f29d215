"""What an imported file may hold: each limit refuses the file as it is read, with a Vietnamese
message that names the limit, and never by loading the whole file first.

The files of the reported cases are made here by small generators. Each test proves that the
refusal came while reading by counting what was read (rows handed on by a format's reader,
records the csv module split, JSON parser events, or whether openpyxl was started at all),
not by timing.
"""

import csv
import io
import json
import zipfile

import ijson
import pytest
from openpyxl import Workbook
from openpyxl.reader.excel import ExcelReader

from practices.models import Adoption
from practices.resources import ImportFileError, formats, import_adoptions, import_agencies

pytestmark = pytest.mark.django_db

PRACTICE = "tro-ly-ao-huong-dan-dvctt"
HEADER = "practice,agency,status,decided_on"
GOOD_ROW = f"{PRACTICE},Bac Giang,da ap dung,15/03/2022"


@pytest.fixture
def pulled(monkeypatch):
    """How many rows each format's reader handed on (the header excluded)."""
    counts = dict.fromkeys(formats.READERS, 0)
    for file_format, real in list(formats.READERS.items()):

        def counting(data, limits, file_format=file_format, real=real):
            headers, rows = real(data, limits)

            def counted():
                for row in rows:
                    counts[file_format] += 1
                    yield row

            return headers, counted()

        monkeypatch.setitem(formats.READERS, file_format, counting)
    return counts


@pytest.fixture
def sheet_read(monkeypatch):
    """How many bytes of worksheets were read out of XLSX files, once unzipped."""
    count, real_open = [0], zipfile.ZipFile.open

    def counting_open(self, name, mode="r", *args, **kwargs):
        member = real_open(self, name, mode, *args, **kwargs)
        if mode == "r" and getattr(name, "filename", name).startswith("xl/worksheets/"):
            real_read = member.read

            def read(n=-1):
                data = real_read(n)
                count[0] += len(data)
                return data

            member.read = read
        return member

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    return count


@pytest.fixture
def split_records(monkeypatch):
    """The number of fields of each record the csv module split."""
    records, real = [], csv.reader

    def counting(lines, **kwargs):
        for record in real(lines, **kwargs):
            records.append(len(record))
            yield record

    monkeypatch.setattr(csv, "reader", counting)
    return records


@pytest.fixture
def json_events(monkeypatch):
    """How many events the JSON parser produced."""
    count, real = [0], ijson.basic_parse

    def counting(*args, **kwargs):
        for event in real(*args, **kwargs):
            count[0] += 1
            yield event

    monkeypatch.setattr(ijson, "basic_parse", counting)
    return count


# --- XLSX, written part by part so that no test holds a large sheet in memory -------------

_PACKAGE = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def text_row(*values):
    cells = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in values)
    return f"<row>{cells}</row>".encode()


def xlsx(*parts, header=("practice", "agency", "status"), dimension=b""):
    """An XLSX whose sheet is `header` and `parts` (bytes of <row> elements)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PACKAGE.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                + dimension
                + b"<sheetData>"
                + text_row(*header)
            )
            for part in parts:
                sheet.write(part)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


@pytest.mark.parametrize("dimension", [b"", b'<dimension ref="A1:C3"/>'])
def test_a_small_xlsx_of_200000_rows_stops_at_the_row_limit(
    settings, pulled, sheet_read, dimension
):
    # Without a stated size openpyxl's load_workbook parses a whole sheet before its first
    # row; a wrong one (three rows here) would hide the rest.
    row = text_row(PRACTICE, "Bac Giang", "da ap dung")
    data = xlsx(*(row * 10_000 for _ in range(20)), dimension=dimension)  # 200,000 rows
    assert len(data) < 200_000  # the 125 KB file of the report
    settings.IMPORT_MAX_ROWS = 1_000
    with pytest.raises(ImportFileError, match=r"hơn 1\.000 dòng.*IMPORT_MAX_ROWS"):
        import_adoptions(data, file_format="xlsx")
    assert pulled["xlsx"] == 1_001  # one past the limit, not 200,000
    assert sheet_read[0] < 1_000_000  # of a sheet of 22 MB


def test_the_row_limit_admits_a_file_at_the_limit(settings, seeded):
    settings.IMPORT_MAX_ROWS = 2
    at_the_limit = f"{HEADER}\n{GOOD_ROW}\n{PRACTICE},Hoa Binh,planned,15/03/2022\n"
    assert import_adoptions(at_the_limit.encode(), file_format="csv", dry_run=True).ok
    with pytest.raises(ImportFileError, match="IMPORT_MAX_ROWS"):
        import_adoptions((at_the_limit + f"{PRACTICE},01,planned,\n").encode(), file_format="csv")


def test_an_xlsx_of_2_million_rows_is_refused_from_its_zip_directory(monkeypatch):
    row = b'<row><c t="n"><v>12345</v></c></row>'
    data = xlsx(*(row * 10_000 for _ in range(200)))  # 2,000,000 rows, 74 MB unzipped
    assert len(data) < 2_000_000

    def parse(*args, **kwargs):
        raise AssertionError("openpyxl was started on a file over the unzipped limit")

    monkeypatch.setattr(ExcelReader, "read", parse)
    with pytest.raises(ImportFileError, match=r"giải nén ra 68,7 MB.*IMPORT_MAX_UNZIPPED_BYTES"):
        import_adoptions(data, file_format="xlsx")


def test_an_xlsx_row_far_down_the_sheet_is_not_reached_through_blank_rows(monkeypatch, pulled):
    # openpyxl hands on an empty row for every row number a sheet skips.
    monkeypatch.setattr(formats, "LAST_ROW", 5_000)
    data = xlsx(b'<row r="999999999"><c r="A999999999" t="n"><v>1</v></c></row>')
    with pytest.raises(ImportFileError, match="kể cả dòng trống"):
        import_adoptions(data, file_format="xlsx")
    assert pulled["xlsx"] == 0  # blank rows are skipped, not handed on


def test_an_xlsx_wider_than_the_column_limit_is_refused(settings):
    settings.IMPORT_MAX_COLUMNS = 10
    book = Workbook()
    book.active.append(["practice", "agency", "status", *(f"c{n}" for n in range(20))])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ImportFileError, match=r"Dòng 1 có hơn 10 cột.*IMPORT_MAX_COLUMNS"):
        import_adoptions(buffer.getvalue(), file_format="xlsx")


def test_an_xlsx_data_row_wider_than_the_column_limit_is_refused(settings):
    settings.IMPORT_MAX_COLUMNS = 5
    data = xlsx(text_row(PRACTICE, "Bac Giang", "da ap dung", "", "", "one too many"))
    with pytest.raises(ImportFileError, match=r"Dòng 2 có hơn 5 cột"):
        import_adoptions(data, file_format="xlsx")


# --- CSV ---------------------------------------------------------------------------------


def test_a_csv_of_200000_columns_is_refused_after_its_header(pulled):
    header = ",".join([HEADER, *(f"c{n}" for n in range(200_000))])
    data = (header + "\n" + GOOD_ROW + "\n").encode()
    assert 1_000_000 < len(data) < 2_000_000  # the 1.5 MB file of the report
    with pytest.raises(ImportFileError, match=r"Dòng 1 có hơn 100 cột.*IMPORT_MAX_COLUMNS"):
        import_adoptions(data, file_format="csv")
    assert pulled["csv"] == 0


def test_a_4_mb_single_line_csv_is_refused_before_it_is_split(split_records):
    data = ("practice,agency,status," + "x," * 2_000_000).encode()
    assert len(data) > 4_000_000
    with pytest.raises(ImportFileError, match=r"Dòng 1 dài 4\.000\.023 ký tự"):
        import_adoptions(data, file_format="csv")
    assert split_records == []


def test_a_csv_row_over_the_row_limit_stops_the_reading(settings, pulled):
    settings.IMPORT_MAX_ROWS = 1_000
    data = (HEADER + "\n" + (GOOD_ROW + "\n") * 50_000).encode()
    with pytest.raises(ImportFileError, match="IMPORT_MAX_ROWS"):
        import_adoptions(data, file_format="csv")
    assert pulled["csv"] == 1_001


def test_a_csv_of_line_breaks_is_not_read_past_the_last_row(monkeypatch, split_records):
    monkeypatch.setattr(formats, "LAST_ROW", 1_000)
    data = (HEADER + "\n" + "\n" * 100_000).encode()
    with pytest.raises(ImportFileError, match="kể cả dòng trống"):
        import_adoptions(data, file_format="csv")
    assert len(split_records) == 1_001  # the header and the rows up to LAST_ROW


@pytest.mark.parametrize(
    "cell",
    [
        "n" * 140_000,  # over the csv module's own limit of 131,072
        '"' + ("dòng dài\n" * 16_000) + '"',  # the same over many lines of one quoted cell
        '"' + '""' * 140_000 + '"',  # quotes, doubled
    ],
)
def test_a_csv_cell_over_131072_characters_names_its_row_and_column(cell):
    assert csv.field_size_limit() == 131_072  # the csv module's own (another library may raise it)
    data = f"{HEADER},Ghi chú\n{GOOD_ROW}\n{GOOD_ROW},{cell}\n".encode()
    with pytest.raises(ImportFileError) as error:
        import_adoptions(data, file_format="csv")
    assert "Dòng 3, cột “Ghi chú”: ô dài hơn 10.000 ký tự" in str(error.value)
    assert "IMPORT_MAX_CELL_CHARS" in str(error.value)


def csv_file(notes):
    return f"{HEADER},Ghi chú\n{GOOD_ROW},{notes}\n".encode()


def json_file(notes):
    row = dict(zip(HEADER.split(","), GOOD_ROW.split(","), strict=True))
    return json.dumps([row | {"Ghi chú": notes}]).encode()


def xlsx_file(notes):
    header = (*HEADER.split(","), "Ghi chú")
    return xlsx(text_row(*GOOD_ROW.split(","), notes), header=header)


@pytest.mark.parametrize(
    "file_format, make", [("csv", csv_file), ("json", json_file), ("xlsx", xlsx_file)]
)
def test_a_cell_over_the_cell_limit_names_its_row_and_column(settings, file_format, make):
    settings.IMPORT_MAX_CELL_CHARS = 50
    with pytest.raises(ImportFileError) as error:
        import_adoptions(make("ư" * 51), file_format=file_format)
    assert "Dòng 2, cột “Ghi chú”: ô dài 51 ký tự; giới hạn là 50 ký tự" in str(error.value)


# --- JSON --------------------------------------------------------------------------------


def test_json_nested_5000_deep_is_refused_at_its_second_bracket(json_events):
    with pytest.raises(ImportFileError, match="danh sách các đối tượng"):
        import_adoptions(("[" * 5_000 + "]" * 5_000).encode(), file_format="json")
    assert json_events[0] == 2


def test_json_nested_5000_deep_in_a_cell_names_its_row_and_column(json_events):
    nested = "[" * 5_000 + "]" * 5_000
    data = f'[{{"practice": "{PRACTICE}", "Ghi chú": {nested}}}]'.encode()
    with pytest.raises(ImportFileError, match=r"Dòng 2, cột “Ghi chú”: giá trị phải là chữ, số"):
        import_adoptions(data, file_format="json")
    assert json_events[0] < 10


def test_json_over_the_row_limit_stops_the_parser(settings, json_events):
    settings.IMPORT_MAX_ROWS = 100
    data = json.dumps([{"practice": PRACTICE, "agency": "24", "status": "adopted"}] * 10_000)
    with pytest.raises(ImportFileError, match="IMPORT_MAX_ROWS"):
        import_adoptions(data.encode(), file_format="json")
    assert json_events[0] < 101 * 8 + 5  # about eight events a row, for the first 101 rows


def test_json_with_more_keys_than_the_column_limit_is_refused(settings):
    settings.IMPORT_MAX_COLUMNS = 5
    data = json.dumps([{"practice": PRACTICE}, {f"c{n}": n for n in range(10)}])
    with pytest.raises(ImportFileError, match=r"Dòng 3 có hơn 5 cột"):
        import_adoptions(data.encode(), file_format="json")


@pytest.mark.parametrize(
    "data", [b'{"practice": "x"}', b"5", b'[{"practice": "x"}, 5]', b"[[1]]", b'[{"a": 1}] x']
)
def test_json_that_is_not_a_list_of_objects_is_refused(data):
    with pytest.raises(ImportFileError, match="JSON"):
        import_adoptions(data, file_format="json")


def test_json_reads_values_as_before(seeded):
    data = json.dumps(
        [{"practice": PRACTICE, "agency": 24, "status": "adopted", "decided_on": "2022-03-15"}]
    ).encode("utf-16")
    report = import_adoptions(data, file_format="json", dry_run=True)
    assert report.ok and report.total == 1


# --- NUL ---------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format, make", [("csv", csv_file), ("json", json_file)])
def test_a_nul_in_a_cell_is_a_row_error_naming_row_and_column(seeded, file_format, make):
    Adoption.objects.filter(practice__slug=PRACTICE).delete()
    report = import_adoptions(make("trước\x00sau"), file_format=file_format)
    assert [(e.row, e.column) for e in report.errors] == [(2, "Ghi chú")]
    assert "NUL" in report.errors[0].reason
    assert not Adoption.objects.filter(practice__slug=PRACTICE).exists()


def test_a_nul_in_a_reference_file_is_a_row_error(seeded):
    data = "Mã,Tên,Loại\nX-NUL,Sở\x00 thử,sở\n".encode()
    report = import_agencies(data, file_format="csv", dry_run=True)
    assert ("Tên" in {e.column for e in report.errors if e.row == 2}) and not report.ok
