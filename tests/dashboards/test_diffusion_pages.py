"""The practice dashboard (`/sang-kien/<slug>/lan-toa/`) and the national overview
(`/tong-quan/`): what they show on a day, their bad parameters, their chart files, their links
from the practice page, the navigation and the home page, and their fixed number of queries."""

import csv
import datetime
import io
import re

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from dashboards import overview
from practices.models import Agency, PracticePage
from tests import factories

D = datetime.date
OLD, NEW = D(2025, 6, 30), D(2025, 7, 1)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def practice(reference_data):
    practice = factories.practice("Giải pháp Trang lan tỏa")
    factories.adoption(practice, Agency.objects.resolve("24", OLD), "adopted", D(2024, 3, 1))
    factories.adoption(practice, Agency.objects.resolve("27", OLD), "adopted", D(2025, 1, 10))
    source = factories.adoption(practice, Agency.objects.resolve("01"), "adopted", D(2025, 9, 1))
    factories.adoption(
        practice, Agency.objects.resolve("20"), "piloting", D(2025, 10, 1), adapted_from=source
    )
    factories.adoption(practice, Agency.objects.get(slug="bo-tai-chinh"), "adopted", D(2024, 6, 1))
    return practice


def url(practice):
    return f"/sang-kien/{practice.slug}/lan-toa/"


def test_the_dashboard_shows_the_practice_today(client, practice):
    response = client.get(url(practice))
    assert response.status_code == 200
    html = response.content.decode()
    provinces = response.context["stats"].groups[0]
    assert (provinces.now.adopted, provinces.now.units) == (2, 34)
    # The denominator in words, the charts with their tables and downloads, the stage rule.
    assert "63 tỉnh, thành phố đến 30/06/2025; 34 tỉnh, thành phố từ 01/07/2025" in html
    assert html.count('class="chart"') == 6  # 2 curves, 2 quarters, regions, learned-from
    assert "lan-toa-duong-tich-luy-tinh-thanh.csv?" in html
    # Each chart has ids of its own, so that the browser draws each one from its own spec.
    ids = re.findall(r'<figure class="chart" id="([^"]+)"', html)
    assert len(set(ids)) == len(ids) == 6
    assert "dưới 2,5 % là Tiên phong" in html
    # Who learned from whom, as a list too.
    assert "học tập từ" in html and "Lạng Sơn" in html


def test_the_dashboard_on_a_day_before_the_reform(client, practice):
    response = client.get(url(practice), {"ngay": "2025-06-30"})
    assert response.status_code == 200
    stats = response.context["stats"]
    assert stats.on == OLD
    provinces = stats.groups[0]
    assert (provinces.now.adopted, provinces.now.units) == (2, 63)
    assert stats.edges == []  # Lạng Sơn learned in October 2025
    html = response.content.decode()
    assert "Đang xem tình trạng vào ngày <strong>30/06/2025</strong>" in html
    # The charts' downloads keep the day.
    assert "ngay=2025-06-30" in html


@pytest.mark.parametrize(
    "value, message",
    [
        ("30-06-2025", "không đúng dạng năm-tháng-ngày"),
        ("2025-02-30", "không đúng dạng năm-tháng-ngày"),
        ("9999-01-01", "chưa đến"),
        ("x" * 5000, "không đúng dạng"),
    ],
)
def test_a_bad_day_gets_a_message_and_today(client, practice, value, message):
    for address in (url(practice), "/tong-quan/"):
        response = client.get(address, {"ngay": value})
        assert response.status_code == 200
        assert message in response.content.decode()
        assert response.context["on"] is None


def test_only_live_practices_have_a_dashboard(client, practice):
    assert client.get("/sang-kien/khong-co-giai-phap-nay/lan-toa/").status_code == 404
    practice.unpublish()
    assert client.get(url(practice)).status_code == 404


def test_a_practice_nobody_adopted_says_so(client, reference_data):
    practice = factories.practice("Giải pháp Chưa ai áp dụng")
    response = client.get(url(practice))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="chart"' not in html
    assert "Chưa có tỉnh, thành phố nào được ghi nhận áp dụng" in html


def test_the_curve_downloads_as_csv(client, practice):
    response = client.get(
        "/bieu-do/lan-toa-duong-tich-luy-tinh-thanh.csv",
        {"giai-phap": practice.slug, "ngay": "2025-07-01"},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Từ ngày", "Số tỉnh, thành phố tồn tại", "Đã áp dụng"]
    by_day = {row[0]: row for row in rows[1:]}
    assert by_day["2025-01-10"][1:3] == ["63", "2"]
    assert by_day["2025-07-01"][1:3] == ["34", "1"]


@pytest.mark.parametrize(
    "query, message",
    [
        ({"giai-phap": "khong-co"}, "Không có giải pháp"),
        ({}, "Không có giải pháp"),
        ({"giai-phap": None, "ngay": "hom-qua"}, "không đúng dạng"),
        ({"giai-phap": None, "ngay": "2999-01-01"}, "chưa đến"),
    ],
)
def test_chart_files_refuse_bad_parameters_in_vietnamese(client, practice, query, message):
    # None stands for the practice's own slug.
    query = {key: practice.slug if value is None else value for key, value in query.items()}
    response = client.get("/bieu-do/lan-toa-duong-tich-luy-tinh-thanh.csv", query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_practice_page_links_to_its_dashboard(client, practice):
    html = client.get(practice.url).content.decode()
    assert f'href="{url(practice)}"' in html
    assert "Xem diễn biến nhân rộng" in html
    assert "2/34" in html  # today's provinces, in the teaser


def test_the_overview_today_and_on_a_day(client, practice):
    response = client.get("/tong-quan/")
    assert response.status_code == 200
    data = response.context["overview"]
    row = next(r for r in data.rows if r.practice.pk == practice.pk)
    assert (row.coverage["tinh-thanh"].adopted, row.coverage["tinh-thanh"].units) == (2, 34)
    assert row.coverage["tinh-thanh"].adopted_or_piloting == 3
    html = response.content.decode()
    assert f'href="{url(practice)}"' in html
    ids = re.findall(r'<figure class="chart" id="([^"]+)"', html)
    assert len(set(ids)) == len(ids) == 5  # 2 coverage, 2 trends, regions

    then = client.get("/tong-quan/", {"ngay": "2025-06-30"}).context["overview"]
    row = next(r for r in then.rows if r.practice.pk == practice.pk)
    assert (row.coverage["tinh-thanh"].adopted, row.coverage["tinh-thanh"].units) == (2, 63)
    # The ministries had changed on 1/3/2025 already.
    assert then.units == {"tinh-thanh": 63, "bo-nganh": 17}


def test_the_overview_trend_steps_at_the_reform(reference_data, practice):
    data = overview.overview(D(2026, 1, 31))
    points = {p.on: p for p in data.trends["tinh-thanh"] if p.practice.pk == practice.pk}
    assert (points[OLD].adopted, points[OLD].units) == (2, 63)
    assert (points[NEW].adopted, points[NEW].units) == (1, 34)
    assert (points[D(2025, 9, 30)].adopted, points[D(2025, 9, 30)].units) == (2, 34)


def test_the_regions_and_units_furthest_behind(reference_data):
    for page in PracticePage.objects.live():
        page.unpublish()
    first = factories.practice("Giải pháp Vùng Một")
    second = factories.practice("Giải pháp Vùng Hai")
    ha_noi = Agency.objects.resolve("01")
    for practice in (first, second):
        factories.adoption(practice, ha_noi, "adopted", D(2025, 8, 1))
    factories.adoption(first, Agency.objects.resolve("04"), "adopted", D(2025, 8, 1))
    data = overview.overview(D(2026, 1, 31))
    regions = {r.region: r for r in data.regions}
    delta = regions["Đồng bằng sông Hồng"]
    # Hà Nội adopted both practices, among 5 provinces × 2 practices.
    assert (delta.adopted_pairs, delta.pairs) == (2, delta.units * 2)
    north = regions["Trung du và miền núi phía Bắc"]
    assert north.adopted_pairs == 1  # Cao Bằng, one practice
    # Furthest behind first: regions with nothing adopted lead.
    assert data.regions[0].share == 0
    assert [r.share for r in data.regions] == sorted(r.share for r in data.regions)
    behind = data.units_behind["tinh-thanh"]
    assert len(behind) == overview.UNITS_BEHIND_SHOWN
    assert all(row.adopted == 0 for row in behind)
    assert ha_noi not in [row.unit for row in behind]


def test_the_navigation_and_the_home_page_link_to_the_overview(client, reference_data):
    html = client.get("/").content.decode()
    assert 'href="/tong-quan/"' in html


def grow(practice, n):
    """`n` more provinces adopting `practice` (piloting first), each learning from the one
    before, and `n` more practices adopted by them."""
    day = D(2025, 8, 1)
    units = list(
        Agency.objects.filter(kind="province")
        .valid_on(day)
        .exclude(adoptions__practice=practice)
        .order_by("code")[:n]
    )
    previous = None
    for offset, unit in enumerate(units):
        adoption = factories.adoption(practice, unit, "piloting", day, adapted_from=previous)
        adoption.status, adoption.decided_on = "adopted", day + datetime.timedelta(offset + 1)
        adoption.save()
        previous = adoption
        other = factories.practice(f"Giải pháp Thêm {unit.code}")
        factories.adoption(other, unit, "adopted", day)


def count_queries(client, address):
    # A first request brings the overview's stored spans up to date (dashboards.spans); the
    # count is that of a page read with an empty cache.
    client.get(address)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_a_fixed_number_of_queries_whatever_the_data_size(client, practice):
    addresses = [url(practice), f"{url(practice)}?ngay=2025-12-31", "/tong-quan/"]
    small = {a: count_queries(client, a) for a in addresses}
    grow(practice, 8)
    large = {a: count_queries(client, a) for a in addresses}
    for address in addresses:
        assert large[address][0] == small[address][0], address
        # The larger size did show more.
        assert len(large[address][1]) > len(small[address][1]), address
