"""Import and export of indicator values (django-import-export), under the adoptions' rules.

It is `practices.resources` (see that package's docstring) with columns of its own: the file
is read by the same reader within the same limits, imported by the same all-or-nothing run
(one transaction; any bad row and nothing is written, each error with its row, column, value
and a Vietnamese reason), and exported with the same formula-safe writers.

A row names its unit by code or name as the unit existed on the period's last day (the unit
in place when the period closed reports it, `indicators.periods`): code 24 in Quý II/2025 is
Bắc Giang, in Quý III/2025 Bắc Ninh; or by its slug, what an export writes beside the code.
"Cả nước" names the whole country (national figures and targets). A row is keyed by
(indicator, unit, period kind, period start, kind): a row whose key exists changes that
figure's value, source, instrument and note.

Values are national reference data: national editors import them (`can_import`). The queries
do not grow with the rows: indicators, units and the existing values of the file's
indicators are loaded once, and the new and changed values are written in bulk.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import cached_property

from import_export import fields, widgets

from dashboards import cache
from indicators import periods
from indicators.models import IndicatorValue, ValueKind, value_error
from indicators.periods import PeriodKind
from practices.matching import AgencyNotFound, describe, name_key
from practices.models import Indicator
from practices.periods import Successions
from practices.resources.base import SpreadsheetResource
from practices.resources.widgets import (
    AgencySlugWidget,
    ChoiceWordWidget,
    CodeOrNameWidget,
    DateWidget,
    TextWidget,
    row_agency_slug,
)

# Field name → (main Vietnamese header, other accepted headers), as practices.resources.columns.
COLUMNS = {
    "indicator": ("Chỉ số", "Mã chỉ số", "indicator"),
    "agency": ("Cơ quan", "Đơn vị", "Cơ quan, đơn vị"),
    "agency_slug": ("Mã định danh cơ quan", "Mã định danh", "agency slug"),
    "period_kind": ("Loại kỳ", "period kind"),
    "period_start": ("Ngày đầu kỳ", "Từ ngày", "period start"),
    "value": ("Giá trị", "value"),
    "kind": ("Loại số liệu", "Số đo hay chỉ tiêu"),
    "source": ("Nguồn", "source"),
    "instrument": ("Văn bản giao chỉ tiêu", "Văn bản", "instrument"),
    "note": ("Ghi chú", "note"),
}
REQUIRED_COLUMNS = (
    "indicator",
    ("agency", "agency_slug"),
    "period_kind",
    "period_start",
    "value",
    "source",
)
KEY_COLUMNS = ("indicator", "agency", "agency_slug", "period_kind", "period_start", "kind")
NATIONAL = "Cả nước"
NATIONAL_KEYS = {name_key(NATIONAL), "toan quoc", "quoc gia"}
PERIOD_WORDS = {"thang": PeriodKind.MONTH, "quy": PeriodKind.QUARTER, "nam": PeriodKind.YEAR}
KIND_WORDS = {
    "so do": ValueKind.MEASURE,
    "so lieu": ValueKind.MEASURE,
    "thuc hien": ValueKind.MEASURE,
    "ket qua": ValueKind.MEASURE,
    "chi tieu": ValueKind.TARGET,
    "muc tieu": ValueKind.TARGET,
}
DECIMAL_PLACES = 4
MAX_DIGITS = 16
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)*)$")


def parse_decimal(value):
    """A number as people type it: "54,8" or "54.8", "1.234,5" or "1,234.5", "80 %"; where
    both separators appear the last one is the decimal mark; a lone "," is one too (Vietnamese
    writes 54,8), a lone "." too (a machine's 54.8)."""
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    text = str(value or "").strip().removesuffix("%").strip().replace(" ", "").replace("\u00a0", "")
    if not _NUMBER.match(text):
        raise ValueError("Không phải một số; ghi ví dụ 54,8 hoặc 54.8.")
    marks = [c for c in text if c in ".,"]
    if marks:
        decimal = marks[-1]
        if marks.count(decimal) > 1:  # 1.234.567: thousands only
            decimal = ""
        thousands = ({".", ","} - {decimal}).pop() if decimal else marks[0]
        text = text.replace(thousands, "")
        if decimal:
            text = text.replace(decimal, ".")
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise ValueError("Không phải một số; ghi ví dụ 54,8 hoặc 54.8.") from error


class ValueWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            raise ValueError("Thiếu giá trị bắt buộc.")
        number = parse_decimal(value)
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > DECIMAL_PLACES:
            raise ValueError(f"Tối đa {DECIMAL_PLACES} chữ số sau dấu thập phân.")
        if abs(number) >= Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES):
            raise ValueError("Số quá lớn.")
        return number

    def render(self, value, obj=None, **kwargs):
        return f"{value.normalize():f}" if value is not None else ""


def row_period(row):
    """(kind, start) of a row, or None when either cell does not read (its column says why)."""
    try:
        kind = PERIOD_KIND_WIDGET.clean((row or {}).get("period_kind"))
        start = DateWidget.parse((row or {}).get("period_start"))
    except ValueError:
        return None
    return (kind, start) if kind and start else None


PERIOD_KIND_WIDGET = ChoiceWordWidget(PeriodKind, PERIOD_WORDS)


class ValueAgencyWidget(widgets.Widget):
    """The row's unit: "Cả nước" (None), the unit of its slug, or by code or name as the unit
    existed on the last day of the row's period (today when the period does not read)."""

    def __init__(self, resource, **kwargs):
        super().__init__(**kwargs)
        self.resource = resource

    def clean(self, value, row=None, **kwargs):
        if slug := row_agency_slug(row):
            return self.resource.by_slug.get(slug)
        text = str(value or "").strip()
        if not text:
            raise ValueError(f"Thiếu cơ quan, đơn vị; ghi “{NATIONAL}” cho số liệu của cả nước.")
        if name_key(text) in NATIONAL_KEYS:
            return None
        period = row_period(row)
        on = periods.end(*period) if period else None
        try:
            return self.resource.agencies.match(text, on)
        except AgencyNotFound as error:
            raise ValueError(str(error)) from error

    def render(self, value, obj=None, **kwargs):
        return value.code if value else NATIONAL


class IndicatorValueResource(SpreadsheetResource):
    """Indicator values keyed by (indicator, unit, period, kind); see the module docstring."""

    columns = COLUMNS
    required_columns = REQUIRED_COLUMNS
    label_columns = ("indicator", "agency", "period_start")

    indicator = fields.Field(attribute="indicator", column_name="indicator")
    agency = fields.Field(attribute="agency", column_name="agency")
    agency_slug = fields.Field(attribute="agency_slug", column_name="agency_slug")
    period_kind = fields.Field(
        attribute="period_kind", column_name="period_kind", widget=PERIOD_KIND_WIDGET
    )
    period_start = fields.Field(
        attribute="period_start", column_name="period_start", widget=DateWidget(future_days=None)
    )
    value = fields.Field(attribute="value", column_name="value", widget=ValueWidget())
    kind = fields.Field(
        attribute="kind",
        column_name="kind",
        widget=ChoiceWordWidget(ValueKind, KIND_WORDS, required=False, default=ValueKind.MEASURE),
    )
    source = fields.Field(
        attribute="source", column_name="source", widget=TextWidget(max_length=500, required=True)
    )
    instrument = fields.Field(
        attribute="instrument", column_name="instrument", widget=TextWidget(max_length=255)
    )
    note = fields.Field(attribute="note", column_name="note", widget=TextWidget())

    class Meta:
        model = IndicatorValue
        fields = tuple(COLUMNS)
        import_order = export_order = tuple(COLUMNS)
        import_id_fields = ("indicator", "agency", "period_kind", "period_start", "kind")
        use_bulk = True
        batch_size = None
        clean_model_instances = False

    def __init__(self, user=None, progress=None, **kwargs):
        super().__init__(user=user, progress=progress, **kwargs)
        self.indicators, self.existing = {}, {}
        self.fields["indicator"].widget = CodeOrNameWidget(self, "indicators", "chỉ số")
        self.fields["agency"].widget = ValueAgencyWidget(self)
        self.fields["agency_slug"].widget = AgencySlugWidget(self)
        self.row_objects = {}
        self.row_key = None

    def before_import(self, dataset, **kwargs):
        self.indicators = {}
        for item in Indicator.objects.all():
            self.indicators[item.code.lower()] = item
            self.indicators.setdefault(name_key(item.name), item)
        self.load_agencies()
        self.existing = {
            self.key_of(value): value
            for value in IndicatorValue.objects.filter(
                indicator__in=self._named_indicators(dataset)
            )
        }

    def _named_indicators(self, dataset):
        widget = self.fields["indicator"].widget
        found = set()
        for cell in set(dataset["indicator"]):
            try:
                found.add(widget.clean(cell).pk)
            except ValueError:
                continue
        return found

    @staticmethod
    def key_of(value):
        return (
            value.indicator_id,
            value.agency_id,
            value.period_kind,
            value.period_start,
            value.kind,
        )

    def _key(self, row):
        try:
            objects = {
                name: self.fields[name].widget.clean(row.get(name), row=row)
                for name in ("indicator", "agency", "period_kind", "period_start", "kind")
            }
        except (ValueError, KeyError):
            self.row_objects = {}
            return None
        if objects["agency"] is None and row_agency_slug(row):
            self.row_objects = {}
            return None  # an unknown slug: its column says so
        self.row_objects = objects
        agency = objects["agency"]
        return (
            objects["indicator"].pk,
            agency.pk if agency else None,
            objects["period_kind"],
            objects["period_start"],
            objects["kind"],
        )

    def get_instance(self, instance_loader, row):
        self.row_key = key = self._key(row)
        return self.existing.get(key) if key else None

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute in self.row_objects:  # cleaned once already, for the key
            value = self.row_objects[field.attribute]
        elif field.column_name in row:
            value = field.widget.clean(row[field.column_name], row=row, **kwargs)
        else:
            return
        if field.attribute != "agency_slug":  # checked only: the agency column uses it
            setattr(instance, field.attribute, value)

    def dehydrate_agency_slug(self, value):
        return value.agency.slug if value.agency_id else ""

    def compared(self, instance):
        return [getattr(instance, name) for name in ("value", "source", "instrument", "note")]

    @cached_property
    def successions(self):
        return Successions.load()

    def check_row(self, instance, row, errors, number):
        if not self.row_key:
            return
        self.check_duplicate(self.row_key, "period_start", errors, number)
        kind, start = instance.period_kind, instance.period_start
        if message := periods.start_error(kind, start):
            errors.setdefault("period_start", []).append(ValidationError(message))
            return
        if instance.kind == ValueKind.MEASURE and start > timezone.localdate():
            errors.setdefault("period_start", []).append(
                ValidationError(
                    f"{periods.label(kind, start)} chưa bắt đầu: số đo chỉ ghi cho kỳ đã qua "
                    "hoặc đang diễn ra; chỉ tiêu cho kỳ tới thì ghi loại “Chỉ tiêu”."
                )
            )
        agency = instance.agency
        if agency is not None and not agency.is_valid_on(periods.end(kind, start)):
            # Named by its slug: the slug holds whatever the date; say which unit it was then.
            message = periods.outside_period(
                agency,
                kind,
                start,
                name=describe,
                verb="ghi",
                successions=self.successions,
                units=self.agencies.by_pk,
            )
            errors.setdefault("agency_slug", []).append(ValidationError(message))
        if "value" not in errors and (message := value_error(instance.indicator, instance.value)):
            errors.setdefault("value", []).append(ValidationError(message))

    def save_instance(self, instance, is_create, row, **kwargs):
        if is_create:
            instance.created_at = instance.updated_at = timezone.now()
        else:
            instance.updated_at = timezone.now()
        super().save_instance(instance, is_create, row, **kwargs)

    def get_bulk_update_fields(self):
        return ["value", "source", "instrument", "note", "updated_at"]

    def record(self):
        transaction.on_commit(cache.bump)  # one bump for the file; bulk writes send no signal
