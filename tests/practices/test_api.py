"""The read-only open-data API (`/api/v1/`) on the seeded catalogue.

Field and filter names are a public contract, so the tests pin them exactly.
"""

import datetime
import unicodedata

import pytest

from practices.models import Adoption, Agency, AgencyKind, PracticePage
from tests import factories

PRACTICES = "/api/v1/practices/"
AGENCIES = "/api/v1/agencies/"
ADOPTIONS = "/api/v1/adoptions/"

ARTICLE_DATE = datetime.date(2022, 11, 22)
CANONICAL_CATEGORIES = {
    "targets",
    "ux",
    "fees",
    "processing-time",
    "paperless",
    "virtual-assistant",
}
PRACTICE_FIELDS = {"slug", "title", "category", "url", "adopter_count"}
ADOPTION_FIELDS = {
    "practice",
    "category",
    "agency",
    "agency_name",
    "status",
    "decided_on",
    "instrument",
    "evidence_level",
    "url",
    "steps",
}
AGENCY_FIELDS = {
    "code",
    "slug",
    "name",
    "short_name",
    "kind",
    "region",
    "parent",
    "valid_from",
    "valid_to",
    "successors",
    "url",
    "adoption_count",
}

pytestmark = pytest.mark.django_db


def get_ok(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def get_all(client, url, params=None):
    """Every result of a listing, following `next` links."""
    params = dict(params or {}, page_size=500)
    data = get_ok(client, url, params)
    results = list(data["results"])
    while data["next"]:
        data = get_ok(client, data["next"])
        results += data["results"]
    assert len(results) == data["count"]
    return results


# --- practices ------------------------------------------------------------------------------


def test_practices_lists_the_six_seeded_practices_with_exact_fields(seeded, client):
    data = get_ok(client, PRACTICES)

    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 6
    assert data["next"] is None and data["previous"] is None
    assert len(data["results"]) == 6
    for item in data["results"]:
        assert set(item) == PRACTICE_FIELDS
    assert {item["category"] for item in data["results"]} == CANONICAL_CATEGORIES


def test_practices_are_ordered_by_category(seeded, client):
    data = get_ok(client, PRACTICES)
    assert [item["category"] for item in data["results"]] == [
        "targets",
        "ux",
        "fees",
        "processing-time",
        "paperless",
        "virtual-assistant",
    ]


def test_practice_adopter_counts(seeded, client):
    counts = {
        item["category"]: item["adopter_count"] for item in get_ok(client, PRACTICES)["results"]
    }
    assert counts == {
        "targets": 18,
        "ux": 0,
        "fees": 7,
        "processing-time": 1,
        "paperless": 1,
        "virtual-assistant": 0,
    }


def test_adopter_count_only_counts_adopted_status(seeded, client):
    fees = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    factories.adoption(fees, Agency.objects.resolve("01"), status="planned")
    factories.adoption(fees, Agency.objects.resolve("92"), status="piloting")

    item = get_ok(client, PRACTICES + "giam-phi-le-phi-dvctt/")
    assert item["adopter_count"] == 7

    factories.adoption(fees, Agency.objects.resolve("04"), status="adopted")
    item = get_ok(client, PRACTICES + "giam-phi-le-phi-dvctt/")
    assert item["adopter_count"] == 8


def test_practice_url_is_an_absolute_link_to_the_public_page(seeded, client):
    item = get_ok(client, PRACTICES + "giao-chi-tieu-dvctt/")
    assert item["url"].startswith("http")
    assert item["url"].endswith("/sang-kien/giao-chi-tieu-dvctt/")
    path = "/" + item["url"].split("://", 1)[1].split("/", 1)[1]
    assert client.get(path).status_code == 200


def test_practices_filter_by_category(seeded, client):
    data = get_ok(client, PRACTICES, {"category": "fees"})
    assert data["count"] == 1
    [item] = data["results"]
    assert item["slug"] == "giam-phi-le-phi-dvctt"
    assert item["category"] == "fees"
    assert item["adopter_count"] == 7

    assert get_ok(client, PRACTICES, {"category": "khong-co"})["count"] == 0


def test_practices_page_size_and_pagination_links(seeded, client):
    first = get_ok(client, PRACTICES, {"page_size": 2})
    assert first["count"] == 6
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert "page=2" in first["next"] and "page_size=2" in first["next"]

    second = get_ok(client, first["next"])
    assert len(second["results"]) == 2
    assert second["previous"] is not None

    slugs = {item["slug"] for item in first["results"]} | {
        item["slug"] for item in second["results"]
    }
    assert len(slugs) == 4

    third = get_ok(client, second["next"])
    assert len(third["results"]) == 2
    assert third["next"] is None


def test_practice_detail_by_slug(seeded, client):
    item = get_ok(client, PRACTICES + "giao-chi-tieu-dvctt/")
    assert set(item) == PRACTICE_FIELDS
    assert item["slug"] == "giao-chi-tieu-dvctt"
    assert item["category"] == "targets"
    assert item["adopter_count"] == 18
    assert item["title"].startswith("Giao chỉ tiêu dịch vụ công trực tuyến")


def test_practice_detail_of_unknown_slug_is_404(seeded, client):
    assert client.get(PRACTICES + "khong-co-giai-phap-nay/").status_code == 404


def test_unpublished_practice_and_its_adoptions_disappear_from_the_api(seeded, client):
    PracticePage.objects.get(slug="giam-phi-le-phi-dvctt").unpublish()

    assert get_ok(client, PRACTICES)["count"] == 5
    assert client.get(PRACTICES + "giam-phi-le-phi-dvctt/").status_code == 404
    assert get_ok(client, ADOPTIONS, {"category": "fees"})["count"] == 0


# --- agencies -------------------------------------------------------------------------------


def test_agency_fields(seeded, client):
    data = get_ok(client, AGENCIES, {"q": "bac giang", "current": "false"})
    [item] = data["results"]
    assert set(item) == AGENCY_FIELDS
    assert item["slug"] == "bac-giang-den-2025"
    assert item["url"].endswith("/co-quan/bac-giang-den-2025/")
    assert item["adoption_count"] == 2


def test_34_current_provincial_units(seeded, client):
    provinces = get_all(client, AGENCIES, {"kind": "province", "current": "true"})
    cities = get_all(client, AGENCIES, {"kind": "city", "current": "true"})

    assert len(provinces) + len(cities) == 34
    assert {item["kind"] for item in provinces} == {"province"}
    assert {item["kind"] for item in cities} == {"city"}
    assert len(cities) == 6
    names = {item["name"] for item in provinces + cities}
    assert "Tỉnh Bắc Ninh" in names and "Thành phố Đà Nẵng" in names
    assert "Tỉnh Bắc Giang" not in names and "Tỉnh Quảng Nam" not in names
    for item in provinces + cities:
        assert item["valid_to"] is None, item


def test_historic_bac_giang_is_listed_with_its_successor(seeded, client):
    historic = get_all(client, AGENCIES, {"current": "false", "kind": "province"})
    [bac_giang] = [item for item in historic if item["name"] == "Tỉnh Bắc Giang"]

    assert bac_giang["code"] == "24"
    assert bac_giang["valid_to"] == "2025-06-30"
    assert bac_giang["successors"] == ["24"]
    assert bac_giang["short_name"] == "Bắc Giang"
    assert bac_giang["parent"] is None
    # Today's Bắc Ninh (code 24) is current; the historic Bắc Ninh had code 27.
    assert [item["name"] for item in historic if item["code"] == "24"] == ["Tỉnh Bắc Giang"]
    [old_bac_ninh] = [item for item in historic if item["name"] == "Tỉnh Bắc Ninh"]
    assert old_bac_ninh["code"] == "27"
    assert old_bac_ninh["successors"] == ["24"]


def test_current_false_excludes_current_units(seeded, client):
    historic = get_all(client, AGENCIES, {"current": "false"})
    assert historic
    for item in historic:
        assert item["valid_to"] is not None and item["valid_to"] < datetime.date.today().isoformat()


@pytest.mark.parametrize("q", ["bac giang", "Bắc Giang", "BẮC GIANG", "  bac   giang "])
def test_agency_search_ignores_diacritics_and_case(seeded, client, q):
    names = {item["name"] for item in get_all(client, AGENCIES, {"q": q})}
    assert names == {"Tỉnh Bắc Giang"}


@pytest.mark.parametrize(
    "q",
    [
        "Hoà Bình",  # old-style tone mark placement, as in the reference data
        "Hòa Bình",  # new-style placement
        unicodedata.normalize("NFD", "Hòa Bình"),  # decomposed input (e.g. macOS keyboards)
        unicodedata.normalize("NFD", "Hoà Bình"),
        "hoa binh",
    ],
)
def test_agency_search_finds_hoa_binh_whatever_the_tone_mark_placement(seeded, client, q):
    results = get_all(client, AGENCIES, {"q": q})
    assert [item["code"] for item in results] == ["17"]
    assert results[0]["valid_to"] == "2025-06-30"
    assert results[0]["successors"] == ["25"]


def test_agency_search_by_code(seeded, client):
    results = get_all(client, AGENCIES, {"q": "bo-giao-duc-va-dao-tao"})
    assert [item["name"] for item in results] == ["Bộ Giáo dục và Đào tạo"]


def test_department_lists_its_parent_code(seeded, client):
    results = get_all(client, AGENCIES, {"kind": AgencyKind.DEPARTMENT, "q": "chuyen doi so"})
    [cuc] = results
    assert cuc["name"] == "Cục Chuyển đổi số quốc gia"
    assert cuc["parent"] == "bo-thong-tin-va-truyen-thong"


def test_agency_unknown_kind_is_400(seeded, client):
    assert client.get(AGENCIES, {"kind": "tinh"}).status_code == 400


# --- adoptions ------------------------------------------------------------------------------


def test_adoption_fields_and_values(seeded, client):
    data = get_ok(client, ADOPTIONS, {"agency": "bo-giao-duc-va-dao-tao"})
    [item] = data["results"]
    assert set(item) == ADOPTION_FIELDS
    assert item["practice"] == "thi-diem-dich-vu-khong-tiep-nhan-ho-so-giay"
    assert item["category"] == "paperless"
    assert item["agency"] == "bo-giao-duc-va-dao-tao"
    assert item["agency_name"] == "Bộ Giáo dục và Đào tạo"
    assert item["status"] == "adopted"
    assert item["decided_on"] == "2022-11-22"
    assert item["evidence_level"] == "documented"
    assert item["url"].startswith("http")


def test_all_seed_adoptions_are_listed(seeded, client):
    assert get_ok(client, ADOPTIONS)["count"] == 27


def test_agency_code_24_today_is_bac_ninh_with_no_seed_adoptions(seeded, client):
    data = get_ok(client, ADOPTIONS, {"agency": "24"})
    assert data["count"] == 0
    assert data["results"] == []


def test_agency_code_24_on_the_article_date_is_bac_giang(seeded, client):
    data = get_ok(client, ADOPTIONS, {"agency": "24", "on": "2022-11-22"})
    assert data["count"] == 2
    assert {item["category"] for item in data["results"]} == {"targets", "fees"}
    assert {item["agency_name"] for item in data["results"]} == {"Tỉnh Bắc Giang"}
    assert {item["agency"] for item in data["results"]} == {"24"}


def test_current_agency_24_rolls_up_bac_giang_into_todays_bac_ninh(seeded, client):
    data = get_ok(client, ADOPTIONS, {"current_agency": "24"})
    assert data["count"] == 2
    assert {item["agency_name"] for item in data["results"]} == {"Tỉnh Bắc Giang"}
    assert {item["category"] for item in data["results"]} == {"targets", "fees"}


def test_current_agency_24_also_includes_old_bac_ninh_but_not_unrelated_units(seeded, client):
    ux = PracticePage.objects.get(slug="chuan-hoa-trai-nghiem-nguoi-dung-dvctt")
    old_bac_ninh = Agency.objects.resolve("27", ARTICLE_DATE)
    factories.adoption(ux, old_bac_ninh)
    factories.adoption(ux, Agency.objects.resolve("19", ARTICLE_DATE))  # Thái Nguyên: unrelated

    data = get_ok(client, ADOPTIONS, {"current_agency": "24"})
    assert {item["agency_name"] for item in data["results"]} == {
        "Tỉnh Bắc Giang",
        "Tỉnh Bắc Ninh",
    }
    assert data["count"] == 3


def test_current_agency_48_includes_quang_nam_and_the_da_nang_department(seeded, client):
    data = get_ok(client, ADOPTIONS, {"current_agency": "48"})
    found = {(item["category"], item["agency_name"]) for item in data["results"]}
    assert ("targets", "Tỉnh Quảng Nam") in found
    assert ("processing-time", "Sở Khoa học và Công nghệ thành phố Đà Nẵng") in found
    assert data["count"] == 2


def test_current_agency_of_a_merged_ministry(seeded, client):
    # Bộ Khoa học và Công nghệ today includes Bộ Thông tin và Truyền thông and its Cục.
    ux = PracticePage.objects.get(slug="chuan-hoa-trai-nghiem-nguoi-dung-dvctt")
    factories.adoption(ux, Agency.objects.get(code="bo-thong-tin-va-truyen-thong"))

    data = get_ok(client, ADOPTIONS, {"current_agency": "bo-khoa-hoc-va-cong-nghe"})
    assert {(item["category"], item["agency_name"]) for item in data["results"]} == {
        ("targets", "Bộ Khoa học và Công nghệ"),
        ("ux", "Bộ Thông tin và Truyền thông"),
    }


def test_adoptions_filter_by_practice(seeded, client):
    data = get_ok(client, ADOPTIONS, {"practice": "giao-chi-tieu-dvctt"})
    assert data["count"] == 18
    assert {item["practice"] for item in data["results"]} == {"giao-chi-tieu-dvctt"}


def test_adoptions_filter_by_category(seeded, client):
    data = get_ok(client, ADOPTIONS, {"category": "fees"})
    assert data["count"] == 7
    assert {item["category"] for item in data["results"]} == {"fees"}
    assert "Thành phố Hồ Chí Minh" in {item["agency_name"] for item in data["results"]}


def test_adoptions_filter_by_status(seeded, client):
    ux = PracticePage.objects.get(slug="chuan-hoa-trai-nghiem-nguoi-dung-dvctt")
    factories.adoption(ux, Agency.objects.resolve("01"), status="planned")

    adopted = get_ok(client, ADOPTIONS, {"status": "adopted"})
    assert adopted["count"] == 27
    assert {item["status"] for item in adopted["results"]} == {"adopted"}

    planned = get_ok(client, ADOPTIONS, {"status": "planned"})
    assert [item["agency_name"] for item in planned["results"]] == ["Thành phố Hà Nội"]


def test_adoptions_filters_combine(seeded, client):
    data = get_ok(client, ADOPTIONS, {"category": "fees", "agency": "80", "on": "2022-11-22"})
    assert [item["agency_name"] for item in data["results"]] == ["Tỉnh Long An"]


def test_unknown_agency_code_is_400_naming_the_code(seeded, client):
    response = client.get(ADOPTIONS, {"agency": "99999"})
    assert response.status_code == 400
    body = response.json()
    assert "agency" in body
    assert "99999" in str(body["agency"])


def test_unknown_current_agency_code_is_400(seeded, client):
    response = client.get(ADOPTIONS, {"current_agency": "99999"})
    assert response.status_code == 400
    assert "99999" in str(response.json()["current_agency"])


@pytest.mark.parametrize("bad", ["2022-13-45", "22/11/2022", "hom-nay"])
def test_malformed_on_date_is_400(seeded, client, bad):
    response = client.get(ADOPTIONS, {"agency": "24", "on": bad})
    assert response.status_code == 400
    assert "on" in response.json()


def test_historic_only_code_needs_a_date(seeded, client):
    response = client.get(ADOPTIONS, {"agency": "49"})
    assert response.status_code == 400
    assert "49" in str(response.json()["agency"])

    data = get_ok(client, ADOPTIONS, {"agency": "49", "on": "2022-11-22"})
    assert [(item["category"], item["agency_name"]) for item in data["results"]] == [
        ("targets", "Tỉnh Quảng Nam")
    ]


def test_adoptions_page_size(seeded, client):
    data = get_ok(client, ADOPTIONS, {"page_size": 5})
    assert data["count"] == 27
    assert len(data["results"]) == 5
    assert data["next"] is not None


# --- read-only, open ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PRACTICES, AGENCIES, ADOPTIONS])
def test_post_is_refused(seeded, client, url):
    before = (Adoption.objects.count(), Agency.objects.count(), PracticePage.objects.count())
    response = client.post(url, {"slug": "x", "name": "x"}, content_type="application/json")
    assert response.status_code in (403, 405)
    assert (
        Adoption.objects.count(),
        Agency.objects.count(),
        PracticePage.objects.count(),
    ) == before


def test_put_and_delete_on_a_practice_are_refused(seeded, client):
    url = PRACTICES + "giam-phi-le-phi-dvctt/"
    assert client.put(url, {"title": "x"}, content_type="application/json").status_code in (
        403,
        405,
    )
    assert client.delete(url).status_code in (403, 405)
    assert PracticePage.objects.filter(slug="giam-phi-le-phi-dvctt", live=True).exists()


@pytest.mark.parametrize("url", [PRACTICES, AGENCIES, ADOPTIONS, "/api/v1/"])
def test_get_needs_no_authentication(seeded, url):
    from django.test import Client

    response = Client().get(url)
    assert response.status_code == 200
    assert response.json()
