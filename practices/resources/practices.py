"""The practice pages' resource; see the package's docstring."""

from django.core.exceptions import ValidationError

from import_export import fields

from kb.slugs import SLUG_RE, slugify_vi
from practices.matching import name_key
from practices.models import Indicator, PracticeCategory, PracticeIndexPage, PracticePage
from practices.resources.base import SpreadsheetResource
from practices.resources.columns import PRACTICE_COLUMNS, PRACTICE_REQUIRED_COLUMNS
from practices.resources.widgets import AgencyRefWidget, CodeOrNameWidget, TextWidget


class PracticeResource(SpreadsheetResource):
    """Practice pages keyed by slug, published as imported; see the package docstring.

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
        # As the admin makes a new page's slug from its title (kb.slugs).
        return slugify_vi(str(row["title"]))

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


def _markdown_cell(value):
    return "\n".join(line.rstrip() for line in str(value or "").splitlines()).strip()
