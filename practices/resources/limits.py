"""The limits of what one imported file may hold, and the messages that refuse a file
over them (see `practices.resources.reader`)."""

from dataclasses import dataclass

from django.conf import settings

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
FORMATS = ("csv", "xlsx", "json")
# Excel's own last row. Blank rows are skipped and not counted as rows, but no file is read
# past this row: an XLSX row may claim any number (openpyxl makes every row before it) and a
# CSV may be nothing but line breaks.
LAST_ROW = 1_048_576


class ImportFileError(Exception):
    """The file as a whole cannot be read: too large, bad encoding, unknown format, columns."""


@dataclass(frozen=True)
class Limits:
    """What one file may hold (settings `IMPORT_MAX_*`, from the environment)."""

    bytes: int = DEFAULT_MAX_BYTES
    rows: int = 50_000
    columns: int = 100
    cell_chars: int = 10_000
    unzipped_bytes: int = 64 * 1024 * 1024

    @classmethod
    def from_settings(cls):
        return cls(
            bytes=getattr(settings, "IMPORT_MAX_BYTES", cls.bytes),
            rows=getattr(settings, "IMPORT_MAX_ROWS", cls.rows),
            columns=getattr(settings, "IMPORT_MAX_COLUMNS", cls.columns),
            cell_chars=getattr(settings, "IMPORT_MAX_CELL_CHARS", cls.cell_chars),
            unzipped_bytes=getattr(settings, "IMPORT_MAX_UNZIPPED_BYTES", cls.unzipped_bytes),
        )

    @property
    def line_chars(self):
        """The longest CSV line a file within the limits can have: every column's cell at
        its longest, each of its characters a doubled quote, quoted, with its delimiter."""
        return self.columns * (2 * self.cell_chars + 3)


def number(value):
    """10000 → "10.000", as Vietnamese writes it."""
    return f"{value:,}".replace(",", ".")


def megabytes(size):
    return f"{size / 1024 / 1024:.1f}".replace(".", ",") + " MB"


def too_large(size, limit):
    return (
        f"Tệp quá lớn ({megabytes(size)}); giới hạn là {megabytes(limit)} "
        "(IMPORT_MAX_BYTES). Hãy chia nhỏ tệp."
    )


def too_many_rows(limits):
    return (
        f"Tệp có hơn {number(limits.rows)} dòng dữ liệu; giới hạn là {number(limits.rows)} "
        "dòng (IMPORT_MAX_ROWS). Hãy chia nhỏ tệp."
    )


def too_many_columns(row, limits):
    return (
        f"Dòng {number(row)} có hơn {number(limits.columns)} cột; giới hạn là "
        f"{number(limits.columns)} cột (IMPORT_MAX_COLUMNS)."
    )


def past_the_last_row():
    return (
        f"Tệp có hơn {number(LAST_ROW)} dòng (kể cả dòng trống), số dòng tối đa của một "
        "trang tính Excel. Hãy xoá các dòng thừa hoặc chia nhỏ tệp."
    )


def cell_too_long(row, column, limit, length=None):
    how_long = f"dài {number(length)} ký tự" if length else f"dài hơn {number(limit)} ký tự"
    return (
        f"Dòng {number(row)}, cột “{column}”: ô {how_long}; giới hạn là {number(limit)} ký tự "
        "một ô (IMPORT_MAX_CELL_CHARS)."
    )
