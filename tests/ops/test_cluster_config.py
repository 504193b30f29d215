"""ELASTICSEARCH_URL with several nodes (search/client.py): each is a host of the client,
and messages name them all without their passwords."""

from search.client import _client, nodes
from search.management import node_address


def test_every_node_of_the_url_is_a_host_of_the_client():
    url = "http://127.0.0.1:9210, http://127.0.0.1:9211,,http://127.0.0.1:9212"
    assert nodes(url) == [f"http://127.0.0.1:{port}" for port in (9210, 9211, 9212)]
    pool = _client(url).transport.node_pool
    assert sorted(node.base_url for node in pool.all()) == nodes(url)


def test_messages_name_the_nodes_without_their_passwords(settings):
    settings.ELASTICSEARCH_URL = "https://user:secret@a.example:9200,https://b.example:9200/"
    assert node_address() == "https://a.example:9200, https://b.example:9200/"
