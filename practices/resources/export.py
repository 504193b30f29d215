"""Exports: the columns an import reads, with formulas neutralised (see `formulas`)."""

import csv
import datetime
import io
import json

import tablib

from practices.models import Adoption, Agency, PracticePage
from practices.resources.adoptions import AdoptionResource
from practices.resources.agencies import AgencyResource
from practices.resources.formats import xlsx_escape
from practices.resources.formulas import escape_start, neutralise
from practices.resources.practices import PracticeResource


def _export(resource, rows, file_format):
    dataset = resource.export(rows)
    headers = list(dataset.headers)
    cells = [["" if cell is None else cell for cell in row] for row in dataset]
    if file_format == "csv":
        clean = tablib.Dataset(*([neutralise(cell) for cell in row] for row in cells))
        clean.headers = headers
        # Every cell quoted: a spreadsheet that reads the file with another delimiter than
        # the comma keeps a quoted cell whole (see practices.resources.formulas).
        text = clean.export("csv", quoting=csv.QUOTE_ALL)
        # The BOM makes Excel read the file as UTF-8, so Vietnamese text stays intact.
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    if file_format == "json":
        items = [dict(zip(headers, map(escape_start, row), strict=True)) for row in cells]
        return json.dumps(items, ensure_ascii=False, indent=2).encode("utf-8")
    if file_format == "xlsx":
        return _xlsx(headers, [[escape_start(cell) for cell in row] for row in cells])
    raise ValueError(f"Định dạng “{file_format}” không được hỗ trợ; dùng csv, xlsx hoặc json.")


def _xlsx(headers, rows):
    """An XLSX of one sheet: the header row in bold and frozen, columns as wide as their
    text (up to a point), and every text cell written as text, so that no cell is a formula
    whatever it starts with."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Dữ liệu")
    sheet.freeze_panes = "A2"
    for at, header in enumerate(headers):
        longest = max((len(str(row[at])) for row in rows), default=0)
        width = min(max(longest, len(header)) + 2, 60)
        sheet.column_dimensions[get_column_letter(at + 1)].width = width
    bold, wrap = Font(bold=True), Alignment(wrap_text=True)

    def cell(value, font=None):
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
    for row in rows:
        sheet.append([cell(value) for value in row])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def export_adoptions(queryset=None, file_format="csv"):
    """The adoptions as bytes in `file_format`; the columns are those an import reads."""
    queryset = (
        (queryset if queryset is not None else Adoption.objects.all())
        .select_related("practice", "agency")
        .prefetch_related("steps")  # the stage columns
        .order_by("practice__slug", "agency__sort_name", "pk")
    )
    return _export(AdoptionResource(), queryset, file_format)


def export_agencies(queryset=None, file_format="csv"):
    """The agencies, each after its parent (so that the file imports in order)."""
    units = list(
        (queryset if queryset is not None else Agency.objects.all())
        .select_related("parent")
        .prefetch_related("successors")
    )
    parents = {unit.pk: unit.parent_id for unit in units}

    def depth(unit):
        level, parent = 0, unit.parent_id
        while parent is not None and level < 10:
            level, parent = level + 1, parents.get(parent)
        return level

    units.sort(key=lambda u: (depth(u), u.sort_name, u.valid_from or datetime.date.min, u.pk))
    return _export(AgencyResource(), units, file_format)


def export_practices(queryset=None, file_format="csv"):
    """The practice pages in catalogue order."""
    queryset = (
        (queryset if queryset is not None else PracticePage.objects.all())
        .select_related("category", "originating_agency")
        .prefetch_related("published_by", "indicators")
        .order_by("path")
    )
    return _export(PracticeResource(), queryset, file_format)
