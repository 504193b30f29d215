"""Public search as JSON (`/api/v1/search/` and `/api/v1/search/suggest/`) on both engines.

Field names are part of the open-data contract, so the tests pin them exactly.
"""

import re

import pytest

from search import queries
from search.models import DocumentType, SearchDocument
from tests.search.test_views import BAD_INPUT, FEES_URL, HIGHLIGHT, database_engine, engine

# The API gives absolute URLs on the host of the request (the test client's is testserver).
HOST = "http://testserver"

__all__ = ["database_engine", "engine"]  # fixtures shared with the page tests

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search/"
SUGGEST = "/api/v1/search/suggest/"
TOP_FIELDS = {
    "total",
    "page",
    "page_count",
    "results",
    "facets",
    "engine",
    "did_you_mean",
    "notice",
    "complete",
}
RESULT_FIELDS = {"type", "title", "url", "snippet", "category", "agency", "score", "missing"}
FACET_FIELDS = {"value", "label", "count", "selected"}
MARK = re.compile(r"</?mark>")


def get_json(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, response.content[:2000]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


# --- Shape ---------------------------------------------------------------------------------


def test_search_shape(client, engine):
    data = get_json(client, SEARCH, {"q": "giam phi"})
    assert set(data) == TOP_FIELDS
    assert data["engine"] == engine
    assert data["page"] == 1
    assert data["page_count"] == 1
    assert data["total"] == data["complete"] == len(data["results"]) > 0
    assert data["notice"] is None
    assert data["did_you_mean"] is None
    for result in data["results"]:
        assert set(result) == RESULT_FIELDS
        assert result["type"] in DocumentType.values
        assert isinstance(result["score"], float)
        assert result["missing"] == []
        assert result["category"] is None or result["category"]
        assert result["agency"] is None or result["agency"]
    assert set(data["facets"]) == set(queries.FACETS)
    assert any(data["facets"].values())
    for values in data["facets"].values():
        for value in values:
            assert set(value) == FACET_FIELDS
            assert isinstance(value["value"], str)
            assert isinstance(value["count"], int) and value["count"] > 0
            assert value["selected"] is False


def test_no_diacritics_finds_the_fees_practice_with_original_highlights(client, engine):
    data = get_json(client, SEARCH, {"q": "giam phi"})
    fees = next(r for r in data["results"] if r["url"] == HOST + FEES_URL)
    assert fees["type"] == "practice"
    assert fees["category"] == "fees"
    assert fees["agency"] is None
    assert HIGHLIGHT.search(fees["snippet"])
    assert fees["title"] == "Giảm phí, lệ phí để khuyến khích sử dụng dịch vụ công trực tuyến"
    types = {v["value"]: v for v in data["facets"]["type"]}
    assert types["practice"]["label"] == "Giải pháp"
    assert types["practice"]["count"] >= 1


def test_agency_results_have_no_category(client, engine):
    data = get_json(client, SEARCH, {"q": "bac giang", "type": "agency"})
    assert data["results"]
    for result in data["results"]:
        assert result["type"] == "agency"
        assert result["category"] is None
    assert any(r["title"] == "Tỉnh Bắc Giang" for r in data["results"])
    selected = [v for v in data["facets"]["type"] if v["selected"]]
    assert [v["value"] for v in selected] == ["agency"]


def test_filters_narrow(client, engine):
    everything = get_json(client, SEARCH, {"q": "giam phi"})
    practices = get_json(client, SEARCH, {"q": "giam phi", "type": "practice"})
    assert 0 < practices["total"] < everything["total"]
    assert {r["type"] for r in practices["results"]} == {"practice"}
    adopted_2022 = get_json(client, SEARCH, {"q": "giam phi", "status": "adopted", "year": "2022"})
    assert adopted_2022["total"] > 0
    assert {r["type"] for r in adopted_2022["results"]} == {"adoption"}


def test_paging(client, engine):
    first = get_json(client, SEARCH, {"q": "DVCTT"})
    second = get_json(client, SEARCH, {"q": "DVCTT", "page": "2"})
    assert first["page_count"] >= 2 and first["total"] > queries.PAGE_SIZE
    assert len(first["results"]) == queries.PAGE_SIZE
    assert second["page"] == 2
    assert second["total"] == first["total"]
    assert not {r["url"] for r in first["results"]} & {r["url"] for r in second["results"]}
    beyond = get_json(client, SEARCH, {"q": "DVCTT", "page": "50"})
    assert beyond["results"] == [] and beyond["page"] == 50


def test_did_you_mean_is_given_when_nothing_matches(client, engine):
    data = get_json(client, SEARCH, {"q": "giamm phi"})
    assert data["total"] == 0
    assert data["did_you_mean"]
    assert get_json(client, SEARCH, {"q": data["did_you_mean"]})["total"] > 0


def test_snippets_escape_everything_but_the_marks(client, database_engine):
    body = 'Mã độc <script>alert("giảm")</script> & <b>phí</b> thấp'
    from practices.text import fold_aligned

    SearchDocument.objects.create(
        key="guidance:999999",
        type=DocumentType.GUIDANCE,
        title="Thử <em>giảm</em> phí",
        body=body,
        url="/thu/",
        title_folded=fold_aligned("Thử <em>giảm</em> phí"),
        body_folded=fold_aligned(body),
    )
    data = get_json(client, SEARCH, {"q": "giam phi", "type": "guidance"})
    result = next(r for r in data["results"] if r["url"] == HOST + "/thu/")
    assert result["title"] == "Thử <em>giảm</em> phí"  # plain text, as stored
    snippet = result["snippet"]
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "&lt;script&gt;" in snippet and "&amp;" in snippet
    assert "<mark>giảm</mark>" in snippet
    assert not re.search(r"<(?!/?mark>)", snippet)  # no tag but <mark>
    assert result["category"] is None and result["agency"] is None


# --- Errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["", "   ", "\x00", "*:*", "\\", '""'])
def test_a_query_without_words_is_a_400(client, database_engine, q):
    data = get_json(client, SEARCH, {"q": q}, status=400)
    assert set(data) == {"error"} and data["error"]


def test_missing_query_is_a_400(client, database_engine):
    data = get_json(client, SEARCH, status=400)
    assert "tham số q" in data["error"]


def test_errors_carry_the_message(client, database_engine):
    data = get_json(client, SEARCH, {"q": "a" * 2000}, status=400)
    assert data == {"error": f"Từ khóa quá dài: tối đa {queries.MAX_QUERY_LENGTH} ký tự."}
    assert get_json(client, SEARCH, {"q": "giam", "page": "abc"}, status=400) == {
        "error": "Số trang không hợp lệ."
    }
    assert get_json(client, SEARCH, {"q": "giam", "year": "abc"}, status=400) == {
        "error": "Năm phải là một số, ví dụ 2022."
    }


# The page shows an empty state for these; the API calls them errors.
# Queries with no searchable word are a 400 for the API (an emoji alone has none).
API_STATUS = {"": 400, "   \t  ": 400, '""': 400, "*:*": 400, "\\": 400, "\x00": 400, "😀": 400}


def test_bad_input_never_breaks_the_api(client, engine):
    failures = []
    for params, page_status in BAD_INPUT:
        status = API_STATUS.get(params["q"], page_status)
        response = client.get(SEARCH, params)
        if response.status_code != status:
            failures.append((params, response.status_code))
            continue
        data = response.json()
        if status == 400 and not data.get("error"):
            failures.append((params, "no error message"))
        if status == 200 and data["engine"] != engine:
            failures.append((params, data["engine"]))
    assert not failures


def test_node_down_still_answers_from_the_database(client, seeded, no_search_node):
    data = get_json(client, SEARCH, {"q": "giam phi"})
    assert data["engine"] == "database"
    assert data["notice"] == queries.FALLBACK_NOTICE
    assert HOST + FEES_URL in [r["url"] for r in data["results"]]
    suggestions = get_json(client, SUGGEST, {"q": "bac g"})["suggestions"]
    assert "Tỉnh Bắc Giang" in [s["text"] for s in suggestions]


# --- Suggestions ---------------------------------------------------------------------------


def test_suggest_completes_agency_names_without_diacritics(client, engine):
    data = get_json(client, SUGGEST, {"q": "bac g"})
    assert set(data) == {"suggestions"}
    for suggestion in data["suggestions"]:
        assert set(suggestion) == {"text", "url", "type"}
    bac_giang = [s for s in data["suggestions"] if s["text"] == "Tỉnh Bắc Giang"]
    assert bac_giang and bac_giang[0]["type"] == "agency"
    assert bac_giang[0]["url"].startswith(HOST + "/co-quan/")


@pytest.mark.parametrize("q", [None, "", "   ", "\x00", "*:*"])
def test_suggest_without_words_is_empty(client, database_engine, q):
    params = {} if q is None else {"q": q}
    assert get_json(client, SUGGEST, params) == {"suggestions": []}


def test_suggest_bad_input(client, engine):
    for q in ["a" * 2000, '"giam phi', "title:(a OR", "\\\\", "\x07bac", "😀", "giam\x00phi"]:
        data = get_json(client, SUGGEST, {"q": q})
        assert isinstance(data["suggestions"], list), q
