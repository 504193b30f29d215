"""Fixtures for tests against the real Elasticsearch node: each test gets its own index
prefix, a freshly built index from the (seeded) test database, and cleanup afterwards."""

import uuid

from django.test import override_settings

import pytest

from search import sync
from search.client import get_client


@pytest.fixture
def search_node(elasticsearch_url, settings):
    """Point search at the real node with a prefix of its own; yields the client."""
    prefix = f"dvctt-test-{uuid.uuid4().hex[:10]}"
    with override_settings(ELASTICSEARCH_URL=elasticsearch_url, SEARCH_INDEX_PREFIX=prefix):
        client = get_client()
        yield client
        client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True, allow_no_indices=True)


@pytest.fixture
def search_index(search_node, seeded):
    """A built index holding the seeded catalogue; returns the alias name."""
    sync.rebuild()
    return sync.alias()


@pytest.fixture
def no_search_node(settings):
    """Search configured against a port where nothing listens: the node is down."""
    with override_settings(
        ELASTICSEARCH_URL="http://127.0.0.1:9", SEARCH_INDEX_PREFIX="dvctt-down"
    ):
        yield
