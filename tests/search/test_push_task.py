"""Pushing search rows is background work (search/tasks.py): a change queues one push, the
database worker runs it, and a push that finds no node queues itself again, so the writes made
while the cluster was away reach the index once it is back and `search_health` shows the lag
falling to zero, with no one running `search_sync`."""

import json
import time

from django.core.management import call_command
from django.test import override_settings

import pytest
from django_tasks_db.models import DBTaskResult

from search.models import SearchDocument
from search.tasks import push_search_rows
from tests.search.test_commands import DOWN, find, live_adoption, run

# Transactional: the worker closes and reopens its connection between tasks.
pytestmark = [pytest.mark.elasticsearch, pytest.mark.django_db(transaction=True)]
RETRY_SECONDS = 2


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {
        **settings.TASKS,
        "background": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": settings.TASK_QUEUES,
        },
    }
    settings.SEARCH_PUSH_RETRY_SECONDS = RETRY_SECONDS


def pushes(status):
    return DBTaskResult.objects.filter(task_path=push_search_rows.module_path, status=status)


def run_worker(*extra):
    call_command(
        "db_worker",
        "--backend",
        "background",
        "--queue-name",
        "*",
        "--no-reload",
        "--no-startup-delay",
        *extra,
        verbosity=0,
    )


def test_writes_while_the_cluster_is_away_reach_it_when_it_is_back(search_index, search_node):
    adoption = live_adoption()
    key = f"adoption:{adoption.pk}"
    with override_settings(ELASTICSEARCH_URL=DOWN):
        adoption.notes = "Ghi chú viết khi cụm tìm kiếm ngừng: đồng bộ muộn."
        adoption.save()
        assert pushes("READY").count() == 1, "the change queued one push, not run in the request"
        adoption.notes += " Sửa thêm lần nữa."
        adoption.save()
        assert pushes("READY").count() == 1, "a push already waiting takes the second change too"

        run_worker("--batch", "--max-tasks", "1")
        (failed,) = pushes("SUCCESSFUL")
        assert failed.return_value == {"sent": None, "pending": 1}
        (retry,) = pushes("READY")
        assert retry.run_after > failed.finished_at, "the retry waits before it runs"

    assert json.loads(run("search_health", "--json"))["lag"] == 1
    assert key not in find(search_node, "muon")

    # The cluster is back; the worker runs the retry once it is due.
    time.sleep(RETRY_SECONDS + 0.5)
    run_worker("--batch")
    retry.refresh_from_db()
    assert retry.status == "SUCCESSFUL"
    assert retry.return_value == {"sent": 1, "pending": 0}
    assert not pushes("READY").exists(), "nothing more to retry"
    assert SearchDocument.objects.get(key=key).indexed_at is not None
    report = json.loads(run("search_health", "--json"))
    assert report["lag"] == 0 and report["in_sync"] is True
    assert find(search_node, "muon") == [key]
