"""The map's data (`/ban-do/du-lieu.json`), page, CSV and SVG: the units and statuses on a date
either side of the 2025 reform, a fixed number of queries, and Vietnamese answers to bad input."""

import datetime

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from dashboards import maps
from practices.models import Adoption, AdoptionStatus, AdoptionStep, Agency
from tests import factories
from tests.kb.english_strings import english_in

DATA = "/ban-do/du-lieu.json"


def resolve(code, on):
    return Agency.objects.resolve(code, on=on)


@pytest.fixture
def practice(reference_data):
    """A practice that Hà Giang (02, merged into Tuyên Quang 08 on 1/7/2025) adopted in 2023,
    that Hà Nội planned in 2024 and adopted on 15/7/2025, and that no one else recorded."""
    page = factories.practice("Bản đồ thử nghiệm")
    factories.adoption(
        page,
        resolve("02", datetime.date(2025, 6, 30)),
        decided_on=datetime.date(2023, 3, 1),
        instrument="Quyết định 12/QĐ-UBND",
    )
    hanoi = factories.adoption(
        page, resolve("01", datetime.date(2025, 6, 30)), "planned", datetime.date(2024, 1, 10)
    )
    add_step(hanoi, AdoptionStatus.ADOPTED, datetime.date(2025, 7, 15), "Kế hoạch 7/KH-UBND")
    return page


def add_step(record, status, on, instrument=""):
    """A record's next step, and the record's current status with it (as the form keeps it)."""
    AdoptionStep.objects.create(adoption=record, status=status, on=on, instrument=instrument)
    Adoption.objects.filter(pk=record.pk).update(
        status=status, decided_on=on, instrument=instrument
    )


def data(client, practice, on):
    response = client.get(DATA, {"giai-phap": practice.slug, "ngay": on})
    assert response.status_code == 200, response.content
    return response.json()


def by_code(payload):
    return {row["code"]: row for row in payload["rows"]}


@pytest.mark.django_db
def test_63_units_before_the_reform_and_34_from_it(client, practice):
    before = data(client, practice, "2025-06-30")
    after = data(client, practice, "2025-07-01")

    assert len(before["rows"]) == before["units"] == 63
    assert len(after["rows"]) == after["units"] == 34
    assert before["spec"]["layer"][0]["data"]["format"]["type"] == "topojson"
    assert after["spec"]["layer"][0]["data"]["format"]["type"] == "json"
    assert "Open Development Vietnam" in before["attribution"]
    assert "thanglequoc" in after["attribution"]

    rows = by_code(before)
    assert rows["02"]["status"] == "adopted"
    assert rows["02"]["instrument"] == "Quyết định 12/QĐ-UBND"
    assert rows["08"]["status"] == ""  # Tuyên Quang itself had no record
    assert rows["01"]["status"] == "planned"
    assert rows["01"]["on_label"] == "10/01/2024"


@pytest.mark.django_db
def test_a_pre_reform_adopter_shows_under_its_successor(client, practice):
    rows = by_code(data(client, practice, "2025-07-01"))
    assert "02" not in rows  # Hà Giang no longer exists
    assert rows["08"]["status"] == "adopted"
    assert rows["08"]["symbol"] == "✓"
    assert rows["08"]["on_label"] == "01/03/2023"
    assert rows["08"]["instrument"] == "Quyết định 12/QĐ-UBND"
    assert [code for code, row in rows.items() if row["status"] == "adopted"] == ["08"]


@pytest.mark.django_db
def test_a_later_step_changes_the_status_from_its_date(client, practice):
    assert by_code(data(client, practice, "2025-07-14"))["01"]["status"] == "planned"
    hanoi = by_code(data(client, practice, "2025-07-15"))["01"]
    assert hanoi["status"] == "adopted"
    assert hanoi["status_label"] == "Đã áp dụng"
    assert hanoi["instrument"] == "Kế hoạch 7/KH-UBND"
    assert by_code(data(client, practice, "2023-12-31"))["01"]["status"] == ""


@pytest.mark.django_db
def test_every_unit_has_a_boundary_feature_and_a_label_point(client, practice):
    for on in ("2025-06-30", "2025-07-01"):
        payload = data(client, practice, on)
        points = maps.label_points()[payload["units"]]
        assert {row["code"] for row in payload["rows"]} == set(points)
        assert all(row["lon"] is not None for row in payload["rows"])


@pytest.mark.django_db
def test_the_slider_runs_by_month_from_the_first_step_to_today(client, practice):
    slider = data(client, practice, "2025-07-01")["slider"]
    assert slider["min"] == 2023 * 12 + 2  # March 2023, Hà Giang's adoption
    today = timezone.localdate()  # the site's day, as the slider counts it
    assert slider["max"] == today.year * 12 + today.month - 1
    assert slider["value"] == 2025 * 12 + 6
    # The slider's value names a month; its first day is the map's date.
    response = client.get(DATA, {"giai-phap": practice.slug, "thang": 2025 * 12 + 6})
    assert response.json()["date"] == "2025-07-01"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"giai-phap": "khong-co"}, "Không có giải pháp “khong-co”"),
        ({"ngay": "30/13/2025"}, "không đúng dạng"),
        ({"ngay": "2025-07-01'; drop"}, "không đúng dạng"),
        ({"ngay": "2007-12-31"}, "Bản đồ có từ ngày 01/08/2008"),
        ({"ngay": "2999-01-01"}, "chưa đến"),
        ({"thang": "abc"}, "không hợp lệ"),
        ({"thang": "99999"}, "Hãy chọn một tháng"),
    ],
)
def test_bad_parameters_get_a_vietnamese_400(client, practice, params, message):
    params = {"giai-phap": practice.slug, **params}
    response = client.get(DATA, params)
    assert response.status_code == 400
    assert message in response.json()["error"]
    page = client.get("/ban-do/", params)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert 'name="giai-phap"' in page.content.decode()  # the form is still there to fix it
    for url in ("/ban-do/du-lieu.csv", "/ban-do/ban-do.svg"):
        assert client.get(url, params).status_code == 400


def grow(practice, n):
    """`n` more units with a record of the practice, and records of other practices with two
    steps each, among the 63 old units (Hà Nội and Hà Giang have theirs already)."""
    others = [factories.practice() for _ in range(3)]
    units = Agency.objects.provincial().valid_on(datetime.date(2025, 6, 30))
    for unit in units.exclude(code__in=["01", "02"]).order_by("code")[:n]:
        Adoption.objects.create(
            practice=practice, agency=unit, status="piloting", decided_on=datetime.date(2024, 5, 1)
        )
        for other in others:
            record = factories.adoption(other, unit, "planned", datetime.date(2024, 1, 1))
            add_step(record, "adopted", datetime.date(2025, 1, 1))


def count_queries(client, practice):
    with CaptureQueriesContext(connection) as context:
        payload = data(client, practice, "2025-07-01")
    return len(context.captured_queries), payload


@pytest.mark.django_db
def test_the_data_endpoint_runs_a_fixed_number_of_queries(client, practice):
    small, before = count_queries(client, practice)
    grow(practice, 40)
    large, after = count_queries(client, practice)
    assert small == large
    # The practices, then History.load's three: none per unit (the rows are the same 34 or 63
    # at any data size, so only the absolute count shows a query per unit).
    assert large == 4
    piloting = [r for r in after["rows"] if r["status"] == "piloting"]
    assert len(piloting) > 20  # the larger data did reach the rows
    assert not [r for r in before["rows"] if r["status"] == "piloting"]


@pytest.mark.django_db
def test_the_page_shows_the_table_the_source_and_the_slider(client, practice):
    response = client.get("/ban-do/", {"giai-phap": practice.slug, "ngay": "2025-07-01"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<tr tabindex="0" data-code=') == 34
    assert 'type="range"' in html and ">01/07/2025</output>" in html
    assert "thanglequoc/vietnamese-provinces-database" in html
    assert "Hoàng Sa" in html and "Trường Sa" in html
    assert f'href="{resolve("08", datetime.date(2025, 7, 1)).get_absolute_url()}"' in html
    assert english_in(html) == {}
    error_page = client.get("/ban-do/", {"giai-phap": practice.slug, "ngay": "x"})
    assert english_in(error_page.content.decode()) == {}


@pytest.mark.django_db
def test_the_csv_has_the_tables_rows(client, practice):
    response = client.get("/ban-do/du-lieu.csv", {"giai-phap": practice.slug, "ngay": "2025-06-30"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Mã,Đơn vị,Trạng thái,Ngày,Văn bản"
    assert len(lines) == 64
    assert "02,Hà Giang,Đã áp dụng,01/03/2023,Quyết định 12/QĐ-UBND" in lines


@pytest.mark.django_db
def test_the_server_draws_the_map_with_every_unit_and_its_symbol(client, practice):
    response = client.get("/ban-do/ban-do.svg", {"giai-phap": practice.slug, "ngay": "2025-07-01"})
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith("<svg")
    assert svg.count("<text") >= 34  # a symbol per unit, plus the legend's words
    assert "✓ Đã áp dụng" in svg and "– Chưa ghi nhận" in svg


@pytest.mark.django_db
def test_the_practice_page_and_the_navigation_link_to_the_map(client, practice):
    html = client.get(practice.url).content.decode()
    assert f'href="/ban-do/?giai-phap={practice.slug}"' in html
    assert 'href="/ban-do/"' in html


@pytest.mark.django_db
def test_the_practice_page_on_a_date_links_to_the_map_on_that_date(client, practice):
    html = client.get(practice.url, {"ngay": "2025-06-30"}).content.decode()
    assert f'href="/ban-do/?giai-phap={practice.slug}&amp;ngay=2025-06-30"' in html


@pytest.mark.django_db
def test_the_servers_drawing_is_rate_limited_in_vietnamese(client, practice, settings):
    cache.clear()  # the counters of the requests earlier tests made
    settings.RATELIMIT_CHARTS = "1/m"
    params = {"giai-phap": practice.slug, "ngay": "2025-07-01"}
    assert client.get("/ban-do/ban-do.svg", params).status_code == 200
    refused = client.get("/ban-do/ban-do.svg", params)
    assert refused.status_code == 429
    assert "quá nhiều yêu cầu" in refused.content.decode()
    assert client.get(DATA, params).status_code == 200  # the data stays open
