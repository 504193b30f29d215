"""Reading a CSV, XLSX or JSON file into a dataset whose headers are field names.

What a file may hold is bounded (`Limits`, from settings), and each bound is checked while
the file is read, before what follows it is: the size of the upload; for XLSX, the size of
its members once unzipped, from the zip's directory, before any XML is parsed; the columns,
once the header row is read; the rows, one at a time, stopping at the first row over the
limit; the length of each cell as it is read, and of each CSV line before the csv module
splits it; and JSON's nesting, at the opening bracket that goes too deep. A file over a
bound is refused as a whole (`ImportFileError`), with a Vietnamese message that names the
bound and its setting, and where the file crosses it.
"""

import datetime
import unicodedata
from pathlib import Path

import tablib

from practices.matching import name_key
from practices.resources import formats, formulas
from practices.resources.columns import COLUMNS, REQUIRED_COLUMNS, header_keys
from practices.resources.formats import column_name
from practices.resources.limits import (
    FORMATS,
    ImportFileError,
    Limits,
    cell_too_long,
    too_large,
    too_many_columns,
    too_many_rows,
)


def _clean_cell(value, restore):
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
    # What an export added against formulas comes off again (see practices.resources.formulas).
    return restore(unicodedata.normalize("NFC", str(value)).strip())


def guess_format(path):
    suffix = Path(path).suffix.lower().lstrip(".")
    return {"tsv": "csv", "txt": "csv"}.get(suffix, suffix)


def _load(source, file_format, limits):
    """The bytes of `source` (a path or bytes) and its format, once its size is checked."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        if len(data) > limits.bytes:
            raise ImportFileError(too_large(len(data), limits.bytes))
    else:
        path = Path(source)
        size = path.stat().st_size
        if size > limits.bytes:
            raise ImportFileError(too_large(size, limits.bytes))
        data = path.read_bytes()
        file_format = file_format or guess_format(path)
    file_format = (file_format or "csv").lower()
    if file_format not in FORMATS:
        raise ImportFileError(
            f"Định dạng “{file_format}” không được hỗ trợ; dùng csv, xlsx hoặc json."
        )
    return data, file_format


def _width(cells):
    """The cells up to the last one that is not empty."""
    width = len(cells)
    while width and str(cells[width - 1] or "").strip() == "":
        width -= 1
    return width


def read_dataset(source, file_format=None, columns=COLUMNS, required=REQUIRED_COLUMNS):
    """(dataset with field-name headers, spreadsheet row numbers, {field: header}, ignored).

    `source` is a path or bytes; `columns` and `required` are a resource's (the adoptions'
    by default). Raises ImportFileError for a file that cannot be imported, or that holds
    more than the limits allow (see the module docstring).
    """
    limits = Limits.from_settings()
    data, file_format = _load(source, file_format, limits)
    headers, rows = formats.READERS[file_format](data, limits)
    if _width(headers) > limits.columns:
        raise ImportFileError(too_many_columns(1, limits))
    headers = list(headers[: _width(headers)])
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
    missing = [
        " hoặc ".join(columns[name][0] for name in names)
        for names in (item if isinstance(item, tuple) else (item,) for item in required)
        if not any(name in shown for name in names)
    ]
    if missing:
        raise ImportFileError(f"Thiếu cột bắt buộc: {', '.join(missing)}.")

    width = len(names)
    restore = formulas.restore if file_format == "csv" else formulas.restore_start
    table, numbers = [], []
    for row_number, row in rows:
        if len(table) == limits.rows:
            raise ImportFileError(too_many_rows(limits))
        if any(str(cell or "").strip() for cell in row[limits.columns :]):
            raise ImportFileError(too_many_columns(row_number, limits))
        cells = [_clean_cell(cell, restore) for cell in list(row)[:width]]
        for at, cell in enumerate(cells):
            if isinstance(cell, str) and len(cell) > limits.cell_chars:
                column = column_name(headers, at)
                raise ImportFileError(
                    cell_too_long(row_number, column, limits.cell_chars, len(cell))
                )
        # Padded to the width: rows given to the constructor skip the check `append` makes
        # of each one.
        table.append(cells + [""] * (width - len(cells)))
        numbers.append(row_number)
    dataset = tablib.Dataset(*table)
    dataset.headers = names
    return dataset, numbers, shown, ignored
