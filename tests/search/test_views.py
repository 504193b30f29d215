"""The public search page (`/tim-kiem/`) on both engines: the database (no node configured,
the default in tests) and the real Elasticsearch node (skipped locally without one, failing
in CI). Bad input is never a server error."""

import re

from django.utils.html import escape

import pytest

from search import queries

pytestmark = pytest.mark.django_db

SEARCH = "/tim-kiem/"
FEES_URL = "/sang-kien/giam-phi-le-phi-dvctt/"
HIGHLIGHT = re.compile(r"<mark>(Giảm|phí|Giảm phí)</mark>")

# (params, expected status): every one must answer with a full page, never a 500.
BAD_INPUT = [
    ({"q": ""}, 200),
    ({"q": "   \t  "}, 200),
    ({"q": "a" * 2000}, 400),
    ({"q": '"giam phi'}, 200),
    ({"q": 'giam phi"'}, 200),
    ({"q": '""'}, 200),
    ({"q": "title:(a OR"}, 200),
    ({"q": "*:*"}, 200),
    ({"q": "\\"}, 200),
    ({"q": "\\\\ giam"}, 200),
    ({"q": "giam\x00phi"}, 200),
    ({"q": "\x00"}, 200),
    ({"q": "\x07 giam \x1b[0m"}, 200),
    ({"q": "😀"}, 200),
    ({"q": "giam phi 🎉"}, 200),
    ({"q": "<script>alert(1)</script>"}, 200),
    ({"q": "a" * 500}, 200),
    ({"q": "giam phi", "page": "0"}, 400),
    ({"q": "giam phi", "page": "-1"}, 400),
    ({"q": "giam phi", "page": "abc"}, 400),
    ({"q": "giam phi", "page": "999"}, 400),
    ({"q": "giam phi", "page": "1e3"}, 400),
    ({"q": "giam phi", "page": "50"}, 200),
    ({"q": "giam phi", "year": "abc"}, 400),
    ({"q": "giam phi", "year": "²"}, 400),
    ({"q": "giam phi", "year": "-2022"}, 400),
    ({"q": "giam phi", "year": "99999"}, 200),
    ({"q": "giam phi", "year": "9" * 40}, 200),
    ({"q": "giam phi", "type": "không-có"}, 200),
    ({"q": "giam phi", "type": "x" * 500}, 200),
    ({"q": "giam phi", "category": "\x00"}, 200),
    ({"q": "giam phi", "region": "*:*"}, 200),
    ({"q": "giam phi", "status": '"'}, 200),
    ({"q": "giam phi", "agency_kind": "\\"}, 200),
]


@pytest.fixture
def database_engine(settings, seeded):
    """Search the database, even when the environment configures a node."""
    settings.ELASTICSEARCH_URL = ""


@pytest.fixture(params=["database", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def engine(request, seeded):
    """Run the test once per engine; the Elasticsearch run gets a freshly built index."""
    if request.param == "elasticsearch":
        request.getfixturevalue("search_index")
    else:
        request.getfixturevalue("database_engine")
    return request.param


def get(client, params=None, status=200):
    response = client.get(SEARCH, params or {})
    assert response.status_code == status, response.content[:2000]
    return response


def text(response):
    return response.content.decode()


def links(response):
    return re.findall(r'href="([^"]*)"', text(response))


# --- Empty states --------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["", "   ", None])
def test_empty_query_explains_and_offers_examples(client, seeded, q):
    response = get(client, {} if q is None else {"q": q})
    body = text(response)
    assert "Nhập từ khóa" in body
    for example in ("giam phi", "tro ly ao", "DVCTT", "TP HCM"):
        assert f'href="?q={example.replace(" ", "%20")}"' in body
    assert "kết quả cho" not in body
    assert response.context.get("results") is None


def test_every_example_finds_something(client, engine):
    for example in ("giam phi", "tro ly ao", "DVCTT", "TP HCM", "ho so giay"):
        response = get(client, {"q": example})
        assert response.context["results"].total > 0, example
        assert response.context["results"].engine == engine


def test_no_results_has_its_own_empty_state(client, engine):
    response = get(client, {"q": "zqxjkvw"})
    assert response.context["results"].total == 0
    assert "Không tìm thấy kết quả nào" in text(response)


def test_only_symbols_is_explained(client, database_engine):
    response = get(client, {"q": '*:* \\ "'})
    assert "không có chữ hoặc chữ số" in text(response)


# --- Results -------------------------------------------------------------------------------


def test_no_diacritics_finds_the_fees_practice_with_original_highlights(client, engine):
    response = get(client, {"q": "giam phi"})
    results = response.context["results"]
    assert results.engine == engine
    fees = next(h for h in results.hits if h.url == FEES_URL)
    assert fees.type == "practice"
    assert HIGHLIGHT.search(fees.title_html + fees.snippet)
    body = text(response)
    assert f'href="{FEES_URL}"' in body
    # Rendered as HTML, not escaped twice.
    assert "<mark>Giảm</mark>" in body
    assert "&lt;mark&gt;" not in body
    assert "Giải pháp" in body  # the type label
    assert ("Elasticsearch" in body) == (engine == "elasticsearch")


def test_query_is_escaped_everywhere(client, engine):
    response = get(client, {"q": '<script>alert("x")</script> giam'})
    body = text(response)
    assert "<script>alert" not in body
    assert escape('<script>alert("x")</script> giam') in body


def test_facets_are_links_with_counts(client, engine):
    response = get(client, {"q": "giam phi"})
    results = response.context["results"]
    body = text(response)
    for name in ("type", "category", "status", "year"):
        assert results.facets[name], name
        assert queries.FACET_LABELS[name] in body
    practice = next(v for v in results.facets["type"] if v.value == "practice")
    assert practice.count >= 1
    assert "?q=giam+phi&amp;type=practice" in body
    assert f'{practice.label} <span class="count">({practice.count})</span>' in body


def test_type_filter_narrows_and_can_be_removed(client, engine):
    everything = get(client, {"q": "giam phi"}).context["results"]
    response = get(client, {"q": "giam phi", "type": "practice"})
    narrowed = response.context["results"]
    assert 0 < narrowed.total < everything.total
    assert {h.type for h in narrowed.hits} == {"practice"}
    assert FEES_URL in [h.url for h in narrowed.hits]
    body = text(response)
    # The selected value links back to the unfiltered results; the active filter too.
    assert (
        'href="?q=giam+phi" class="facet__link facet__link--selected" aria-current="true"' in body
    )
    assert 'aria-label="Bỏ lọc Loại nội dung: Giải pháp"' in body
    # Other facet links keep the type filter.
    assert "?q=giam+phi&amp;type=practice&amp;category=fees" in body


def test_paging_keeps_the_other_parameters(client, engine):
    first = get(client, {"q": "DVCTT"}).context["results"]
    assert first.page_count >= 2
    response = get(client, {"q": "DVCTT", "page": "2"})
    second = response.context["results"]
    assert second.request.page == 2
    assert second.total == first.total
    assert second.hits and not {h.url for h in second.hits} & {h.url for h in first.hits}
    body = text(response)
    assert f"Trang 2 / {second.page_count}" in body
    assert 'href="?q=DVCTT" rel="prev"' in body  # page 1 has no page parameter
    if second.page_count > 2:
        assert 'href="?q=DVCTT&amp;page=3" rel="next"' in body
    else:
        assert 'rel="next"' not in body
    assert '<ol class="result-list search-results" start="11">' in body

    filtered = get(client, {"q": "DVCTT", "type": "adoption", "page": "2"})
    assert "?q=DVCTT&amp;type=adoption&amp;page=" in text(filtered)
    # Changing a filter starts again from the first page.
    facet_links = [href for href in links(filtered) if "status=" in href or "year=" in href]
    assert facet_links
    for href in facet_links:
        assert "page=" not in href, href


def test_page_past_the_end_is_not_an_error(client, engine):
    response = get(client, {"q": "giam phi", "page": "50"})
    assert "Trang này không còn kết quả" in text(response)
    assert 'href="?q=giam+phi"' in text(response)


def test_did_you_mean(client, engine):
    response = get(client, {"q": "giam phii"})
    results = response.context["results"]
    assert results.total == 0
    assert results.did_you_mean == "giam phi"
    assert 'Có phải bạn muốn tìm: <a href="?q=giam+phi">giam phi</a>' in text(response)


def test_did_you_mean_keeps_the_diacritics_of_the_words_it_keeps(client, engine):
    results = get(client, {"q": "Giảm phii"}).context["results"]
    assert results.did_you_mean == "giảm phi"


def test_did_you_mean_checks_the_whole_suggested_query(client, engine):
    # "dịch vụ công trực tuyến" is one synonym group: the suggestion is checked with all its
    # words ("dịch vụ" alone would find results, the whole of it finds none).
    results = get(client, {"q": "dịch vụ công trực tuyến giảm phii"}).context["results"]
    assert results.did_you_mean == "dịch vụ công trực tuyến giảm phi"
    results = get(client, {"q": "dịch vụ công trực tuyến phii zqxornith"}).context["results"]
    assert results.did_you_mean == ""


def test_did_you_mean_only_suggests_a_query_that_finds_results(client, engine):
    response = get(client, {"q": "phii zqxornith"})
    results = response.context["results"]
    # Each unknown word has a candidate or not; put together they would find nothing.
    assert queries.did_you_mean(results.request, {"phii": "phi"}) == "phi zqxornith"
    assert results.did_you_mean == ""
    assert "Có phải bạn muốn tìm" not in text(response)


def test_a_word_no_document_holds_still_shows_the_practice_first(client, engine):
    response = get(client, {"q": "giảm phí lệ phí quornith"})
    results = response.context["results"]
    assert results.complete == 0 and results.total > 0
    first = results.hits[0]
    assert first.url == FEES_URL
    assert first.missing == ["quornith"]
    page = text(response)
    assert escape(queries.PARTIAL_NOTICE) in page
    assert "Thiếu: <s>quornith</s>" in page
    # No full match: no heading between full and partial results.
    assert "Các kết quả sau không chứa đủ mọi từ khóa" not in page


def test_partial_results_are_listed_after_the_full_ones(client, engine):
    response = get(client, {"q": "tỉnh Long An giảm phí lệ phí"})
    results = response.context["results"]
    complete = [hit for hit in results.hits if not hit.missing]
    assert 0 < results.complete == len(complete) < len(results.hits)
    assert results.hits[: len(complete)] == complete
    assert complete[0].title.startswith("Tỉnh Long An: Giảm phí")
    # The other provinces' adoptions lack the two words of the place, named together.
    assert ["long an"] in [hit.missing for hit in results.hits[len(complete) :]]
    page = text(response)
    assert "Các kết quả sau không chứa đủ mọi từ khóa" in page
    assert (
        f'<ol class="result-list search-results search-results--partial" start="{len(complete) + 1}">'
        in page
    )
    assert escape(queries.PARTIAL_NOTICE) not in page


def test_did_you_mean_link_keeps_filters(client, database_engine):
    response = get(client, {"q": "giamm phi", "type": "practice"})
    results = response.context["results"]
    assert results.did_you_mean
    assert f'href="?q={results.did_you_mean.replace(" ", "+")}&amp;type=practice"' in text(response)


# --- Bad input -----------------------------------------------------------------------------


def test_bad_input_never_breaks_the_page(client, engine):
    failures = []
    for params, status in BAD_INPUT:
        response = client.get(SEARCH, params)
        body = text(response)
        if response.status_code != status:
            failures.append((params, response.status_code))
        elif '<html lang="vi">' not in body or 'role="search"' not in body:
            failures.append((params, "not a full page"))
    assert not failures


def test_query_error_is_shown_with_status_400(client, database_engine):
    response = get(client, {"q": "a" * 2000}, status=400)
    body = text(response)
    assert f"tối đa {queries.MAX_QUERY_LENGTH} ký tự" in body
    assert 'role="alert"' in body
    assert "<footer" in body  # the whole page, with the site's header and footer

    response = get(client, {"q": "giam", "year": "abc"}, status=400)
    assert "Năm phải là một số" in text(response)
    assert 'href="?q=giam"' in text(response)  # try again without the bad parameter

    response = get(client, {"q": "giam", "page": "abc"}, status=400)
    assert "Số trang không hợp lệ" in text(response)


# --- Node down, redirects, header ----------------------------------------------------------


def test_node_down_falls_back_to_the_database_with_a_notice(client, seeded, no_search_node):
    response = get(client, {"q": "giam phi"})
    results = response.context["results"]
    assert results.engine == "database"
    assert results.notice == queries.FALLBACK_NOTICE
    body = text(response)
    assert 'class="notice notice--warning" role="status"' in body
    assert queries.FALLBACK_NOTICE in body
    assert FEES_URL in [h.url for h in results.hits]


@pytest.mark.parametrize(
    "path, location",
    [
        ("/search/?q=x", "/tim-kiem/?q=x"),
        ("/search/", "/tim-kiem/"),
        ("/search/?q=giam+phi&type=practice&page=2", "/tim-kiem/?q=giam+phi&type=practice&page=2"),
    ],
)
def test_search_redirects_permanently(client, path, location):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == location


def test_header_has_a_search_form_on_every_other_page(client, database_engine):
    for path in ("/", "/co-quan/", "/ma-tran/"):
        body = text(client.get(path))
        form = re.search(
            r'<form class="site-search" role="search" action="/tim-kiem/".*?</form>', body, re.S
        )
        assert form, path
        assert '<label for="site-search-q"' in form.group(0)
        assert 'id="site-search-q" name="q"' in form.group(0)
        assert '<a href="/tim-kiem/">Tìm kiếm</a>' in body
        assert "js/suggest.js" in body
    # The search page has its own form, so one box is enough (and ids stay unique).
    body = text(get(client, {"q": "giam phi"}))
    assert body.count('name="q"') == 1
    assert '<a href="/tim-kiem/" aria-current="page">Tìm kiếm</a>' in body
    assert '<label for="tim-kiem-q"' in body


# --- Inputs that once slipped through search.queries.parse ----------------------------------


def test_parse_drops_control_characters_from_filters():
    # On PostgreSQL a NUL in a filter value is a DataError (500) in search_database.
    request = queries.parse({"q": "giam phi", "category": "fe\x00es"}, synonyms=[])
    assert "\x00" not in request.filters["category"]


def test_an_emoji_does_not_hide_every_result(database_engine):
    # fold("😀") is ":grinning:", so the query needs the word "grinning"; documents are
    # folded with fold_aligned, which keeps the emoji, so nothing matches.
    plain = queries.run(queries.parse({"q": "giam phi"}))
    with_emoji = queries.run(queries.parse({"q": "giam phi 😀"}))
    assert with_emoji.total == plain.total
