"""`/healthz` and `/readyz`, for a load balancer or a process manager.

- `/healthz` (liveness): the process answers. Nothing else is asked, so that a database that
  is down never makes the balancer restart healthy app servers.
- `/readyz` (readiness): this app server can serve now: the database answers and every
  migration is applied, the shared cache (Redis) stores and reads, and, when search is
  configured, the search cluster is reachable and not red. `200` when all hold, `503`
  otherwise; the JSON names each check and, for one that fails, why.

Both answer before any other middleware (`HealthMiddleware` comes first): a probe uses the
server's own address as its host, over plain HTTP, with no session, and must get neither a
`400` for the host nor a redirect to HTTPS.
"""

import json
import time
import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse

from search.client import get_client

_migrated = False  # once every migration is applied, they stay applied for this code


def _database():
    global _migrated
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if _migrated:
        return
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
        raise RuntimeError(f"{len(pending)} migration chưa áp dụng: {names}")
    _migrated = True


def _cache():
    key, value = "ops:readyz", uuid.uuid4().hex
    cache.set(key, value, 30)
    if cache.get(key) != value:
        raise RuntimeError("bộ nhớ đệm không trả lại giá trị vừa ghi")


def _search():
    client = get_client()
    if client is None:
        return "không dùng (tìm trong cơ sở dữ liệu)"
    health = client.options(request_timeout=2).cluster.health()
    if health["status"] == "red":
        raise RuntimeError("cụm Elasticsearch ở trạng thái red")
    return f"{health['status']}, {health['number_of_nodes']} node"


CHECKS = {"database": _database, "cache": _cache, "search": _search}


def readiness():
    """({check: {"ok": bool, "detail": text}}, all ok)."""
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail = check() or "ok"
            ok = True
        except Exception as error:  # noqa: BLE001 - every failure is a "not ready"
            detail, ok = f"{type(error).__name__}: {error}"[:300], False
        results[name] = {
            "ok": ok,
            "detail": detail,
            "ms": round(1000 * (time.perf_counter() - started)),
        }
    return results, all(result["ok"] for result in results.values())


def _json(data, status):
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), status=status, content_type="application/json"
    )
    response["Cache-Control"] = "no-store"
    return response


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return _json({"status": "ok"}, 200)
        if request.path == "/readyz":
            checks, ready = readiness()
            return _json(
                {"status": "ready" if ready else "not ready", "checks": checks},
                200 if ready else 503,
            )
        return self.get_response(request)
