"""What the search_* commands share: reaching the node, and Elasticsearch-specific helpers."""

import contextlib
import logging
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import CommandError

from elasticsearch import ApiError, TransportError

from search.client import nodes


@contextlib.contextmanager
def quiet_transport():
    """Hide the client's retry warnings and their tracebacks: a command that cannot reach the
    node says so itself, in one Vietnamese sentence."""
    logger = logging.getLogger("elastic_transport")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def node_address():
    """ELASTICSEARCH_URL's nodes without any user name or password, for messages."""
    shown = []
    for url in nodes(settings.ELASTICSEARCH_URL):
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        shown.append(urlunsplit((parts.scheme, host, parts.path, "", "")))
    return ", ".join(shown)


def unreachable(error):
    return CommandError(
        f"Không kết nối được máy chủ tìm kiếm Elasticsearch tại {node_address()}: {error}. "
        "Kiểm tra máy chủ đã chạy chưa (make services) và biến ELASTICSEARCH_URL."
    )


def cluster_health(client):
    """The node's cluster health, or a CommandError saying in Vietnamese that it is down."""
    try:
        return client.cluster.health()
    except (TransportError, ApiError) as error:
        raise unreachable(error) from error


def decimal(value, places=1):
    """1.5 -> "1,5"."""
    return f"{value:,.{places}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
