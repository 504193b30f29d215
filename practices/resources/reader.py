"""Reading a CSV, XLSX or JSON file into a dataset whose headers are field names."""

import csv
import datetime
import io
import json
import unicodedata
from pathlib import Path

from django.conf import settings

import tablib

from practices.matching import name_key
from practices.resources.columns import COLUMNS, REQUIRED_COLUMNS, header_keys
from practices.resources.formulas import FORMULA_STARTS

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
FORMATS = ("csv", "xlsx", "json")


class ImportFileError(Exception):
    """The file as a whole cannot be read: too large, bad encoding, unknown format, columns."""


def _clean_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, datetime.date):
        return value
    text = unicodedata.normalize("NFC", str(value)).strip()
    # An exported cell neutralised as '=… reads back as =….
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS and text[1:2]:
        text = text[1:]
    return text


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


def _read_csv(data):
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(("\t", ",", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, numbers = [], []
    headers = next(reader, None)
    for number, row in enumerate(reader, 2):
        if any(cell.strip() for cell in row):
            rows.append(row)
            numbers.append(number)
    return headers, rows, numbers


def _read_xlsx(data):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(f"Không đọc được tệp Excel: {error}") from error
    sheet = book.worksheets[0]
    rows, numbers, headers = [], [], None
    for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
        if headers is None:
            headers = [str(cell or "") for cell in row]
        elif any(cell not in (None, "") for cell in row):
            rows.append(list(row))
            numbers.append(number)
    book.close()
    return headers, rows, numbers


def _read_json(data):
    try:
        items = json.loads(_decode(data))
    except json.JSONDecodeError as error:
        raise ImportFileError(f"Tệp JSON không hợp lệ: {error}") from error
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ImportFileError("Tệp JSON phải là một danh sách các đối tượng.")
    headers = []
    for item in items:
        headers += [key for key in item if key not in headers]
    rows = [[item.get(key) for key in headers] for item in items]
    return headers, rows, list(range(2, len(items) + 2))


def guess_format(path):
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"tsv": "csv", "txt": "csv"}.get(suffix, suffix)


def read_dataset(source, file_format=None, columns=COLUMNS, required=REQUIRED_COLUMNS):
    """(dataset with field-name headers, spreadsheet row numbers, {field: header}, ignored).

    `source` is a path or bytes; `columns` and `required` are a resource's (the adoptions'
    by default). Raises ImportFileError for a file that cannot be imported.
    """
    limit = getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        if len(data) > limit:
            raise ImportFileError(_too_large(len(data), limit))
    else:
        path = Path(source)
        size = path.stat().st_size
        if size > limit:
            raise ImportFileError(_too_large(size, limit))
        data = path.read_bytes()
        file_format = file_format or guess_format(path)
    file_format = (file_format or "csv").lower()
    if file_format not in FORMATS:
        raise ImportFileError(
            f"Định dạng “{file_format}” không được hỗ trợ; dùng csv, xlsx hoặc json."
        )
    headers, rows, numbers = {"csv": _read_csv, "xlsx": _read_xlsx, "json": _read_json}[
        file_format
    ](data)
    if not headers:
        raise ImportFileError("Tệp không có dòng tiêu đề.")

    keys = header_keys(columns)
    names, shown, ignored = [], {}, []
    for header in headers:
        name = keys.get(name_key(str(header or "")))
        if name and name not in shown:
            shown[name] = str(header).strip()
            names.append(name)
        else:
            if str(header or "").strip():
                ignored.append(str(header).strip())
            names.append(f"__ignored_{len(names)}")
    missing = [columns[name][0] for name in required if name not in shown]
    if missing:
        raise ImportFileError(f"Thiếu cột bắt buộc: {', '.join(missing)}.")
    width = len(names)
    cleaned = ([_clean_cell(cell) for cell in list(row)[:width]] for row in rows)
    # Rows given to the constructor, padded to the width, skip the check `append` makes of
    # each one.
    dataset = tablib.Dataset(*(cells + [""] * (width - len(cells)) for cells in cleaned))
    dataset.headers = names
    return dataset, numbers, shown, ignored


def _too_large(size, limit):
    return (
        f"Tệp quá lớn ({size / 1024 / 1024:.1f} MB); giới hạn là "
        f"{limit / 1024 / 1024:.1f} MB (IMPORT_MAX_BYTES). Hãy chia nhỏ tệp."
    )
