"""Keeping search true to the database.

Saving or deleting a record marks it dirty; when the transaction commits, its search rows
are rebuilt from the database and pushed to Elasticsearch. The push may fail (node down or
unset): the write has already succeeded, and the rows stay pending until the next push.
Bulk operations suspend the per-record path and refresh everything once at the end.
"""

import contextlib
import logging
import threading

from django.db import transaction
from django.utils import timezone

from elasticsearch import ApiError, TransportError
from elasticsearch.helpers import BulkIndexError, streaming_bulk

from kb.models import KnowledgePage
from practices.models import Adoption, Agency, PracticePage
from search import documents
from search.client import get_client, index_name
from search.models import SearchDocument

logger = logging.getLogger(__name__)
_state = threading.local()
PUSH_BATCH = 2000
ROW_FIELDS = [*documents.INDEXED_FIELDS]


def alias():
    """The alias public search reads; the index behind it changes on every rebuild."""
    return index_name("content")


def _pending():
    if not hasattr(_state, "pending"):
        _state.pending = set()
        _state.suspended = 0
    return _state


def schedule(kind, pk):
    """Mark a record dirty; its rows are rebuilt once the surrounding transaction commits.

    The flush is registered on every call: after a rollback the earlier registration is
    gone, and a flush of an empty set costs nothing. Keys left behind by a rolled-back
    transaction are rebuilt with the next commit, from the database as it then is.
    """
    state = _pending()
    if state.suspended:
        return
    state.pending.add((kind, pk))
    # robust: a failure is logged, never raised into the request that saved.
    transaction.on_commit(flush, robust=True)


def flush():
    state = _pending()
    dirty, state.pending = state.pending, set()
    if dirty:
        apply_changes(dirty)


def _rows_for(kind, pk):
    """(rows to write, keys to remove) for one dirty record and what its text depends on."""
    rows, removed = [], []
    if kind == "practice":
        page = PracticePage.objects.filter(pk=pk).select_related("category").first()
        adoptions = Adoption.objects.filter(practice_id=pk)
        if page and page.live:
            rows.append(documents.practice_row(page))
            rows += [documents.adoption_row(a) for a in _adoption_rows(adoptions.public())]
            hidden = adoptions.filter(live=False)
        else:
            removed.append(f"practice:{pk}")
            hidden = adoptions
        removed += [f"adoption:{a}" for a in hidden.values_list("pk", flat=True)]
    elif kind == "agency":
        agency = Agency.objects.filter(pk=pk).select_related("parent").first()
        if agency:
            # Departments carry their parent's name in their text.
            units = [agency, *agency.children.select_related("parent")]
            rows += [documents.agency_row(unit) for unit in units]
            adoptions = Adoption.objects.public().filter(agency__in=[u.pk for u in units])
            rows += [documents.adoption_row(a) for a in _adoption_rows(adoptions)]
        else:
            removed.append(f"agency:{pk}")
    elif kind == "adoption":
        adoption = _adoption_rows(Adoption.objects.public().filter(pk=pk)).first()
        if adoption:
            rows.append(documents.adoption_row(adoption))
        else:
            removed.append(f"adoption:{pk}")
    elif kind == "guidance":
        page = KnowledgePage.objects.filter(pk=pk).first()
        if page and page.live:
            rows.append(documents.guidance_row(page))
        else:
            removed.append(f"guidance:{pk}")
    return rows, removed


def _adoption_rows(queryset):
    return queryset.select_related(
        "agency", "agency__parent", "practice", "practice__category"
    ).prefetch_related("results__indicator")


def apply_changes(dirty):
    rows, removed = [], []
    for kind, pk in dirty:
        more_rows, more_removed = _rows_for(kind, pk)
        rows += more_rows
        removed += more_removed
    write_rows(rows, removed)
    push_pending()


def write_rows(rows, removed_keys):
    """Store prepared rows as pending; removed keys become pending tombstones."""
    for row in rows:
        SearchDocument.objects.update_or_create(
            key=row["key"], defaults={**row, "deleted": False, "indexed_at": None}
        )
    if removed_keys:
        # `update()` skips auto_now: set updated_at, which rebuild and push_pending compare.
        SearchDocument.objects.filter(key__in=removed_keys).update(
            deleted=True, indexed_at=None, updated_at=timezone.now()
        )


def refresh_all(progress=None):
    """Rebuild every search row from the database; only rows that changed become pending.

    Returns (written, removed). `progress` is called with each row, for progress bars.
    """
    existing = {
        doc["key"]: doc
        for doc in SearchDocument.objects.values("pk", "key", "deleted", *ROW_FIELDS)
    }
    seen, changed = set(), []
    for row in documents.public_rows():
        seen.add(row["key"])
        old = existing.get(row["key"])
        if old is None or old["deleted"] or any(old[f] != row[f] for f in ROW_FIELDS):
            changed.append(row)
        if progress:
            progress(row)
    SearchDocument.objects.bulk_create(
        [SearchDocument(**row) for row in changed if row["key"] not in existing],
        batch_size=1000,
    )
    now = timezone.now()  # bulk_update() and update() skip auto_now
    SearchDocument.objects.bulk_update(
        [
            SearchDocument(
                pk=existing[row["key"]]["pk"], **row, deleted=False, indexed_at=None, updated_at=now
            )
            for row in changed
            if row["key"] in existing
        ],
        fields=[*ROW_FIELDS, "deleted", "indexed_at", "updated_at"],
        batch_size=1000,
    )
    gone = [key for key, doc in existing.items() if key not in seen and not doc["deleted"]]
    SearchDocument.objects.filter(key__in=gone).update(
        deleted=True, indexed_at=None, updated_at=now
    )
    return len(changed), len(gone)


@contextlib.contextmanager
def bulk_changes():
    """Suspend per-record indexing; refresh all rows once, in bulk, when the block ends."""
    state = _pending()
    state.suspended += 1
    try:
        yield
    finally:
        state.suspended -= 1
    if not state.suspended:
        refresh_all()
        transaction.on_commit(push_pending, robust=True)


def _actions(docs, index):
    for doc in docs:
        if doc.deleted:
            yield {"_op_type": "delete", "_index": index, "_id": doc.key}
        else:
            row = {f: getattr(doc, f) for f in documents.INDEXED_FIELDS}
            yield {"_index": index, "_id": doc.key, "_source": documents.to_elasticsearch(row)}


def push_pending(index=None):
    """Send pending rows to the node. Returns how many were sent, or None if it is unreachable."""
    client = get_client()
    if client is None:
        return None
    index = index or alias()
    sent = 0
    try:
        if not client.indices.exists(index=index):
            logger.warning("Search index %s does not exist; run search_rebuild.", index)
            return None
        while True:
            batch = list(SearchDocument.objects.filter(indexed_at__isnull=True)[:PUSH_BATCH])
            if not batch:
                break
            for ok, item in streaming_bulk(
                client, _actions(batch, index), raise_on_error=False, raise_on_exception=True
            ):
                result = next(iter(item.values()))
                if not ok and not (result.get("status") == 404 and "delete" in item):
                    raise BulkIndexError("Elasticsearch refused a document", [item])
            # A row written again after it was read stays pending for the next batch. (The
            # bound is taken from the rows, not this host's clock, so a skew cannot spin here.)
            sent_before = {"updated_at__lte": max(d.updated_at for d in batch)}
            SearchDocument.objects.filter(
                pk__in=[d.pk for d in batch if not d.deleted], **sent_before
            ).update(indexed_at=timezone.now())
            SearchDocument.objects.filter(
                pk__in=[d.pk for d in batch if d.deleted], deleted=True, **sent_before
            ).delete()
            sent += len(batch)
    except (TransportError, ApiError, BulkIndexError) as error:
        logger.warning("Search node unreachable; %s rows stay pending: %s", sent, error)
        return None
    return sent


def rebuild(progress=None):
    """Build a fresh index from the database, point the alias at it, drop the old one.

    Readers keep using the old index until the alias moves in one atomic step. Returns
    (new index name, documents indexed). `progress` is called as progress(done, total).
    """
    client = get_client()
    if client is None:
        raise RuntimeError("ELASTICSEARCH_URL chưa được đặt.")
    refresh_all()
    # Rows written from here on may miss the snapshot below (or reach only the old index):
    # they are pushed again to the new index once the alias has moved.
    started = timezone.now()
    name = f"{alias()}-{started:%Y%m%d%H%M%S%f}"
    docs = SearchDocument.objects.filter(deleted=False).order_by("pk")
    total = docs.count()
    documents.ContentDocument._index.clone(name=name).create(using=client)
    count = 0
    try:
        if progress:
            progress(0, total)
        for _ in streaming_bulk(
            client, _actions(docs.iterator(chunk_size=PUSH_BATCH), name), chunk_size=1000
        ):
            count += 1
            if progress:
                progress(count, max(total, count))
        client.indices.refresh(index=name)
    except BaseException:
        # Never leave a half-built index behind; the alias still points at the old one.
        with contextlib.suppress(TransportError, ApiError):
            client.indices.delete(index=name, ignore_unavailable=True)
        raise

    old = []
    if client.indices.exists_alias(name=alias()):
        old = list(client.indices.get_alias(name=alias()))
    elif client.indices.exists(index=alias()):
        # A concrete index squats the alias name (created before aliases were used).
        client.indices.delete(index=alias())
    client.indices.update_aliases(
        actions=[{"add": {"index": name, "alias": alias()}}]
        + [{"remove": {"index": index, "alias": alias()}} for index in old]
    )
    for index in old:
        client.indices.delete(index=index, ignore_unavailable=True)
    SearchDocument.objects.filter(deleted=True, updated_at__lt=started).delete()
    SearchDocument.objects.filter(indexed_at__isnull=True, updated_at__lt=started).update(
        indexed_at=timezone.now()
    )
    SearchDocument.objects.filter(updated_at__gte=started).update(indexed_at=None)
    push_pending(name)
    return name, count
