"""The rules of an indicator value: its period, its unit across the 2025 reform, its range."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest

from indicators import periods
from indicators.models import IndicatorValue, ValueKind
from indicators.periods import PeriodKind
from practices.models import Agency, Indicator

pytestmark = pytest.mark.django_db

BEFORE = datetime.date(2025, 6, 30)
AFTER = datetime.date(2025, 7, 1)


def _value(**fields):
    fields = {
        "indicator": Indicator.objects.get(code="online-dossier-rate"),
        "period_kind": PeriodKind.QUARTER,
        "period_start": datetime.date(2025, 1, 1),
        "value": Decimal("54.8"),
        "kind": ValueKind.MEASURE,
        "source": "Cổng Dịch vụ công quốc gia",
    } | fields
    return IndicatorValue(**fields)


def _errors(value):
    with pytest.raises(ValidationError) as caught:
        value.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("kind", "start", "text"),
    [
        (PeriodKind.MONTH, datetime.date(2025, 3, 1), "Tháng 3/2025"),
        (PeriodKind.QUARTER, datetime.date(2025, 1, 1), "Quý I/2025"),
        (PeriodKind.QUARTER, datetime.date(2025, 10, 1), "Quý IV/2025"),
        (PeriodKind.YEAR, datetime.date(2025, 1, 1), "Năm 2025"),
    ],
)
def test_a_period_is_written_and_read_back_as_people_write_it(kind, start, text):
    assert periods.label(kind, start) == text
    assert periods.parse_label(text) == (kind, start)
    assert periods.parse_label(text.lower().replace("á", "a")) == (kind, start)


def test_a_period_ends_on_its_last_day():
    assert periods.end(PeriodKind.MONTH, datetime.date(2024, 2, 1)) == datetime.date(2024, 2, 29)
    assert periods.end(PeriodKind.QUARTER, datetime.date(2025, 10, 1)) == datetime.date(
        2025, 12, 31
    )
    assert periods.end(PeriodKind.YEAR, datetime.date(2025, 1, 1)) == datetime.date(2025, 12, 31)


@pytest.mark.parametrize(
    ("kind", "start"),
    [
        (PeriodKind.MONTH, datetime.date(2025, 3, 15)),
        (PeriodKind.QUARTER, datetime.date(2025, 2, 1)),
        (PeriodKind.YEAR, datetime.date(2025, 7, 1)),
    ],
)
def test_a_period_starts_on_its_first_day(kind, start):
    errors = _errors(_value(period_kind=kind, period_start=start))
    assert "Ngày đầu kỳ" in errors["period_start"][0]
    meant = periods.containing(kind, start)
    assert f"bắt đầu ngày {meant:%d/%m/%Y}" in errors["period_start"][0]


def test_a_unit_that_ended_has_no_figure_for_a_period_closing_after_it():
    old = Agency.objects.resolve("24", BEFORE)  # Bắc Giang, until 30/6/2025
    errors = _errors(_value(agency=old, period_start=datetime.date(2025, 7, 1)))
    message = errors["agency"][0]
    assert message.startswith("Quý III/2025 kết thúc ngày 30/09/2025, sau khi Tỉnh Bắc Giang")
    assert "đơn vị lúc đó là Tỉnh Bắc Ninh (từ 01/07/2025)" in message


def test_the_year_of_the_reform_is_the_new_units():
    new = Agency.objects.resolve("24", AFTER)
    _value(
        agency=new, period_kind=PeriodKind.YEAR, period_start=datetime.date(2025, 1, 1)
    ).full_clean()
    old = Agency.objects.resolve("24", BEFORE)
    errors = _errors(
        _value(agency=old, period_kind=PeriodKind.YEAR, period_start=datetime.date(2025, 1, 1))
    )
    assert "Năm 2025 kết thúc ngày 31/12/2025" in errors["agency"][0]


def test_a_new_unit_has_no_figure_before_it_began():
    new = Agency.objects.resolve("24", AFTER)
    errors = _errors(_value(agency=new, period_start=datetime.date(2025, 4, 1)))
    assert "trước khi Tỉnh Bắc Ninh (từ 01/07/2025) bắt đầu" in errors["agency"][0]


@pytest.mark.parametrize("value", ["-0.1", "100.01"])
def test_a_percentage_is_between_0_and_100(value):
    errors = _errors(_value(value=Decimal(value)))
    assert errors["value"] == [
        "Chỉ số “Tỷ lệ hồ sơ trực tuyến” tính theo %: giá trị phải từ 0 đến 100."
    ]


def test_a_measure_is_not_of_a_period_to_come_but_a_target_may_be():
    start = periods.containing(PeriodKind.YEAR, timezone.localdate()).replace(
        year=timezone.localdate().year + 1
    )
    errors = _errors(_value(period_kind=PeriodKind.YEAR, period_start=start))
    assert "chưa bắt đầu" in errors["period_start"][0]
    _value(period_kind=PeriodKind.YEAR, period_start=start, kind=ValueKind.TARGET).full_clean()


def test_one_figure_per_indicator_unit_period_and_kind_national_ones_included():
    first = _value()
    first.save()
    errors = _errors(_value())
    assert "cả nước" in errors["__all__"][0]
    _value(kind=ValueKind.TARGET).full_clean()  # a target beside the measure is another figure
    unit = Agency.objects.resolve("24", BEFORE)
    _value(agency=unit).save()
    assert "Đã có số liệu" in _errors(_value(agency=unit))["__all__"][0]


def test_a_value_shows_its_period_and_unit():
    value = _value(value=Decimal("54.80"))
    assert value.period_label == "Quý I/2025"
    assert value.display_value == "54,8 %"
    assert value.agency_label == "Cả nước"


def test_a_score_is_within_its_maximum_points():
    indicator = Indicator.objects.get(code="service-index-transparency")  # 18 points
    _value(indicator=indicator, value=Decimal(18)).full_clean()
    errors = _errors(_value(indicator=indicator, value=Decimal("18.5")))
    assert "tối đa 18 điểm" in errors["value"][0]


def test_a_change_makes_the_dashboards_cache_stale(django_capture_on_commit_callbacks):
    from dashboards import cache

    before = cache.version()
    with django_capture_on_commit_callbacks(execute=True):
        value = _value()
        value.save()
    assert cache.version() > before
    before = cache.version()
    with django_capture_on_commit_callbacks(execute=True):
        value.delete()
    assert cache.version() > before


@pytest.mark.postgres
def test_the_database_itself_keeps_one_national_figure_per_period(postgres):
    from django.db import IntegrityError, transaction

    _value().save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _value().save()  # past full_clean: the conditional unique constraint refuses it
    _value(kind=ValueKind.TARGET).save()
