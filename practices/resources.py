"""Import and export of agencies, practices and adoptions (django-import-export), all or
nothing, in Vietnamese.

The columns of an export are the columns of an import. A file is read into a dataset
(`read_dataset`), its headers mapped to field names whatever the language or the
diacritics, and imported inside one transaction (`_run_import`): any bad row and nothing is
written, and every bad row is reported with its row number as the spreadsheet shows it (the
header is row 1), its column, its value and the reason.

Adoptions are the large files (every agency × every practice), so their queries do not grow
with the rows: practices, agencies and existing adoptions are loaded once before the first
row; new rows are written with one `bulk_create`, changed rows with one `bulk_update`, and
their revisions and history entries in bulk too.

An adoption import by a reporter (a user whose `agency_scope` is a set) is a batch of
reports: a row for an agency outside the scope is a row error; new adoptions are created not
live and existing ones are left as approved, the row's values going into a new revision; each
then enters the review workflow. That takes a constant number of queries per row (a revision,
a history entry, a workflow state and its first task), not a constant number per file.

Agencies and practices are reference data, tens to a few thousand rows, kept by national
editors: they are saved row by row through the models' own validation and history (a log
entry per agency, a published revision per practice page).
"""

import csv
import datetime
import functools
import io
import itertools
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import DatabaseError, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.encoding import is_protected_type
from django.utils.text import slugify

from modelcluster.models import get_serializable_data_for_fields
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Revision

import tablib
from anyascii import anyascii
from import_export import fields, resources, widgets
from import_export.results import RowResult

from kb.bulk import insert_rows, reserve_pks
from practices.matching import AgencyIndex, AgencyNotFound, name_key
from practices.models import (
    Adoption,
    AdoptionStatus,
    Agency,
    AgencyKind,
    EvidenceLevel,
    Indicator,
    PracticeCategory,
    PracticeIndexPage,
    PracticePage,
    Succession,
)
from practices.reference import historic_slug

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
FORMATS = ("csv", "xlsx", "json")

# Columns of each file: field name → (main Vietnamese header, other accepted headers). The
# field name is itself accepted and is what an export writes. Headers are compared by
# name_key: folded, case-insensitive, punctuation ignored ("Ngày quyết định" = "ngay quyet
# dinh").
COLUMNS = {
    "practice": ("Sáng kiến", "Giải pháp", "practice slug"),
    "agency": ("Cơ quan", "Đơn vị", "Cơ quan, đơn vị"),
    "status": ("Trạng thái",),
    "decided_on": ("Ngày quyết định", "decided on", "Ngày"),
    "instrument": ("Văn bản",),
    "evidence_url": ("Minh chứng", "Đường dẫn minh chứng", "evidence url"),
    "evidence_level": ("Mức minh chứng", "evidence level"),
    "notes": ("Ghi chú",),
}
REQUIRED_COLUMNS = ("practice", "agency", "status")

AGENCY_COLUMNS = {
    "code": ("Mã", "Mã cơ quan", "Mã đơn vị"),
    "slug": ("Đường dẫn",),
    "name": ("Tên", "Tên cơ quan", "Tên đơn vị"),
    "short_name": ("Tên ngắn", "Tên viết tắt"),
    "name_en": ("Tên tiếng Anh", "name en"),
    "kind": ("Loại", "Loại cơ quan"),
    "parent": ("Cơ quan cấp trên", "Cấp trên"),
    "region": ("Vùng kinh tế - xã hội", "Vùng", "Vùng 6"),
    "region_8": ("Vùng địa lý", "Vùng 8", "region 8"),
    "valid_from": ("Hiệu lực từ ngày", "Từ ngày", "valid from"),
    "valid_to": ("Hiệu lực đến ngày", "Đến ngày", "valid to"),
    "successors": ("Đơn vị kế thừa", "Kế thừa"),
    "notes": ("Ghi chú",),
    "sources": ("Nguồn",),
}
AGENCY_REQUIRED_COLUMNS = ("code", "name", "kind")

PRACTICE_COLUMNS = {
    "slug": ("Đường dẫn",),
    "title": ("Tên sáng kiến", "Tên giải pháp", "Tên"),
    "category": ("Nhóm", "Nhóm giải pháp"),
    "summary": ("Tóm tắt",),
    "legal_basis": ("Căn cứ pháp lý", "legal basis"),
    "originating_agency": ("Cơ quan khởi xướng", "originating agency"),
    "published_by": ("Cơ quan công bố", "published by"),
    "indicators": ("Chỉ số", "Chỉ số hướng tới"),
    "body": ("Nội dung", "Nội dung (Markdown)"),
}
PRACTICE_REQUIRED_COLUMNS = ("title", "category", "summary")

STATUS_WORDS = {
    "ke hoach": AdoptionStatus.PLANNED,
    "thi diem": AdoptionStatus.PILOTING,
    "da ap dung": AdoptionStatus.ADOPTED,
    "ap dung": AdoptionStatus.ADOPTED,
    "dung": AdoptionStatus.DISCONTINUED,
    "dung ap dung": AdoptionStatus.DISCONTINUED,
    "da dung": AdoptionStatus.DISCONTINUED,
}
EVIDENCE_WORDS = {
    "tu khai bao": EvidenceLevel.SELF_DECLARED,
    "co van ban": EvidenceLevel.DOCUMENTED,
    "co van ban tai lieu": EvidenceLevel.DOCUMENTED,
    "da tham dinh": EvidenceLevel.VERIFIED,
}
AGENCY_KIND_WORDS = {
    "bo": AgencyKind.MINISTRY,
    "co quan ngang bo": AgencyKind.MINISTERIAL,
    "tinh": AgencyKind.PROVINCE,
    "thanh pho": AgencyKind.CITY,
    "tp": AgencyKind.CITY,
    "so": AgencyKind.DEPARTMENT,
    "cuc": AgencyKind.DEPARTMENT,
    "don vi truc thuoc": AgencyKind.DEPARTMENT,
}
# Cells holding several values ("published by", "successors", "indicators").
LIST_SEPARATOR = re.compile(r"\s*[;\n]\s*")
# Cells a spreadsheet would run as a formula; exported with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ImportFileError(Exception):
    """The file as a whole cannot be read: too large, bad encoding, unknown format, columns."""


@dataclass
class RowError:
    row: int  # as the spreadsheet shows it: the header is row 1
    column: str
    value: str
    reason: str

    def __str__(self):
        if not self.row:
            return self.reason
        where = f"dòng {self.row}" + (f", cột “{self.column}”" if self.column else "")
        value = f" (giá trị “{self.value}”)" if self.value not in ("", None) else ""
        return f"{where}{value}: {self.reason}"


ROW_STATUS_LABELS = {
    RowResult.IMPORT_TYPE_NEW: "Mới",
    RowResult.IMPORT_TYPE_UPDATE: "Thay đổi",
    RowResult.IMPORT_TYPE_SKIP: "Không đổi",
    RowResult.IMPORT_TYPE_ERROR: "Lỗi",
    RowResult.IMPORT_TYPE_INVALID: "Lỗi",
}


@dataclass
class RowStatus:
    row: int
    status: str  # new, update, skip, error, invalid
    cells: tuple  # the values that name the row, under ImportReport.row_headers

    @property
    def label(self):
        return ROW_STATUS_LABELS.get(self.status, self.status)

    @property
    def is_error(self):
        return self.status in (RowResult.IMPORT_TYPE_ERROR, RowResult.IMPORT_TYPE_INVALID)


@dataclass
class ImportReport:
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    dry_run: bool = False
    ignored_columns: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # RowStatus per data row, in file order
    as_reports: bool = False  # rows entered as reports awaiting review, not published
    row_headers: tuple = ()  # headers of RowStatus.cells

    @property
    def ok(self):
        return not self.errors

    def summary(self):
        text = (
            f"{self.total} dòng: {self.new} mới, {self.updated} cập nhật, "
            f"{self.unchanged} không đổi, {len(self.errors)} lỗi."
        )
        if self.dry_run:
            text += " Chạy thử: không có thay đổi nào được lưu."
        elif self.errors:
            text += " Không có thay đổi nào được lưu."
        elif self.as_reports and (self.new or self.updated):
            text += (
                f" {self.new + self.updated} báo cáo đã được gửi thẩm định; "
                "chưa công khai cho đến khi được duyệt."
            )
        return text


# --- Reading files -----------------------------------------------------------------------


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


def header_keys(columns):
    return {
        name_key(alias): name for name, aliases in columns.items() for alias in (name, *aliases)
    }


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


# --- Widgets -----------------------------------------------------------------------------


def _required(value):
    if value in (None, ""):
        raise ValueError("Thiếu giá trị bắt buộc.")
    return value


class DateWidget(widgets.Widget):
    """dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy) or ISO yyyy-mm-dd.

    `future_days` bounds how far ahead a date may be (a decision date cannot be years away;
    a unit's period may start on a future date, so agencies pass None).
    """

    _DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
    _ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")

    @classmethod
    def parse(cls, value):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        return cls._from_text(str(value).strip())

    @classmethod
    @functools.lru_cache(maxsize=4096)  # a file repeats its dates, row after row
    def _from_text(cls, text):
        if match := cls._DMY.match(text):
            day, month, year = (int(part) for part in match.groups())
        elif match := cls._ISO.match(text):
            year, month, day = (int(part) for part in match.groups())
        else:
            raise ValueError("Ngày không đúng dạng; ghi dd/mm/yyyy hoặc yyyy-mm-dd.")
        try:
            return datetime.date(year, month, day)
        except ValueError as error:
            raise ValueError("Ngày không tồn tại.") from error

    def __init__(self, future_days=366, **kwargs):
        super().__init__(**kwargs)
        self.future_days = future_days

    def clean(self, value, row=None, **kwargs):
        date = self.parse(value)
        if date is None or self.future_days is None:
            return date
        # The machine's date is a day at most from the local one, and cheap to read: only a
        # date near the limit needs timezone.localdate().
        if date >= datetime.date.today() + datetime.timedelta(days=self.future_days - 1) and (
            date > timezone.localdate() + datetime.timedelta(days=self.future_days)
        ):
            raise ValueError("Ngày quyết định quá xa trong tương lai.")
        return date

    def render(self, value, obj=None, **kwargs):
        return f"{value:%d/%m/%Y}" if value else ""


class ChoiceWordWidget(widgets.Widget):
    """A choice given as its code, its Vietnamese label or a common word, with or without
    diacritics."""

    def __init__(self, choices, words, required=True, default=None, **kwargs):
        super().__init__(**kwargs)
        self.default = default
        self.choices = choices
        self.lookup = {name_key(value): value for value in choices.values}
        self.lookup |= {name_key(label): value for value, label in choices.choices}
        self.lookup |= words
        self.required = required

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            if self.required:
                _required(value)
            return self.default
        found = self.lookup.get(name_key(value))
        if found is None:
            accepted = ", ".join(
                f"{label.lower()} ({code})" for code, label in self.choices.choices
            )
            raise ValueError(f"Giá trị không hợp lệ; dùng một trong: {accepted}.")
        return str(found)

    def render(self, value, obj=None, **kwargs):
        return value or ""


_validate_url = URLValidator()


class TextWidget(widgets.Widget):
    def __init__(self, max_length=None, url=False, required=False, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length
        self.url = url
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if self.required:
            _required(text)
        if self.max_length and len(text) > self.max_length:
            raise ValueError(f"Dài quá {self.max_length} ký tự.")
        if self.url and text:
            try:
                _validate_url(text)
            except ValidationError as error:
                raise ValueError(
                    "Đường dẫn không hợp lệ (cần bắt đầu bằng http:// hoặc https://)."
                ) from error
        return text

    def render(self, value, obj=None, **kwargs):
        return value or ""


class AgencyCodeWidget(TextWidget):
    """Province codes are two digits: a spreadsheet that read "06" as a number wrote 6."""

    def clean(self, value, row=None, **kwargs):
        code = super().clean(value, row, **kwargs)
        return code.zfill(2) if code.isdigit() and len(code) < 2 else code


class PracticeWidget(widgets.Widget):
    """A practice page by its slug; the resource loads the pages once."""

    def __init__(self, resource, **kwargs):
        super().__init__(**kwargs)
        self.resource = resource

    def clean(self, value, row=None, **kwargs):
        slug = str(_required(value)).strip().lower()
        page = self.resource.practices.get(slug)
        if page is None:
            raise ValueError(f"Không có sáng kiến nào có đường dẫn (slug) “{slug}”.")
        return page

    def render(self, value, obj=None, **kwargs):
        return value.slug if value else ""


class AgencyWidget(widgets.Widget):
    """An agency by code or name, as it existed on the row's decision date (today if none)."""

    def __init__(self, resource, **kwargs):
        super().__init__(**kwargs)
        self.resource = resource

    def clean(self, value, row=None, **kwargs):
        _required(value)
        try:
            on = DateWidget.parse((row or {}).get("decided_on"))
        except ValueError:
            on = None  # the date column reports its own error
        try:
            return self.resource.agencies.match(value, on)
        except AgencyNotFound as error:
            raise ValueError(str(error)) from error

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


def split_list(value):
    """The values of a cell that holds several ("a; b" or one per line)."""
    return [part for part in LIST_SEPARATOR.split(str(value or "").strip()) if part]


class AgencyRefWidget(widgets.Widget):
    """A unit by its slug (what an export writes), or by code or name as it existed on the
    row's date (`on(row)`; today when None). `many`: several, separated by `;`."""

    def __init__(self, resource, on=None, many=False, **kwargs):
        super().__init__(**kwargs)
        self.resource, self.on, self.many = resource, on, many

    def _one(self, text, row):
        found = self.resource.by_slug.get(text.lower())
        if found is not None:
            return found
        try:
            return self.resource.agencies.match(text, self.on(row) if self.on else None)
        except AgencyNotFound as error:
            raise ValueError(str(error)) from error

    def clean(self, value, row=None, **kwargs):
        if self.many:
            return [self._one(text, row) for text in split_list(value)]
        text = str(value or "").strip()
        return self._one(text, row) if text else None

    def render(self, value, obj=None, **kwargs):
        if self.many:
            return "; ".join(sorted(unit.slug for unit in value.all())) if value is not None else ""
        return value.slug if value else ""


class CodeOrNameWidget(widgets.Widget):
    """A category or indicators by code or name; `lookup` maps both (name by name_key)."""

    def __init__(self, resource, attribute, what, many=False, **kwargs):
        super().__init__(**kwargs)
        self.resource, self.attribute, self.what, self.many = resource, attribute, what, many

    def _one(self, text):
        lookup = getattr(self.resource, self.attribute)
        found = lookup.get(text.lower()) or lookup.get(name_key(text))
        if found is None:
            codes = ", ".join(sorted({item.code for item in lookup.values()}))
            raise ValueError(f"Không có {self.what} “{text}”; dùng mã hoặc tên: {codes}.")
        return found

    def clean(self, value, row=None, **kwargs):
        if self.many:
            return [self._one(text) for text in split_list(value)]
        return self._one(str(_required(value)).strip())

    def render(self, value, obj=None, **kwargs):
        if self.many:
            return "; ".join(sorted(item.code for item in value.all())) if value is not None else ""
        return value.code if value else ""


_JSON = DjangoJSONEncoder()  # Revision.content's encoder


def _serialiser(model, attnames):
    """A function from the values of an instance of `model` (in the order of `attnames`) to
    what modelcluster's `get_serializable_data_for_fields` makes of the instance, the content
    of a Wagtail revision, without making the instance."""
    plan = [("pk", attnames.index(model._meta.pk.attname), False)]
    plan += [
        (field.name, attnames.index(field.attname), field.remote_field is None)
        for field in model._meta.fields
        if field.serialize
    ]

    written = {}  # date or datetime → its text: the rows of a file share a few of them

    def moment(value):
        if value not in written:
            if isinstance(value, datetime.datetime) and value.tzinfo is not datetime.UTC:
                value_utc = timezone.localtime(value, datetime.UTC)
            else:
                value_utc = value
            written[value] = _JSON.default(value_utc)  # as the revision's encoder writes it
        return written[value]

    def serialise(values):
        data = {}
        for name, at, own in plan:
            value = values[at]
            if own and value is not None:
                if isinstance(value, datetime.date):  # datetimes too
                    value = moment(value)
                elif not is_protected_type(value):
                    value = str(value)  # value_to_string: choices, file names
            data[name] = value
        return data

    return serialise


# --- Resources ---------------------------------------------------------------------------


class SpreadsheetResource(resources.ModelResource):
    """What the three resources share: their columns, their user, progress, and the checks
    that need the whole file (duplicates, and `finish` once every row is saved)."""

    columns = {}
    required_columns = ()
    label_columns = ()  # the columns that name a row in the preview

    class Meta:  # import-export merges each resource's Meta over this one
        skip_unchanged = True
        skip_diff = True  # see `compared`
        report_skipped = True

    def __init__(self, user=None, progress=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.progress = progress  # progress(rows_done, total)
        self.row_numbers, self.total = [], 0
        self.seen = {}  # natural key → row number (of the dataset) that used it first
        self.promoted = set()  # unchanged rows that `finish` changed after all
        self.agencies, self.by_slug = None, {}  # see load_agencies

    def load_agencies(self):
        """The units a row may name: by code or name on a date (`agencies`), by slug."""
        self.agencies = AgencyIndex.load()
        self.by_slug = {unit.slug: unit for unit in self.agencies.by_pk.values()}

    def spreadsheet_row(self, number):
        return self.row_numbers[number - 1] if number else 0

    def check_duplicate(self, key, column, errors, number):
        if key in self.seen:
            errors.setdefault(column, []).append(
                ValidationError(f"Trùng với dòng {self.spreadsheet_row(self.seen[key])}.")
            )
        else:
            self.seen[key] = number

    def after_import(self, dataset, result, **kwargs):
        # import-export moves the table's sequence back to its highest id, for files that
        # carry ids. Ours never do, and moving it back would give new records the ids of
        # deleted ones, and with them their history.
        pass

    def after_import_row(self, row, row_result, **kwargs):
        if self.progress:
            self.progress(kwargs.get("row_number", 0), self.total)

    # django-import-export's own change detection (skip_diff off) deep-copies every instance
    # and renders it twice; the resources compare a snapshot of their own instead.
    def compared(self, instance):
        """What must differ for a row to count as changed: every column as exported."""
        return [self.export_field(field, instance) for field in self.get_import_fields()]

    def import_instance(self, instance, row, **kwargs):
        before = self.compared(instance) if instance.pk else None
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        self.check_row(instance, row, errors, kwargs.get("row_number"))
        instance._import_unchanged = before is not None and before == self.compared(instance)
        if errors:
            raise ValidationError(errors)

    def check_row(self, instance, row, errors, number):
        """Checks beyond the columns' own, adding to `errors` ({field: [ValidationError]})."""

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return not import_validation_errors and getattr(instance, "_import_unchanged", False)

    def finish(self, shown):
        """Checks and writes that need every row saved first; returns RowErrors."""
        return []

    def record(self):
        """Bookkeeping after an import without errors, before the commit."""


class AdoptionResource(SpreadsheetResource):
    """Adoptions keyed by (practice, agency); see the module docstring."""

    columns = COLUMNS
    required_columns = REQUIRED_COLUMNS
    label_columns = ("practice", "agency")

    practice = fields.Field(attribute="practice", column_name="practice")
    agency = fields.Field(attribute="agency", column_name="agency")
    status = fields.Field(
        attribute="status",
        column_name="status",
        widget=ChoiceWordWidget(AdoptionStatus, STATUS_WORDS),
    )
    decided_on = fields.Field(attribute="decided_on", column_name="decided_on", widget=DateWidget())
    instrument = fields.Field(
        attribute="instrument", column_name="instrument", widget=TextWidget(max_length=255)
    )
    evidence_url = fields.Field(
        attribute="evidence_url",
        column_name="evidence_url",
        widget=TextWidget(max_length=500, url=True),
    )
    evidence_level = fields.Field(
        attribute="evidence_level",
        column_name="evidence_level",
        widget=ChoiceWordWidget(
            EvidenceLevel, EVIDENCE_WORDS, required=False, default=EvidenceLevel.SELF_DECLARED
        ),
    )
    notes = fields.Field(attribute="notes", column_name="notes", widget=TextWidget())

    class Meta:
        model = Adoption
        fields = tuple(COLUMNS)
        import_order = export_order = tuple(COLUMNS)
        import_id_fields = ("practice", "agency")
        use_bulk = True
        batch_size = None
        clean_model_instances = False

    def __init__(self, user=None, progress=None, scope=None, **kwargs):
        super().__init__(user=user, progress=progress, **kwargs)
        # None: rows are published as imported; a set of agency ids: rows are the user's
        # reports and must be for these agencies.
        self.scope = scope
        self.practices, self.existing = {}, {}
        self.lock_holders = {}  # user pk → name, of the users holding a lock on a record
        self.fields["practice"].widget = PracticeWidget(self)
        self.fields["agency"].widget = AgencyWidget(self)
        # New adoptions are kept as the values of their columns, in the order of `attnames`,
        # not as instances: 50,000 of those (each with its own dict of some 30 attributes)
        # are about 100 MB. Changed ones, a fraction, are kept as instances.
        self.attnames = [field.attname for field in Adoption._meta.concrete_fields]
        self.file_attnames = {
            field.attname
            for field in Adoption._meta.concrete_fields
            if field.get_internal_type() == "FileField"
        }
        self.created, self.changed = [], []
        self.pages_by_pk = {}
        self.import_fields = super().get_import_fields()
        self.started = timezone.now()
        self.blank = {k: v for k, v in vars(Adoption()).items() if k != "_state"}
        self.row_objects = {}  # the practice and agency of the current row, once cleaned

    class Result(resources.Result):
        """Keeps of each row only what the report reads, its kind: a RowResult holds the
        instance's text and more, tens of MB for 50,000 rows."""

        class Row:
            __slots__ = ("import_type",)

            def __init__(self, import_type):
                self.import_type = import_type

        def append_row_result(self, row_result):
            self.rows.append(self.Row(row_result.import_type))

    class BareRowResult(RowResult):
        def add_instance_info(self, instance):
            pass  # its pk and str(): per row, and the Result above keeps neither

    def get_result_class(self):
        return self.Result

    def get_row_result_class(self):
        return self.BareRowResult

    def get_import_fields(self):
        return self.import_fields  # asked for every row

    # Everything a row needs is loaded here, once.
    def before_import(self, dataset, **kwargs):
        slugs = {str(s).strip().lower() for s in dataset["practice"] if s}
        self.practices = {
            page.slug.lower(): page for page in PracticePage.objects.filter(slug__in=slugs)
        }
        self.pages_by_pk = {page.pk: page for page in self.practices.values()}
        self.load_agencies()
        # Values too (see __init__); get_instance makes the instance of each row. Results
        # are read only for the adoptions that change (publish).
        key = [self.attnames.index(name) for name in ("practice_id", "agency_id")]
        self.existing = {
            (values[key[0]], values[key[1]]): values
            for values in Adoption.objects.filter(practice__in=list(self.pages_by_pk)).values_list(
                *self.attnames
            )
        }
        locked_by = self.attnames.index("locked_by_id")
        holders = {values[locked_by] for values in self.existing.values()} - {None}
        self.lock_holders = {
            user.pk: user.get_full_name() or user.get_username()
            for user in get_user_model().objects.filter(pk__in=holders)
        }

    def adoption(self, values):
        """The instance of an adoption kept as values, with its practice and agency."""
        adoption = Adoption.from_db(Adoption.objects.db, self.attnames, values)
        adoption.practice = self.pages_by_pk[adoption.practice_id]
        adoption.agency = self.agencies.by_pk[adoption.agency_id]
        return adoption

    def values(self, adoption):
        # What the columns hold: for a file, its name, not the FieldFile, which holds on to
        # the instance.
        values = vars(adoption)
        return tuple(
            str(values[name]) if name in self.file_attnames else values[name]
            for name in self.attnames
        )

    def _key(self, row):
        try:
            practice = self.fields["practice"].widget.clean(row["practice"], row=row)
            agency = self.fields["agency"].widget.clean(row["agency"], row=row)
        except (ValueError, KeyError):
            self.row_objects = {}
            return None
        self.row_objects = {"practice": practice, "agency": agency}
        return practice.pk, agency.pk

    def init_instance(self, row=None):
        # A copy of a blank adoption's attributes, as unpickling makes an instance: Model's
        # constructor walks every field and its default, for each of tens of thousands of rows.
        instance = Adoption.__new__(Adoption)
        instance.__dict__.update(self.blank)
        instance._state = ModelState()
        return instance

    def get_instance(self, instance_loader, row):
        # Kept for check_row: get_instance is called once per row, just before it.
        self.row_key = key = self._key(row)
        values = self.existing.get(key) if key else None
        return self.adoption(values) if values else None

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # Every column is a plain attribute, with no default: what Field.save does, without
        # its general path (a tenth of the time of a new row).
        if field.attribute in self.row_objects:  # cleaned once already, for the key
            value = self.row_objects[field.attribute]
        elif field.column_name in row:
            value = field.widget.clean(row[field.column_name], row=row, **kwargs)
        else:
            return
        setattr(instance, field.attribute, value)

    def compared(self, instance):
        return [getattr(instance, name) for name in COLUMNS if name not in ("practice", "agency")]

    def check_row(self, instance, row, errors, number):
        key = self.row_key
        if key and self.scope is not None and key[1] not in self.scope:
            agency = self.agencies.by_pk[key[1]]
            errors.setdefault("agency", []).append(
                ValidationError(
                    f"Bạn không được báo cáo cho cơ quan “{agency}”; chỉ được báo cáo cho "
                    "cơ quan, đơn vị mình phụ trách."
                )
            )
        if self.scope is not None and instance.evidence_level == EvidenceLevel.VERIFIED:
            # Only a reviewer's evidence check makes a report verified (reporting.review).
            errors.setdefault("evidence_level", []).append(
                ValidationError(
                    "Mức “Đã thẩm định” do người thẩm định quốc gia ghi khi kiểm tra minh "
                    "chứng; báo cáo ghi “Tự khai báo” hoặc “Có văn bản, tài liệu”."
                )
            )
        if instance.locked and instance.locked_by_id != getattr(self.user, "pk", None):
            holder = self.lock_holders.get(instance.locked_by_id, "người khác")
            errors.setdefault("agency", []).append(
                ValidationError(
                    f"Bản ghi này đang bị {holder} khoá để sửa; cần mở khoá trước khi nhập."
                )
            )
        if key:
            self.check_duplicate(key, "agency", errors, number)

    def save_instance(self, instance, is_create, row, **kwargs):
        # Kept until `record`, which writes them all once the file has proved valid.
        if is_create:
            if self.scope is not None:
                instance.live = False
            instance.created_at = instance.updated_at = self.started  # as save() would
            self.created.append(self.values(instance))
        else:
            # A report never changes the approved record: its values go into a new
            # revision (record_reports), published when a reviewer approves.
            self.changed.append(instance)

    # import-export's batch writes (use_bulk): nothing to do before `record`.
    def bulk_create(self, *args, **kwargs):
        pass

    def bulk_update(self, *args, **kwargs):
        pass

    def saved(self):
        """(adoption, history action) of each row written, one instance at a time."""
        for values in self.created:
            yield self.adoption(values), "wagtail.create"
        for adoption in self.changed:
            yield adoption, "wagtail.edit"

    def record(self):
        from search.sync import touch

        if self.scope is None:
            self.publish()
        else:
            self.created = self.with_pks(self.created)
            insert_rows(Adoption, self.attnames, self.created)
            self.record_reports()
        # Written without save(), so without the signals that mark them for search.
        touch("adoption", [values[0] for values in self.created] + [a.pk for a in self.changed])
        # Free them before search rebuilds the rows of the adoptions.
        self.created, self.changed, self.existing = [], [], {}

    def with_pks(self, created):
        """The new adoptions' values with their pks (the pk is the first concrete field)."""
        pks = reserve_pks(Adoption, len(created))
        return [(pk, *values[1:]) for pk, values in zip(pks, created, strict=True)]

    def publish(self):
        """What `save_revision(user=…, log_action=True)` and `publish` do for each row, in
        bulk: a revision, a history entry, and the record written with `latest_revision`
        pointing at its revision. Made from the adoptions' values, not instances: for 50,000
        new rows, instances and Wagtail's serialisation of them took longer than the rest of
        the import."""
        count = len(self.created) + len(self.changed)
        if not count:
            return
        from practices.models import AdoptionResult

        self.created = self.with_pks(self.created)
        revision_pks = reserve_pks(Revision, count)
        content_type = ContentType.objects.get_for_model(Adoption).pk
        now, group, user_id = timezone.now(), uuid.uuid4(), getattr(self.user, "pk", None)
        results = {}
        for result in AdoptionResult.objects.filter(
            adoption__any=[a.pk for a in self.changed]
        ).order_by("pk"):
            results.setdefault(result.adoption_id, []).append(
                get_serializable_data_for_fields(result)
            )
        serialise = _serialiser(Adoption, self.attnames)
        at = {name: self.attnames.index(name) for name in ("practice_id", "agency_id")}
        labels = {}  # agency pk → its name as a label starts, computed once per agency
        entries = []  # (pk, label, action, revision pk) of each row, for the history

        # Built as they are written: 50,000 revisions at once would be hundreds of MB.
        def revisions():
            saved = itertools.chain(
                ((values, "wagtail.create") for values in self.created),
                ((self.values(adoption), "wagtail.edit") for adoption in self.changed),
            )
            for (values, action), revision in zip(saved, revision_pks, strict=True):
                pk, agency = values[0], values[at["agency_id"]]
                if agency not in labels:
                    labels[agency] = self.agencies.by_pk[agency].display_name
                # As Adoption.__str__ writes it.
                label = f"{labels[agency]} – {self.pages_by_pk[values[at['practice_id']]].title}"
                # Serialised before it points at its revision, as save_revision does.
                content = serialise(values)
                content["results"] = results.get(pk, [])
                entries.append((pk, label, action, revision))
                yield revision, content_type, content_type, str(pk), user_id, content, label, now

        insert_rows(
            Revision,
            (
                "id",
                "content_type_id",
                "base_content_type_id",
                "object_id",
                "user_id",
                "content",
                "object_str",
                "created_at",
            ),
            revisions(),
        )
        insert_rows(
            ModelLogEntry,
            (
                "content_type_id",
                "object_id",
                "label",
                "action",
                "timestamp",
                "data",
                "user_id",
                "revision_id",
                "content_changed",
                "uuid",
            ),
            (
                (content_type, str(pk), label, action, now, {}, user_id, revision, True, group)
                for pk, label, action, revision in entries
            ),
        )
        entries.clear()
        latest = self.attnames.index("latest_revision_id")
        revision_pks = iter(revision_pks)
        if self.created:
            insert_rows(
                Adoption,
                self.attnames,
                (
                    (*values[:latest], next(revision_pks), *values[latest + 1 :])
                    for values in self.created
                ),
            )
        for adoption, revision in zip(self.changed, revision_pks, strict=True):
            adoption.latest_revision_id, adoption.updated_at = revision, now
        self.update(self.changed)

    def update(self, adoptions):
        """Write the import's columns and bookkeeping of `adoptions`, one UPDATE by pk each,
        sent as one batch (`executemany`).

        Django's `bulk_update` builds a CASE over every row for every column: seconds of
        Python and of PostgreSQL for a thousand rows.
        """
        from django.db import connections

        if not adoptions:
            return
        connection = connections[Adoption.objects.db]  # not the proxy: used for every value
        names = [*self.get_bulk_update_fields(), "latest_revision", "updated_at"]
        fields = [Adoption._meta.get_field(name) for name in names]
        table, quote = Adoption._meta.db_table, connection.ops.quote_name
        # Names from the model, values as parameters.
        sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
            quote(table),
            ", ".join(f"{quote(f.column)} = %s" for f in fields),
            quote(Adoption._meta.pk.column),
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                sql,
                [
                    [*(f.get_db_prep_save(getattr(a, f.attname), connection) for f in fields), a.pk]
                    for a in adoptions
                ],
            )

    def record_reports(self):
        """Each saved row as a report of `self.user`: a revision (as the snippet editor's
        “save draft” makes it) and the review workflow, started unless one is under way."""
        from wagtail.models import WorkflowState

        workflow = None
        for adoption, action in self.saved():
            # The record in the database keeps its approved values; only the revision and
            # its bookkeeping fields are written.
            adoption.save_revision(user=self.user, log_action=action, clean=False)
            state = adoption.current_workflow_state
            if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
                state.resume(self.user)
            elif state is None:
                workflow = workflow or adoption.get_workflow()
                if workflow is not None:
                    workflow.start(adoption, self.user)


class AgencyResource(SpreadsheetResource):
    """Agencies keyed by slug; see the module docstring.

    A blank slug is made from the name as the reference data makes it ("-den-YYYY" for a
    unit that has ended). `parent` and `successors` take a slug, or a code or name as the
    unit existed on the row's date; a parent must be in the database or on an earlier row,
    successors may be anywhere in the file (they are linked once every row is saved).
    Successions are only added by an import: one is removed in the admin.
    """

    columns = AGENCY_COLUMNS
    required_columns = AGENCY_REQUIRED_COLUMNS
    label_columns = ("code", "name")

    code = fields.Field("code", "code", widget=AgencyCodeWidget(max_length=64, required=True))
    slug = fields.Field("slug", "slug", widget=TextWidget(max_length=120))
    name = fields.Field("name", "name", widget=TextWidget(max_length=255, required=True))
    short_name = fields.Field("short_name", "short_name", widget=TextWidget(max_length=120))
    name_en = fields.Field("name_en", "name_en", widget=TextWidget(max_length=255))
    kind = fields.Field("kind", "kind", widget=ChoiceWordWidget(AgencyKind, AGENCY_KIND_WORDS))
    parent = fields.Field("parent", "parent")
    region = fields.Field("region", "region", widget=TextWidget(max_length=80))
    region_8 = fields.Field("region_8", "region_8", widget=TextWidget(max_length=80))
    valid_from = fields.Field("valid_from", "valid_from", widget=DateWidget(future_days=None))
    valid_to = fields.Field("valid_to", "valid_to", widget=DateWidget(future_days=None))
    successors = fields.Field(column_name="successors")
    notes = fields.Field("notes", "notes", widget=TextWidget())
    sources = fields.Field("sources", "sources", widget=TextWidget())

    class Meta:
        model = Agency
        fields = tuple(AGENCY_COLUMNS)
        import_order = export_order = tuple(AGENCY_COLUMNS)
        import_id_fields = ("slug",)
        clean_model_instances = True

    def __init__(self, user=None, progress=None, **kwargs):
        super().__init__(user=user, progress=progress, **kwargs)
        self.fields["parent"].widget = AgencyRefWidget(self, on=self.unit_date)
        self.successor_cells = []

    def before_import(self, dataset, **kwargs):
        self.load_agencies()

    @staticmethod
    def unit_date(row):
        """The day a row's references are read on: its last day, or today for a unit that
        still exists (its first day if that is still to come)."""
        try:
            valid_from = DateWidget.parse(row.get("valid_from"))
            valid_to = DateWidget.parse(row.get("valid_to"))
        except ValueError:
            return None  # the date column reports its own error
        today = timezone.localdate()
        if valid_to:
            return valid_to
        return max(valid_from, today) if valid_from else today

    @staticmethod
    def row_slug(row):
        slug = str(row.get("slug") or "").strip().lower()
        if slug or not str(row.get("name") or "").strip():
            return slug
        slug = slugify(anyascii(str(row["name"])))[:100]
        try:
            valid_to = DateWidget.parse(row.get("valid_to"))
        except ValueError:
            valid_to = None
        return historic_slug(slug, valid_to) if valid_to else slug

    def get_instance(self, instance_loader, row):
        return self.by_slug.get(self.row_slug(row))

    def check_row(self, instance, row, errors, number):
        instance.slug = instance.slug or self.row_slug(row)
        if instance.slug:
            self.check_duplicate(instance.slug, "slug", errors, number)
        if instance.parent is not None and instance.parent.slug == instance.slug:
            errors.setdefault("parent", []).append(
                ValidationError("Một đơn vị không thể là cấp trên của chính nó.")
            )
        if (
            instance.kind == AgencyKind.DEPARTMENT
            and instance.parent is None
            and "parent" not in errors
        ):
            errors.setdefault("parent", []).append(
                ValidationError("Sở, cục và đơn vị trực thuộc cần có cơ quan cấp trên.")
            )
        if str(row.get("successors") or "").strip():
            self.successor_cells.append((number, instance, row["successors"]))

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            # name_folded and sort_name are computed by save().
            instance.full_clean(
                exclude=[*errors, "name_folded", "sort_name"], validate_unique=validate_unique
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)
        log(instance, "wagtail.create" if is_create else "wagtail.edit", user=self.user)
        self.by_slug[instance.slug] = instance
        self.agencies.add(instance)

    def dehydrate_successors(self, agency):
        if agency.pk is None:
            return ""
        return "; ".join(sorted(unit.slug for unit in agency.successors.all()))

    def finish(self, shown):
        errors = []
        header = shown.get("successors", "successors")
        for number, agency, cell in self.successor_cells:
            row = self.spreadsheet_row(number)
            if agency.pk is None:
                continue  # the row has its own errors
            if not agency.valid_to:
                errors.append(
                    RowError(
                        row,
                        header,
                        cell,
                        "Chỉ đơn vị đã kết thúc (có ngày hiệu lực đến) mới có đơn vị kế thừa.",
                    )
                )
                continue
            on = agency.valid_to + datetime.timedelta(days=1)
            for text in split_list(cell):
                successor = self.by_slug.get(text.lower())
                if successor is None:
                    try:
                        successor = self.agencies.match(text, on)
                    except AgencyNotFound as error:
                        errors.append(RowError(row, header, text, str(error)))
                        continue
                if successor.pk == agency.pk:
                    errors.append(
                        RowError(row, header, text, "Một đơn vị không thể kế thừa chính nó.")
                    )
                    continue
                _, created = Succession.objects.get_or_create(
                    predecessor=agency, successor=successor, defaults={"effective_on": on}
                )
                if created:
                    self.promoted.add(number)
        return errors


class PracticeResource(SpreadsheetResource):
    """Practice pages keyed by slug, published as imported; see the module docstring.

    The page body is a StreamField: its `body` column is Markdown. An export writes it when
    the body is made of Markdown blocks only (as the catalogue's pages are) and leaves it
    empty otherwise; an import replaces the body with the cell's Markdown when the cell is
    not empty and differs, and never touches it when the cell is empty.
    """

    columns = PRACTICE_COLUMNS
    required_columns = PRACTICE_REQUIRED_COLUMNS
    label_columns = ("slug", "title")

    slug = fields.Field("slug", "slug", widget=TextWidget(max_length=255))
    title = fields.Field("title", "title", widget=TextWidget(max_length=255, required=True))
    category = fields.Field("category", "category")
    summary = fields.Field("summary", "summary", widget=TextWidget(required=True))
    legal_basis = fields.Field("legal_basis", "legal_basis", widget=TextWidget())
    originating_agency = fields.Field("originating_agency", "originating_agency")
    published_by = fields.Field("published_by", "published_by")
    indicators = fields.Field("indicators", "indicators")
    body = fields.Field(column_name="body")

    class Meta:
        model = PracticePage
        fields = tuple(PRACTICE_COLUMNS)
        import_order = export_order = tuple(PRACTICE_COLUMNS)
        import_id_fields = ("slug",)
        clean_model_instances = False

    def __init__(self, user=None, progress=None, **kwargs):
        super().__init__(user=user, progress=progress, **kwargs)
        self.fields["category"].widget = CodeOrNameWidget(self, "categories", "nhóm giải pháp")
        self.fields["indicators"].widget = CodeOrNameWidget(
            self, "indicator_lookup", "chỉ số", many=True
        )
        self.fields["originating_agency"].widget = AgencyRefWidget(self)
        self.fields["published_by"].widget = AgencyRefWidget(self, many=True)
        self.index_page, self.pages = None, {}
        self.categories, self.indicator_lookup = {}, {}

    def before_import(self, dataset, **kwargs):
        self.index_page = PracticeIndexPage.objects.first()
        self.pages = {page.slug: page for page in PracticePage.objects.all()}
        self.load_agencies()
        for attribute, model in (("categories", PracticeCategory), ("indicator_lookup", Indicator)):
            lookup = {}
            for item in model.objects.all():
                lookup[name_key(item.name)] = item
                lookup[item.code.lower()] = item
            setattr(self, attribute, lookup)

    @staticmethod
    def row_slug(row):
        slug = str(row.get("slug") or "").strip().lower()
        if slug or not str(row.get("title") or "").strip():
            return slug
        return slugify(anyascii(str(row["title"])))[:80]

    def get_instance(self, instance_loader, row):
        return self.pages.get(self.row_slug(row))

    def check_row(self, instance, row, errors, number):
        instance.slug = instance.slug or self.row_slug(row)
        if instance.slug and not SLUG_RE.match(instance.slug):
            errors.setdefault("slug", []).append(
                ValidationError("Đường dẫn chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang.")
            )
        elif instance.slug:
            self.check_duplicate(instance.slug, "slug", errors, number)
        markdown = _markdown_cell(row.get("body"))
        if markdown and markdown != self.dehydrate_body(instance):
            instance.body = [("markdown", markdown)]

    def save_instance(self, instance, is_create, row, **kwargs):
        if is_create:
            self.index_page.add_child(instance=instance)
        instance.save_revision(user=self.user, log_action=True).publish(user=self.user)
        self.pages[instance.slug] = instance

    def dehydrate_body(self, page):
        blocks = list(page.body)
        if not blocks or any(block.block_type != "markdown" for block in blocks):
            return ""
        return "\n\n".join(_markdown_cell(block.value) for block in blocks)


SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _markdown_cell(value):
    return "\n".join(line.rstrip() for line in str(value or "").splitlines()).strip()


class _Rollback(Exception):
    pass


def _errors(result, numbers, shown):
    found = []
    for invalid in result.invalid_rows:
        row_number = numbers[invalid.number - 1]
        for name, messages in invalid.error_dict.items():
            value = (
                invalid.values[result.diff_headers.index(name)]
                if name in result.diff_headers
                else ""
            )
            if isinstance(value, datetime.date):
                value = f"{value:%d/%m/%Y}"
            for message in messages:
                text = message.messages[0] if isinstance(message, ValidationError) else str(message)
                found.append(RowError(row_number, shown.get(name, name), str(value), text))
    for error_row in result.error_rows:
        for error in error_row.errors:
            found.append(RowError(numbers[error_row.number - 1], "", "", f"Lỗi: {error.error}"))
    for error in result.base_errors:
        found.append(RowError(0, "", "", f"Lỗi khi ghi: {error.error}"))
    return found


def _sorted_errors(errors, shown):
    order = list(shown.values())
    return sorted(
        errors,
        key=lambda e: (e.row, order.index(e.column) if e.column in order else len(order)),
    )


def _promote(result, numbers):
    """Unchanged rows that `finish` changed after all count as changed."""
    for number in numbers:
        row = result.rows[number - 1]
        if row.import_type == RowResult.IMPORT_TYPE_SKIP:
            row.import_type = RowResult.IMPORT_TYPE_UPDATE
            result.totals[RowResult.IMPORT_TYPE_SKIP] -= 1
            result.totals[RowResult.IMPORT_TYPE_UPDATE] += 1


def _row_statuses(result, numbers, dataset, label_columns):
    invalid = {row.number for row in result.invalid_rows}
    failed = {row.number for row in result.error_rows}
    headers = dataset.headers
    shown = [headers.index(column) if column in headers else None for column in label_columns]
    statuses = []
    for index, row in enumerate(dataset):
        number = index + 1
        row_result = result.rows[index] if index < len(result.rows) else None
        if number in invalid:
            status = RowResult.IMPORT_TYPE_INVALID
        elif number in failed:
            status = RowResult.IMPORT_TYPE_ERROR
        else:
            status = row_result.import_type if row_result else ""
        cells = tuple("" if at is None else str(row[at]) for at in shown)
        statuses.append(RowStatus(numbers[index], status, cells))
    return statuses


def _run_import(resource, source, file_format=None, dry_run=False):
    """Read `source` and import it with `resource`, all or nothing; an ImportReport."""
    from search.sync import bulk_changes

    dataset, numbers, shown, ignored = read_dataset(
        source, file_format, resource.columns, resource.required_columns
    )
    resource.row_numbers, resource.total = numbers, len(dataset)
    for name in resource.get_import_id_fields():
        if name not in dataset.headers:  # an optional key column (a slug made from the name)
            dataset.append_col([""] * len(dataset), header=name)
    report = ImportReport(
        total=len(dataset),
        dry_run=dry_run,
        ignored_columns=ignored,
        row_headers=tuple(resource.columns[name][0] for name in resource.label_columns),
    )
    try:
        with transaction.atomic(), bulk_changes(touched_only=True):
            result = resource.import_data(dataset, dry_run=False, use_transactions=False)
            errors = _errors(result, numbers, shown) + resource.finish(shown)
            report.errors = _sorted_errors(errors, shown)
            _promote(result, resource.promoted)
            report.new = result.totals[RowResult.IMPORT_TYPE_NEW]
            report.updated = result.totals[RowResult.IMPORT_TYPE_UPDATE]
            report.unchanged = result.totals[RowResult.IMPORT_TYPE_SKIP]
            report.rows = _row_statuses(result, numbers, dataset, resource.label_columns)
            if report.errors or dry_run:
                raise _Rollback
            resource.record()
    except _Rollback:
        pass
    except DatabaseError as error:
        # Rolled back, like a faulty file: the database refused a write that every row's
        # checks allowed (another import of the same rows at the same moment, say).
        report.errors = [RowError(0, "", "", f"Lỗi khi ghi, không dòng nào được nhập: {error}")]
    return report


def import_adoptions(source, file_format=None, dry_run=False, user=None, progress=None):
    """Import adoptions from a path or bytes, all or nothing; returns an ImportReport.

    `user` is the author of the revisions. When `agency_scope(user)` limits the user to some
    agencies (a reporter), the rows must be for those agencies and enter as reports awaiting
    review (see the module docstring); a national user, or no user, publishes directly.
    `progress(rows_done, total)` is called per row.
    Raises ImportFileError when the file as a whole cannot be read, PermissionDenied when
    `user` may not import adoptions.
    """
    from reporting.permissions import agency_scope

    _check_permission("adoptions", user)
    scope = agency_scope(user) if user is not None else None
    resource = AdoptionResource(user=user, progress=progress, scope=scope)
    report = _run_import(resource, source, file_format, dry_run)
    report.as_reports = scope is not None
    return report


def import_agencies(source, file_format=None, dry_run=False, user=None, progress=None):
    """Import agencies (national editors, or the shell with no user); see import_adoptions."""
    _check_permission("agencies", user)
    return _run_import(AgencyResource(user=user, progress=progress), source, file_format, dry_run)


def import_practices(source, file_format=None, dry_run=False, user=None, progress=None):
    """Import and publish practice pages under the catalogue page; see import_adoptions."""
    if not PracticeIndexPage.objects.exists():
        raise ImportFileError("Chưa có trang danh mục sáng kiến; hãy chạy load_seed trước.")
    _check_permission("practices", user)
    resource = PracticeResource(user=user, progress=progress)
    return _run_import(resource, source, file_format, dry_run)


def can_import(kind, user):
    """Whether `user` may import `kind` (adoptions, agencies, practices). Reporters import
    adoptions for their own agencies (the resource checks each row); agencies and practices
    are the national editors'."""
    if kind == "adoptions":
        return user.has_perm("practices.add_adoption")
    if kind == "agencies":
        return user.has_perms(["practices.add_agency", "practices.change_agency"])
    if kind == "practices":
        index_page = PracticeIndexPage.objects.first()
        if index_page is None:
            return False
        permissions = index_page.permissions_for_user(user)
        return permissions.can_add_subpage() and permissions.can_publish_subpage()
    raise ValueError(kind)


def _check_permission(kind, user):
    if user is not None and not can_import(kind, user):
        raise PermissionDenied("Bạn không có quyền nhập dữ liệu này.")


# --- Export ------------------------------------------------------------------------------


def neutralise(value):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _export(resource, rows, file_format):
    dataset = resource.export(rows)
    clean = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        clean.append([neutralise("" if cell is None else cell) for cell in row])
    if file_format == "csv":
        # The BOM makes Excel read the file as UTF-8, so Vietnamese text stays intact.
        return b"\xef\xbb\xbf" + clean.export("csv").encode("utf-8")
    if file_format == "json":
        return json.dumps(clean.dict, ensure_ascii=False, indent=2).encode("utf-8")
    if file_format == "xlsx":
        return clean.export("xlsx")
    raise ValueError(f"Định dạng “{file_format}” không được hỗ trợ; dùng csv, xlsx hoặc json.")


def export_adoptions(queryset=None, file_format="csv"):
    """The adoptions as bytes in `file_format`; the columns are those an import reads."""
    queryset = (
        (queryset if queryset is not None else Adoption.objects.all())
        .select_related("practice", "agency")
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
