"""The adoptions' resource; see the package's docstring."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.functional import cached_property

from import_export import fields, resources
from import_export.results import RowResult

from practices.matching import describe
from practices.models import (
    Adoption,
    AdoptionStatus,
    EvidenceLevel,
    ended_unit_undated_message,
)
from practices.periods import Successions, outside_period
from practices.resources import steps
from practices.resources.base import SpreadsheetResource
from practices.resources.columns import (
    COLUMNS,
    EVIDENCE_WORDS,
    REQUIRED_COLUMNS,
    STAGE_COLUMNS,
    STATUS_WORDS,
)
from practices.resources.publish import AdoptionWriter
from practices.resources.widgets import (
    AgencySlugWidget,
    AgencyWidget,
    ChoiceWordWidget,
    DateWidget,
    PracticeLookup,
    PracticeWidget,
    TextWidget,
)

KEY_COLUMNS = ("practice", "agency", "agency_slug")
STAGES = tuple(STAGE_COLUMNS)
# A stage date is checked as the decision date is (not too far ahead), under its own name.
STAGE_TOO_FAR = "Ngày quá xa trong tương lai."


class AdoptionResource(AdoptionWriter, SpreadsheetResource):
    """Adoptions keyed by (practice, agency); see the package docstring."""

    columns = COLUMNS
    required_columns = REQUIRED_COLUMNS
    label_columns = ("practice", "agency")

    practice = fields.Field(attribute="practice", column_name="practice")
    agency = fields.Field(attribute="agency", column_name="agency")
    agency_slug = fields.Field(attribute="agency_slug", column_name="agency_slug")
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
    # Not the model's fields: the dates of the record's steps (practices.resources.steps).
    planned_on = fields.Field(
        attribute="planned_on", column_name="planned_on", widget=DateWidget(too_far=STAGE_TOO_FAR)
    )
    piloting_on = fields.Field(
        attribute="piloting_on",
        column_name="piloting_on",
        widget=DateWidget(too_far=STAGE_TOO_FAR),
    )
    adopted_on = fields.Field(
        attribute="adopted_on", column_name="adopted_on", widget=DateWidget(too_far=STAGE_TOO_FAR)
    )
    discontinued_on = fields.Field(
        attribute="discontinued_on",
        column_name="discontinued_on",
        widget=DateWidget(too_far=STAGE_TOO_FAR),
    )

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
        self.practices, self.existing = PracticeLookup([]), {}
        self.lock_holders = {}  # user pk → name, of the users holding a lock on a record
        self.fields["practice"].widget = PracticeWidget(self)
        self.fields["agency"].widget = AgencyWidget(self)
        self.fields["agency_slug"].widget = AgencySlugWidget(self)
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
        # The stage columns of the file (STAGE_COLUMNS), and then the steps of the records it
        # may change, read before the first row; the stage dates of the new rows, in order.
        self.stages, self.steps_of, self.created_stages = (), {}, []

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
        # A practice is named by its slug or its title; the pages the file names are those
        # whose records are loaded (the column reports the cells that name none).
        self.practices = PracticeLookup.load()
        self.pages_by_pk = {}
        # In file order (not a set's): the cells that get suggestions are the file's first.
        for text in dict.fromkeys(str(cell).strip() for cell in dataset["practice"] if cell):
            try:
                page = self.practices.find(text)
            except ValueError:
                continue
            self.pages_by_pk[page.pk] = page
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
        self.stages = tuple(name for name in STAGE_COLUMNS if name in dataset.headers)
        if self.stages:  # a row's dates are compared with the record's
            self.steps_of = steps.load(values[0] for values in self.existing.values())
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
        if self.stages:
            dated = (
                (step[steps.STATUS], step[steps.ON]) for step in self.steps_of.get(values[0], ())
            )
            for name, date in steps.latest_dates(dated).items():
                setattr(adoption, name, date)
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
            agency = None
        if agency is None:  # the columns report why
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
        if field.attribute != "agency_slug":  # checked only: the agency column uses it
            setattr(instance, field.attribute, value)

    def get_bulk_update_fields(self):
        return [name for name in self.fields if name not in KEY_COLUMNS + STAGES]

    def dehydrate_agency_slug(self, adoption):
        return adoption.agency.slug

    def stage_dates(self, adoption):
        """The stage columns of an exported record: the latest date of each status among its
        steps (prefetched by the export)."""
        if getattr(adoption, "_stage_dates", None) is None:
            dated = ((step.status, step.on) for step in adoption.steps.all())
            render = self.fields["decided_on"].widget.render  # dd/mm/yyyy, as the others
            adoption._stage_dates = {
                name: render(date) for name, date in steps.latest_dates(dated).items()
            }
        return adoption._stage_dates

    def dehydrate_planned_on(self, adoption):
        return self.stage_dates(adoption)["planned_on"]

    def dehydrate_piloting_on(self, adoption):
        return self.stage_dates(adoption)["piloting_on"]

    def dehydrate_adopted_on(self, adoption):
        return self.stage_dates(adoption)["adopted_on"]

    def dehydrate_discontinued_on(self, adoption):
        return self.stage_dates(adoption)["discontinued_on"]

    def compared(self, instance):
        values = [getattr(instance, name) for name in COLUMNS if name not in KEY_COLUMNS + STAGES]
        # The current step wins for its own status: that column's cell is not compared.
        values += [
            getattr(instance, name, None)
            for name in self.stages
            if STAGE_COLUMNS[name] != instance.status
        ]
        return values

    def row_stages(self, instance):
        """{stage column: date} of the row, for the columns the file has; None without any."""
        if not self.stages:
            return None
        return {name: getattr(instance, name, None) for name in self.stages}

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
            unchanged = self.row_before is not None and self.row_before == self.compared(instance)
            if not unchanged and "decided_on" not in errors:
                self.check_date(instance, errors)
            if not unchanged:
                self.check_stages(instance, errors)

    @cached_property
    def successions(self):
        return Successions.load()

    def check_date(self, adoption, errors):
        """The record of a unit that has ended needs a decision date within its period, or
        nothing tells which unit it was (see Adoption.clean). Records that have none already
        are left as they are by a row that does not change them."""
        agency, decided_on = adoption.agency, adoption.decided_on
        if decided_on is None and agency.valid_to:
            errors.setdefault("decided_on", []).append(
                ValidationError(ended_unit_undated_message(agency))
            )
        elif decided_on is not None and not agency.is_valid_on(decided_on):
            # Named with the unit that existed that day (most often a predecessor).
            message = outside_period(
                agency,
                decided_on,
                name=describe,
                verb="ghi",
                successions=self.successions,
                units=self.agencies.by_pk,
            )
            errors.setdefault("decided_on", []).append(ValidationError(message))

    def check_stages(self, adoption, errors):
        """Each stage date leads to the current status: within the unit's period, not after
        the decision date, which it needs (an undated current step would come first)."""
        decided_on = adoption.decided_on
        for name in self.stages:
            on = getattr(adoption, name, None)
            if on is None or name in errors:
                continue
            own = STAGE_COLUMNS[name] == adoption.status
            if not adoption.agency.is_valid_on(on):
                message = outside_period(
                    adoption.agency,
                    on,
                    name=describe,
                    verb="ghi",
                    successions=self.successions,
                    units=self.agencies.by_pk,
                )
            elif decided_on is None and not own and "decided_on" not in errors:
                message = (
                    f"Đã ghi ngày {on:%d/%m/%Y} cho bước “{STAGE_COLUMNS[name].label}” thì "
                    "cần ghi cả ngày quyết định của trạng thái hiện tại, để bước này đứng "
                    "trước nó trong lịch sử."
                )
            elif decided_on is not None and on > decided_on:
                message = (
                    f"Ngày {on:%d/%m/%Y} sau ngày quyết định của trạng thái hiện tại "
                    f"({decided_on:%d/%m/%Y}): các bước là lịch sử dẫn tới trạng thái đó. "
                    "Hãy sửa ngày, hoặc đổi trạng thái và ngày quyết định."
                )
            else:
                continue
            errors.setdefault(name, []).append(ValidationError(message))

    def save_instance(self, instance, is_create, row, **kwargs):
        # Kept until `record`, which writes them all once the file has proved valid.
        if is_create:
            if self.scope is not None:
                instance.live = False
            instance.created_at = instance.updated_at = self.started  # as save() would
            self.created.append(self.values(instance))
            if self.stages:
                self.created_stages.append(tuple(getattr(instance, n, None) for n in self.stages))
        else:
            # A report never changes the approved record: its values go into a new
            # revision (record_reports), published when a reviewer approves.
            self.changed.append(instance)

    # import-export's batch writes (use_bulk): nothing to do before `record`.
    def bulk_create(self, *args, **kwargs):
        pass

    def bulk_update(self, *args, **kwargs):
        pass
