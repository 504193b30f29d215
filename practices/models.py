"""Agencies and their successions, practice categories, indicators, practices and adoptions."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Page,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from kb import page_context
from kb.blocks import BodyBlock
from kb.models import PAGE_SEARCH_FIELDS, AsciiSlugMixin
from kb.search_backend import folded_search_fields
from kb.widgets import AgencySelectMultiple, SearchableSelectMultiple
from practices.evidence import storage as evidence
from practices.periods import outside_period
from practices.text import fold, sort_key
from practices.validators import validate_evidence_file


class AgencyKind(models.TextChoices):
    MINISTRY = "ministry", "Bộ"
    MINISTERIAL = "ministerial", "Cơ quan ngang bộ"
    PROVINCE = "province", "Tỉnh"
    CITY = "city", "Thành phố trực thuộc trung ương"
    DEPARTMENT = "department", "Sở, cục và đơn vị trực thuộc"


CENTRAL_KINDS = (AgencyKind.MINISTRY, AgencyKind.MINISTERIAL)
PROVINCIAL_KINDS = (AgencyKind.PROVINCE, AgencyKind.CITY)


class AgencyQuerySet(models.QuerySet):
    def valid_on(self, date):
        """Units that existed on `date` (inclusive bounds; an empty bound is open)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=date),
            Q(valid_to__isnull=True) | Q(valid_to__gte=date),
        )

    def current(self):
        return self.valid_on(timezone.localdate())

    def central(self):
        return self.filter(kind__in=CENTRAL_KINDS)

    def provincial(self):
        return self.filter(kind__in=PROVINCIAL_KINDS)

    def resolve(self, code, on=None):
        """The one unit that carried `code` on date `on` (today by default).

        Codes are reused across periods (24 was Bắc Giang until 30/6/2025 and is Bắc Ninh
        since), so a bare code is never looked up without a date.
        """
        return self.valid_on(on or timezone.localdate()).get(code=code)


class Agency(index.Indexed, models.Model):
    """A ministry, a ministerial-level agency, a province or city, or a department under one."""

    slug = models.SlugField("đường dẫn", max_length=120, unique=True)
    code = models.CharField(
        "mã",
        max_length=64,
        db_index=True,
        help_text="Mã thống kê với tỉnh, thành phố; mã chữ với cơ quan trung ương. "
        "Một mã có thể được dùng lại ở thời kỳ khác.",
    )
    name = models.CharField("tên", max_length=255)
    short_name = models.CharField("tên ngắn", max_length=120, blank=True)
    name_en = models.CharField("tên tiếng Anh", max_length=255, blank=True)
    kind = models.CharField("loại cơ quan", max_length=20, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="cơ quan cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.CharField(
        "vùng kinh tế - xã hội",
        max_length=80,
        blank=True,
        help_text="Một trong 6 vùng theo Nghị quyết 81/2023/QH15; để trống nếu chưa xác định.",
    )
    region_8 = models.CharField("vùng địa lý (8 vùng)", max_length=80, blank=True)
    valid_from = models.DateField("hiệu lực từ ngày", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến ngày", null=True, blank=True)
    successors = models.ManyToManyField(
        "self",
        through="Succession",
        through_fields=("predecessor", "successor"),
        symmetrical=False,
        related_name="predecessors",
        verbose_name="đơn vị kế thừa",
        blank=True,
    )
    notes = models.TextField("ghi chú", blank=True)
    sources = models.TextField("nguồn", blank=True)
    name_folded = models.CharField(max_length=255, editable=False, db_index=True, default="")
    sort_name = models.CharField(max_length=600, editable=False, db_index=True, default="")

    objects = AgencyQuerySet.as_manager()

    search_fields = [
        index.SearchField("name"),
        index.SearchField("short_name"),
        index.SearchField("code"),
        index.AutocompleteField("name"),
        index.FilterField("kind"),
    ]

    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("code"), FieldPanel("slug")]),
                FieldPanel("name"),
                FieldRowPanel([FieldPanel("short_name"), FieldPanel("name_en")]),
                FieldRowPanel([FieldPanel("kind"), FieldPanel("parent")]),
                FieldRowPanel([FieldPanel("region"), FieldPanel("region_8")]),
            ],
            heading="Thông tin cơ quan",
        ),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")], heading="Thời kỳ"),
        FieldPanel("notes"),
        FieldPanel("sources"),
    ]

    class Meta:
        verbose_name = "cơ quan, đơn vị"
        verbose_name_plural = "cơ quan, đơn vị"
        ordering = ["sort_name", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="agency_period_ordered",
            )
        ]

    def __str__(self):
        if self.valid_to:
            return f"{self.name} (đến {self.valid_to:%d/%m/%Y})"
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(f"{self.name} {self.short_name}")
        self.sort_name = sort_key(self.short_name or self.name)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValidationError({"valid_to": "Ngày kết thúc phải sau ngày bắt đầu hiệu lực."})
        # One code names one unit at any date; overlapping periods would make a code ambiguous.
        overlapping = Agency.objects.filter(code=self.code).exclude(pk=self.pk)
        if self.valid_from:
            overlapping = overlapping.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from)
            )
        if self.valid_to:
            overlapping = overlapping.filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=self.valid_to)
            )
        clash = overlapping.first()
        if clash:
            raise ValidationError(
                {"code": f"Mã {self.code} đã được dùng cho “{clash}” trong cùng thời kỳ."}
            )

    def get_absolute_url(self):
        return reverse("practices:agency_detail", args=[self.slug])

    def is_valid_on(self, date):
        return (self.valid_from is None or self.valid_from <= date) and (
            self.valid_to is None or self.valid_to >= date
        )

    @property
    def is_current(self):
        return self.is_valid_on(timezone.localdate())

    @property
    def display_name(self):
        return self.short_name or self.name

    @cached_property
    def period_label(self):
        start = f"{self.valid_from:%d/%m/%Y}" if self.valid_from else ""
        end = f"{self.valid_to:%d/%m/%Y}" if self.valid_to else ""
        if not start and not end:
            return ""
        return f"{start or '…'} – {end or 'nay'}"


class Succession(models.Model):
    """`predecessor` ceased to exist and its records roll up into `successor` from `effective_on`."""

    class Relation(models.TextChoices):
        MERGED = "merged", "Hợp nhất, sáp nhập"
        RENAMED = "renamed", "Đổi tên"
        SPLIT = "split", "Chia tách"
        TRANSFERRED = "transferred", "Chuyển giao chức năng"

    predecessor = models.ForeignKey(
        Agency,
        verbose_name="đơn vị trước",
        on_delete=models.CASCADE,
        related_name="succession_links",
    )
    successor = models.ForeignKey(
        Agency,
        verbose_name="đơn vị kế thừa",
        on_delete=models.CASCADE,
        related_name="predecession_links",
    )
    effective_on = models.DateField("ngày có hiệu lực")
    relation = models.CharField(
        "hình thức", max_length=20, choices=Relation.choices, default=Relation.MERGED
    )
    legal_basis = models.CharField("căn cứ pháp lý", max_length=500, blank=True)

    class Meta:
        verbose_name = "kế thừa"
        verbose_name_plural = "kế thừa"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique"),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="succession_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor}"


class PracticeCategory(models.Model):
    """A family of practices. The six canonical codes are used everywhere, the API included."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên", max_length=255)
    description = models.TextField("mô tả", blank=True)
    sort_order = models.PositiveSmallIntegerField("thứ tự", default=100)

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        verbose_name = "nhóm giải pháp"
        verbose_name_plural = "nhóm giải pháp"
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    """A measurable quantity a practice aims to move, e.g. the share of online dossiers."""

    code = models.SlugField("mã", max_length=60, unique=True)
    name = models.CharField("tên chỉ số", max_length=255)
    unit = models.CharField("đơn vị", max_length=30, blank=True)
    description = models.TextField("mô tả", blank=True)
    group = models.CharField(
        "nhóm chỉ số",
        max_length=120,
        blank=True,
        help_text="Nhóm của Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg), "
        "nếu có.",
    )
    max_points = models.PositiveSmallIntegerField("điểm tối đa", null=True, blank=True)
    source = models.TextField("nguồn", blank=True, help_text="Văn bản, trang đã đọc định nghĩa.")
    higher_is_better = models.BooleanField("càng cao càng tốt", default=True)

    class Meta:
        verbose_name = "chỉ số"
        verbose_name_plural = "chỉ số"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.unit})" if self.unit else self.name


class PracticeIndexPage(AsciiSlugMixin, Page):
    """The catalogue: every practice, with filters and counts."""

    intro = models.TextField("giới thiệu", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = PAGE_SEARCH_FIELDS
    subpage_types = ["practices.PracticePage"]
    parent_page_types = ["kb.HomePage"]
    max_count = 1

    class Meta:
        verbose_name = "danh mục giải pháp"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        return page_context.extend(self, request, context)


class PracticePage(AsciiSlugMixin, Page):
    """One good practice: what it is, its legal basis, what it moves and who adopted it."""

    summary = models.TextField("tóm tắt")
    body = StreamField(BodyBlock(), verbose_name="nội dung", blank=True)
    category = models.ForeignKey(
        PracticeCategory, verbose_name="nhóm", on_delete=models.PROTECT, related_name="practices"
    )
    legal_basis = models.TextField("căn cứ pháp lý", blank=True)
    indicators = ParentalManyToManyField(
        Indicator, verbose_name="chỉ số hướng tới", blank=True, related_name="practices"
    )
    originating_agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan khởi xướng",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="originated_practices",
    )
    published_by = ParentalManyToManyField(
        Agency, verbose_name="cơ quan công bố", blank=True, related_name="published_practices"
    )
    sources = ParentalManyToManyField(
        "kb.Source", verbose_name="nguồn", blank=True, related_name="practices"
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("category"),
        FieldPanel("body"),
        FieldPanel("legal_basis"),
        FieldPanel("indicators", widget=SearchableSelectMultiple),
        FieldPanel("originating_agency"),
        FieldPanel("published_by", widget=AgencySelectMultiple),
        FieldPanel("sources", widget=SearchableSelectMultiple),
    ]
    search_fields = PAGE_SEARCH_FIELDS + folded_search_fields(
        [
            index.SearchField("summary"),
            index.SearchField("legal_basis"),
            index.FilterField("category"),
        ]
    )
    parent_page_types = ["practices.PracticeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "giải pháp, sáng kiến"
        verbose_name_plural = "giải pháp, sáng kiến"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        return page_context.extend(self, request, context)


class AdoptionStatus(models.TextChoices):
    PLANNED = "planned", "Kế hoạch"
    PILOTING = "piloting", "Thí điểm"
    ADOPTED = "adopted", "Đã áp dụng"
    DISCONTINUED = "discontinued", "Dừng áp dụng"


# How far along a unit is; the matrix shows the furthest stage among a unit and its predecessors.
STATUS_RANK = {
    AdoptionStatus.DISCONTINUED: 1,
    AdoptionStatus.PLANNED: 2,
    AdoptionStatus.PILOTING: 3,
    AdoptionStatus.ADOPTED: 4,
}


class EvidenceLevel(models.TextChoices):
    SELF_DECLARED = "self-declared", "Tự khai báo"
    DOCUMENTED = "documented", "Có văn bản, tài liệu"
    VERIFIED = "verified", "Đã thẩm định"


def ended_unit_undated_message(agency):
    """Why a record of a unit that has ended cannot go without a decision date."""
    return (
        f"“{agency}” đã kết thúc ngày {agency.valid_to:%d/%m/%Y}: hãy ghi ngày quyết định "
        "(trong thời kỳ hiệu lực của đơn vị), để kết quả gắn đúng với đơn vị này."
    )


# Approved adoptions of published practices: all that the public ever sees.
PUBLIC_ADOPTIONS = {"live": True, "practice__live": True}


class AdoptionQuerySet(models.QuerySet):
    def public(self):
        return self.filter(**PUBLIC_ADOPTIONS)


class Adoption(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, ClusterableModel):
    """One agency's uptake of one practice.

    Revisions keep the history of every change; drafts and the review workflow decide what
    is public (`live`): a reporter's report becomes public when a reviewer approves it.
    """

    practice = models.ForeignKey(
        PracticePage, verbose_name="giải pháp", on_delete=models.PROTECT, related_name="adoptions"
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan",
        on_delete=models.PROTECT,
        related_name="adoptions",
        help_text="Ghi nhận theo đơn vị tồn tại vào ngày quyết định.",
    )
    status = models.CharField(
        "trạng thái", max_length=20, choices=AdoptionStatus.choices, default=AdoptionStatus.PLANNED
    )
    decided_on = models.DateField("ngày quyết định", null=True, blank=True)
    instrument = models.CharField(
        "văn bản",
        max_length=255,
        blank=True,
        help_text="Số, ký hiệu văn bản, ví dụ: Quyết định số 123/QĐ-UBND.",
    )
    evidence_url = models.URLField("đường dẫn minh chứng", max_length=500, blank=True)
    # Private storage, random names, served only by the evidence view (practices.evidence).
    evidence_file = evidence.EvidenceFileField(
        "tệp minh chứng",
        upload_to=evidence.upload_to,
        storage=evidence.evidence_storage,
        blank=True,
        max_length=255,
        db_index=True,
        validators=[validate_evidence_file],
        help_text="Bản PDF hoặc ảnh chụp (PNG, JPEG, WebP) của văn bản.",
    )
    # The uploader's name of the file, used as the download name; set by the field above
    # (which must come first).
    evidence_file_name = models.CharField(
        "tên tệp minh chứng", max_length=255, blank=True, editable=False
    )
    evidence_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="tài liệu trong thư viện",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Dành cho biên tập viên: chọn một tài liệu đã có trong thư viện tài liệu.",
    )
    evidence_level = models.CharField(
        "mức minh chứng",
        max_length=20,
        choices=EvidenceLevel.choices,
        default=EvidenceLevel.SELF_DECLARED,
    )
    adapted_from = models.ForeignKey(
        "self",
        verbose_name="học tập từ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adaptations",
    )
    notes = models.TextField("ghi chú", blank=True)
    source = models.ForeignKey(
        "kb.Source",
        verbose_name="nguồn",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adoptions",
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    objects = AdoptionQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("practice"), FieldPanel("agency")]),
        FieldRowPanel([FieldPanel("status"), FieldPanel("decided_on")]),
        FieldPanel("instrument"),
        MultiFieldPanel(
            [
                FieldPanel("evidence_level"),
                FieldPanel("evidence_url"),
                FieldPanel("evidence_file"),
                FieldPanel("evidence_document"),
            ],
            heading="Minh chứng",
        ),
        InlinePanel(
            "steps",
            heading="Các bước (lịch sử)",
            label="bước",
            help_text="Bước cuối luôn là trạng thái, ngày và văn bản ở trên; đổi trạng thái ở "
            "trên thì bước cũ được giữ lại. Thêm ở đây các bước trước đó, ví dụ ngày đưa vào kế "
            "hoạch hoặc ngày bắt đầu thí điểm.",
        ),
        InlinePanel("results", heading="Kết quả đo được", label="kết quả"),
        FieldPanel("adapted_from"),
        FieldPanel("notes"),
        FieldPanel("source"),
    ]

    class Meta:
        verbose_name = "kết quả áp dụng"
        verbose_name_plural = "kết quả áp dụng"
        ordering = ["-decided_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "agency"], name="adoption_unique")
        ]

    def __init__(self, *args, **kwargs):
        # ClusterableModel looks through every field of the model, on each instance, for child
        # lists passed by keyword; with no keywords (`from_db`, a blank instance) Django's own
        # constructor does the same work without that search, a third of the time it takes to
        # build the tens of thousands of instances of an import.
        if kwargs:
            super().__init__(*args, **kwargs)
        else:
            models.Model.__init__(self, *args)

    def __str__(self):
        return f"{self.agency.display_name} – {self.practice.title}"

    def clean(self):
        super().clean()
        if self.adapted_from_id and self.adapted_from_id == self.pk:
            raise ValidationError({"adapted_from": "Một kết quả không thể học tập từ chính nó."})
        if self.decided_on and self.decided_on > timezone.localdate() + datetime.timedelta(
            days=366
        ):
            raise ValidationError({"decided_on": "Ngày quyết định quá xa trong tương lai."})
        if self.agency_id and not self.decided_on and self.agency.valid_to:
            # Its code or name may be another unit's today: only the date ties the record to
            # the unit that has ended (an import reads a code on the decision date).
            raise ValidationError({"decided_on": ended_unit_undated_message(self.agency)})
        if self.agency_id and self.decided_on and not self.agency.is_valid_on(self.decided_on):
            raise ValidationError({"agency": outside_period(self.agency, self.decided_on)})

    def get_absolute_url(self):
        # Narrowed to the practice: the agency's table is paged, the practice's rows are few.
        query = urlencode({"giai-phap": self.practice.slug})
        return f"{self.agency.get_absolute_url()}?{query}#ap-dung-{self.pk}"

    def save(self, *args, **kwargs):
        self.record_step()
        super().save(*args, **kwargs)

    def save_revision(self, *args, **kwargs):
        # A live record's edit is kept as a revision only: its new step must be in it.
        self.record_step()
        return super().save_revision(*args, **kwargs)

    def record_step(self):
        """Make the latest step the record's current status, date, instrument and link.

        A new status adds a step and keeps the earlier ones; the same status corrects the
        latest step. Works on the in-memory steps (a form's, a revision's) before they are
        saved."""
        steps = sorted(self.steps.all(), key=step_order)
        latest = steps[-1] if steps else None
        if latest is None or latest.status != self.status:
            latest = AdoptionStep(status=self.status)
            steps.append(latest)
        latest.on = self.decided_on
        latest.instrument = self.instrument
        latest.evidence_url = self.evidence_url
        # Held in memory, so that the change is saved with the record (ClusterableModel.save)
        # or serialised with its revision.
        self.steps = steps

    @property
    def rank(self):
        return STATUS_RANK[self.status]


def step_order(step):
    """Undated steps (of old records) first, then by date, then as entered."""
    return (step.on is not None, step.on or datetime.date.min, step.pk or float("inf"))


class AdoptionStep(models.Model):
    """One dated change of an adoption's status, kept when the next one comes.

    The record's own status and date are those of its latest step (`Adoption.record_step`):
    the record is what the public reads today, its steps are how it got there, and what
    `?ngay=` shows for a past date (practices.history).
    """

    adoption = ParentalKey(Adoption, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField("trạng thái", max_length=20, choices=AdoptionStatus.choices)
    on = models.DateField("từ ngày", null=True, blank=True)
    instrument = models.CharField("văn bản", max_length=255, blank=True)
    evidence_url = models.URLField("đường dẫn minh chứng", max_length=500, blank=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("status"), FieldPanel("on")]),
        FieldRowPanel([FieldPanel("instrument"), FieldPanel("evidence_url")]),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = "bước"
        verbose_name_plural = "các bước"
        # A plain field list: modelcluster sorts in-memory steps by it (undated first, as
        # `step_order` does; queries that must agree across databases say nulls_first).
        ordering = ["on", "pk"]

    def __str__(self):
        when = f" từ {self.on:%d/%m/%Y}" if self.on else ""
        return f"{self.get_status_display()}{when}"


class AdoptionResult(models.Model):
    """A measured or targeted value attached to an adoption, e.g. a fee cut of 50 %."""

    class Kind(models.TextChoices):
        MEASURED = "measured", "Kết quả đạt được"
        TARGET = "target", "Chỉ tiêu đặt ra"

    adoption = ParentalKey(Adoption, on_delete=models.CASCADE, related_name="results")
    indicator = models.ForeignKey(Indicator, verbose_name="chỉ số", on_delete=models.PROTECT)
    kind = models.CharField("loại", max_length=10, choices=Kind.choices, default=Kind.MEASURED)
    value = models.DecimalField("giá trị", max_digits=12, decimal_places=2)
    value_max = models.DecimalField(
        "giá trị tối đa",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Điền khi kết quả là một khoảng, ví dụ 10–20 %.",
    )
    note = models.CharField("ghi chú", max_length=500, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("indicator"), FieldPanel("kind")]),
        FieldRowPanel([FieldPanel("value"), FieldPanel("value_max")]),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = "kết quả"
        verbose_name_plural = "kết quả"

    def __str__(self):
        return f"{self.indicator.name}: {self.display_value}"

    def clean(self):
        if self.value_max is not None and self.value is not None and self.value_max < self.value:
            raise ValidationError({"value_max": "Giá trị tối đa phải lớn hơn hoặc bằng giá trị."})

    @property
    def display_value(self):
        def num(d):
            return f"{d.normalize():f}".replace(".", ",")

        unit = f" {self.indicator.unit}" if self.indicator.unit else ""
        if self.value_max is not None and self.value_max != self.value:
            return f"{num(self.value)}–{num(self.value_max)}{unit}"
        return f"{num(self.value)}{unit}"
