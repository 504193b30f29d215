"""The before/after reading of a practice's indicators and an agency's series: alignment on each
adopter's own date, the non-adopters beside them, predecessors across the 2025 reform, the
pages, and a fixed number of queries."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from indicators import queries
from indicators.models import IndicatorValue, ValueKind
from indicators.periods import PeriodKind
from practices.models import Agency, Indicator
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
OLD, NEW = D(2025, 6, 30), D(2025, 7, 1)


def _value(agency, start, value, kind=PeriodKind.QUARTER, indicator="online-dossier-rate"):
    return IndicatorValue.objects.create(
        indicator=Indicator.objects.get(code=indicator),
        agency=agency,
        period_kind=kind,
        period_start=start,
        value=Decimal(value),
        source="Cổng Dịch vụ công quốc gia",
    )


@pytest.fixture
def units(reference_data):
    return {
        "ha_noi": Agency.objects.resolve("01"),
        "hai_phong": Agency.objects.resolve("31"),
        "bac_giang": Agency.objects.resolve("24", OLD),
        "bac_ninh_cu": Agency.objects.resolve("27", OLD),
        "bac_ninh": Agency.objects.resolve("24", NEW),
    }


@pytest.fixture
def practice(units):
    page = factories.practice("Giải pháp có chỉ số")
    page.indicators = [Indicator.objects.get(code="online-dossier-rate")]
    page.save()
    return page


def test_each_adopter_is_aligned_on_its_own_date_beside_the_others(units, practice):
    factories.adoption(practice, units["ha_noi"], decided_on=D(2024, 11, 15))
    _value(units["ha_noi"], D(2024, 7, 1), 40)  # ends September: month -2
    _value(units["ha_noi"], D(2025, 1, 1), 60)  # ends March 2025: month +4
    _value(units["hai_phong"], D(2024, 7, 1), 30)  # a non-adopter, the same quarters
    _value(units["hai_phong"], D(2025, 1, 1), 34)
    _value(units["ha_noi"], D(2022, 1, 1), 10)  # outside the 12 months: left out
    result = queries.before_after(practice).results[0]
    (series,) = result.adopters
    assert series.unit == units["ha_noi"] and series.adopted_on == D(2024, 11, 15)
    assert [(p.offset, p.value, p.comparison) for p in series.points] == [
        (-2, Decimal(40), Decimal(30)),
        (4, Decimal(60), Decimal(34)),
    ]
    assert [(row.offset, row.adopters, row.comparison) for row in result.rows] == [
        (-2, Decimal(40), Decimal(30)),
        (4, Decimal(60), Decimal(34)),
    ]
    assert result.period_kind == PeriodKind.QUARTER
    assert result.targets == [("Năm 2025", Decimal(80))]  # QĐ 126/QĐ-BCĐCP, from the seed


def test_a_unit_after_the_reform_carries_its_predecessors_figures(units, practice):
    factories.adoption(practice, units["bac_ninh"], decided_on=D(2025, 8, 1))
    _value(units["bac_giang"], D(2025, 4, 1), 50)  # Quý II/2025, ends June: month -2
    _value(units["bac_ninh_cu"], D(2025, 4, 1), 54)
    _value(units["bac_ninh"], D(2025, 7, 1), 70)  # ends September: month +1
    result = queries.before_after(practice).results[0]
    (series,) = result.adopters
    assert series.unit == units["bac_ninh"]
    reported = sorted((p.offset, p.reported_by.name, p.value) for p in series.points)
    assert reported == [
        (-2, "Tỉnh Bắc Giang", Decimal(50)),
        (-2, "Tỉnh Bắc Ninh", Decimal(54)),
        (1, "Tỉnh Bắc Ninh", Decimal(70)),
    ]
    # Two predecessors at month -2: their average, from two reporting units.
    assert [(r.offset, r.adopters, r.adopter_count) for r in result.rows][0] == (
        -2,
        Decimal(52),
        2,
    )


def test_a_unit_that_has_not_adopted_is_only_a_comparison(units, practice):
    factories.adoption(practice, units["hai_phong"], status="piloting", decided_on=D(2024, 1, 1))
    _value(units["hai_phong"], D(2024, 1, 1), 30)
    data = queries.before_after(practice)
    assert data.results == [] and data.missing == list(practice.indicators.all())
    assert data.adopter_count == 0


def _count(call):
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_the_reading_takes_the_same_queries_whatever_the_data(units, practice):
    factories.adoption(practice, units["ha_noi"], decided_on=D(2024, 11, 15))
    _value(units["ha_noi"], D(2024, 7, 1), 40)
    small = _count(lambda: queries.before_after(practice))
    small_agency = _count(lambda: queries.agency_indicators(units["bac_ninh"]))
    factories.adoption(practice, units["bac_ninh"], decided_on=D(2025, 8, 1))
    for month in range(1, 13):
        for unit in ("ha_noi", "bac_giang", "bac_ninh_cu", "hai_phong"):
            _value(units[unit], D(2024, month, 1), 40 + month, kind=PeriodKind.MONTH)
    assert len(queries.before_after(practice).results[0].adopters) == 2
    assert _count(lambda: queries.before_after(practice)) == small == 5
    assert _count(lambda: queries.agency_indicators(units["bac_ninh"])) == small_agency == 2


def test_an_agency_series_holds_its_predecessors_labelled_and_the_national_targets(units):
    _value(units["bac_giang"], D(2025, 4, 1), 50)
    _value(units["bac_ninh"], D(2025, 7, 1), 70)
    data = queries.agency_indicators(units["bac_ninh"])
    (series,) = data.series
    assert [(p.period_label, p.reported_by.name, p.own) for p in series.points] == [
        ("Quý II/2025", "Tỉnh Bắc Giang", False),
        ("Quý III/2025", "Tỉnh Bắc Ninh", True),
    ]
    assert data.predecessors == [units["bac_giang"]]
    assert [(t.value, t.kind, t.instrument) for t in series.targets] == [
        (Decimal(80), ValueKind.TARGET, "Quyết định 126/QĐ-BCĐCP ngày 11/9/2025")
    ]
    # Records roll forward, never back: the old province does not show its successor's.
    old = queries.agency_indicators(units["bac_giang"])
    assert [p.period_label for p in old.series[0].points] == ["Quý II/2025"]


def test_the_pages_say_what_is_missing_and_then_draw_the_values(client, units, practice):
    page = client.get(practice.url).content.decode()
    assert "Chỉ số kết quả trước và sau khi áp dụng" in page
    assert "Tương quan, không phải nhân quả" in page
    assert "Chưa có số đo của “Tỷ lệ hồ sơ trực tuyến”" in page
    assert "Nhập, xuất dữ liệu → Giá trị chỉ số" in page
    agency_page = client.get(units["bac_ninh"].get_absolute_url()).content.decode()
    assert "Chưa có số liệu chỉ số kết quả nào của Tỉnh Bắc Ninh hay các đơn vị tiền thân" in (
        agency_page
    )

    factories.adoption(practice, units["ha_noi"], decided_on=D(2024, 11, 15))
    _value(units["ha_noi"], D(2024, 7, 1), 40)
    _value(units["bac_giang"], D(2025, 4, 1), 50)
    page = client.get(practice.url).content.decode()
    assert "Tỷ lệ hồ sơ trực tuyến: trước và sau khi áp dụng" in page
    assert "Chưa có số đo" not in page
    assert "/bieu-do/chi-so-truoc-sau-ap-dung.csv?" in page
    agency_page = client.get(units["bac_ninh"].get_absolute_url()).content.decode()
    assert "Tỉnh Bắc Giang (đến 30/06/2025) (tiền thân)" in agency_page
    assert "chỉ tiêu quốc gia, Quyết định 126/QĐ-BCĐCP" in agency_page
    csv = client.get(
        "/bieu-do/chi-so-co-quan.csv",
        {"co-quan": units["bac_ninh"].slug, "chi-so": "online-dossier-rate"},
    )
    assert csv.status_code == 200 and "Quý II/2025" in csv.content.decode("utf-8-sig")


def test_the_agency_pages_source_list_says_each_value_and_escapes_its_texts(client, units):
    value = _value(units["bac_giang"], D(2025, 4, 1), "50.25")
    value.source = 'Báo cáo <script>alert("x")</script>'
    value.instrument = "Công văn 12 & 13"
    value.save()
    page = client.get(units["bac_ninh"].get_absolute_url()).content.decode()
    assert (
        "<li>Quý II/2025, Tỉnh Bắc Giang (đến 30/06/2025) (tiền thân): <strong>50,25</strong> "
        "(số đo). Nguồn: Báo cáo &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;; "
        "Công văn 12 &amp; 13</li>"
    ) in page
    assert "<script>alert" not in page
