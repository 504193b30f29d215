"""What the three resources share."""

from django.core.exceptions import ValidationError

from import_export import resources

from practices.matching import AgencyIndex

NUL_MESSAGE = (
    "Ô có ký tự NUL (mã 0), thường do chép từ một chương trình khác hay do tệp bị hỏng; "
    "hãy xoá ký tự đó."
)


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
        self.row_before = None  # `compared` of the current row's record before the row

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
        self.row_before = before = self.compared(instance) if instance.pk else None
        errors = {}
        for name in self.columns:
            value = row.get(name)
            # Refused as the admin's forms refuse it; PostgreSQL cannot store it in text.
            if isinstance(value, str) and "\x00" in value:
                errors.setdefault(name, []).append(ValidationError(NUL_MESSAGE))
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
