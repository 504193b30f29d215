"""The connection to the public search cluster, configured from `ELASTICSEARCH_URL`: one
node's address, or several separated by commas (`http://a:9200,http://b:9200`). The client
sends each request to one of them and, when a node does not answer, retries on another
(elastic-transport marks it dead for a while), so a cluster that lost a node keeps
answering."""

import functools

from django.conf import settings

from elasticsearch import Elasticsearch


def nodes(url):
    """The node addresses of an ELASTICSEARCH_URL."""
    return [part.strip() for part in url.split(",") if part.strip()]


@functools.cache
def _client(url):
    hosts = nodes(url)
    return Elasticsearch(
        hosts,
        request_timeout=10,
        retry_on_timeout=True,
        # Every other node once, then give up: the database answers searches meanwhile.
        max_retries=max(2, len(hosts)),
    )


def get_client():
    """The Elasticsearch client, or None when no node is configured (database search then)."""
    url = settings.ELASTICSEARCH_URL
    return _client(url) if url else None


def index_name(name):
    """Environment-scoped index name, so dev, test and production never share an index."""
    return f"{settings.SEARCH_INDEX_PREFIX}-{name}"
