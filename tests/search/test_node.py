"""The Elasticsearch node that `make services` starts is what public search is designed for:
a plain node with the standard analyzer, shingles and completion, and no plugins."""

import uuid

from django.test import override_settings

import pytest

from search.client import get_client, index_name


@pytest.fixture
def client(elasticsearch_url):
    with override_settings(ELASTICSEARCH_URL=elasticsearch_url):
        yield get_client()


@pytest.fixture
def scratch_index(client):
    name = index_name(f"node-check-{uuid.uuid4().hex[:8]}")
    yield name
    client.indices.delete(index=name, ignore_unavailable=True)


def test_no_node_configured_means_no_client():
    with override_settings(ELASTICSEARCH_URL=""):
        assert get_client() is None


@override_settings(SEARCH_INDEX_PREFIX="dvctt-test")
def test_index_names_carry_the_environment_prefix():
    assert index_name("practices") == "dvctt-test-practices"


@pytest.mark.elasticsearch
def test_node_is_healthy(client):
    assert client.cluster.health()["status"] in {"green", "yellow"}


@pytest.mark.elasticsearch
def test_standard_analyzer_keeps_vietnamese_syllables(client):
    tokens = client.indices.analyze(analyzer="standard", text="Dịch vụ công trực tuyến")["tokens"]
    assert [t["token"] for t in tokens] == ["dịch", "vụ", "công", "trực", "tuyến"]


@pytest.mark.elasticsearch
def test_shingles_and_completion_work_without_plugins(client, scratch_index):
    client.indices.create(
        index=scratch_index,
        settings={
            "analysis": {
                "filter": {
                    "pairs": {"type": "shingle", "min_shingle_size": 2, "max_shingle_size": 2}
                },
                "analyzer": {
                    "phrases": {"tokenizer": "standard", "filter": ["lowercase", "pairs"]}
                },
            }
        },
        mappings={
            "properties": {
                "title": {"type": "text", "analyzer": "phrases"},
                "suggest": {"type": "completion"},
            }
        },
    )
    client.index(
        index=scratch_index,
        document={"title": "Hồ sơ trực tuyến", "suggest": ["ho so truc tuyen"]},
        refresh=True,
    )
    hits = client.search(index=scratch_index, query={"match": {"title": "hồ sơ"}})["hits"]
    assert hits["total"]["value"] == 1
    suggest = client.search(
        index=scratch_index,
        suggest={"s": {"prefix": "ho so", "completion": {"field": "suggest"}}},
    )["suggest"]["s"][0]["options"]
    assert [o["text"] for o in suggest] == ["ho so truc tuyen"]
