"""Shared fixtures. Tests that need a real service fail in CI when it is missing, and are
skipped elsewhere, so `make test` passes on a machine with nothing but Python.

A test that uses a service carries its marker (`postgres`, `elasticsearch`, `redis`,
`objectstore`), so that `-m "not elasticsearch"` leaves out exactly those: it is added here to
every test that asks for the service's fixture, directly or through another fixture, and the
fixture refuses a test that reached it without the marker (one that asked with
`request.getfixturevalue` must carry it itself, e.g. as a mark of the fixture parameter that
asks)."""

import os
import shutil

from django.core.management import call_command

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(available, what):
    if available:
        return
    message = f"{what} is not available"
    if IN_CI:
        pytest.fail(f"{message}; CI must run this test against the real service.")
    pytest.skip(f"{message} (run `make services` to start it)")


# fixture -> the marker every test using it carries
SERVICE_MARKERS = {
    "elasticsearch_url": "elasticsearch",
    "elasticsearch_cluster_url": "elasticsearch_cluster",
    "postgres": "postgres",
    "redis_url": "redis",
    "objectstore_url": "objectstore",
}


def pytest_collection_modifyitems(items):
    for item in items:
        for fixture, marker in SERVICE_MARKERS.items():
            if fixture in item.fixturenames and item.get_closest_marker(marker) is None:
                item.add_marker(marker)


def require_marker(request, fixture):
    marker = SERVICE_MARKERS[fixture]
    if request.node.get_closest_marker(marker) is None:
        pytest.fail(
            f"{request.node.nodeid} uses the `{fixture}` fixture without "
            f"@pytest.mark.{marker}: mark the test (or the parameter that asks for it)."
        )


@pytest.fixture
def elasticsearch_cluster_url(request):
    """The three nodes of scripts/services/es-cluster.sh (ELASTICSEARCH_CLUSTER_URL)."""
    require_marker(request, "elasticsearch_cluster_url")
    url = os.environ.get("ELASTICSEARCH_CLUSTER_URL", "")
    require_service(bool(url), "the Elasticsearch cluster (ELASTICSEARCH_CLUSTER_URL)")
    return url


@pytest.fixture
def elasticsearch_url(request):
    require_marker(request, "elasticsearch_url")
    url = os.environ.get("ELASTICSEARCH_URL", "")
    require_service(bool(url), "Elasticsearch (ELASTICSEARCH_URL)")
    return url


@pytest.fixture
def redis_url(request):
    """The Redis server of REDIS_URL. The suite's own default cache stays in memory whatever
    REDIS_URL says (kb/settings/test.py); tests that want Redis configure it themselves."""
    require_marker(request, "redis_url")
    url = os.environ.get("REDIS_URL", "")
    require_service(bool(url), "Redis (REDIS_URL)")
    return url


@pytest.fixture
def objectstore_url(request):
    """The S3-compatible server of scripts/services/objectstore.sh (OBJECT_STORAGE_URL). Tests
    make buckets of their own there and point the storages at them themselves."""
    require_marker(request, "objectstore_url")
    url = os.environ.get("OBJECT_STORAGE_URL", "")
    require_service(bool(url), "the object store (OBJECT_STORAGE_URL)")
    return url


@pytest.fixture
def postgres(request, db):
    from django.db import connection

    require_marker(request, "postgres")
    require_service(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    return connection


@pytest.fixture(scope="session")
def chromium_path():
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    require_service(bool(path) and os.path.exists(path), "Chromium (CHROMIUM_PATH)")
    return path


def _load_seed():
    with open(os.devnull, "w") as quiet:
        call_command("load_seed", stdout=quiet)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the seed once into the test database; each test then runs in a rolled-back
    transaction on top of it."""
    with django_db_blocker.unblock():
        _load_seed()


@pytest.fixture
def seeded(db):
    """The reference data and the demo catalogue, loaded by the same command as `make run`."""
    from kb.models import Source

    # A transactional test before this one may have flushed the database.
    if not Source.objects.exists():
        _load_seed()


@pytest.fixture
def reference_data(seeded):
    """Provinces, central agencies and their successions (comes with the seed)."""


@pytest.fixture(autouse=True)
def fresh_search_sync_state():
    """Each test rolls its transaction back; dirty keys it left must not leak into the next."""
    from search import sync

    sync._state.__dict__.clear()
