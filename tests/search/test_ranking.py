"""Ranking, facets and highlighting on both engines, with small documents made for each
test: the database engine (no node configured) and the real Elasticsearch node.

Documents are SearchDocument rows written the way sync writes them; on Elasticsearch they are
pushed to the test index and the index is refreshed. Each test's rows carry a category of
their own (or a made-up word), so the seeded catalogue around them does not change what is
compared, while scores are still computed in a realistic index.
"""

import dataclasses
import itertools

import pytest

from search import documents, queries, sync
from search.models import SearchDocument

_numbers = itertools.count(1)


@dataclasses.dataclass
class Engine:
    name: str
    client: object = None

    def add(self, *rows):
        sync.write_rows(list(rows), [])
        if self.client is not None:
            assert sync.push_pending() >= len(rows)
            self.client.indices.refresh(index=sync.alias())

    def search(self, q, notice="", **params):
        results = queries.run(queries.parse({"q": q, **params}))
        assert results.engine == self.name
        assert results.notice == notice
        return results


@pytest.fixture(params=["database", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def engine(request, seeded, settings):
    if request.param == "database":
        settings.ELASTICSEARCH_URL = ""
        return Engine("database")
    request.getfixturevalue("search_index")
    return Engine("elasticsearch", request.getfixturevalue("search_node"))


def doc(title, body="Hướng dẫn chung cho người dân.", doc_type="guidance", **facets):
    n = next(_numbers)
    return documents._row(
        f"{doc_type}:{900000 + n}", doc_type, (title,), (body,), f"/thu-nghiem/{n}/", **facets
    )


def titles(results):
    return [hit.title for hit in results.hits]


# --- ranking ---------------------------------------------------------------------------------


def test_exact_diacritics_rank_above_a_folded_only_match(engine):
    exact = doc("Mã số hồ sơ", category="xh-exact")
    folded = doc("Ma sở hộ sô", category="xh-exact")
    assert exact["title_folded"] == folded["title_folded"] == "ma so ho so"
    engine.add(folded, exact)

    assert titles(engine.search("mã số", category="xh-exact")) == ["Mã số hồ sơ", "Ma sở hộ sô"]
    assert titles(engine.search("hộ sô", category="xh-exact")) == ["Ma sở hộ sô", "Mã số hồ sơ"]
    # Without diacritics, both match.
    assert sorted(titles(engine.search("ma so", category="xh-exact"))) == [
        "Ma sở hộ sô",
        "Mã số hồ sơ",
    ]
    # Also among everything else in the index (the seed has agencies with "mã" in them).
    everything = titles(engine.search("mã số hồ sơ"))
    assert everything[0] == "Mã số hồ sơ"
    assert everything.index("Mã số hồ sơ") < everything.index("Ma sở hộ sô")


def test_an_exact_match_does_not_depend_on_tone_mark_placement(engine):
    # "Hoà" (old placement, as in the reference data's "Tỉnh Hoà Bình") and "hòa" are the
    # same syllable; "Hoa" is another one that merely folds the same.
    same_word = doc("Tỉnh Hoà Bình", category="xh-tone")
    other_word = doc("Tỉnh Hoa Bình", category="xh-tone")
    engine.add(other_word, same_word)
    # Search keeps one placement of the tone mark (practices.text.normalise), for the stored
    # text and the query alike, so either spelling earns the exact-diacritics boost.
    for query in ["hòa bình", "hoà bình"]:
        assert titles(engine.search(query, category="xh-tone"))[0] == "Tỉnh Hòa Bình", query


def test_a_phrase_ranks_above_scattered_syllables(engine):
    together = doc("Tra cứu hồ sơ đất đai", category="xh-phrase")
    apart = doc("Hồ nước có sơ đồ mới", category="xh-phrase")
    engine.add(apart, together)
    for q in ["hồ sơ", "ho so", "HỒ SƠ"]:
        assert titles(engine.search(q, category="xh-phrase")) == [
            "Tra cứu hồ sơ đất đai",
            "Hồ nước có sơ đồ mới",
        ], q


def test_a_phrase_in_the_body_ranks_above_scattered_syllables_in_the_body(engine):
    together = doc("Thông báo một", "Người dân nộp hồ sơ qua mạng.", category="xh-body-phrase")
    apart = doc("Thông báo hai", "Hồ nước ở đây có sơ đồ.", category="xh-body-phrase")
    engine.add(apart, together)
    assert titles(engine.search("hồ sơ", category="xh-body-phrase")) == [
        "Thông báo một",
        "Thông báo hai",
    ]


def test_title_matches_rank_above_body_only_matches(engine):
    in_title = doc("Cấp phép xây dựng nhà ở", "Thông tin chung về thủ tục.", category="xh-title")
    in_body = doc("Thông tin chung về thủ tục", "Cấp phép xây dựng nhà ở.", category="xh-title")
    engine.add(in_body, in_title)
    for q in ["cấp phép xây dựng", "cap phep xay dung", "xây dựng"]:
        assert titles(engine.search(q, category="xh-title")) == [
            "Cấp phép xây dựng nhà ở",
            "Thông tin chung về thủ tục",
        ], q


def test_up_to_two_words_every_word_must_match(engine):
    engine.add(
        doc("Giảm phí trước bạ", category="xh-and"),
        doc("Giảm thời gian chờ", category="xh-and"),
    )
    assert titles(engine.search("giảm phí", category="xh-and")) == ["Giảm phí trước bạ"]
    assert engine.search("giảm quornith", category="xh-and").total == 0


# --- results with most of the words ---------------------------------------------------------

PARTIAL = queries.PARTIAL_NOTICE


def test_a_word_no_document_holds_still_finds_the_others(engine):
    engine.add(
        doc("Giảm phí trước bạ nhà đất", category="xh-most"),
        doc("Giảm thời gian chờ", category="xh-most"),
    )
    results = engine.search("giảm phí trước quornith", notice=PARTIAL, category="xh-most")
    assert results.complete == 0
    assert titles(results) == ["Giảm phí trước bạ nhà đất"]  # 3 of 4 words; the other has 1
    (hit,) = results.hits
    assert hit.missing == ["quornith"]
    assert "<mark>Giảm</mark> <mark>phí</mark> <mark>trước</mark>" in hit.title_html


def test_the_missing_word_is_named_as_typed(engine):
    engine.add(doc("Thanh toán trực tuyến lệ phí hộ tịch", category="xh-typed"))
    results = engine.search("thanh toán trực tuyến Xëlvåris", notice=PARTIAL, category="xh-typed")
    assert [hit.missing for hit in results.hits] == [["xëlvåris"]]


def test_full_matches_come_before_partial_ones(engine):
    engine.add(
        # Every word, but only in the body: ranks low among full matches…
        doc("Văn bản số 12", "Hướng dẫn giảm phí trước bạ quornith", category="xh-order"),
        # …and still above a partial match with every other word in its title.
        doc("Giảm phí trước bạ", "Giảm phí trước bạ cho hộ gia đình.", category="xh-order"),
    )
    results = engine.search("giảm phí trước quornith", category="xh-order")
    assert results.complete == 1 and results.total == 2
    assert titles(results) == ["Văn bản số 12", "Giảm phí trước bạ"]
    assert [hit.missing for hit in results.hits] == [[], ["quornith"]]


def test_partial_matches_are_only_sought_when_full_ones_fill_less_than_a_page(engine):
    engine.add(
        *(doc(f"Giảm phí trước bạ quornith {n}", category="xh-page") for n in range(10)),
        doc("Giảm phí trước bạ", category="xh-page"),
    )
    results = engine.search("giảm phí trước quornith", category="xh-page")
    assert results.total == results.complete == 10
    assert all(not hit.missing for hit in results.hits)


def test_partial_matches_continue_on_the_next_pages(engine):
    engine.add(
        *(doc(f"Giảm phí trước bạ quornith {n}", category="xh-pages") for n in range(4)),
        *(doc(f"Giảm phí trước bạ {n}", category="xh-pages") for n in range(12)),
    )
    first = engine.search("giảm phí trước quornith", category="xh-pages")
    second = engine.search("giảm phí trước quornith", category="xh-pages", page="2")
    assert (first.complete, first.total) == (second.complete, second.total) == (4, 16)
    assert [bool(hit.missing) for hit in first.hits] == [False] * 4 + [True] * 6
    assert [bool(hit.missing) for hit in second.hits] == [True] * 6
    assert not {h.title for h in first.hits} & {h.title for h in second.hits}


def test_quoted_phrases_stay_required_in_partial_matches(engine):
    engine.add(
        doc("Giảm phí trước bạ nhà đất", category="xh-quote"),
        doc("Giảm phí trước bạ ô tô", category="xh-quote"),
    )
    results = engine.search('giảm phí trước quornith "ô tô"', notice=PARTIAL, category="xh-quote")
    assert titles(results) == ["Giảm phí trước bạ ô tô"]


def test_did_you_mean_draws_on_words_only_bodies_hold(engine):
    engine.add(doc("Hướng dẫn chung", "Thủ tục cấp giấy phép Zentrivax cho doanh nghiệp."))
    results = engine.search("zentrivaz")
    assert results.total == 0
    assert results.did_you_mean == "zentrivax"


def test_facets_count_full_and_partial_matches(engine):
    engine.add(
        doc("Giảm phí trước bạ quornith", category="xh-facet", year=2023),
        doc("Giảm phí trước bạ", category="xh-facet", year=2024),
    )
    results = engine.search("giảm phí trước quornith", category="xh-facet")
    years = {value.value: value.count for value in results.facets["year"]}
    assert years == {"2023": 1, "2024": 1}


def test_a_synonym_matches_the_other_spelling(engine):
    engine.add(doc("Triển khai trợ lý ảo cấp huyện", category="xh-syn"))
    for q in ["chatbot cấp huyện", "chat bot", "tro ly ao"]:
        assert titles(engine.search(q, category="xh-syn")) == ["Triển khai trợ lý ảo cấp huyện"]


def test_pages_follow_each_other_without_overlap(engine):
    rows = [doc(f"Hồ sơ mẫu số {n}", category="xh-pages") for n in range(25)]
    engine.add(*rows)
    pages = [engine.search("hồ sơ mẫu", category="xh-pages", page=str(p)) for p in (1, 2, 3)]
    seen = [title for results in pages for title in titles(results)]
    assert [len(results.hits) for results in pages] == [10, 10, 5]
    assert len(set(seen)) == 25
    assert all(results.total == 25 for results in pages)
    assert pages[0].page_count == 3


# --- facets ------------------------------------------------------------------------------


@pytest.fixture
def faceted(engine):
    body = "Ghi chép zorblat."
    engine.add(
        doc("Giải pháp một", body, "practice", category="fees", year=2021),
        doc("Giải pháp hai", body, "practice", category="ux", year=2022),
        doc("Áp dụng một", body, "adoption", category="fees", status="adopted", year=2022),
        doc("Áp dụng hai", body, "adoption", category="fees", status="piloting", year=2023),
        doc("Áp dụng ba", body, "adoption", category="ux", status="adopted", year=2022),
        doc("Cơ quan một", body, "agency", region="Đông Nam Bộ", agency_kind="city"),
    )
    return engine


def counts(results, name):
    return {v.value: v.count for v in results.facets[name]}


def test_facets_count_by_type_category_status_and_year(faceted):
    results = faceted.search("zorblat")
    assert results.total == 6
    assert counts(results, "type") == {"practice": 2, "adoption": 3, "agency": 1}
    assert counts(results, "category") == {"fees": 3, "ux": 2}
    assert counts(results, "status") == {"adopted": 2, "piloting": 1}
    assert counts(results, "year") == {"2023": 1, "2022": 3, "2021": 1}
    assert counts(results, "region") == {"Đông Nam Bộ": 1}
    assert counts(results, "agency_kind") == {"city": 1}
    # Years newest first; labels in Vietnamese.
    assert [v.value for v in results.facets["year"]] == ["2023", "2022", "2021"]
    labels = {v.value: v.label for v in results.facets["type"]}
    assert labels == {
        "practice": "Giải pháp",
        "adoption": "Kết quả áp dụng",
        "agency": "Cơ quan, đơn vị",
    }
    assert {v.value: v.label for v in results.facets["category"]}["fees"] == (
        "Giảm phí, lệ phí khi sử dụng DVCTT"
    )
    assert {v.value: v.label for v in results.facets["status"]}["adopted"] == "Đã áp dụng"
    assert not any(v.selected for values in results.facets.values() for v in values)


def test_a_facet_ignores_its_own_filter_and_applies_the_others(faceted):
    results = faceted.search("zorblat", type="adoption")
    assert results.total == 3
    assert sorted(titles(results)) == ["Áp dụng ba", "Áp dụng hai", "Áp dụng một"]
    assert counts(results, "type") == {"practice": 2, "adoption": 3, "agency": 1}
    assert [v.value for v in results.facets["type"] if v.selected] == ["adoption"]
    assert counts(results, "category") == {"fees": 2, "ux": 1}
    assert counts(results, "year") == {"2023": 1, "2022": 2}

    both = faceted.search("zorblat", type="adoption", year="2022")
    assert sorted(titles(both)) == ["Áp dụng ba", "Áp dụng một"]
    assert counts(both, "type") == {"practice": 1, "adoption": 2}
    assert counts(both, "year") == {"2023": 1, "2022": 2}
    assert [v.value for v in both.facets["year"] if v.selected] == ["2022"]
    assert counts(both, "status") == {"adopted": 2}


def test_an_absurd_year_filter_finds_nothing_without_an_error(engine):
    # `parse` caps a year at 10,000, which no row holds: both databases' integers stay in
    # range, and Elasticsearch gets a term that matches nothing.
    results = engine.search("giảm phí", year="9" * 30)
    assert results.total == 0
    assert results.hits == []


# --- highlighting ------------------------------------------------------------------------


def test_highlights_use_the_original_diacritics_when_the_query_has_none(engine):
    engine.add(
        doc(
            "Giảm phí trước bạ Xentrofin",
            "Từ năm 2023, chính sách giảm phí áp dụng cho hồ sơ Xentrofin nộp trực tuyến.",
            category="xh-mark",
        )
    )
    (hit,) = engine.search("giam phi xentrofin", category="xh-mark").hits
    assert hit.title_html == ("<mark>Giảm</mark> <mark>phí</mark> trước bạ <mark>Xentrofin</mark>")
    assert "<mark>giảm</mark> <mark>phí</mark>" in hit.snippet
    assert "<mark>Xentrofin</mark>" in hit.snippet
    assert "giam" not in hit.title_html + hit.snippet


def test_highlights_of_the_seeded_practice(engine):
    results = engine.search("giam phi")
    top = results.hits[0]
    assert top.title.startswith("Giảm phí, lệ phí")
    assert top.title_html.startswith("<mark>Giảm</mark> <mark>phí</mark>")
    assert "<mark>" in top.snippet


def test_html_in_content_is_escaped_in_titles_and_snippets(engine):
    engine.add(
        doc(
            "<b>Giảm phí</b> Xentrofin",
            "<script>alert('giảm phí')</script> chính sách giảm phí Xentrofin",
            category="xh-html",
        )
    )
    (hit,) = engine.search("giảm phí xentrofin", category="xh-html").hits
    assert "<script>" not in hit.snippet and "<b>" not in hit.title_html
    assert hit.title_html.startswith("&lt;b&gt;<mark>Giảm</mark> <mark>phí</mark>&lt;/b&gt;")
    assert "&lt;script&gt;alert(&#x27;<mark>giảm</mark> <mark>phí</mark>" in hit.snippet


def test_a_private_use_character_in_content_does_not_shift_highlights(engine):
    # U+E000 is what icon fonts (Font Awesome, Material Icons…) put in copied text, and the
    # first character the engines use as a highlight marker.
    row = doc("\ue000 Giảm phí Pumblecrux", category="xh-pua")
    # The reserved marker characters are cleared from content when it is normalised.
    assert SearchDocument(**row).title_folded == "  giam phi pumblecrux"
    engine.add(row)
    (hit,) = engine.search("giảm phí pumblecrux", category="xh-pua").hits
    assert hit.title_html == ("  <mark>Giảm</mark> <mark>phí</mark> <mark>Pumblecrux</mark>")
