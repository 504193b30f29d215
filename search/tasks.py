"""Pushing pending search rows to the cluster, outside the request that wrote them.

A change writes its rows as pending in the database (`search.sync`) and asks for this task once
its transaction commits. The worker sends every pending row; when the cluster cannot take them
(no node answers, the index is missing) the rows stay pending and the task asks to run again
after `SEARCH_PUSH_RETRY_SECONDS`, until the cluster is back and the lag that `search_health`
shows has fallen to zero. `search_sync` does the same by hand.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from django_tasks import task

from search import sync
from search.client import get_client
from search.models import SearchDocument

BACKEND = "background"


@task(backend=BACKEND, queue_name="search")
def push_search_rows():
    sent = sync.push_pending()
    pending = SearchDocument.objects.filter(indexed_at__isnull=True).count()
    if sent is None and pending:
        request_push(retry=True)
    return {"sent": sent, "pending": pending}


def _queued(backend):
    """A push still waiting for a worker will see the rows committed before it runs."""
    if not backend.supports_defer:  # the immediate backend: nothing ever waits
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        backend_name=BACKEND, task_path=push_search_rows.module_path, status="READY"
    ).exists()


def request_push(retry=False):
    """Queue one push, unless search is in the database or one is already waiting."""
    if get_client() is None:
        return
    backend = push_search_rows.get_backend()
    if _queued(backend):
        return
    if retry and backend.supports_defer:
        delay = datetime.timedelta(seconds=settings.SEARCH_PUSH_RETRY_SECONDS)
        push_search_rows.using(run_after=timezone.now() + delay).enqueue()
    elif not retry:
        push_search_rows.enqueue()
