"""Records roll forward in time, never back: a 2026 adoption by today's Bắc Ninh (code 24 since
1/7/2025) belongs to today's Bắc Ninh, and appears nowhere for the units that became it, the
historic Bắc Giang (code 24 until 30/6/2025) and the historic Bắc Ninh (code 27)."""

import datetime

import pytest

from practices import queries
from practices.models import Agency
from tests import factories

BEFORE_REFORM = datetime.date(2025, 6, 30)
ADOPTIONS = "/api/v1/adoptions/"
INSTRUMENT = "Quyết định số 77/QĐ-UBND Quyxarin"
# (code, as it was on the last day before the reform)
PREDECESSORS = {"bac-giang": "24", "bac-ninh-cu": "27"}


@pytest.fixture
def bac_ninh_2026(reference_data):
    bac_ninh = Agency.objects.resolve("24")
    assert (bac_ninh.name, bac_ninh.valid_from) == ("Tỉnh Bắc Ninh", datetime.date(2025, 7, 1))
    practice = factories.practice("Giải pháp Quyxarin")
    return factories.adoption(
        practice, bac_ninh, decided_on=datetime.date(2026, 3, 1), instrument=INSTRUMENT
    )


def predecessor(key):
    return Agency.objects.resolve(PREDECESSORS[key], BEFORE_REFORM)


def slugs(client, params):
    response = client.get(ADOPTIONS, {**params, "page_size": 500})
    assert response.status_code == 200, response.content
    return [item["practice"] for item in response.json()["results"]]


def test_todays_bac_ninh_shows_its_own_2026_adoption(client, bac_ninh_2026):
    # The control for the tests below: the record is public and shown where it belongs.
    bac_ninh = bac_ninh_2026.agency
    assert bac_ninh_2026.pk in {a.pk for a in queries.agency_profile(bac_ninh).adoptions}
    html = client.get(bac_ninh.get_absolute_url()).content.decode()
    assert f'id="ap-dung-{bac_ninh_2026.pk}"' in html and INSTRUMENT in html
    matrix = queries.replication_matrix("tinh-thanh")
    row = next(row for row in matrix.rows if row.agency == bac_ninh)
    assert row.cells[matrix.practices.index(bac_ninh_2026.practice)].adoption == bac_ninh_2026
    for params in ({"agency": "24"}, {"current_agency": "24"}):
        assert bac_ninh_2026.practice.slug in slugs(client, params), params


def test_bac_giang_page_is_the_one_the_site_links(bac_ninh_2026):
    assert predecessor("bac-giang").get_absolute_url() == "/co-quan/bac-giang-den-2025/"
    assert predecessor("bac-giang").successors.get() == bac_ninh_2026.agency
    assert predecessor("bac-ninh-cu").successors.get() == bac_ninh_2026.agency


@pytest.mark.parametrize("key", PREDECESSORS)
def test_not_on_the_predecessors_page(client, bac_ninh_2026, key):
    html = client.get(predecessor(key).get_absolute_url()).content.decode()
    assert f'id="ap-dung-{bac_ninh_2026.pk}"' not in html
    assert INSTRUMENT not in html


@pytest.mark.parametrize("key", PREDECESSORS)
def test_not_in_the_predecessors_profile(bac_ninh_2026, key):
    profile = queries.agency_profile(predecessor(key))
    assert bac_ninh_2026.pk not in {a.pk for a in profile.adoptions}
    # The practice is one the old unit never adopted.
    assert bac_ninh_2026.practice.pk in {p.pk for p in profile.not_adopted}


def test_not_in_the_historic_matrix(bac_ninh_2026):
    matrix = queries.replication_matrix("tinh-thanh-2008-2025")
    column = matrix.practices.index(bac_ninh_2026.practice)
    holders = [row.agency.name for row in matrix.rows if row.cells[column].adoption]
    assert holders == []
    assert {predecessor(key) for key in PREDECESSORS} <= {row.agency for row in matrix.rows}


@pytest.mark.parametrize("key", PREDECESSORS)
@pytest.mark.parametrize("param", ["agency", "current_agency"])
def test_not_in_the_api_for_the_old_code(client, bac_ninh_2026, key, param):
    params = {param: PREDECESSORS[key], "on": BEFORE_REFORM.isoformat()}
    found = slugs(client, params)
    assert bac_ninh_2026.practice.slug not in found
    if key == "bac-giang":
        # The old unit's own records are there: the filter did resolve Bắc Giang.
        assert "giao-chi-tieu-dvctt" in found


def test_the_agency_list_counts_it_for_todays_bac_ninh_only(client, bac_ninh_2026):
    def counts(period, q):
        response = client.get("/co-quan/", {"thoi-ky": period, "q": q})
        return {a.name: a.record_count for a in response.context["page"].object_list}

    bac_giang = predecessor("bac-giang").adoptions.count()
    assert bac_giang == 2 and predecessor("bac-ninh-cu").adoptions.count() == 0
    # Today's Bắc Ninh: its own 2026 record and what it inherited from Bắc Giang.
    assert counts("hien-nay", "bac ninh") == {"Tỉnh Bắc Ninh": 1 + bac_giang}
    before = counts("truoc-day", "bac")
    assert before["Tỉnh Bắc Giang"] == bac_giang
    assert before["Tỉnh Bắc Ninh"] == 0
