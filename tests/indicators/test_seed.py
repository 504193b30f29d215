"""The seed's indicators: the national service index and the national targets, cited, and no
measured value."""

import datetime
import io
from decimal import Decimal

from django.core.management import call_command

import pytest

from indicators.models import IndicatorValue, ValueKind
from indicators.periods import PeriodKind
from practices.models import Indicator

pytestmark = pytest.mark.django_db

GROUPS = {
    "service-index-transparency": 18,
    "service-index-progress": 20,
    "service-index-digitisation": 22,
    "service-index-online-services": 22,
    "service-index-satisfaction": 18,
}


def _load_seed():
    call_command("load_seed", verbosity=0, stdout=io.StringIO())


def test_the_index_is_five_groups_of_100_points_each_cited(seeded):
    groups = Indicator.objects.filter(code__in=GROUPS)
    assert {item.code: item for item in groups}.keys() == GROUPS.keys()
    for item in groups:
        assert f"{GROUPS[item.code]}/100 điểm" in item.description
        assert "766/QĐ-TTg" in item.source
    assert sum(GROUPS.values()) == 100
    assert "766/QĐ-TTg" in Indicator.objects.get(code="service-index").source


def test_the_rates_read_off_the_portal_are_marked_unverified(seeded):
    for code in ("online-payment-rate", "full-online-service-with-dossier-rate"):
        assert "chưa kiểm chứng" in Indicator.objects.get(code=code).source


def test_the_targets_of_126_are_national_with_their_instrument(seeded):
    targets = IndicatorValue.objects.filter(instrument__contains="126/QĐ-BCĐCP")
    found = {(t.indicator.code, t.value) for t in targets}
    assert found == {
        ("online-dossier-rate", Decimal(80)),
        ("full-online-procedure-rate", Decimal(100)),
        ("adult-online-service-use-rate", Decimal(40)),
    }
    for target in targets:
        assert target.agency is None and target.kind == ValueKind.TARGET
        assert (target.period_kind, target.period_start) == (
            PeriodKind.YEAR,
            datetime.date(2025, 1, 1),
        )
        assert target.source == "en.vneconomy.vn"


def test_the_seed_ships_no_measured_value(seeded):
    assert not IndicatorValue.objects.measures().exists()
    assert not IndicatorValue.objects.exclude(agency=None).exists()


def test_a_second_run_adds_nothing_and_keeps_editors_changes(seeded):
    indicator = Indicator.objects.get(code="service-index")
    indicator.name = "Chỉ số phục vụ (đã sửa)"
    indicator.save()
    target = IndicatorValue.objects.targets().first()
    target.note = "Ghi chú của biên tập viên"
    target.save()
    counts = (Indicator.objects.count(), IndicatorValue.objects.count())
    _load_seed()
    assert (Indicator.objects.count(), IndicatorValue.objects.count()) == counts
    assert Indicator.objects.get(code="service-index").name == "Chỉ số phục vụ (đã sửa)"
    target.refresh_from_db()
    assert target.note == "Ghi chú của biên tập viên"
