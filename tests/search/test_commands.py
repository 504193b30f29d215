"""The search_* commands against the real node: each test has an index prefix of its own."""

import io
import json
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

import pytest

from practices.models import Adoption
from practices.text import fold_aligned
from search import sync
from search.models import SearchDocument

DOWN = "http://127.0.0.1:9"  # nothing listens there


def run(name, *args):
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def public_rows():
    return SearchDocument.objects.filter(deleted=False).count()


def our_indices(client):
    return set(client.indices.get(index=f"{settings.SEARCH_INDEX_PREFIX}-*"))


def behind_alias(client):
    return sorted(client.indices.get_alias(name=sync.alias()))


def find(client, word):
    client.indices.refresh(index=sync.alias())
    hits = client.search(index=sync.alias(), query={"match": {"body_folded": word}})["hits"]
    return [hit["_id"] for hit in hits["hits"]]


def live_adoption():
    return Adoption.objects.filter(practice__live=True).order_by("pk").first()


# --- search_rebuild ----------------------------------------------------------------------


@pytest.mark.elasticsearch
def test_rebuild_puts_a_new_index_behind_the_alias_and_drops_the_old_one(search_index, search_node):
    (built_by_fixture,) = behind_alias(search_node)

    first_output = run("search_rebuild", "--no-progress")
    (first,) = behind_alias(search_node)
    run("search_rebuild", "--no-progress")
    (second,) = behind_alias(search_node)

    assert len({built_by_fixture, first, second}) == 3
    assert our_indices(search_node) == {second}
    assert search_node.count(index=search_index)["count"] == public_rows() > 100
    assert f"Chỉ mục mới: {first}" in first_output
    assert f"Đã xoá chỉ mục cũ: {built_by_fixture}." in first_output
    assert "tài liệu/giây" in first_output
    assert not SearchDocument.objects.filter(indexed_at__isnull=True).exists()


@pytest.mark.elasticsearch
def test_rebuild_draws_a_progress_bar_up_to_the_public_rows(search_node, seeded):
    output = run("search_rebuild")

    total = public_rows()
    assert "\r[" in output
    assert f"] {total}/{total} (100%)" in output
    assert f"Đã lập chỉ mục {total} tài liệu" in output
    assert run("search_rebuild", "--no-progress").count("\r") == 0


@pytest.mark.elasticsearch
def test_failed_rebuild_leaves_the_alias_and_no_half_built_index(search_index, search_node):
    before = our_indices(search_node)

    def refused(docs, index):
        yield {"_index": index, "_id": "x", "_source": {"year": "không phải số"}}

    with mock.patch.object(sync, "_actions", refused), pytest.raises(CommandError) as error:
        run("search_rebuild", "--no-progress")

    assert "từ chối" in str(error.value)
    assert our_indices(search_node) == before
    assert behind_alias(search_node) == sorted(before)


@pytest.mark.elasticsearch
def test_rows_written_during_a_rebuild_reach_the_new_index(search_index, search_node):
    edited, removed = SearchDocument.objects.filter(deleted=False).order_by("pk")[:2]

    def editor_saves_meanwhile(done, total):
        # After the first bulk request the snapshot has been read: these writes miss it.
        if done == 1:
            row = {f: getattr(edited, f) for f in ["key", *sync.ROW_FIELDS]}
            row["body"] = "Sửa trong lúc dựng lại qxrebuildqx."
            row["body_folded"] = fold_aligned(row["body"])
            sync.write_rows([row], [removed.key])

    name, _ = sync.rebuild(progress=editor_saves_meanwhile)

    assert behind_alias(search_node) == [name]
    assert find(search_node, "qxrebuildqx") == [edited.key]
    assert not search_node.exists(index=name, id=removed.key)
    assert not SearchDocument.objects.filter(indexed_at__isnull=True).exists()
    assert not SearchDocument.objects.filter(key=removed.key).exists()


def test_rebuild_without_a_node_refreshes_the_database_rows(settings, seeded):
    settings.ELASTICSEARCH_URL = ""
    run("search_rebuild")  # whatever earlier tests left, the rows start in step
    adoption = live_adoption()
    Adoption.objects.filter(pk=adoption.pk).update(notes="ghi chú sửa ngoài luồng")  # no signal

    output = run("search_rebuild")

    row = SearchDocument.objects.get(key=f"adoption:{adoption.pk}")
    assert "ghi chú sửa ngoài luồng" in row.body
    assert "tìm kiếm công khai dùng cơ sở dữ liệu" in output
    assert "1 bản ghi được cập nhật" in output


def test_rebuild_with_the_node_down_is_an_error(no_search_node, seeded):
    with pytest.raises(CommandError, match="Không kết nối được máy chủ tìm kiếm"):
        run("search_rebuild", "--no-progress")


# --- search_health -----------------------------------------------------------------------


@pytest.mark.elasticsearch
def test_health_shows_the_alias_the_counts_and_that_the_index_matches(search_index, search_node):
    (index,) = behind_alias(search_node)
    total = public_rows()

    output = run("search_health")

    assert "trạng thái green" in output or "trạng thái yellow" in output
    assert f"{search_index} → {index}" in output
    assert f"  {index}: {total} tài liệu" in output
    assert f"Tài liệu trong chỉ mục (bí danh {search_index}): {total}" in output
    assert f"Bản ghi công khai trong cơ sở dữ liệu: {total}" in output
    assert "Bản ghi đang chờ đẩy lên chỉ mục: 0" in output
    assert "Chỉ mục khớp với cơ sở dữ liệu." in output


@pytest.mark.elasticsearch
def test_health_as_json(search_index, search_node):
    report = json.loads(run("search_health", "--json"))

    assert report["ok"] is True
    assert report["engine"] == "elasticsearch"
    assert report["alias"] == search_index
    assert report["alias_indices"] == behind_alias(search_node)
    assert report["index_documents"] == report["database"]["public"] == public_rows()
    assert report["database"]["pending"] == report["lag"] == 0
    assert report["in_sync"] is True
    assert report["cluster"]["nodes"] >= 1
    assert [i["name"] for i in report["indices"]] == report["alias_indices"]


@pytest.mark.elasticsearch
def test_health_with_the_alias_missing_is_an_error(search_node, seeded):
    with pytest.raises(CommandError, match="search_rebuild"):
        run("search_health")


def test_health_with_the_node_down_is_an_error(no_search_node, seeded):
    with pytest.raises(CommandError, match="Không kết nối được máy chủ tìm kiếm"):
        run("search_health")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("search_health", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["ok"] is False
    assert report["database"]["public"] == public_rows()


def test_health_without_a_node_reports_the_database(settings, seeded):
    settings.ELASTICSEARCH_URL = ""

    output = run("search_health")

    assert "đang dùng cơ sở dữ liệu" in output
    assert f"Bản ghi công khai trong cơ sở dữ liệu: {public_rows()}" in output


# --- pending rows: search_health shows the lag, search_sync clears it --------------------


@pytest.mark.elasticsearch
def test_a_write_while_the_node_is_down_lags_until_search_sync(
    search_index, search_node, django_capture_on_commit_callbacks
):
    adoption = live_adoption()
    key = f"adoption:{adoption.pk}"
    with override_settings(ELASTICSEARCH_URL=DOWN):
        with django_capture_on_commit_callbacks(execute=True):
            adoption.notes = "Ghi chú viết khi máy chủ tìm kiếm ngừng: đồng bộ muộn."
            adoption.save()
    row = SearchDocument.objects.get(key=key)
    assert row.indexed_at is None
    assert "đồng bộ muộn" in row.body
    assert key not in find(search_node, "muon")

    lagging = run("search_health")
    assert "Chỉ mục chậm hơn cơ sở dữ liệu: 1 bản ghi đang chờ" in lagging
    assert "Bản ghi đang chờ đẩy lên chỉ mục: 1" in lagging
    assert json.loads(run("search_health", "--json"))["lag"] == 1

    synced = run("search_sync")

    assert "Đã đẩy 1 bản ghi" in synced
    row.refresh_from_db()
    assert row.indexed_at is not None
    assert find(search_node, "muon") == [key]
    assert "Chỉ mục khớp với cơ sở dữ liệu." in run("search_health")
    assert "Không có bản ghi nào đang chờ" in run("search_sync")


def test_sync_with_the_node_down_is_an_error(no_search_node, seeded):
    with pytest.raises(CommandError, match="Không kết nối được máy chủ tìm kiếm"):
        run("search_sync")


@pytest.mark.elasticsearch
def test_sync_without_an_index_is_an_error(search_node, seeded):
    with pytest.raises(CommandError, match="search_rebuild"):
        run("search_sync")
