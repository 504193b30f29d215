"""`/healthz` and `/readyz` (ops/health.py): what a load balancer reads, on any host, over
plain HTTP; readiness fails, and says why, when the database lacks a migration, the cache
or the search node cannot be reached."""

import json

from django.test import override_settings

import pytest

from ops import health

pytestmark = pytest.mark.django_db


def answer(client, path, **extra):
    response = client.get(path, HTTP_HOST="10.0.0.7", **extra)
    return response.status_code, json.loads(response.content)


@override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["example.org"])
def test_liveness_answers_on_any_host_over_http(client):
    assert answer(client, "/healthz") == (200, {"status": "ok"})
    assert client.get("/", HTTP_HOST="10.0.0.7").status_code == 400  # the rest checks hosts


@override_settings(ELASTICSEARCH_URL="", SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["example.org"])
def test_ready_when_the_database_is_migrated_and_the_cache_answers(client):
    status, body = answer(client, "/readyz")
    assert status == 200, body
    assert body["status"] == "ready"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "cache": True,
        "search": True,
    }


def test_not_ready_while_a_migration_is_pending(client, monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    original = health.MigrationExecutor.migration_plan

    def with_one_pending(self, targets, clean_start=False):
        # The last migration of the search app, as if the code were newer than the database.
        leaf = max(key for key in self.loader.graph.leaf_nodes() if key[0] == "search")
        return [*original(self, targets, clean_start), (self.loader.graph.nodes[leaf], False)]

    monkeypatch.setattr(health.MigrationExecutor, "migration_plan", with_one_pending)
    status, body = answer(client, "/readyz")
    assert status == 503
    assert not body["checks"]["database"]["ok"]
    assert "search." in body["checks"]["database"]["detail"]


def test_not_ready_without_the_shared_cache(client):
    closed = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
    }
    with override_settings(CACHES={"default": closed}):
        status, body = answer(client, "/readyz")
    assert status == 503
    assert not body["checks"]["cache"]["ok"] and body["checks"]["database"]["ok"]


@override_settings(ELASTICSEARCH_URL="http://127.0.0.1:1")  # nothing listens there
def test_not_ready_without_the_search_cluster(client):
    status, body = answer(client, "/readyz")
    assert status == 503
    assert not body["checks"]["search"]["ok"]


@pytest.mark.redis
@override_settings(ELASTICSEARCH_URL="")
def test_ready_on_the_shared_redis_cache_as_production_configures_it(client, redis_url):
    from tests.kb.test_redis_cache import Keys, production_cache, use_cache

    prefix = "dvctt-test-readyz-"
    with use_cache(production_cache(redis_url), prefix):
        status, body = answer(client, "/readyz")
    Keys(redis_url, prefix).delete()
    assert status == 200 and body["checks"]["cache"]["ok"], body


@pytest.mark.elasticsearch
def test_ready_with_the_search_cluster(client, elasticsearch_url, settings):
    settings.ELASTICSEARCH_URL = elasticsearch_url
    status, body = answer(client, "/readyz")
    assert body["checks"]["search"]["ok"], body
    assert "node" in body["checks"]["search"]["detail"]
