"""The system's queues as the background-work page shows them to superusers: the task results
of django-tasks-db (every e-mail delivery, search push, import, export and snapshot), counted
per queue and status, the last failures, and what waits."""

import dataclasses

from django.conf import settings
from django.db.models import Count

BACKEND = "background"
TASKS = {
    "ops.mail.deliver": "Gửi thư điện tử",
    "search.tasks.push_search_rows": "Đẩy dữ liệu tìm kiếm",
    "imports.tasks.run_import": "Nhập dữ liệu",
    "ops.jobs.run_export": "Xuất dữ liệu",
    "ops.jobs.run_snapshot": "Bản sao dữ liệu",
}
QUEUES = {
    "imports": "Công việc dài (nhập, xuất, bản sao)",
    "mail": "Thư điện tử",
    "search": "Tìm kiếm",
    "default": "Khác",
}
STATUSES = {
    "READY": "Đang chờ",
    "RUNNING": "Đang chạy",
    "SUCCESSFUL": "Thành công",
    "FAILED": "Không thành công",
}


@dataclasses.dataclass
class Failure:
    task: str
    queue: str
    finished_at: object
    exception: str  # the exception's class, without its module
    line: str  # the first line of its message


@dataclasses.dataclass
class Overview:
    counts: list  # (queue label, [(status label, count) for each of STATUSES])
    failures: list
    mail_waiting: int
    mail_failed: int
    pushes_waiting: int
    search_pending: int | None  # rows not yet in the cluster (None: search in the database)


def uses_database():
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends[BACKEND], DatabaseBackend)


def _message_line(exception_class_path, traceback):
    """The first line of the exception's message, from the last lines of its traceback
    ("module.Class: message")."""
    names = (exception_class_path, exception_class_path.rsplit(".", 1)[-1])
    for line in reversed(traceback.splitlines()):
        for name in names:
            if line == name:
                return ""
            if line.startswith(f"{name}: "):
                return line[len(name) + 2 :][:300]
    return ""


def overview(failures=10):
    """The queues' state, or None when the tasks run in the request (no queue to show)."""
    if not uses_database():
        return None
    from django_tasks_db.models import DBTaskResult

    from search.models import SearchDocument

    results = DBTaskResult.objects.filter(backend_name=BACKEND)
    by_queue = {}
    for row in results.values("queue_name", "status").annotate(n=Count("id")):
        by_queue.setdefault(row["queue_name"], {})[row["status"]] = row["n"]
    counts = [
        (
            QUEUES.get(queue, queue),
            [(label, by_queue[queue].get(status, 0)) for status, label in STATUSES.items()],
        )
        for queue in sorted(by_queue, key=lambda q: list(QUEUES).index(q) if q in QUEUES else 99)
    ]
    failed = results.filter(status="FAILED").order_by("-finished_at")[:failures]
    last = [
        Failure(
            TASKS.get(result.task_path, result.task_path),
            QUEUES.get(result.queue_name, result.queue_name),
            result.finished_at,
            result.exception_class_path.rsplit(".", 1)[-1],
            _message_line(result.exception_class_path, result.traceback),
        )
        for result in failed.only(
            "task_path", "queue_name", "finished_at", "exception_class_path", "traceback"
        )
    ]
    mail = results.filter(task_path="ops.mail.deliver")
    return Overview(
        counts=counts,
        failures=last,
        mail_waiting=mail.filter(status="READY").count(),
        mail_failed=mail.filter(status="FAILED").count(),
        pushes_waiting=results.filter(
            task_path="search.tasks.push_search_rows", status="READY"
        ).count(),
        search_pending=(
            SearchDocument.objects.filter(indexed_at__isnull=True).count()
            if settings.ELASTICSEARCH_URL
            else None
        ),
    )
