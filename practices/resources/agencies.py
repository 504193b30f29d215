"""The agencies' resource; see the package's docstring."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify

from wagtail.log_actions import log

from anyascii import anyascii
from import_export import fields

from practices.matching import AgencyNotFound
from practices.models import Agency, AgencyKind, Succession
from practices.reference import historic_slug
from practices.resources.base import SpreadsheetResource
from practices.resources.columns import (
    AGENCY_COLUMNS,
    AGENCY_KIND_WORDS,
    AGENCY_REQUIRED_COLUMNS,
    split_list,
)
from practices.resources.results import RowError
from practices.resources.widgets import (
    AgencyCodeWidget,
    AgencyRefWidget,
    ChoiceWordWidget,
    DateWidget,
    TextWidget,
)


class AgencyResource(SpreadsheetResource):
    """Agencies keyed by slug; see the package docstring.

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
