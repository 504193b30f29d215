"""The connection to the public search node, configured from `ELASTICSEARCH_URL`."""

import functools

from django.conf import settings

from elasticsearch import Elasticsearch


@functools.cache
def _client(url):
    return Elasticsearch(url, request_timeout=10, retry_on_timeout=True, max_retries=2)


def get_client():
    """The Elasticsearch client, or None when no node is configured (database search then)."""
    url = settings.ELASTICSEARCH_URL
    return _client(url) if url else None


def index_name(name):
    """Environment-scoped index name, so dev, test and production never share an index."""
    return f"{settings.SEARCH_INDEX_PREFIX}-{name}"
