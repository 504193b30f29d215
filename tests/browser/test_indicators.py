"""The indicator sections in Chromium, with values: both charts draw under the CSP and the
practice and agency pages pass axe."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from indicators.models import IndicatorValue
from indicators.periods import PeriodKind
from practices.models import Agency, Indicator, PracticePage
from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_indicator_charts_draw_and_pass_axe(page, live_server, seeded):
    rate = Indicator.objects.get(code="online-dossier-rate")
    bac_giang = Agency.objects.resolve("24", datetime.date(2022, 11, 22))  # a 2022 adopter
    ha_noi = Agency.objects.resolve("01")
    for unit, values in ((bac_giang, (41, 45, 52)), (ha_noi, (35, 37, 40))):
        for month, value in zip((7, 10, 1), values, strict=True):
            year = 2023 if month == 1 else 2022
            IndicatorValue.objects.create(
                indicator=rate,
                agency=unit,
                period_kind=PeriodKind.QUARTER,
                period_start=datetime.date(year, month, 1),
                value=Decimal(value),
                source="Số liệu thử",
            )
    practice = PracticePage.objects.get(slug="giao-chi-tieu-dvctt")
    for path, figure in (
        (practice.url, "section.indicator-outcomes figure"),
        (Agency.objects.resolve("24").get_absolute_url(), "section.indicator-series figure"),
    ):
        page.goto(f"{live_server.url}{path}")
        chart = page.locator(figure).first
        expect(chart).to_have_attribute("data-chart-ready", "true")
        expect(chart.locator("[data-chart-interactive] svg.marks")).to_have_count(1)
        assert_accessible(page)
