"""Building a search without a server: parsing what people type, synonyms and abbreviations,
the Elasticsearch request body, and highlighting on the original Vietnamese text."""

import json
import re
import unicodedata

import pytest

from practices.text import fold_aligned, normalise
from search import queries
from search.models import SynonymGroup
from search.queries import (
    EXACT_BOOST,
    FACETS,
    MARK_END,
    MARK_START,
    MAX_PAGE,
    MAX_QUERY_LENGTH,
    PAGE_SIZE,
    PHRASE_BOOST,
    TITLE_BOOST,
    QueryError,
    build_search,
    load_synonyms,
    mark,
    parse,
    snippet,
    spans_for,
    spans_from_marked,
    to_units,
)

NO_SYNONYMS = []


def words(request):
    return [unit.text for unit in request.units]


def walk(node):
    """Every dict in a nested request body."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def clauses(body, kind):
    return [node[kind] for node in walk(body) if kind in node]


# --- parse ----------------------------------------------------------------------------------


def test_quotes_make_phrases_and_the_rest_are_words():
    request = parse({"q": '"Hồ sơ" giảm phí "trả kết quả sớm"'}, NO_SYNONYMS)
    assert request.phrases == ["ho so", "tra ket qua som"]
    assert words(request) == ["giam", "phi"]
    assert request.text == '"hồ sơ" giảm phí "trả kết quả sớm"'


@pytest.mark.parametrize(
    ("q", "expected_words", "expected_phrases"),
    [
        ('"hồ sơ', ["ho", "so"], []),
        ('hồ sơ"', ["ho", "so"], []),
        ('"a b" "c d', ["c", "d"], ["a b"]),
        ('giảm "phí', ["giam", "phi"], []),
        ('"""hồ sơ', ["ho", "so"], []),
    ],
)
def test_unbalanced_quotes_are_ignored(q, expected_words, expected_phrases):
    request = parse({"q": q}, NO_SYNONYMS)
    assert words(request) == expected_words
    assert request.phrases == expected_phrases


@pytest.mark.parametrize("q", ['""', '" "', '"…"', "   ", "", "!!! ??? ***"])
def test_quotes_or_punctuation_alone_make_an_empty_request(q):
    assert parse({"q": q}, NO_SYNONYMS).is_empty


def test_a_missing_query_is_empty():
    assert parse({}, NO_SYNONYMS).is_empty
    assert parse({"q": None}, NO_SYNONYMS).is_empty


def test_text_is_normalised_nfc_lower_case_and_single_spaced():
    q = unicodedata.normalize("NFD", "  GIẢM\tPhí\x00 Lệ   phí ")
    request = parse({"q": q}, NO_SYNONYMS)
    assert request.text == "giảm phí lệ phí"
    assert unicodedata.is_normalized("NFC", request.text)
    assert request.folded == "giam phi le phi"


LUCENE = [
    "title:(hồ OR sơ) AND body:*",
    "giảm~2 phí^3",
    "[2020 TO 2022] {a TO b}",
    "+trợ -lý ảo!",
    "/dv[cs]tt/",
    'url:"/admin/" || type:practice && status:adopted',
    "\\ ( ) : * ? ~ ^ \" ' < > = ! & |",
]


@pytest.mark.parametrize("q", LUCENE)
def test_lucene_syntax_is_plain_text(q):
    request = parse({"q": q}, NO_SYNONYMS)
    body = build_search(request).to_dict()
    as_text = json.dumps(body)
    for kind in ("query_string", "simple_query_string", "wildcard", "regexp", "fuzzy", "prefix"):
        assert f'"{kind}"' not in as_text, kind
    # Every matching clause is a multi_match phrase over folded text: a word of the query
    # (word characters only) or a quoted phrase, both analysed as text by the engine.
    allowed = {v for unit in request.units for v in unit.variants} | set(request.phrases)
    matching = clauses(body["query"]["bool"]["must"], "multi_match")
    # Symbols alone leave no word to match (the last case), anything else at least one.
    assert bool(matching) == (not request.is_empty)
    for clause in matching:
        assert clause["type"] == "phrase"
        assert clause["query"] in allowed, clause
    for word in allowed - set(request.phrases):
        assert re.fullmatch(r"[a-z0-9_ ]+", word), word


def test_lucene_field_names_are_searched_as_words():
    request = parse({"q": "title:(hồ OR sơ)"}, NO_SYNONYMS)
    assert words(request) == ["title", "ho", "or", "so"]


def test_too_long_a_query_is_refused():
    parse({"q": "a" * MAX_QUERY_LENGTH}, NO_SYNONYMS)
    with pytest.raises(QueryError, match=str(MAX_QUERY_LENGTH)):
        parse({"q": "a" * (MAX_QUERY_LENGTH + 1)}, NO_SYNONYMS)


@pytest.mark.parametrize(
    "page", ["abc", "0", "-1", "1.5", str(MAX_PAGE + 1), "²", "1e3", "9" * 5000]
)
def test_bad_page_is_a_query_error(page):
    with pytest.raises(QueryError):
        parse({"q": "giảm phí", "page": page}, NO_SYNONYMS)


@pytest.mark.parametrize(("params", "page"), [({}, 1), ({"page": "3"}, 3), ({"trang": "4"}, 4)])
def test_page_is_read_from_page_or_trang(params, page):
    assert parse({"q": "x", **params}, NO_SYNONYMS).page == page
    assert parse({"q": "x", "page": str(MAX_PAGE)}, NO_SYNONYMS).page == MAX_PAGE


@pytest.mark.parametrize("year", ["abc", "20x2", "-2022", "2022.0", "²", "²⁰²²", "½"])
def test_bad_year_is_a_query_error(year):
    # "²".isdigit() is true but int("²") raises ValueError: only ASCII digits make a year.
    with pytest.raises(QueryError):
        parse({"q": "giảm phí", "year": year}, NO_SYNONYMS)


def test_filters_are_picked_from_the_params():
    request = parse(
        {
            "q": "giảm phí",
            "type": "adoption",
            "category": " fees ",
            "region": "Đông Nam Bộ",
            "agency_kind": "city",
            "status": "adopted",
            "year": "2022",
            "page": "2",
            "unknown": "ignored",
            "sort": "title",
        },
        NO_SYNONYMS,
    )
    assert request.filters == {
        "type": "adoption",
        "category": "fees",
        "region": "Đông Nam Bộ",
        "agency_kind": "city",
        "status": "adopted",
        "year": 2022,
    }
    assert request.page == 2


def test_empty_filters_are_dropped_and_long_values_cut():
    request = parse({"q": "x", "type": "", "status": "   ", "region": "v" * 200}, NO_SYNONYMS)
    assert request.filters == {"region": "v" * 80}


# --- synonyms ---------------------------------------------------------------------------


@pytest.fixture
def synonyms(db):
    return load_synonyms()


def unit_for(units, text):
    return next(u for u in units if u.text == text)


def test_default_groups_are_installed_by_the_migration(db):
    variants = {v for group in SynonymGroup.objects.all() for v in group.folded_variants}
    for expected in ["dvctt", "tthc", "chatbot", "tp hcm", "tphcm", "ubnd", "tro ly ao"]:
        assert expected in variants


@pytest.mark.parametrize(
    ("q", "unit", "alternative"),
    [
        ("dvctt", "dvctt", "dich vu cong truc tuyen"),
        ("DVCTT", "dvctt", "dich vu cong truc tuyen"),
        ("dịch vụ công trực tuyến", "dich vu cong truc tuyen", "dvctt"),
        ("dich vu cong truc tuyen", "dich vu cong truc tuyen", "dvctt"),
        ("TTHC", "tthc", "thu tuc hanh chinh"),
        ("thủ tục hành chính", "thu tuc hanh chinh", "tthc"),
        ("chatbot", "chatbot", "tro ly ao"),
        ("chat bot", "chat bot", "tro ly ao"),
        ("trợ lý ảo", "tro ly ao", "chatbot"),
        ("TP HCM", "tp hcm", "thanh pho ho chi minh"),
        ("TP.HCM", "tp hcm", "thanh pho ho chi minh"),
        ("tphcm", "tphcm", "thanh pho ho chi minh"),
        ("Thành phố Hồ Chí Minh", "thanh pho ho chi minh", "tp hcm"),
        ("thanh pho ho chi minh", "thanh pho ho chi minh", "tphcm"),
        ("Sài Gòn", "sai gon", "thanh pho ho chi minh"),
        ("UBND", "ubnd", "uy ban nhan dan"),
        ("Ủy ban nhân dân", "uy ban nhan dan", "ubnd"),
        ("Uỷ ban nhân dân", "uy ban nhan dan", "ubnd"),
    ],
)
def test_default_synonyms_expand_both_ways(synonyms, q, unit, alternative):
    request = parse({"q": q}, synonyms)
    assert words(request) == [unit]
    assert alternative in request.units[0].alternatives
    assert unit not in request.units[0].alternatives


def test_synonym_units_sit_among_plain_words(synonyms):
    request = parse({"q": "UBND tỉnh giao chỉ tiêu DVCTT"}, synonyms)
    assert words(request) == ["ubnd", "tinh", "giao", "chi", "tieu", "dvctt"]
    assert unit_for(request.units, "tinh").alternatives == []
    assert "uy ban nhan dan" in unit_for(request.units, "ubnd").alternatives


@pytest.mark.parametrize(
    ("q", "expected_units"),
    [
        # "dịch vụ công" (DVC) is inside "dịch vụ công trực tuyến" (DVCTT): the longer wins.
        ("dịch vụ công trực tuyến toàn trình", ["dich vu cong truc tuyen", "toan", "trinh"]),
        ("dịch vụ công", ["dich vu cong"]),
        # "TP" (thành phố) is inside "TP HCM", and "thành phố" inside the full city name.
        ("TP HCM giảm phí", ["tp hcm", "giam", "phi"]),
        ("thành phố hồ chí minh", ["thanh pho ho chi minh"]),
        ("thành phố đà nẵng", ["thanh pho", "da", "nang"]),
        ("tp đà nẵng", ["tp", "da", "nang"]),
        # "phí" alone and "lệ phí" are one group; "không tiếp nhận hồ sơ giấy" beats "phí".
        ("lệ phí", ["le phi"]),
        ("không tiếp nhận hồ sơ giấy", ["khong tiep nhan ho so giay"]),
    ],
)
def test_the_longest_synonym_match_wins(synonyms, q, expected_units):
    assert words(parse({"q": q}, synonyms)) == expected_units


def test_shorter_variants_are_still_alternatives_of_the_longest(synonyms):
    unit = parse({"q": "dịch vụ công trực tuyến"}, synonyms).units[0]
    assert unit.variants[0] == "dich vu cong truc tuyen"
    assert "dvctt" in unit.variants
    city = parse({"q": "thành phố thủ đức"}, synonyms).units[0]
    assert city.text == "thanh pho"
    assert "tp" in city.alternatives


def test_to_units_prefers_the_longest_variant_of_any_group():
    groups = [[("a",), ("x",)], [("a", "b"), ("y",)], [("a", "b", "c"), ("z",)]]
    units = to_units(["a", "b", "c", "a", "b", "a", "d"], groups)
    assert [(u.text, u.alternatives) for u in units] == [
        ("a b c", ["z"]),
        ("a b", ["y"]),
        ("a", ["x"]),
        ("d", []),
    ]


def test_an_editors_new_group_is_used_by_the_next_parse(db):
    assert parse({"q": "CSDL quốc gia"}).units[0].alternatives == []
    group = SynonymGroup.objects.create(terms="CSDL\ncơ sở dữ liệu\n\n  ", note="cơ sở dữ liệu")
    request = parse({"q": "CSDL quốc gia"})
    assert words(request) == ["csdl", "quoc", "gia"]
    assert request.units[0].alternatives == ["co so du lieu"]
    assert words(parse({"q": "cơ sở dữ liệu quốc gia"})) == ["co so du lieu", "quoc", "gia"]

    group.terms = "CSDL\ncơ sở dữ liệu\ndata base"
    group.save()
    assert "data base" in parse({"q": "csdl"}).units[0].alternatives
    group.delete()
    assert parse({"q": "csdl"}).units[0].alternatives == []


# --- build_search ----------------------------------------------------------------------------


@pytest.fixture
def fee_request(synonyms):
    return parse({"q": "Giảm phí", "type": "adoption", "year": "2022", "page": "3"}, synonyms)


def ranking_clauses(body):
    return body["rescore"]["query"]["rescore_query"]["bool"]["should"]


def test_ranking_clauses_rescore_a_window_that_covers_the_page(fee_request):
    rescore = build_search(fee_request).to_dict()["rescore"]
    assert rescore["window_size"] >= fee_request.page * fee_request.page_size
    # They only reorder: nothing is required in them.
    assert "must" not in rescore["query"]["rescore_query"]["bool"]


def test_the_query_requires_every_unit_on_the_folded_fields(fee_request):
    body = build_search(fee_request).to_dict()
    must = body["query"]["bool"]["must"]
    assert must == [queries.text_query(fee_request).to_dict()]
    units = must[0]["bool"]["must"]
    assert len(units) == 2
    fee = units[1]["bool"]
    assert fee["minimum_should_match"] == 1
    assert {c["multi_match"]["query"] for c in fee["should"]} == {"phi", "le phi"}
    for clause in clauses(units, "multi_match"):
        assert clause["fields"] == [f"title_folded^{TITLE_BOOST}", "body_folded"]
        assert clause["type"] == "phrase"


def test_exact_diacritics_add_score_on_title_and_body(fee_request):
    should = ranking_clauses(build_search(fee_request).to_dict())
    exact = [
        c["multi_match"]
        for c in should
        if c["multi_match"]["fields"] == [f"title^{TITLE_BOOST}", "body"]
        and "type" not in c["multi_match"]
    ]
    assert exact == [
        {"query": "giảm phí", "fields": [f"title^{TITLE_BOOST}", "body"], "boost": EXACT_BOOST}
    ]


def test_the_words_together_add_score_as_phrases(fee_request):
    should = ranking_clauses(build_search(fee_request).to_dict())
    phrases = [c["multi_match"] for c in should if c["multi_match"].get("type") == "phrase"]
    assert {(p["query"], tuple(p["fields"]), p["boost"]) for p in phrases} == {
        ("giam phi", (f"title_folded^{TITLE_BOOST}", "body_folded"), PHRASE_BOOST),
        ("giảm phí", (f"title^{TITLE_BOOST}", "body"), PHRASE_BOOST),
    }


def test_quoted_phrases_must_match_as_phrases(synonyms):
    request = parse({"q": '"hồ sơ giấy" bộ'}, synonyms)
    must = build_search(request).to_dict()["query"]["bool"]["must"][0]["bool"]["must"]
    assert {
        "multi_match": {
            "query": "ho so giay",
            "fields": [f"title_folded^{TITLE_BOOST}", "body_folded"],
            "type": "phrase",
        }
    } in must


def test_selected_filters_go_to_the_post_filter(fee_request):
    body = build_search(fee_request).to_dict()
    assert body["post_filter"] == {
        "bool": {"filter": [{"term": {"type": "adoption"}}, {"term": {"year": 2022}}]}
    }
    # Filters never narrow the query itself, so facets keep counting other values.
    assert "term" not in json.dumps(body["query"])


def test_no_post_filter_without_filters(synonyms):
    assert "post_filter" not in build_search(parse({"q": "giảm phí"}, synonyms)).to_dict()


def test_one_aggregation_per_facet_without_its_own_filter(fee_request):
    aggs = build_search(fee_request).to_dict()["aggs"]
    assert set(aggs) == set(FACETS)
    for name in FACETS:
        expected = [{"term": {k: v}} for k, v in fee_request.filters.items() if k != name]
        assert aggs[name]["filter"]["bool"].get("filter", []) == expected, name
        assert aggs[name]["aggs"]["values"]["terms"]["field"] == name
    assert aggs["type"]["filter"]["bool"]["filter"] == [{"term": {"year": 2022}}]
    assert aggs["year"]["filter"]["bool"]["filter"] == [{"term": {"type": "adoption"}}]
    assert len(aggs["status"]["filter"]["bool"]["filter"]) == 2


def test_highlight_is_on_the_folded_fields_with_the_matching_query(fee_request):
    highlight = build_search(fee_request).to_dict()["highlight"]
    assert set(highlight["fields"]) == {"title_folded", "body_folded"}
    for options in highlight["fields"].values():
        assert options["pre_tags"] == [MARK_START]
        assert options["post_tags"] == [MARK_END]
        assert options["number_of_fragments"] == 0
        assert options["highlight_query"] == queries.text_query(fee_request).to_dict()


@pytest.mark.parametrize(("page", "start"), [("1", 0), ("3", 20), (str(MAX_PAGE), 990)])
def test_paging_sets_from_and_size(page, start):
    body = build_search(parse({"q": "hồ sơ", "page": page}, NO_SYNONYMS)).to_dict()
    assert (body["from"], body["size"]) == (start, PAGE_SIZE)


def test_source_carries_what_a_hit_shows(fee_request):
    source = build_search(fee_request).to_dict()["_source"]
    assert {"type", "title", "body", "url"} <= set(source)


# --- spans, mark, snippet -----------------------------------------------------------------


def highlight(text, q, synonyms=NO_SYNONYMS):
    text = normalise(text)
    request = parse({"q": q}, synonyms)
    return text, spans_for(fold_aligned(text), request)


def test_marks_land_on_the_original_diacritics(synonyms):
    text, spans = highlight("Giảm phí, lệ phí khi dùng DVCTT", "giam phi", synonyms)
    assert str(mark(text, spans)) == (
        "<mark>Giảm</mark> <mark>phí</mark>, <mark>lệ phí</mark> khi dùng DVCTT"
    )


def test_synonym_variants_are_marked_too(synonyms):
    text, spans = highlight("Hỗ trợ dịch vụ công trực tuyến (DVCTT)", "dvctt", synonyms)
    assert str(mark(text, spans)) == (
        "Hỗ trợ <mark>dịch vụ công trực tuyến</mark> (<mark>DVCTT</mark>)"
    )


def test_marks_keep_case_and_use_one_tone_placement():
    # Stored text keeps one placement of the tone mark ("Hoà" is kept as "Hòa").
    text, spans = highlight("Tỉnh Hoà Bình và tỉnh Khánh Hòa", "hoà")
    assert str(mark(text, spans)) == "Tỉnh <mark>Hòa</mark> Bình và tỉnh Khánh <mark>Hòa</mark>"


def test_only_whole_words_are_marked():
    text, spans = highlight("Phiên họp sống còn về số phí", "so phi")
    assert str(mark(text, spans)) == "Phiên họp sống còn về <mark>số</mark> <mark>phí</mark>"


def test_phrases_are_marked_across_punctuation():
    text, spans = highlight("Nghị định số 42/2022/NĐ-CP", '"42/2022/nđ-cp"')
    assert str(mark(text, spans)) == "Nghị định số <mark>42/2022/NĐ-CP</mark>"


def test_html_in_content_is_escaped():
    body = "<script>alert('giảm phí')</script> Giảm phí & <b>lệ phí</b>"
    text, spans = highlight(body, "giảm phí")
    html = str(mark(text, spans))
    assert "<script>" not in html and "<b>" not in html
    assert html.startswith("&lt;script&gt;alert(&#x27;<mark>giảm</mark> <mark>phí</mark>")
    assert "&amp;" in html
    snip = str(snippet(text, spans))
    assert "<script>" not in snip and "&lt;script&gt;" in snip


def test_html_inside_a_match_is_escaped():
    text, spans = highlight("Sở KH&CN <Đà Nẵng>", '"kh&cn"')
    assert str(mark(text, spans)) == "Sở <mark>KH&amp;CN</mark> &lt;Đà Nẵng&gt;"


def test_snippet_window_contains_the_first_match():
    filler = " ".join(["nội dung"] * 60)
    text = normalise(f"{filler} trả kết quả sớm hơn hạn {filler} trả kết quả")
    _, spans = highlight(text, "trả kết quả")
    html = str(snippet(text, spans))
    assert html.startswith("… ") and html.endswith(" …")
    assert "<mark>trả</mark> <mark>kết</mark> <mark>quả</mark> sớm" in html
    plain = html.replace("<mark>", "").replace("</mark>", "")
    assert len(plain) <= queries.SNIPPET_LENGTH + 4
    # The window starts and ends on word boundaries.
    assert plain[2:].startswith("nội") or plain[2:].startswith("dung")


def test_snippet_of_a_match_at_the_start_has_no_leading_ellipsis():
    text, spans = highlight("Giảm phí " + "x " * 300, "giam")
    html = str(snippet(text, spans))
    assert html.startswith("<mark>Giảm</mark> phí")
    assert html.endswith(" …")


def test_snippet_of_a_short_text_is_the_whole_text():
    text, spans = highlight("Trợ lý ảo", "tro ly")
    assert str(snippet(text, spans)) == "<mark>Trợ</mark> <mark>lý</mark> ảo"
    assert str(snippet("", [])) == ""
    assert str(snippet("Không có gì <khớp>", [])) == "Không có gì &lt;khớp&gt;"


def test_spans_from_marked_text_are_positions_in_the_plain_text():
    marked = f"{MARK_START}giam{MARK_END} phi, {MARK_START}le phi{MARK_END}"
    assert spans_from_marked(marked) == [(0, 4), (10, 16)]
    assert spans_from_marked("no marks") == []


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("dvctt toàn trình là gì", ["dvctt", "toan", "trinh"]),
        ("Cách nộp hồ sơ trực tuyến", ["nop", "ho", "so", "truc", "tuyen"]),
        ("thủ tục để đăng ký giảm lệ phí", ["dang", "ky", "giam", "le", "phi"]),
        ("làm thế nào để giảm phí như thế nào", ["giam", "phi"]),
        ("cho hỏi trợ lý ảo ở đâu", ["tro", "ly", "ao"]),
        ("tôi muốn nộp hồ sơ không giấy được không", ["nop", "ho", "so", "khong", "giay"]),
        ("vì sao giảm phí", ["giam", "phi"]),
        # The catalogue's own words stay: "thủ tục" alone, "hướng dẫn", a leading "không".
        ("thủ tục hành chính", ["thu", "tuc", "hanh", "chinh"]),
        ("hướng dẫn dịch vụ công", ["huong", "dan", "dich", "vu", "cong"]),
        ("không giấy", ["khong", "giay"]),
        # Nothing but question words: kept, so that the search still has words.
        ("là gì", ["la", "gi"]),
        ("cách", ["cach"]),
    ],
)
def test_question_and_request_words_never_block_a_match(q, expected):
    assert words(parse({"q": q}, NO_SYNONYMS)) == expected
