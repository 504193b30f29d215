"""Files written a row at a time: CSV, JSON and XLSX that hold any number of rows in
constant memory, with the cells a spreadsheet would run as formulas neutralised (see
`formulas`). Every export and every download of the site is written here.

`rows` is any iterable of lists of cells, in the order of `headers`; a cell is text, a
number, or None (an empty cell).
"""

import csv
import io
import itertools
import json

from practices.resources.formats import xlsx_escape
from practices.resources.formulas import escape_start, neutralise

FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}
BOM = b"\xef\xbb\xbf"  # makes Excel read a CSV as UTF-8, so Vietnamese text stays intact
ROWS_PER_CHUNK = 500
# The XLSX columns are as wide as the text of the first rows (up to a point): a file is
# written before its last row is read.
ROWS_MEASURED = 200


def _blank(cell):
    return "" if cell is None else cell


def batches(items, size=ROWS_PER_CHUNK):
    """`items` as lists of `size` (the last shorter): how the files and their rows are read
    and written, a batch at a time."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def csv_chunks(headers, rows):
    """The CSV's bytes, a few hundred rows at a time: UTF-8 with a BOM, every cell quoted (a
    spreadsheet that reads the file with another delimiter than the comma keeps a quoted cell
    whole) and neutralised."""
    text = io.StringIO()
    writer = csv.writer(text, quoting=csv.QUOTE_ALL)
    writer.writerow(headers)
    yield BOM + text.getvalue().encode("utf-8")
    for chunk in batches(rows):
        text.seek(0)
        text.truncate()
        writer.writerows([neutralise(_blank(cell)) for cell in row] for row in chunk)
        yield text.getvalue().encode("utf-8")


def json_chunks(headers, rows):
    """A JSON list of objects keyed by the headers, laid out as `json.dumps(…, indent=2)`
    would, a few hundred at a time."""
    opened = False
    for chunk in batches(rows):
        items = []
        for row in chunk:
            item = dict(zip(headers, (escape_start(_blank(cell)) for cell in row), strict=True))
            text = json.dumps(item, ensure_ascii=False, indent=2)
            items.append("  " + text.replace("\n", "\n  "))
        yield (",\n" if opened else "[\n").encode("utf-8") + ",\n".join(items).encode("utf-8")
        opened = True
    yield b"\n]" if opened else b"[]"


def chunks(file_format, headers, rows):
    """The bytes of a CSV or JSON file, as a generator (for a streaming response)."""
    if file_format == "csv":
        return csv_chunks(headers, rows)
    if file_format == "json":
        return json_chunks(headers, rows)
    raise ValueError(f"Định dạng “{file_format}” không ghi được từng phần.")


def write_xlsx(target, headers, rows):
    """An XLSX of one sheet into `target` (a path or a binary file): the header row in bold
    and frozen, and every text cell written as text, so that no cell is a formula whatever it
    starts with. openpyxl's write-only mode keeps the sheet in a temporary file, not in
    memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Dữ liệu")
    sheet.freeze_panes = "A2"
    rows = iter(rows)
    first = list(itertools.islice(rows, ROWS_MEASURED))
    for at, header in enumerate(headers):
        longest = max((len(str(_blank(row[at]))) for row in first), default=0)
        width = min(max(longest, len(header)) + 2, 60)
        sheet.column_dimensions[get_column_letter(at + 1)].width = width
    bold, wrap = Font(bold=True), Alignment(wrap_text=True)

    def cell(value, font=None):
        value = escape_start(_blank(value))
        if isinstance(value, str):
            # Control characters XML cannot hold (the forms and imports never store them),
            # and carriage returns as Excel writes them, which XML would make line feeds.
            value = xlsx_escape(ILLEGAL_CHARACTERS_RE.sub("", value))
        written = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            written.data_type = "s"  # text, even when it starts with "=": never a formula
            if "\n" in value:
                written.alignment = wrap
        if font:
            written.font = font
        return written

    sheet.append([cell(header, bold) for header in headers])
    for row in itertools.chain(first, rows):
        sheet.append([cell(value) for value in row])
    book.save(target)


def write(target, file_format, headers, rows):
    """The file into `target` (a binary file), a few hundred rows at a time."""
    if file_format == "xlsx":
        write_xlsx(target, headers, rows)
        return
    for chunk in chunks(file_format, headers, rows):
        target.write(chunk)


def to_bytes(file_format, headers, rows):
    """The whole file as bytes: for the exports of the commands and the admin, which are
    small enough to hold."""
    if file_format == "xlsx":
        output = io.BytesIO()
        write_xlsx(output, headers, rows)
        return output.getvalue()
    if file_format in FORMATS:
        return b"".join(chunks(file_format, headers, rows))
    raise ValueError(f"Định dạng “{file_format}” không được hỗ trợ; dùng csv, xlsx hoặc json.")
