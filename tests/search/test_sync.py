"""Keeping search true to the database: lifecycle changes reach the real Elasticsearch node
when their transaction commits, survive the node being down, and bulk loads refresh once.
The last tests check the database side alone, with no node configured."""

import datetime

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

import pytest

from kb.models import GlossaryTermPage, KnowledgeIndexPage, KnowledgePage
from practices.models import Adoption, Agency, PracticeIndexPage, PracticePage
from search import documents, queries, sync
from search.models import SearchDocument
from tests import factories

DOWN = "http://127.0.0.1:9"  # nothing listens there


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the on_commit work of the block, as if its transaction had committed."""

    def committed():
        return django_capture_on_commit_callbacks(execute=True)

    return committed


def search(q, **params):
    return queries.run(queries.parse({"q": q, **params}))


def urls(results):
    return [hit.url for hit in results.hits]


def titles(results):
    return [hit.title for hit in results.hits]


def in_index(client, alias, key):
    return bool(client.exists(index=alias, id=key))


def adoption_keys(practice):
    return [f"adoption:{pk}" for pk in practice.adoptions.values_list("pk", flat=True)]


# --- on the real node ---------------------------------------------------------------------


@pytest.mark.elasticsearch
def test_publishing_a_new_practice_makes_it_findable(search_node, search_index, commit):
    with commit():
        page = factories.practice(title="Cấp phiếu lý lịch tư pháp Zebrafin trực tuyến")
    search_node.indices.refresh(index=search_index)

    row = SearchDocument.objects.get(key=f"practice:{page.pk}")
    assert row.indexed_at is not None and not row.deleted
    assert in_index(search_node, search_index, row.key)
    for q in ["zebrafin", "phiếu lý lịch tư pháp zebrafin", "phieu ly lich tu phap"]:
        results = search(q)
        assert results.engine == "elasticsearch"
        assert page.url in urls(results), q


@pytest.mark.elasticsearch
def test_unpublishing_a_practice_removes_it_and_its_adoptions(search_node, search_index, commit):
    page = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    keys = [f"practice:{page.pk}", *adoption_keys(page)]
    assert len(keys) == 8
    assert all(in_index(search_node, search_index, key) for key in keys)
    assert search("giảm phí lệ phí").complete == 9

    with commit():
        page.unpublish()
    search_node.indices.refresh(index=search_index)

    assert not any(in_index(search_node, search_index, key) for key in keys)
    # Tombstones are dropped once the node has deleted the documents.
    assert not SearchDocument.objects.filter(key__in=keys).exists()
    results = search("giảm phí lệ phí")
    assert results.engine == "elasticsearch"
    # Only the guidance page that lists the six practices still mentions the fee reduction
    # (what else comes back lacks some of the words).
    assert [hit.type for hit in results.hits if not hit.missing] == ["guidance"]


@pytest.mark.elasticsearch
def test_republishing_brings_the_practice_back(search_node, search_index, commit):
    page = PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")
    with commit():
        page.unpublish()
    search_node.indices.refresh(index=search_index)
    assert page.url not in urls(search("trợ lý ảo"))

    with commit():
        page.refresh_from_db()
        page.save_revision().publish()
    search_node.indices.refresh(index=search_index)
    assert urls(search("trợ lý ảo"))[0] == page.url


@pytest.mark.elasticsearch
def test_deleting_an_adoption_removes_it(search_node, search_index, commit):
    adoption = Adoption.objects.get(
        practice__slug="giam-phi-le-phi-dvctt", agency__name="Tỉnh Long An"
    )
    key = f"adoption:{adoption.pk}"
    assert in_index(search_node, search_index, key)
    assert "Tỉnh Long An: " in " ".join(titles(search("long an giảm phí")))

    with commit():
        adoption.delete()
    search_node.indices.refresh(index=search_index)

    assert not in_index(search_node, search_index, key)
    assert not SearchDocument.objects.filter(key=key).exists()
    results = search("long an giảm phí")
    assert not any(title.startswith("Tỉnh Long An:") for title in titles(results))


@pytest.mark.elasticsearch
def test_saving_an_adoption_updates_its_document(search_node, search_index, commit):
    adoption = Adoption.objects.get(
        practice__slug="giam-phi-le-phi-dvctt", agency__name="Tỉnh Long An"
    )
    with commit():
        adoption.instrument = "Nghị quyết số 12/2022/NQ-HĐND Quyxarin"
        adoption.save()
    search_node.indices.refresh(index=search_index)
    results = search("quyxarin")
    assert [hit.url for hit in results.hits] == [adoption.get_absolute_url()]


@pytest.mark.elasticsearch
def test_renaming_an_agency_retitles_its_adoptions(search_node, search_index, commit):
    agency = Agency.objects.get(slug="lang-son")
    assert agency.adoptions.count() == 2
    with commit():
        agency.name = "Tỉnh Xứ Lạng Thử"
        agency.save()
    search_node.indices.refresh(index=search_index)

    results = search("xu lang thu")
    assert results.engine == "elasticsearch"
    assert sorted(hit.title for hit in results.hits if not hit.missing) == [
        "Tỉnh Xứ Lạng Thử",
        "Tỉnh Xứ Lạng Thử: Giao chỉ tiêu dịch vụ công trực tuyến gắn với trách nhiệm người "
        "đứng đầu",
        "Tỉnh Xứ Lạng Thử: Giảm phí, lệ phí để khuyến khích sử dụng dịch vụ công trực tuyến",
    ]
    for adoption in agency.adoptions.all():
        source = search_node.get(index=search_index, id=f"adoption:{adoption.pk}")["_source"]
        assert source["title"].startswith("Tỉnh Xứ Lạng Thử: ")
    assert not any(t.startswith("Tỉnh Lạng Sơn") for t in titles(search("lạng sơn giảm phí")))


@pytest.mark.elasticsearch
def test_moving_a_practice_updates_its_url(search_node, search_index, commit):
    home = PracticeIndexPage.objects.get().get_parent()
    page = PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")
    old_url = page.url
    with commit():
        archive = home.add_child(instance=PracticeIndexPage(title="Lưu trữ", slug="luu-tru"))
        archive.save_revision().publish()
        page.move(archive, pos="last-child")
    search_node.indices.refresh(index=search_index)

    page.refresh_from_db()
    assert page.url != old_url and page.url.startswith("/luu-tru/")
    assert SearchDocument.objects.get(key=f"practice:{page.pk}").url == page.url
    source = search_node.get(index=search_index, id=f"practice:{page.pk}")["_source"]
    assert source["url"] == page.url
    assert urls(search("trợ lý ảo"))[0] == page.url


def test_save_while_the_node_is_down_succeeds_and_search_answers_from_the_database(
    seeded, no_search_node, commit
):
    practice = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    with commit():
        agency = factories.agency(name="Tỉnh Quornith")
        adoption = factories.adoption(practice, agency)

    assert Adoption.objects.filter(pk=adoption.pk).exists()
    row = SearchDocument.objects.get(key=f"adoption:{adoption.pk}")
    assert row.indexed_at is None
    assert row.title == "Tỉnh Quornith: " + practice.title

    results = search("quornith")
    assert results.engine == "database"
    assert results.notice == queries.FALLBACK_NOTICE
    assert sorted(titles(results)) == ["Tỉnh Quornith", "Tỉnh Quornith: " + practice.title]
    assert sync.push_pending() is None


@pytest.mark.elasticsearch
def test_pending_rows_are_sent_when_the_node_is_back(search_node, search_index, commit):
    practice = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    with override_settings(ELASTICSEARCH_URL=DOWN):
        with commit():
            agency = factories.agency(name="Tỉnh Quornith")
            adoption = factories.adoption(practice, agency)
        assert search("quornith").notice == queries.FALLBACK_NOTICE
    key = f"adoption:{adoption.pk}"
    assert SearchDocument.objects.get(key=key).indexed_at is None
    assert not in_index(search_node, search_index, key)

    # Back up: the next push sends everything left pending, then search finds it on the node.
    assert sync.push_pending() == 2
    search_node.indices.refresh(index=search_index)
    assert SearchDocument.objects.get(key=key).indexed_at is not None
    assert not SearchDocument.objects.filter(indexed_at__isnull=True).exists()
    results = search("quornith")
    assert results.engine == "elasticsearch" and results.notice == ""
    assert adoption.get_absolute_url() in urls(results)


@pytest.mark.elasticsearch
def test_a_deletion_while_the_node_is_down_is_replayed(search_node, search_index, commit):
    adoption = Adoption.objects.get(
        practice__slug="giam-phi-le-phi-dvctt", agency__name="Tỉnh Long An"
    )
    key = f"adoption:{adoption.pk}"
    with override_settings(ELASTICSEARCH_URL=DOWN), commit():
        adoption.delete()
    tombstone = SearchDocument.objects.get(key=key)
    assert tombstone.deleted and tombstone.indexed_at is None
    assert in_index(search_node, search_index, key)

    assert sync.push_pending() == 1
    search_node.indices.refresh(index=search_index)
    assert not in_index(search_node, search_index, key)
    assert not SearchDocument.objects.filter(key=key).exists()


@pytest.mark.elasticsearch
def test_bulk_changes_suspend_per_record_work_and_refresh_once(
    search_node, search_index, commit, monkeypatch
):
    calls = {"refresh_all": 0, "apply_changes": 0, "push_pending": 0}
    for name in calls:
        original = getattr(sync, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(sync, name, counted)

    practice = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    with commit():
        with sync.bulk_changes():
            agencies = [factories.agency(name=f"Tỉnh Vorpalin {n}") for n in range(3)]
            with sync.bulk_changes():
                adoptions = [factories.adoption(practice, agency) for agency in agencies]
            # Nested blocks do not refresh; nothing was written for the new records yet.
            assert calls["refresh_all"] == 0
            assert not SearchDocument.objects.filter(title__contains="Vorpalin").exists()
        assert calls == {"refresh_all": 1, "apply_changes": 0, "push_pending": 0}
        rows = SearchDocument.objects.filter(title__contains="Vorpalin")
        assert rows.count() == 6
        assert not rows.filter(indexed_at__isnull=False).exists()
    # The push waits for the commit, and happens once.
    assert calls == {"refresh_all": 1, "apply_changes": 0, "push_pending": 1}
    search_node.indices.refresh(index=search_index)
    assert all(in_index(search_node, search_index, f"adoption:{a.pk}") for a in adoptions)
    assert search("vorpalin").total == 6


@pytest.mark.elasticsearch
def test_per_record_sync_resumes_after_a_failed_bulk_block(search_node, search_index, commit):
    with pytest.raises(RuntimeError), sync.bulk_changes():
        raise RuntimeError("import failed")
    with commit():
        agency = factories.agency(name="Tỉnh Brindlecomb")
    search_node.indices.refresh(index=search_index)
    assert in_index(search_node, search_index, f"agency:{agency.pk}")


# --- database side, no node configured -------------------------------------------------------


@pytest.fixture
def no_node(seeded, settings):
    settings.ELASTICSEARCH_URL = ""


def test_a_new_adoption_gets_a_search_row(no_node, commit):
    practice = PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")
    with commit():
        agency = factories.agency(name="Tỉnh Quornith", region="Đông Nam Bộ")
        adoption = factories.adoption(
            practice, agency, status="piloting", decided_on=datetime.date(2024, 3, 1)
        )
    row = SearchDocument.objects.get(key=f"adoption:{adoption.pk}")
    assert row.type == "adoption"
    assert row.title == f"Tỉnh Quornith: {practice.title}"
    assert row.url == adoption.get_absolute_url()
    assert (row.category, row.region, row.status, row.year) == (
        "virtual-assistant",
        "Đông Nam Bộ",
        "piloting",
        2024,
    )
    assert row.agency_code == agency.code
    assert row.title_folded == f"tinh quornith: {row.title_folded.split(': ', 1)[1]}"
    assert len(row.title_folded) == len(row.title)
    assert not row.deleted and row.indexed_at is None

    results = search("quornith tro ly ao")
    assert results.engine == "database" and results.notice == ""
    # The only full match; the practice's other pages follow it, without "quornith".
    assert results.complete == 1
    assert urls(results)[0] == adoption.get_absolute_url()
    assert all(hit.missing == ["quornith"] for hit in results.hits[1:])


def test_a_deleted_adoption_leaves_a_tombstone_and_leaves_search(no_node, commit):
    adoption = Adoption.objects.get(
        practice__slug="giam-phi-le-phi-dvctt", agency__name="Tỉnh Long An"
    )
    key = f"adoption:{adoption.pk}"
    assert "Tỉnh Long An: " in " ".join(titles(search("long an giảm phí")))
    with commit():
        adoption.delete()
    tombstone = SearchDocument.objects.get(key=key)
    assert tombstone.deleted and tombstone.indexed_at is None
    assert not any(t.startswith("Tỉnh Long An:") for t in titles(search("long an giảm phí")))


def test_unpublishing_tombstones_the_practice_and_its_adoptions(no_node, commit):
    page = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    keys = [f"practice:{page.pk}", *adoption_keys(page)]
    urls = set(SearchDocument.objects.filter(key__in=keys).values_list("url", flat=True))
    with commit():
        page.unpublish()
    assert SearchDocument.objects.filter(key__in=keys, deleted=True).count() == len(keys)
    results = search("giảm phí lệ phí")
    # Only the guidance holds every word now; what else comes back lacks some of them.
    assert [hit.type for hit in results.hits if not hit.missing] == ["guidance"]
    assert not {hit.url for hit in results.hits} & urls
    # An adoption saved while its practice is unpublished stays out of search.
    with commit():
        adoption = factories.adoption(page, factories.agency(name="Tỉnh Quornith"))
    assert not SearchDocument.objects.filter(key=f"adoption:{adoption.pk}", deleted=False).exists()
    assert [hit.type for hit in search("quornith").hits] == ["agency"]


def test_a_new_guidance_page_is_searchable(no_node, commit):
    index = KnowledgeIndexPage.objects.get()
    with commit():
        page = index.add_child(
            instance=GlossaryTermPage(
                title="Định danh điện tử Pelorix", slug="pelorix", term="Pelorix"
            )
        )
        page.save_revision().publish()
    row = SearchDocument.objects.get(key=f"guidance:{page.pk}")
    assert row.type == "guidance" and row.url == page.url
    results = search("dinh danh dien tu pelorix")
    assert results.complete == 1 and urls(results)[0] == page.url

    with commit():
        KnowledgePage.objects.get(pk=page.pk).specific.delete()
    assert SearchDocument.objects.get(key=f"guidance:{page.pk}").deleted
    assert search("pelorix").total == 0


def test_renaming_a_province_updates_the_text_of_its_departments(no_node, commit):
    # The document of a department's adoption (and of the department itself) carries the name
    # of the province it belongs to, so that searching the province finds them.
    department = Agency.objects.get(slug="so-khoa-hoc-va-cong-nghe-thanh-pho-da-nang-den-2025")
    province = department.parent
    adoption = department.adoptions.get()
    assert province.name in SearchDocument.objects.get(key=f"adoption:{adoption.pk}").body

    with commit():
        province.name = "Thành phố Đà Nẵng Zuverin"
        province.save()

    # Not only the province's own rows: those of its departments and their adoptions too.
    assert "Zuverin" in SearchDocument.objects.get(key=f"adoption:{adoption.pk}").body
    assert "Zuverin" in SearchDocument.objects.get(key=f"agency:{department.pk}").body
    assert adoption.get_absolute_url() in urls(search("zuverin"))


def test_renaming_the_catalogue_page_updates_practice_urls(no_node, commit):
    catalogue = PracticeIndexPage.objects.get()
    page = PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")
    with commit():
        catalogue.slug = "giai-phap-moi"
        catalogue.save_revision().publish()
    page.refresh_from_db()
    assert page.url.startswith("/giai-phap-moi/")
    # A slug change moves every page below as a move does, but Wagtail reports it with
    # page_slug_changed, not post_page_move.
    assert SearchDocument.objects.get(key=f"practice:{page.pk}").url == page.url


def test_a_rolled_back_change_does_not_stop_later_changes_from_syncing(no_node, commit):
    practice = PracticePage.objects.get(slug="tro-ly-ao-huong-dan-dvctt")
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.adoption(practice, factories.agency(name="Tỉnh Rolledback"))
        raise RuntimeError("the admin form failed after saving")

    with commit():
        adoption = factories.adoption(practice, factories.agency(name="Tỉnh Quornith"))
    # The rolled-back change must not leave this thread's pending set looking already
    # scheduled: its on_commit flush was discarded with the transaction.
    assert SearchDocument.objects.filter(key=f"adoption:{adoption.pk}").exists()


# --- bulk blocks that refresh only what they touched -----------------------------------------


def test_touched_only_rebuilds_the_rows_of_touched_records_alone(no_node, monkeypatch):
    page = PracticePage.objects.get(slug="giam-phi-le-phi-dvctt")
    touched, untouched = page.adoptions.filter(live=True).order_by("pk")[:2]
    rows = SearchDocument.objects.filter(
        key__in=[f"adoption:{touched.pk}", f"adoption:{untouched.pk}"]
    )
    SearchDocument.objects.filter(pk__in=rows).update(indexed_at=timezone.now())
    built = []
    adoption_row = documents.adoption_row
    monkeypatch.setattr(
        documents, "adoption_row", lambda a, *r: built.append(a.pk) or adoption_row(a, *r)
    )
    monkeypatch.setattr(sync, "refresh_all", lambda *a, **k: pytest.fail("refreshed everything"))

    with sync.bulk_changes(touched_only=True):
        # Written without signals, as an import writes: only the one named with touch().
        Adoption.objects.filter(pk=touched.pk).update(instrument="Quyết định Zarnovic")
        Adoption.objects.filter(pk=untouched.pk).update(instrument="Quyết định Quellbrin")
        sync.touch("adoption", [touched.pk])
        # A save inside the block is noted by its signal, and rebuilt at the end.
        agency = factories.agency(name="Tỉnh Vorpalin")
        saved = factories.adoption(page, agency)
        assert not SearchDocument.objects.filter(title__contains="Vorpalin").exists()

    assert sorted(built) == sorted([touched.pk, saved.pk])
    row = SearchDocument.objects.get(key=f"adoption:{touched.pk}")
    assert "Zarnovic" in row.body and row.indexed_at is None
    row = SearchDocument.objects.get(key=f"adoption:{untouched.pk}")
    assert "Quellbrin" not in row.body and row.indexed_at is not None
    assert set(
        SearchDocument.objects.filter(title__contains="Vorpalin").values_list("key", flat=True)
    ) == {f"agency:{agency.pk}", f"adoption:{saved.pk}"}


def test_touched_only_leaves_unchanged_rows_alone(no_node):
    adoption = Adoption.objects.public().first()
    row = SearchDocument.objects.get(key=f"adoption:{adoption.pk}")
    SearchDocument.objects.filter(pk=row.pk).update(indexed_at=timezone.now())
    with sync.bulk_changes(touched_only=True):
        sync.touch("adoption", [adoption.pk])
    # Not written again, so not pending: nothing to send to the node.
    again = SearchDocument.objects.get(key=row.key)
    assert (again.pk, again.updated_at) == (row.pk, row.updated_at)
    assert again.indexed_at is not None


def test_touched_only_turns_a_record_no_longer_public_into_a_tombstone(no_node):
    adoption = Adoption.objects.public().first()
    key = f"adoption:{adoption.pk}"
    assert not SearchDocument.objects.get(key=key).deleted
    with sync.bulk_changes(touched_only=True):
        Adoption.objects.filter(pk=adoption.pk).update(live=False)
        sync.touch("adoption", [adoption.pk])
    tombstone = SearchDocument.objects.get(key=key)
    assert tombstone.deleted and tombstone.indexed_at is None


def test_touched_only_follows_what_a_touched_agency_carries(no_node):
    # A department's rows and its adoptions' rows carry the name of the province above it.
    department = Agency.objects.get(slug="so-khoa-hoc-va-cong-nghe-thanh-pho-da-nang-den-2025")
    province, adoption = department.parent, department.adoptions.get()
    with sync.bulk_changes(touched_only=True):
        Agency.objects.filter(pk=province.pk).update(name="Thành phố Đà Nẵng Zuverin")
        sync.touch("agency", [province.pk])
    keys = [f"agency:{province.pk}", f"agency:{department.pk}", f"adoption:{adoption.pk}"]
    rows = SearchDocument.objects.filter(key__in=keys)
    assert len(rows) == 3
    for row in rows:
        assert "Zuverin" in row.title + row.body, row.key
        assert row.indexed_at is None


def test_a_block_nested_in_a_touched_only_block_may_ask_for_everything(no_node, monkeypatch):
    calls = []
    monkeypatch.setattr(sync, "refresh_all", lambda *a, **k: calls.append("all") or (0, 0))
    monkeypatch.setattr(sync, "refresh_touched", lambda t: calls.append("touched") or (0, 0))
    with sync.bulk_changes(touched_only=True):
        with sync.bulk_changes():
            pass
        assert calls == []
    with sync.bulk_changes(touched_only=True), sync.bulk_changes(touched_only=True):
        pass
    assert calls == ["all", "touched"]


def test_touch_outside_a_bulk_block_syncs_on_commit(no_node, commit):
    adoption = Adoption.objects.public().first()
    with commit():
        Adoption.objects.filter(pk=adoption.pk).update(notes="Ghi chú Threnody")
        sync.touch("adoption", [adoption.pk])
    assert "Threnody" in SearchDocument.objects.get(key=f"adoption:{adoption.pk}").body
