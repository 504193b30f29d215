"""The database engine's full-text index (search/fulltext.py) follows the search rows: a page
published, edited, unpublished or deleted, an adoption saved or deleted, a tombstone removed,
a bulk refresh. Each test reads the index itself (FTS5 on SQLite, the tsvector column on
PostgreSQL) as well as what a search finds. The suite runs on PostgreSQL and, for these
tests, again on SQLite (scripts/run-tests.sh)."""

import io

from django.core.management import call_command
from django.db import connection

import pytest

from practices.models import Adoption, PracticePage
from search import database, fulltext, queries, sync
from search.models import SearchDocument
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_node(seeded, settings):
    settings.ELASTICSEARCH_URL = ""


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def committed():
        return django_capture_on_commit_callbacks(execute=True)

    return committed


def indexed(word):
    """Keys of the rows the index holds `word` for (a folded word), read from the index."""
    if connection.vendor == "sqlite":
        sql = (
            f"SELECT d.key FROM {fulltext.FTS} f JOIN {fulltext.TABLE} d ON d.id = f.rowid "
            f"WHERE {fulltext.FTS} MATCH %s"
        )
        params = [fulltext.sqlite_phrase(word)]
    else:
        sql = (
            f"SELECT key FROM {fulltext.TABLE} "
            f"WHERE NOT deleted AND {fulltext.VECTOR} @@ to_tsquery('simple', %s)"
        )
        params = [fulltext.postgres_phrase(word)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(key for (key,) in cursor.fetchall())


def consistent():
    """FTS5's own check of its index (SQLite); PostgreSQL's column is computed by the row."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {fulltext.FTS}({fulltext.FTS}, rank) VALUES ('integrity-check', 0)"
            )
    return True


def found(q):
    results = queries.run(queries.parse({"q": q}))
    assert results.engine == "database"
    return [hit.url for hit in results.hits if not hit.missing]


def test_publishing_editing_unpublishing_and_deleting_a_page(no_node, commit):
    with commit():
        page = factories.practice(title="Cấp phiếu lý lịch tư pháp Zebrafin trực tuyến")
    key = f"practice:{page.pk}"
    assert indexed("zebrafin") == [key]
    assert found("lý lịch tư pháp zebrafin") == [page.url]

    with commit():
        page.title = "Cấp phiếu lý lịch tư pháp Quillamor trực tuyến"
        page.save_revision().publish()
    assert indexed("zebrafin") == [] and indexed("quillamor") == [key]
    assert found("zebrafin") == [] and found("quillamor") == [page.url]

    with commit():
        page.unpublish()
    assert SearchDocument.objects.get(key=key).deleted  # a tombstone, not in the index
    assert indexed("quillamor") == []
    assert found("quillamor") == []

    with commit():
        page.save_revision().publish()
    assert indexed("quillamor") == [key]

    with commit():
        PracticePage.objects.get(pk=page.pk).delete()
    assert indexed("quillamor") == []
    assert found("quillamor") == []
    assert consistent()


def test_an_adoption_saved_and_deleted(no_node, commit):
    practice = PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")
    with commit():
        agency = factories.agency(name="Tỉnh Vornelia")
        adoption = factories.adoption(practice, agency)
    assert indexed("vornelia") == sorted([f"adoption:{adoption.pk}", f"agency:{agency.pk}"])
    with commit():
        Adoption.objects.get(pk=adoption.pk).delete()
    assert indexed("vornelia") == [f"agency:{agency.pk}"]
    assert consistent()


def test_removing_tombstones_and_rows_keeps_the_index_true(no_node, commit):
    with commit():
        page = factories.practice(title="Giải pháp Threnody")
    with commit():
        page.unpublish()
    # What push_pending does once the node has the deletion: the tombstone row goes.
    SearchDocument.objects.filter(deleted=True).delete()
    assert indexed("threnody") == []
    with commit():
        page.save_revision().publish()
    assert indexed("threnody") == [f"practice:{page.pk}"]
    SearchDocument.objects.filter(key=f"practice:{page.pk}").delete()
    assert indexed("threnody") == []
    assert consistent()


def test_marking_rows_sent_leaves_the_index_alone(no_node, commit):
    with commit():
        page = factories.practice(title="Giải pháp Ostrander")
    SearchDocument.objects.update(indexed_at="2026-12-02T00:00:00Z")
    assert indexed("ostrander") == [f"practice:{page.pk}"]
    assert consistent()


def test_a_bulk_refresh_is_indexed(no_node):
    rows = [
        {**row, "title": f"Bản ghi Marrowind {n}", "title_folded": f"ban ghi marrowind {n}"}
        for n, row in enumerate(
            SearchDocument.objects.filter(type="guidance").values(*sync.STORED_COLUMNS)[:3]
        )
    ]
    for n, row in enumerate(rows):
        row["key"] = f"guidance:{990000 + n}"
    sync.write_rows(rows, [])
    assert indexed("marrowind") == sorted(row["key"] for row in rows)
    # refresh_all rebuilds every row from its record: these have none and become tombstones.
    sync.refresh_all()
    assert indexed("marrowind") == []
    assert consistent()


def test_search_rebuild_builds_the_index_again(no_node):
    expected = indexed("phi")
    assert expected
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {fulltext.FTS}({fulltext.FTS}) VALUES ('delete-all')")
        assert indexed("phi") == []
    call_command("search_rebuild", stdout=io.StringIO())
    assert indexed("phi") == expected
    assert database.has_results(queries.parse({"q": "giảm phí"}))
