"""Template files to fill in, one per kind of import: the columns the import reads under
their Vietnamese headers and one example row that imports as it is (CSV or XLSX), and in
the XLSX a second sheet "Giá trị hợp lệ" listing what the cells may name, as far as the user
may use it (a reporter sees their own units only, `reporting.permissions.agency_scope`).

The example row is made from the data as it is now (a real practice, one of the user's
units, a category…), so that a dry run of the template as downloaded has no error; its note
says to change or delete it. Cells are written as the exports write them: CSV quoted with
formulas neutralised, XLSX cells as text (`practices.resources.formulas`).
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify

from wagtail.models import Page

import tablib
from anyascii import anyascii

from practices.matching import AgencyIndex, AgencyNotFound
from practices.models import (
    PROVINCIAL_KINDS,
    Adoption,
    AdoptionStatus,
    AgencyKind,
    EvidenceLevel,
    Indicator,
    PracticeCategory,
    PracticePage,
)
from practices.resources.columns import (
    AGENCY_COLUMNS,
    COLUMNS,
    PRACTICE_COLUMNS,
    STAGE_COLUMNS,
)
from practices.resources.formats import xlsx_escape
from practices.resources.formulas import escape_start, neutralise
from practices.resources.widgets import PracticeLookup

FORMATS = ("csv", "xlsx")
DATA_SHEET = "Dữ liệu"
VALUES_SHEET = "Giá trị hợp lệ"
EXAMPLE_NOTE = "Dòng ví dụ: hãy sửa hoặc xoá dòng này trước khi nhập."

# The columns of each template: those a file made by hand fills in (an adoption's unit is
# named in "Cơ quan"; the slug column an export adds is left out).
TEMPLATE_COLUMNS = {
    "adoptions": (COLUMNS, [name for name in COLUMNS if name != "agency_slug"]),
    "agencies": (AGENCY_COLUMNS, list(AGENCY_COLUMNS)),
    "practices": (PRACTICE_COLUMNS, list(PRACTICE_COLUMNS)),
}


def headers(kind):
    """The template's headers: each column's main Vietnamese header, which the import reads."""
    columns, names = TEMPLATE_COLUMNS[kind]
    return [columns[name][0] for name in names]


@dataclass
class Section:
    """A table of the "Giá trị hợp lệ" sheet."""

    title: str
    headers: list
    rows: list


def _day(date):
    return f"{date:%d/%m/%Y}"


def _period(unit):
    return unit.period_label or "không giới hạn"


def _agency_rows(units):
    return [[unit.code, unit.slug, unit.name, _period(unit)] for unit in units]


def _agencies_section(units, title="Cơ quan, đơn vị"):
    return Section(
        title, ["Mã", "Mã định danh (slug)", "Tên", "Thời kỳ hiệu lực"], _agency_rows(units)
    )


def _choices_section(title, choices, excluded=()):
    rows = [[label, code] for code, label in choices.choices if code not in excluded]
    return Section(title, ["Ghi trong ô", "Hoặc mã"], rows)


def _agency_text(unit, index, on):
    """How a cell names `unit` on date `on`: its name when that names no other unit then,
    else its code."""
    for text in (unit.name, unit.code):
        try:
            if index.match(text, on).pk == unit.pk:
                return text
        except AgencyNotFound:
            continue
    return unit.slug


def _example_day(unit):
    today = timezone.localdate()
    if unit.is_valid_on(today):
        return today
    return unit.valid_to or unit.valid_from or today


def _top_first(units):
    """Units that report for themselves (not a department) first, current ones first."""
    today = timezone.localdate()
    return sorted(
        units,
        key=lambda u: (not u.is_valid_on(today), u.kind == AgencyKind.DEPARTMENT, u.sort_name),
    )


def _live_practices():
    return list(PracticePage.objects.live().order_by("path"))


class Template:
    """The template of one kind for one user."""

    def __init__(self, kind, user):
        self.kind, self.user = kind, user
        self.index = AgencyIndex.load()

    # --- adoptions -------------------------------------------------------------------------

    def _adoptions(self):
        from reporting.permissions import agency_scope

        scope = agency_scope(self.user)
        reporter = scope is not None
        units = [unit for unit in self.index.by_pk.values() if not reporter or unit.pk in scope]
        practices = _live_practices()
        row = {"status": AdoptionStatus.ADOPTED.label, "notes": EXAMPLE_NOTE}
        candidates = _top_first(units)
        if not reporter:  # a province makes the clearest example of a national file
            candidates.sort(key=lambda u: u.kind not in PROVINCIAL_KINDS)
        if candidates and practices:
            unit, page = self._free_pair(candidates[:20], practices)
            on = _example_day(unit)
            lookup = PracticeLookup(list(PracticePage.objects.all()))
            row |= {
                "practice": page.title if _names(lookup, page.title, page) else page.slug,
                "agency": _agency_text(unit, self.index, on),
                "decided_on": _day(on),
                "instrument": "Quyết định số 123/QĐ-UBND",
                "evidence_url": "https://example.org/quyet-dinh-123.pdf",
                "evidence_level": EvidenceLevel.DOCUMENTED.label,
            }
        excluded = (EvidenceLevel.VERIFIED,) if reporter else ()
        sections = [
            Section(
                "Sáng kiến (cột “Sáng kiến”: ghi tên hoặc đường dẫn)",
                ["Đường dẫn (slug)", "Tên sáng kiến"],
                [[page.slug, page.title] for page in practices],
            ),
            _agencies_section(
                sorted(units, key=lambda u: (u.sort_name, u.valid_from or datetime.date.min)),
                "Cơ quan, đơn vị"
                + (" bạn được báo cáo" if reporter else "")
                + " (cột “Cơ quan”: ghi mã hoặc tên)",
            ),
            _choices_section("Trạng thái", AdoptionStatus),
            _choices_section("Mức minh chứng (để trống: tự khai báo)", EvidenceLevel, excluded),
            Section(
                "Ngày các bước trước (không bắt buộc; dd/mm/yyyy, không sau ngày quyết định)",
                ["Cột", "Ngày đơn vị bắt đầu trạng thái"],
                [[COLUMNS[name][0], status.label] for name, status in STAGE_COLUMNS.items()],
            ),
        ]
        return row, sections

    @staticmethod
    def _free_pair(units, practices):
        """A unit and a practice with no record yet (else the first of each): the example then
        adds a record, not changes one that someone may be editing."""
        taken = set(
            Adoption.objects.filter(agency__in=units, practice__in=practices).values_list(
                "agency_id", "practice_id"
            )
        )
        for unit in units:
            for page in practices:
                if (unit.pk, page.pk) not in taken:
                    return unit, page
        return units[0], practices[0]

    # --- agencies --------------------------------------------------------------------------

    def _agencies(self):
        today = timezone.localdate()
        units = sorted(self.index.by_pk.values(), key=lambda u: (u.sort_name, u.pk))
        provinces = [u for u in units if u.kind in PROVINCIAL_KINDS and u.is_valid_on(today)]
        row = {
            "kind": AgencyKind.DEPARTMENT.label,
            "valid_from": _day(today),
            "notes": EXAMPLE_NOTE,
        }
        if provinces:
            parent = provinces[0]
            name = _unused_name(
                f"Sở Ví dụ {parent.name.removeprefix('Tỉnh ')}", {u.slug for u in units}
            )
            row |= {
                "code": _unused_code(f"{parent.code}-VD", {u.code for u in units}),
                "name": name,
                "parent": _agency_text(parent, self.index, today),
                "region": parent.region,
                "region_8": parent.region_8,
            }
        sections = [
            _choices_section("Loại cơ quan", AgencyKind),
            Section("Vùng kinh tế - xã hội", ["Vùng"], [[r] for r in _distinct(units, "region")]),
            Section("Vùng địa lý", ["Vùng"], [[r] for r in _distinct(units, "region_8")]),
            _agencies_section(
                units, "Cơ quan, đơn vị hiện có (cột “Cơ quan cấp trên”, “Đơn vị kế thừa”)"
            ),
        ]
        return row, sections

    # --- practices -------------------------------------------------------------------------

    def _practices(self):
        today = timezone.localdate()
        categories = list(PracticeCategory.objects.order_by("name"))
        indicators = list(Indicator.objects.order_by("name"))
        units = sorted(self.index.by_pk.values(), key=lambda u: (u.sort_name, u.pk))
        current = [u for u in units if u.is_valid_on(today)]
        taken = set(Page.objects.values_list("slug", flat=True))  # siblings' slugs are unique
        title = "Ví dụ: Tiếp nhận hồ sơ trực tuyến ngoài giờ hành chính"
        slug = _unused_slug(slugify(anyascii(title)), taken)
        row = {
            "slug": slug,
            "title": title,
            "summary": "Tóm tắt ngắn: vấn đề, cách làm và kết quả của sáng kiến.",
            "legal_basis": "Nghị định số 42/2022/NĐ-CP",
            "body": "## Cách làm\n\nMô tả các bước thực hiện.\n\n## Kết quả\n\nSố liệu trước và sau.",
        }
        if categories:
            row["category"] = categories[0].name
        if indicators:
            row["indicators"] = "; ".join(item.name for item in indicators[:2])
        provinces = [u for u in current if u.kind in PROVINCIAL_KINDS]
        if provinces:
            row["originating_agency"] = _agency_text(provinces[0], self.index, today)
            row["published_by"] = row["originating_agency"]
        practices = list(PracticePage.objects.order_by("path"))
        sections = [
            Section(
                "Nhóm giải pháp (cột “Nhóm”: ghi tên hoặc mã)",
                ["Tên", "Mã"],
                [[c.name, c.code] for c in categories],
            ),
            Section(
                "Chỉ số (cột “Chỉ số”: ghi tên hoặc mã, cách nhau bằng dấu ;)",
                ["Tên", "Mã"],
                [[i.name, i.code] for i in indicators],
            ),
            _agencies_section(
                units, "Cơ quan, đơn vị (cột “Cơ quan khởi xướng”, “Cơ quan công bố”)"
            ),
            Section(
                "Sáng kiến hiện có (ghi đúng đường dẫn để cập nhật)",
                ["Đường dẫn (slug)", "Tên sáng kiến"],
                [[p.slug, p.title] for p in practices],
            ),
        ]
        row["summary"] = f"{row['summary']} {EXAMPLE_NOTE}"  # the kind has no notes column
        return row, sections

    def content(self):
        row, sections = getattr(self, f"_{self.kind}")()
        _, names = TEMPLATE_COLUMNS[self.kind]
        return [row.get(name, "") for name in names], sections


def _names(lookup, text, page):
    try:
        return lookup.find(text) == page
    except ValueError:
        return False


def _distinct(units, attribute):
    return sorted({getattr(u, attribute) for u in units} - {""})


def _unused_code(code, taken):
    found, n = code, 1
    while found in taken:
        n += 1
        found = f"{code}{n}"
    return found


def _unused_name(name, slugs):
    found, n = name, 1
    while slugify(anyascii(found)) in slugs:
        n += 1
        found = f"{name} {n}"
    return found


def _unused_slug(slug, taken):
    found, n = slug, 1
    while found in taken:
        n += 1
        found = f"{slug}-{n}"
    return found


def _csv(header, row):
    dataset = tablib.Dataset([neutralise(cell) for cell in row], headers=header)
    text = dataset.export("csv", quoting=csv.QUOTE_ALL)
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def _xlsx(header, row, sections):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")

    def sheet(title, rows, widths):
        written = book.create_sheet(title)
        for at, width in enumerate(widths, 1):
            written.column_dimensions[get_column_letter(at)].width = width
        for cells, font in rows:
            written.append([cell(written, value, font) for value in cells])
        return written

    def cell(written, value, font):
        value = xlsx_escape(escape_start(str(value)))
        made = WriteOnlyCell(written, value=value)
        made.data_type = "s"  # text, whatever it starts with: never a formula
        if "\n" in value:
            made.alignment = wrap
        if font:
            made.font = font
        return made

    data = sheet(
        DATA_SHEET,
        [(header, bold), (row, None)],
        [
            min(max(len(h), len(str(v).split("\n")[0])) + 2, 60)
            for h, v in zip(header, row, strict=True)
        ],
    )
    data.freeze_panes = "A2"
    lines = [
        ([f"Các giá trị dùng được trong trang “{DATA_SHEET}”. Ghi đúng như ở đây."], bold),
        ([], None),
    ]
    for section in sections:
        lines += [([section.title], bold), (section.headers, bold)]
        lines += [(values, None) for values in section.rows]
        lines.append(([], None))
    width = max((len(section.headers) for section in sections), default=1)
    sheet(VALUES_SHEET, lines, [40] * width)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def template(kind, user, file_format):
    """The template of `kind` (adoptions, agencies, practices) for `user`, as bytes."""
    if file_format not in FORMATS:
        raise ValueError(f"Tệp mẫu chỉ có dạng CSV hoặc XLSX, không có “{file_format}”.")
    row, sections = Template(kind, user).content()
    return write(headers(kind), row, sections, file_format)


def write(header, row, sections, file_format):
    """A template of these headers, example row and "Giá trị hợp lệ" sections (XLSX only), as
    bytes: also for kinds whose import lives in another app (indicator values)."""
    if file_format == "csv":
        return _csv(header, row)
    return _xlsx(header, row, sections)
