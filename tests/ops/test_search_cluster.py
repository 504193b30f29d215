"""Search on the three-node cluster of scripts/services/es-cluster.sh: the index has a copy
on a second node, and with a node killed, searches keep answering from the others (from
Elasticsearch, not the database fallback) and writes still reach the index."""

import pathlib
import subprocess
import time
import uuid

from django.test import override_settings

import pytest

from search import queries, sync
from search.client import get_client, nodes

pytestmark = [pytest.mark.django_db, pytest.mark.elasticsearch_cluster]

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "services" / "es-cluster.sh"
KILLED = 1  # the first of ELASTICSEARCH_URL: a client that knew only it would fail


def cluster(*args):
    command = ["bash", str(SCRIPT), *args]  # noqa: S607 - the system's bash
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def on_cluster(elasticsearch_cluster_url, seeded):
    prefix = f"dvctt-test-cluster-{uuid.uuid4().hex[:8]}"
    with override_settings(ELASTICSEARCH_URL=elasticsearch_cluster_url, SEARCH_INDEX_PREFIX=prefix):
        client = get_client()
        sync.rebuild()
        try:
            yield client
        finally:
            cluster("start-node", str(KILLED))  # back to three for the next run
            client.indices.delete(
                index=f"{prefix}-*", ignore_unavailable=True, allow_no_indices=True
            )


def found(q):
    results = queries.run(queries.parse({"q": q}))
    return results.engine, results.total, results.notice


def test_a_lost_node_leaves_search_answering(on_cluster, elasticsearch_cluster_url):
    client = on_cluster
    assert len(nodes(elasticsearch_cluster_url)) == 3
    health = client.cluster.health(index=sync.alias(), wait_for_status="green", timeout="60s")
    assert health["number_of_nodes"] == 3
    assert health["active_shards"] == 2  # the primary and its replica, on two nodes

    engine, total, notice = found("giảm phí")
    assert engine == "elasticsearch" and total > 0 and not notice

    cluster("kill-node", str(KILLED))
    started = time.monotonic()
    for _ in range(20):  # every request after the kill, whichever node the client picks
        assert found("giảm phí") == (engine, total, notice)
    assert time.monotonic() - started < 60

    # A write meanwhile reaches the index from the nodes left.
    from practices.models import PracticePage

    page = PracticePage.objects.live().first()
    page.title = f"{page.title} thuyền-buồm-lạ"
    page.save_revision().publish()
    sync.refresh_all()
    assert sync.push_pending() is not None
    client.indices.refresh(index=sync.alias())
    assert found("thuyền buồm lạ")[1] >= 1
