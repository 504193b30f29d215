"""The narrow table of the database engine (search/matches.py) follows the search rows, and
the searches it serves answer as the full-text index does: facets counted from it, the
window chosen from it beyond database.EXHAUSTIVE matches, and (PostgreSQL) words and pairs of
words found in it. The suite runs on PostgreSQL and, for these tests, again on SQLite
(scripts/run-tests.sh)."""

import io

from django.core.management import call_command
from django.db import connection

import pytest

from practices.models import Adoption, PracticePage
from practices.text import fold_aligned
from search import database, fulltext, matches, queries, sync
from search.models import SearchDocument
from tests import factories
from tests.search.test_ranking import doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_node(seeded, settings):
    settings.ELASTICSEARCH_URL = ""


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def committed():
        return django_capture_on_commit_callbacks(execute=True)

    return committed


def narrow_rows():
    """{key of the search row: (its facet values, its order key)} read from the table; a row
    left behind by a deleted search row has the key None."""
    names = ", ".join(f"f.{name}" for name in matches.FACET_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.key, {names}, m.ord FROM {matches.MATCH} m "
            f"LEFT JOIN {fulltext.TABLE} d ON d.id = m.id JOIN {matches.FACETS} f ON f.id = m.facets"
        )
        return {key: (tuple(values[:-1]), values[-1]) for key, *values in cursor.fetchall()}


def expected_rows():
    """What the table must hold: every public row, with its own facet values."""
    rows = SearchDocument.objects.filter(deleted=False)
    return {
        row["key"]: tuple(row[name] for name in matches.FACET_COLUMNS)
        for row in rows.values("key", *matches.FACET_COLUMNS)
    }


def in_step():
    held = narrow_rows()
    return {key: values for key, (values, _) in held.items()} == expected_rows()


def terms_of(key):
    """The words and pairs PostgreSQL's `terms` holds for a row."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tsvector_to_array(m.terms) FROM {matches.MATCH} m "
            f"JOIN {fulltext.TABLE} d ON d.id = m.id WHERE d.key = %s",
            [key],
        )
        return set(cursor.fetchone()[0])


def found(q, **params):
    results = queries.run(queries.parse({"q": q, **params}))
    assert results.engine == "database"
    return results


def test_the_table_follows_publishing_editing_unpublishing_and_deleting(no_node, commit):
    assert in_step()
    with commit():
        page = factories.practice(title="Cấp phiếu lý lịch tư pháp Zebrafin trực tuyến")
    key = f"practice:{page.pk}"
    assert key in narrow_rows() and in_step()
    if connection.vendor == "postgresql":
        assert {"zebrafin", "tu.phap", "@zebrafin", "@phap.zebrafin"} <= terms_of(key)

    with commit():
        page.title = "Cấp phiếu Quillamor"
        page.save_revision().publish()
    assert in_step()
    if connection.vendor == "postgresql":
        assert "zebrafin" not in terms_of(key) and "@quillamor" in terms_of(key)
    assert [hit.url for hit in found("quillamor").hits] == [page.url]

    with commit():
        page.unpublish()
    assert key not in narrow_rows() and in_step()
    assert found("quillamor").total == 0

    with commit():
        page.save_revision().publish()
    assert key in narrow_rows() and in_step()

    with commit():
        PracticePage.objects.get(pk=page.pk).delete()
    assert key not in narrow_rows() and in_step()


def test_a_changed_facet_moves_the_row_to_its_new_combination(no_node, commit):
    practice = PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")
    with commit():
        agency = factories.agency(name="Tỉnh Vornelia")
        adoption = factories.adoption(practice, agency, status="piloting")
    key = f"adoption:{adoption.pk}"
    assert narrow_rows()[key][0][matches.FACET_COLUMNS.index("status")] == "piloting"
    status = found("vornelia").facets["status"]
    assert [(v.value, v.count) for v in status] == [("piloting", 1)]

    with commit():
        adoption.status = "adopted"
        adoption.save()
    assert narrow_rows()[key][0][matches.FACET_COLUMNS.index("status")] == "adopted"
    assert in_step()
    status = found("vornelia").facets["status"]
    assert [(v.value, v.count) for v in status] == [("adopted", 1)]

    # Any writer of the row, however few columns it sets: here the status alone.
    SearchDocument.objects.filter(key=key).update(status="discontinued")
    assert in_step()
    status = found("vornelia").facets["status"]
    assert [(v.value, v.count) for v in status] == [("discontinued", 1)]

    with commit():
        Adoption.objects.get(pk=adoption.pk).delete()
    assert key not in narrow_rows() and in_step()


def test_bulk_writes_and_removed_tombstones_keep_the_table_in_step(no_node, commit):
    rows = [
        {**row, "key": f"guidance:{990000 + n}", "title": f"Bản ghi Marrowind {n}"}
        for n, row in enumerate(
            SearchDocument.objects.filter(type="guidance").values(*sync.STORED_COLUMNS)[:3]
        )
    ]
    for row in rows:
        row["title_folded"] = fold_aligned(row["title"].lower())
    sync.write_rows(rows, [])
    assert in_step() and found("marrowind").total == 3
    SearchDocument.objects.filter(key=rows[0]["key"]).delete()  # a public row, at once
    assert in_step() and found("marrowind").total == 2
    # A row that differs from its record is deleted and written again by the refresh.
    stale = SearchDocument.objects.filter(type="practice", deleted=False).first()
    SearchDocument.objects.filter(pk=stale.pk).update(body="", body_folded="")
    sync.refresh_all()  # the Marrowind rows have no record: tombstones
    assert in_step() and found("marrowind").total == 0
    assert not SearchDocument.objects.filter(pk=stale.pk).exists()
    assert SearchDocument.objects.get(key=stale.key).body_folded == stale.body_folded
    SearchDocument.objects.filter(deleted=True).delete()
    assert in_step()


def test_search_rebuild_fills_the_table_again(no_node):
    before = narrow_rows()
    assert before
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {matches.MATCH}")
    assert found("giảm phí").total == 0
    call_command("search_rebuild", stdout=io.StringIO())
    assert narrow_rows() == before
    assert found("giảm phí").total > 0


def test_emptying_the_rows_empties_the_table_and_new_rows_find_their_place(no_node, commit):
    """`flush` empties the rows with TRUNCATE on PostgreSQL (and restarts their ids), DELETE
    on SQLite: either way the table follows, and the rows written next are matched."""
    assert narrow_rows()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {fulltext.TABLE} RESTART IDENTITY")
        else:
            cursor.execute(f"DELETE FROM {fulltext.TABLE}")
    assert narrow_rows() == {}
    with commit():
        sync.refresh_all()
    assert narrow_rows() and in_step()


def test_a_newly_published_word_can_be_suggested_at_once(no_node, commit):
    # The vocabulary behind "did you mean" is cached until a search row changes: the first
    # search reads it without the new word, the second must see it.
    assert found("quellastrine").did_you_mean == ""
    with commit():
        factories.practice(title="Cổng Quellastrino cho người dân")
    assert found("quellastrine").did_you_mean == "quellastrino"
    with commit():
        PracticePage.objects.get(title="Cổng Quellastrino cho người dân").delete()
    assert found("quellastrine").did_you_mean == ""


# --- Most of the words ---------------------------------------------------------------------


def test_enough_words_are_the_smallest_sets_reaching_three_in_four():
    # Four words of one: any three.
    assert database.enough_words([1, 1, 1, 1]) == [(0, 1, 2), (0, 1, 3), (0, 2, 3), (1, 2, 3)]
    # "thanh toán trực tuyến" (4 words) with two more: 4 of 6 needed; the group alone is one.
    assert database.enough_words([4, 1, 1]) == [(0,)]
    # Two words: both.
    assert database.enough_words([1, 1]) == [(0, 1)]
    # No set holds another: (0, 1) reaches 3 of 4, so (0, 1, 2) is not listed.
    assert database.enough_words([2, 1, 1]) == [(0, 1), (0, 2)]


def test_partial_results_leave_out_the_full_ones(no_node):
    # The typo of the benchmark: "tuyn" is in no document; what holds the rest comes back.
    results = found("dịch vụ công trực tuyn")
    assert results.complete == 0 and results.total > 0
    full = found("dịch vụ công trực tuyến kiosk")
    keys = [hit.url + hit.title for hit in full.hits]
    assert len(keys) == len(set(keys))
    assert all(hit.missing for hit in full.hits[full.complete :])
    assert not any(hit.missing for hit in full.hits[: full.complete])


# --- The window beyond EXHAUSTIVE matches ----------------------------------------------------


def test_beyond_the_exhaustive_count_the_window_keeps_title_matches_first(no_node, monkeypatch):
    # The tiers, best first: every word in the title (long adoptions, last by the order key);
    # some word in the title, or the words side by side; the words apart in the body only
    # (short practices, first by the order key).
    every = [doc(f"Zorblat quenth {n}", "Nội dung " * 40, "adoption") for n in range(3)]
    together = [doc(f"Ghi chú {n}", "Zorblat quenth, nội dung.", "guidance") for n in range(2)]
    some = [doc(f"Zorblat {n}", "Quenth, nội dung dài hơn một chút.", "guidance") for n in range(6)]
    apart = [doc(f"Ghi {n}", "Zorblat và quenth.", "practice") for n in range(8)]
    sync.write_rows([*every, *together, *some, *apart], [])
    # 19 matches: the tiers choose the window of 10 (the first page).
    monkeypatch.setattr(database, "EXHAUSTIVE", 1)
    monkeypatch.setattr(database, "RESCORE_WINDOW", 10)

    def titles(results):
        return [hit.title for hit in results.hits]

    windowed = found("zorblat quenth")
    assert windowed.total == 19
    assert sorted(titles(windowed)[:3]) == [row["title"] for row in every]
    assert sorted(titles(windowed)[3:5]) == [row["title"] for row in together]
    assert set(titles(windowed)[5:10]) <= {row["title"] for row in some}
    # The same first page as when every match is ranked and rescored (a window of 100).
    monkeypatch.setattr(database, "EXHAUSTIVE", 10**9)
    monkeypatch.setattr(database, "RESCORE_WINDOW", 100)
    assert set(titles(found("zorblat quenth"))) == set(titles(windowed))


def test_pages_beyond_the_exhaustive_count_do_not_overlap(no_node, monkeypatch):
    monkeypatch.setattr(database, "EXHAUSTIVE", 1)
    first = found("dịch vụ công")
    second = found("dịch vụ công", page="2")
    assert first.total == second.total > 20
    urls = [hit.url + hit.title for hit in first.hits + second.hits]
    assert len(urls) == len(set(urls)) == 20


# --- PostgreSQL: words and pairs --------------------------------------------------------------


def test_a_phrase_is_its_adjacent_pairs():
    assert matches.phrase("dich vu cong") == "'dich.vu' & 'vu.cong'"
    assert matches.phrase("dich", title=True) == "'@dich'"
    assert matches.phrase("!!") == ""
    assert matches.any_phrase(["dvctt", "dich vu cong"]) == "(('dvctt') | ('dich.vu' & 'vu.cong'))"


def test_a_quoted_phrase_needs_its_words_together(no_node, commit):
    with commit():
        together = factories.practice(title="Cổng dịch vụ công Brannock")
        apart = factories.practice(title="Dịch vụ Brannock tại cổng công")

    def holding_every_word(q):
        return {hit.url for hit in found(q).hits if not hit.missing}

    assert holding_every_word('"cổng dịch vụ" brannock') == {together.url}
    assert holding_every_word("cổng dịch vụ brannock") == {together.url, apart.url}
