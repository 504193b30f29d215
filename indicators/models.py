"""Indicator values: what an agency (or the whole country) measured or was set as a target for
one indicator in one month, quarter or year, with where the figure was read."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from indicators import periods
from indicators.periods import PeriodKind
from practices.periods import labelled


class ValueKind(models.TextChoices):
    MEASURE = "measure", "Số đo"
    TARGET = "target", "Chỉ tiêu"


PERCENT = "%"


class IndicatorValueQuerySet(models.QuerySet):
    def national(self):
        return self.filter(agency__isnull=True)

    def measures(self):
        return self.filter(kind=ValueKind.MEASURE)

    def targets(self):
        return self.filter(kind=ValueKind.TARGET)


class IndicatorValue(models.Model):
    """One figure of one indicator for one unit (empty: the whole country) and one period."""

    indicator = models.ForeignKey(
        "practices.Indicator",
        verbose_name="chỉ số",
        on_delete=models.PROTECT,
        related_name="values",
    )
    agency = models.ForeignKey(
        "practices.Agency",
        verbose_name="cơ quan, đơn vị",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicator_values",
        help_text="Để trống với số liệu, chỉ tiêu của cả nước.",
    )
    period_kind = models.CharField("loại kỳ", max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(
        "ngày đầu kỳ",
        help_text="Ngày 1 của tháng, của tháng đầu quý (01/01, 01/04, 01/07, 01/10) "
        "hoặc ngày 01/01 của năm.",
    )
    value = models.DecimalField("giá trị", max_digits=16, decimal_places=4)
    kind = models.CharField(
        "loại số liệu", max_length=10, choices=ValueKind.choices, default=ValueKind.MEASURE
    )
    source = models.CharField(
        "nguồn",
        max_length=500,
        help_text="Nơi đọc được số liệu: cổng, báo cáo, văn bản (kèm đường dẫn nếu có).",
    )
    instrument = models.CharField(
        "văn bản giao chỉ tiêu",
        max_length=255,
        blank=True,
        help_text="Với chỉ tiêu: số, ký hiệu văn bản giao, ví dụ Quyết định số 126/QĐ-BCĐCP.",
    )
    note = models.TextField("ghi chú", blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    objects = IndicatorValueQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("indicator"), FieldPanel("agency")]),
        FieldRowPanel(
            [FieldPanel("period_kind"), FieldPanel("period_start")], heading="Kỳ số liệu"
        ),
        FieldRowPanel([FieldPanel("value"), FieldPanel("kind")]),
        MultiFieldPanel(
            [FieldPanel("source"), FieldPanel("instrument")], heading="Nguồn và văn bản"
        ),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = "giá trị chỉ số"
        verbose_name_plural = "giá trị chỉ số"
        ordering = ["indicator", "agency", "period_start", "period_kind", "kind"]
        constraints = [
            # Two, because a unique constraint lets rows through whose agency is NULL.
            models.UniqueConstraint(
                fields=["indicator", "agency", "period_kind", "period_start", "kind"],
                condition=Q(agency__isnull=False),
                name="indicator_value_unique",
                violation_error_message="Đã có số liệu cùng loại của chỉ số này cho đơn vị "
                "và kỳ này.",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period_kind", "period_start", "kind"],
                condition=Q(agency__isnull=True),
                name="indicator_value_national_unique",
                violation_error_message="Đã có số liệu cùng loại của chỉ số này cho cả nước "
                "trong kỳ này.",
            ),
        ]
        indexes = [models.Index(fields=["agency", "indicator", "period_start"])]

    def __str__(self):
        where = self.agency.display_name if self.agency_id else "Cả nước"
        return f"{self.indicator.name} – {where} – {self.period_label}"

    @property
    def period_label(self):
        if not self.period_kind or not self.period_start:
            return ""
        return periods.label(self.period_kind, self.period_start)

    @property
    def agency_label(self):
        return labelled(self.agency) if self.agency_id else "Cả nước"

    @property
    def period_end(self):
        return periods.end(self.period_kind, self.period_start)

    @property
    def display_value(self):
        text = f"{self.value.normalize():f}".replace(".", ",")
        unit = self.indicator.unit
        if not unit:
            return text
        return f"{text} {unit}" if unit != PERCENT else f"{text} %"

    def clean(self):
        super().clean()
        errors = {}
        has_period = bool(self.period_kind and self.period_start)
        if has_period and (message := periods.start_error(self.period_kind, self.period_start)):
            errors["period_start"] = message
            has_period = False
        if has_period and self.kind == ValueKind.MEASURE:
            if self.period_start > timezone.localdate():
                errors["period_start"] = (
                    f"{self.period_label} chưa bắt đầu: số đo chỉ ghi cho kỳ đã qua hoặc "
                    "đang diễn ra; chỉ tiêu cho kỳ tới thì chọn loại “Chỉ tiêu”."
                )
        if has_period and self.agency_id and not self.agency.is_valid_on(self.period_end):
            errors["agency"] = periods.outside_period(
                self.agency, self.period_kind, self.period_start
            )
        if self.indicator_id and self.value is not None:
            if message := value_error(self.indicator, self.value):
                errors["value"] = message
        if errors:
            raise ValidationError(errors)


def value_error(indicator, value):
    """Why `value` cannot be a figure of `indicator` ("" if it can): a share is 0–100 %, a
    score 0 to the indicator's maximum points."""
    if indicator.unit.strip() == PERCENT and not Decimal(0) <= value <= Decimal(100):
        return f"Chỉ số “{indicator.name}” tính theo %: giá trị phải từ 0 đến 100."
    if indicator.max_points is not None and not Decimal(0) <= value <= indicator.max_points:
        return (
            f"Chỉ số “{indicator.name}” tối đa {indicator.max_points} điểm: giá trị phải từ 0 "
            f"đến {indicator.max_points}."
        )
    return ""
