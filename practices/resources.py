"""Import and export of adoptions (django-import-export), all or nothing, in Vietnamese.

The columns of an export are the columns of an import. A file is read into a dataset
(`read_dataset`), its headers mapped to field names whatever the language or the
diacritics, and imported by `import_adoptions` inside one transaction: any bad row and
nothing is written, and every bad row is reported with its row number as the spreadsheet
shows it (the header is row 1), its column, its value and the reason.

Queries do not grow with the rows: practices, agencies and existing adoptions are loaded
once before the first row; new rows are written with one `bulk_create`, changed rows with
one `bulk_update`, and their revisions and history entries in bulk too.

An import by a reporter (a user whose `agency_scope` is a set) is a batch of reports: a row
for an agency outside the scope is a row error; new adoptions are created not live and
existing ones are left as approved, the row's values going into a new revision; each then
enters the review workflow. That takes a constant number of queries per row (a revision,
a history entry, a workflow state and its first task), not a constant number per file.
"""

import csv
import datetime
import io
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from modelcluster.models import get_serializable_data_for_fields
from wagtail.models import ModelLogEntry, Revision

import tablib
from import_export import fields, resources, widgets
from import_export.results import RowResult

from practices.matching import AgencyIndex, AgencyNotFound, name_key
from practices.models import Adoption, AdoptionStatus, EvidenceLevel, PracticePage

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
FORMATS = ("csv", "xlsx", "json")

# field name → (export header, other accepted headers). Headers are compared by name_key:
# folded, case-insensitive, punctuation ignored ("Ngày quyết định" = "ngay quyet dinh").
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
HEADER_KEYS = {
    name_key(alias): name for name, aliases in COLUMNS.items() for alias in (name, *aliases)
}

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
    practice: str
    agency: str

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


def read_dataset(source, file_format=None):
    """(dataset with field-name headers, spreadsheet row numbers, {field: header}, ignored).

    `source` is a path or bytes. Raises ImportFileError for a file that cannot be imported.
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

    names, shown, ignored = [], {}, []
    for header in headers:
        name = HEADER_KEYS.get(name_key(str(header or "")))
        if name and name not in shown:
            shown[name] = str(header).strip()
            names.append(name)
        else:
            if str(header or "").strip():
                ignored.append(str(header).strip())
            names.append(f"__ignored_{len(names)}")
    missing = [COLUMNS[name][0] for name in REQUIRED_COLUMNS if name not in shown]
    if missing:
        raise ImportFileError(f"Thiếu cột bắt buộc: {', '.join(missing)}.")
    width = len(names)
    dataset = tablib.Dataset(headers=names)
    for row in rows:
        cells = [_clean_cell(cell) for cell in list(row)[:width]]
        dataset.append(cells + [""] * (width - len(cells)))
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
    """dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy) or ISO yyyy-mm-dd."""

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
        text = str(value).strip()
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

    def clean(self, value, row=None, **kwargs):
        date = self.parse(value)
        if date and date > timezone.localdate() + datetime.timedelta(days=366):
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


class TextWidget(widgets.Widget):
    def __init__(self, max_length=None, url=False, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length
        self.url = url

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if self.max_length and len(text) > self.max_length:
            raise ValueError(f"Dài quá {self.max_length} ký tự.")
        if self.url and text:
            try:
                URLValidator()(text)
            except ValidationError as error:
                raise ValueError(
                    "Đường dẫn không hợp lệ (cần bắt đầu bằng http:// hoặc https://)."
                ) from error
        return text

    def render(self, value, obj=None, **kwargs):
        return value or ""


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


# --- Resource ----------------------------------------------------------------------------


class AdoptionResource(resources.ModelResource):
    """Adoptions keyed by (practice, agency); see the module docstring."""

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
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True
        clean_model_instances = False

    def __init__(self, user=None, progress=None, scope=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.progress = progress
        # None: rows are published as imported; a set of agency ids: rows are the user's
        # reports and must be for these agencies.
        self.scope = scope
        self.practices, self.agencies, self.existing = {}, None, {}
        self.fields["practice"].widget = PracticeWidget(self)
        self.fields["agency"].widget = AgencyWidget(self)
        self.created, self.changed, self.seen = [], [], {}

    # Everything a row needs is loaded here, once.
    def before_import(self, dataset, **kwargs):
        slugs = {str(s).strip().lower() for s in dataset["practice"] if s}
        self.practices = {
            page.slug.lower(): page for page in PracticePage.objects.filter(slug__in=slugs)
        }
        self.agencies = AgencyIndex.load()
        self.existing = {
            (a.practice_id, a.agency_id): a
            for a in Adoption.objects.filter(
                practice__in=[p.pk for p in self.practices.values()]
            ).prefetch_related("results")
        }
        pages = {page.pk: page for page in self.practices.values()}
        for adoption in self.existing.values():
            adoption.practice = pages[adoption.practice_id]
            adoption.agency = self.agencies.by_pk[adoption.agency_id]

    def _key(self, row):
        try:
            practice = self.fields["practice"].clean(row)
            agency = self.fields["agency"].clean(row)
        except (ValueError, KeyError):
            return None
        return practice.pk, agency.pk

    def get_instance(self, instance_loader, row):
        key = self._key(row)
        return self.existing.get(key) if key else None

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        key = self._key(row)
        if key and self.scope is not None and key[1] not in self.scope:
            agency = self.agencies.by_pk[key[1]]
            errors.setdefault("agency", []).append(
                ValidationError(
                    f"Bạn không được báo cáo cho cơ quan “{agency}”; chỉ được báo cáo cho "
                    "cơ quan, đơn vị mình phụ trách."
                )
            )
        if key:
            number = kwargs.get("row_number")
            if key in self.seen:
                errors.setdefault("agency", []).append(
                    ValidationError(
                        f"Trùng sáng kiến và cơ quan với dòng {self.row_numbers[self.seen[key] - 1]}."
                    )
                )
            else:
                self.seen[key] = number
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        if self.scope is not None:
            if not is_create:
                # A report never changes the approved record: its values go into a new
                # revision (record_reports), published when a reviewer approves.
                self.before_save_instance(instance, row, **kwargs)
                self.after_save_instance(instance, row, **kwargs)
                return
            instance.live = False
        super().save_instance(instance, is_create, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        (self.created if instance.pk is None else self.changed).append(instance)

    def after_import_row(self, row, row_result, **kwargs):
        if self.progress:
            self.progress(kwargs.get("row_number", 0))

    def record_revisions(self):
        """What `save_revision(user=…, log_action=True)` does for each saved adoption, in bulk:
        a revision, `latest_revision` pointing at it and a history entry."""
        saved = [(a, "wagtail.create") for a in self.created] + [
            (a, "wagtail.edit") for a in self.changed
        ]
        if not saved:
            return
        content_type = ContentType.objects.get_for_model(Adoption)
        now, group = timezone.now(), uuid.uuid4()
        revisions = []
        for adoption, _ in saved:
            content = get_serializable_data_for_fields(adoption)
            results = adoption.results.all() if adoption in self.changed else []
            content["results"] = [get_serializable_data_for_fields(r) for r in results]
            revisions.append(
                Revision(
                    content_type=content_type,
                    base_content_type=content_type,
                    object_id=str(adoption.pk),
                    user=self.user,
                    content=content,
                    object_str=str(adoption),
                    created_at=now,
                )
            )
        Revision.objects.bulk_create(revisions)
        for (adoption, _), revision in zip(saved, revisions, strict=True):
            adoption.latest_revision = revision
        Adoption.objects.bulk_update([a for a, _ in saved], ["latest_revision"])
        ModelLogEntry.objects.bulk_create(
            [
                ModelLogEntry(
                    content_type=content_type,
                    object_id=str(adoption.pk),
                    label=str(adoption),
                    action=action,
                    timestamp=now,
                    data={},
                    user=self.user,
                    revision=revision,
                    content_changed=True,
                    uuid=group,
                )
                for (adoption, action), revision in zip(saved, revisions, strict=True)
            ]
        )

    def record_reports(self):
        """Each saved row as a report of `self.user`: a revision (as the snippet editor's
        “save draft” makes it) and the review workflow, started unless one is under way."""
        from wagtail.models import WorkflowState

        workflow = None
        for adoption, action in [(a, "wagtail.create") for a in self.created] + [
            (a, "wagtail.edit") for a in self.changed
        ]:
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


class _Rollback(Exception):
    pass


def _errors(result, numbers, shown, dataset):
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
    return sorted(
        found,
        key=lambda e: (
            e.row,
            list(shown.values()).index(e.column) if e.column in shown.values() else 99,
        ),
    )


def _row_statuses(result, numbers, dataset):
    invalid = {row.number for row in result.invalid_rows}
    failed = {row.number for row in result.error_rows}
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
        values = dict(zip(dataset.headers, row, strict=False))
        statuses.append(
            RowStatus(numbers[index], status, str(values["practice"]), str(values["agency"]))
        )
    return statuses


def import_adoptions(source, file_format=None, dry_run=False, user=None, progress=None):
    """Import adoptions from a path or bytes, all or nothing; returns an ImportReport.

    `user` is the author of the revisions. When `agency_scope(user)` limits the user to some
    agencies (a reporter), the rows must be for those agencies and enter as reports awaiting
    review (see the module docstring); a national user, or no user, publishes directly.
    `progress(row_done, total)` is called per row.
    Raises ImportFileError when the file as a whole cannot be read.
    """
    from reporting.permissions import agency_scope

    dataset, numbers, shown, ignored = read_dataset(source, file_format)
    total = len(dataset)
    scope = agency_scope(user) if user is not None else None
    resource = AdoptionResource(
        user=user,
        progress=(lambda done: progress(done, total)) if progress else None,
        scope=scope,
    )
    resource.row_numbers = numbers
    report = ImportReport(
        total=total, dry_run=dry_run, ignored_columns=ignored, as_reports=scope is not None
    )
    from search.sync import bulk_changes

    try:
        with transaction.atomic(), bulk_changes():
            result = resource.import_data(dataset, dry_run=False, use_transactions=False)
            report.errors = _errors(result, numbers, shown, dataset)
            report.new = result.totals[RowResult.IMPORT_TYPE_NEW]
            report.updated = result.totals[RowResult.IMPORT_TYPE_UPDATE]
            report.unchanged = result.totals[RowResult.IMPORT_TYPE_SKIP]
            report.rows = _row_statuses(result, numbers, dataset)
            if report.errors or dry_run:
                raise _Rollback
            if scope is None:
                resource.record_revisions()
            else:
                resource.record_reports()
    except _Rollback:
        pass
    return report


# --- Export ------------------------------------------------------------------------------


def neutralise(value):
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_adoptions(queryset=None, file_format="csv"):
    """The adoptions as bytes in `file_format`; the columns are those an import reads."""
    queryset = (
        (queryset if queryset is not None else Adoption.objects.all())
        .select_related("practice", "agency")
        .order_by("practice__slug", "agency__sort_name", "pk")
    )
    resource = AdoptionResource()
    dataset = resource.export(queryset)
    clean = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        clean.append([neutralise("" if cell is None else cell) for cell in row])
    if file_format == "csv":
        return b"\xef\xbb\xbf" + clean.export("csv").encode("utf-8")
    if file_format == "json":
        return json.dumps(clean.dict, ensure_ascii=False, indent=2).encode("utf-8")
    if file_format == "xlsx":
        return clean.export("xlsx")
    raise ValueError(f"Định dạng “{file_format}” không được hỗ trợ; dùng csv, xlsx hoặc json.")
