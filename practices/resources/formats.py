"""The rows of a CSV, XLSX or JSON file, read as a stream, each format within the limits it
can check as it reads (see `practices.resources.reader`)."""

import csv
import io
import re

from practices.resources.limits import (
    LAST_ROW,
    ImportFileError,
    cell_too_long,
    megabytes,
    number,
    past_the_last_row,
    too_many_columns,
    too_many_rows,
)


def _decode(data):
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            "Tệp CSV không ở mã UTF-8 hay UTF-16; hãy lưu lại dưới dạng “CSV UTF-8” "
            "hoặc “Unicode Text”."
        ) from error


# --- CSV ---------------------------------------------------------------------------------


class _LineTooLong(Exception):
    pass


class _Lines:
    """The lines of a text, for csv.reader: refuses a line longer than any a file within
    the limits has before the csv module splits it, and keeps the lines of the record being
    read, to tell which cell the csv module found too long."""

    def __init__(self, text, longest):
        self.lines = iter(io.StringIO(text, newline=""))
        self.longest = longest
        self.record = []

    def __iter__(self):
        return self

    def __next__(self):
        line = next(self.lines)
        if len(line) > self.longest:
            raise _LineTooLong(len(line))
        self.record.append(line)
        return line


def _long_field(text, delimiter, limit):
    """The position of the first field longer than `limit` in `text`, the start of a CSV
    record, or None: the csv module refuses such a field without saying which it is."""
    plain = rf"[^{re.escape(delimiter)}\r\n]*"  # up to the next delimiter or line break
    field = re.compile(rf'"(?:[^"]|"")*"?{plain}|{plain}')  # quoted (line breaks and all)
    position, at = 0, 0
    while True:
        match = field.match(text, at)
        if len(match.group()) > limit:
            return position
        at = match.end()
        if text[at : at + 1] != delimiter:
            return None
        position, at = position + 1, at + 1


def _read_csv(data, limits):
    text = _decode(data)
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    delimiter = max(("\t", ",", ";"), key=first_line.count)
    lines = _Lines(text, limits.line_chars)
    reader = csv.reader(lines, delimiter=delimiter)
    headers = []

    def next_record(row):
        lines.record = []
        try:
            return next(reader, None)
        except _LineTooLong as error:
            raise ImportFileError(
                f"Dòng {number(row)} dài {number(error.args[0])} ký tự, hơn mọi dòng của "
                f"một tệp trong giới hạn ({number(limits.columns)} cột, mỗi ô "
                f"{number(limits.cell_chars)} ký tự: IMPORT_MAX_COLUMNS, "
                "IMPORT_MAX_CELL_CHARS)."
            ) from error
        except csv.Error as error:
            if "field larger than field limit" not in str(error):
                raise ImportFileError(f"Dòng {number(row)}: không đọc được CSV: {error}") from error
            at = _long_field("".join(lines.record), delimiter, csv.field_size_limit())
            column = column_name(headers, at)
            limit = min(limits.cell_chars, csv.field_size_limit())
            raise ImportFileError(cell_too_long(row, column, limit)) from error

    headers[:] = next_record(1) or []

    def rows():
        for row_number in range(2, LAST_ROW + 2):
            row = next_record(row_number)
            if row is None:
                return
            if row_number > LAST_ROW:
                raise ImportFileError(past_the_last_row())
            if any(cell.strip() for cell in row):
                yield row_number, row

    return headers, rows()


def column_name(headers, at):
    if at is None:
        return "?"
    if at < len(headers) and str(headers[at] or "").strip():
        return str(headers[at]).strip()
    return f"thứ {at + 1}"


# --- XLSX --------------------------------------------------------------------------------

# OOXML's escape of characters an XML text cannot keep as they are: `_x000D_` for a carriage
# return (which XML parsing turns into a line feed), `_x005F_` for an underscore that would
# otherwise start an escape. Excel writes them; openpyxl neither writes nor reads them.
_XLSX_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_XLSX_TO_ESCAPE = re.compile(r"\r|_(?=x[0-9A-Fa-f]{4}_)")


def xlsx_escape(text):
    return _XLSX_TO_ESCAPE.sub(lambda match: f"_x{ord(match.group()):04X}_", text)


def xlsx_unescape(text):
    if "_x" not in text:
        return text
    return _XLSX_ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), text)


def _workbook(data):
    """The workbook of an XLSX, in openpyxl's read-only mode, with its first worksheet only.

    openpyxl's own `load_workbook` makes every worksheet and asks each for the size its file
    states; a sheet that states none is parsed to its end there and then, all of it, before
    a row is read. Here the first worksheet is made without asking (its rows are read as they
    come, whatever the file states), and the others are never opened.
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class UnsizedSheet(ReadOnlyWorksheet):
        def _get_size(self):
            pass  # min_row, max_row… stay unknown: rows are read until the sheet ends

    class FirstSheetReader(ExcelReader):
        def read_worksheets(self):
            for sheet, rel in self.parser.find_sheets():
                if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                    worksheet = UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                    self.wb._sheets.append(worksheet)
                    return

    reader = FirstSheetReader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _read_xlsx(data, limits):
    import zipfile

    try:
        # zipfile reads no more of a member than the directory says it holds (and refuses a
        # member whose data does not match), so these sizes bound what parsing will read.
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ImportFileError(f"Không đọc được tệp Excel: {error}") from error
    if unzipped > limits.unzipped_bytes:
        raise ImportFileError(
            f"Tệp Excel giải nén ra {megabytes(unzipped)}; giới hạn là "
            f"{megabytes(limits.unzipped_bytes)} (IMPORT_MAX_UNZIPPED_BYTES). Hãy chia nhỏ tệp."
        )
    try:
        book = _workbook(data)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(f"Không đọc được tệp Excel: {error}") from error
    if not book.worksheets:
        raise ImportFileError("Tệp Excel không có trang tính nào.")
    # One column past the limit, to see a file that has more; openpyxl makes every row as
    # wide as this, no wider.
    cells = book.worksheets[0].iter_rows(values_only=True, max_col=limits.columns + 1)

    def rows():
        try:
            for row_number, row in enumerate(cells, 1):
                if row_number > LAST_ROW:
                    raise ImportFileError(past_the_last_row())
                if row_number == 1 or any(cell not in (None, "") for cell in row):
                    yield (
                        row_number,
                        [xlsx_unescape(cell) if isinstance(cell, str) else cell for cell in row],
                    )
        except ImportFileError:
            raise
        except Exception as error:  # damaged XML, met as the rows are parsed
            raise ImportFileError(f"Không đọc được tệp Excel: {error}") from error
        finally:
            book.close()

    rows = rows()
    first = next(rows, None)
    headers = [str(cell or "") for cell in first[1]] if first is not None else []
    return headers, rows


# --- JSON --------------------------------------------------------------------------------


def _read_json(data, limits):
    """A list of objects of plain values (text, numbers, true/false, null), read as a stream
    of parser events: a bracket that opens a third level is refused as it is read."""
    import ijson

    not_a_list = "Tệp JSON phải là một danh sách các đối tượng."
    items, headers, known = [], [], set()
    item, key, depth = None, None, 0
    # The encoding as for CSV (UTF-8 with or without BOM, UTF-16), then UTF-8 for the parser.
    events = ijson.basic_parse(io.BytesIO(_decode(data).encode("utf-8")), use_float=True)
    try:
        for event, value in events:
            if event in ("start_map", "start_array"):
                depth += 1
                if depth == 1 and event == "start_array":
                    continue
                if depth == 2 and event == "start_map":
                    if len(items) == limits.rows:
                        raise ImportFileError(too_many_rows(limits))
                    item = {}
                    continue
                if depth <= 2:
                    raise ImportFileError(not_a_list)
                raise ImportFileError(
                    f"Dòng {number(len(items) + 2)}, cột “{key}”: giá trị phải là chữ, số, "
                    "true/false hoặc null, không phải một danh sách hay đối tượng lồng bên "
                    "trong (tệp JSON chỉ có hai cấp: danh sách các dòng, mỗi dòng một đối "
                    "tượng)."
                )
            if event in ("end_map", "end_array"):
                depth -= 1
                if depth == 1:
                    items.append(item)
            elif event == "map_key":
                key = value
                if key not in known:
                    if len(headers) == limits.columns:
                        raise ImportFileError(too_many_columns(len(items) + 2, limits))
                    known.add(key)
                    headers.append(key)
            elif depth < 2:
                raise ImportFileError(not_a_list)
            else:
                item[key] = value
    except ijson.JSONError as error:
        raise ImportFileError(f"Tệp JSON không hợp lệ: {error}") from error
    rows = ((n, [item.get(key) for key in headers]) for n, item in enumerate(items, 2))
    return headers, rows


READERS = {"csv": _read_csv, "xlsx": _read_xlsx, "json": _read_json}
