"""Keeping search true to the database.

Saving or deleting a record marks it dirty; when the transaction commits, its search rows
are rebuilt from the database and pushed to Elasticsearch. The push may fail (node down or
unset): the write has already succeeded, and the rows stay pending until the next push.
Bulk operations suspend the per-record path and refresh once at the end, in bulk: every row
(`refresh_all`), or only the rows of the records the block touched (`refresh_touched`). Either
way a row is rebuilt from the database, stored only if it changed, and then pending; a row
whose record is no longer public becomes a pending tombstone.
"""

import contextlib
import functools
import hashlib
import itertools
import logging
import threading
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from elasticsearch import ApiError, TransportError
from elasticsearch.helpers import BulkIndexError, streaming_bulk

from kb.bulk import insert_rows
from kb.models import KnowledgePage
from ops.pagecache import invalidate
from practices.models import Adoption, AdoptionResult, Agency, PracticePage
from search import documents
from search.client import get_client, index_name
from search.models import SearchDocument

logger = logging.getLogger(__name__)
_state = threading.local()
PUSH_BATCH = 2000
ROW_FIELDS = [*documents.INDEXED_FIELDS]
STORED_COLUMNS = ["key", *ROW_FIELDS]  # of a new row; the others take their defaults


def alias():
    """The alias public search reads; the index behind it changes on every rebuild."""
    return index_name("content")


def _pending():
    if not hasattr(_state, "pending"):
        _state.pending = set()
        _state.suspended = 0
        _state.touched = set()  # (kind, pk) seen inside the current bulk block
        _state.everything = False  # a block of the current nest asked for refresh_all
    return _state


def schedule(kind, pk):
    """Mark a record dirty; its rows are rebuilt once the surrounding transaction commits.

    The flush is registered on every call: after a rollback the earlier registration is
    gone, and a flush of an empty set costs nothing. Keys left behind by a rolled-back
    transaction are rebuilt with the next commit, from the database as it then is.
    Inside a bulk block the record is only noted, for the block's own refresh.
    """
    state = _pending()
    if state.suspended:
        state.touched.add((kind, pk))
        return
    state.pending.add((kind, pk))
    # robust: a failure is logged, never raised into the request that saved.
    transaction.on_commit(flush, robust=True)


def touch(kind, pks):
    """Mark records written without signals (`bulk_create`, `bulk_update`, `update`) dirty,
    as saving each of them would."""
    state = _pending()
    keys = {(kind, pk) for pk in pks}
    if state.suspended:
        state.touched |= keys
    elif keys:
        state.pending |= keys
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
    _request_push()


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


def _batches(values):
    """`values`, sorted, in lists that fit one `__in` lookup.

    PostgreSQL takes them all in one statement, so the queries of a refresh do not grow with
    the records; SQLite caps the parameters of a statement.
    """
    values = sorted(values)
    size = connection.features.max_query_params or len(values) or 1
    return [values[start : start + size] for start in range(0, len(values), size)]


def _digest(values):
    """A fingerprint of a row's indexed fields, so that a refresh of 50,000 rows compares
    them without holding the stored text in memory."""
    canonical = tuple(v if v is None or type(v) is int else str(v) for v in values)
    return hashlib.blake2b(repr(canonical).encode(), digest_size=16).digest()


def _stored(keys=None):
    """{key: (pk, deleted, digest)} of the stored rows; all of them when `keys` is None."""
    stored = {}
    for batch in [None] if keys is None else _batches(keys):
        docs = SearchDocument.objects.all()
        if batch is not None:
            docs = docs.filter(key__any=batch)
        for pk, key, deleted, *values in docs.values_list(
            "pk", "key", "deleted", *ROW_FIELDS
        ).iterator(chunk_size=PUSH_BATCH):
            stored[key] = (pk, deleted, _digest(values))
    return stored


def _store(rows, stored, progress=None, stream=False):
    """Write the `rows` that differ from `stored` (see `_stored`) as pending; the stored rows
    that `rows` no longer has become pending tombstones. Returns (written, removed).

    With `stream`, rows with a new key go to the database as they come (see `insert_rows`:
    `rows` must not query); otherwise the changed rows are gathered first. A changed row is
    deleted and inserted again rather than updated in place: an UPDATE of thousands of rows
    through `bulk_update` is a CASE per column, far slower than an INSERT. Nothing refers to
    a row's pk (push_pending finds pending rows by `indexed_at` and marks the ones it read),
    so the new pk is harmless.
    """
    seen, replaced, again = set(), [], []
    written = 0

    def new_rows():
        nonlocal written
        for row in rows:
            seen.add(row["key"])
            old = stored.get(row["key"])
            if old is None:
                written += 1
                yield [row[name] for name in STORED_COLUMNS]
            elif old[1] or old[2] != _digest([row[f] for f in ROW_FIELDS]):
                replaced.append(old[0])
                again.append([row[name] for name in STORED_COLUMNS])
            if progress:
                progress(row)

    new = new_rows() if stream else iter(list(new_rows()))
    first = next(new, None)
    if first is not None:
        insert_rows(SearchDocument, STORED_COLUMNS, itertools.chain([first], new))
    for batch in _batches(replaced):
        SearchDocument.objects.filter(pk__any=batch).delete()
    if again:
        insert_rows(SearchDocument, STORED_COLUMNS, again)
    gone = [pk for key, (pk, deleted, _) in stored.items() if key not in seen and not deleted]
    now = timezone.now()  # update() skips auto_now
    for batch in _batches(gone):
        SearchDocument.objects.filter(pk__any=batch).update(
            deleted=True, indexed_at=None, updated_at=now
        )
    return written + len(again), len(gone)


def refresh_all(progress=None):
    """Rebuild every search row from the database; only rows that changed become pending.

    Returns (written, removed). `progress` is called with each row, for progress bars.
    """
    return _store(documents.public_rows(), _stored(), progress=progress)


def refresh_touched(touched):
    """Rebuild the rows of the touched records, (kind, pk), and of what their text depends
    on, as `flush` would record by record, with a number of queries that does not grow with
    the records. Only rows that changed become pending. Returns (written, removed).
    """
    pks = defaultdict(set)
    for kind, pk in touched:
        pks[kind].add(pk)
    practices, agencies, guidance = pks["practice"], pks["agency"], pks["guidance"]
    adoptions = set(pks["adoption"])
    for batch in _batches(agencies):
        # Departments carry their parent's name in their text.
        agencies = agencies | set(
            Agency.objects.filter(parent__any=batch).values_list("pk", flat=True)
        )
    for field, related in (("practice", practices), ("agency", agencies)):
        for batch in _batches(related):
            adoptions |= set(
                Adoption.objects.filter(**{f"{field}__any": batch}).values_list("pk", flat=True)
            )
    scope = {
        f"{kind}:{pk}"
        for kind, kind_pks in (
            ("practice", practices),
            ("agency", agencies),
            ("adoption", adoptions),
            ("guidance", guidance),
        )
        for pk in kind_pks
    }
    if not scope:
        return 0, 0
    stored = _stored(scope)
    rows = _touched_rows(practices, agencies, adoptions, guidance)
    return _store(rows, stored, stream=True)


def _touched_rows(practices, agencies, adoptions, guidance):
    """The public rows among these records, built as `documents.public_rows` builds them.

    Every query is made before the first row is returned, so that the rows can stream into
    the database (see `_store`). Practices, agencies and guidance pages are few; adoptions
    can be tens of thousands and are built one at a time.
    """
    rows = []
    for batch in _batches(practices):
        pages = PracticePage.objects.live().filter(pk__in=batch)
        for page in pages.select_related("category").prefetch_related("sources"):
            rows.append(documents.practice_row(page))
    for batch in _batches(agencies):
        for agency in Agency.objects.filter(pk__in=batch).select_related("parent"):
            rows.append(documents.agency_row(agency))
    for batch in _batches(guidance):
        pages = KnowledgePage.objects.live().filter(pk__in=batch).specific()
        for page in pages.prefetch_related("tags"):
            rows.append(documents.guidance_row(page))
    adoption_rows = [
        _adoption_row_stream(Adoption.objects.public().filter(pk__any=batch))
        for batch in _batches(adoptions)
    ]
    return itertools.chain(rows, *adoption_rows)


# What documents.adoption_row reads of an adoption itself (any other field would be read
# with a query per adoption), in the model's order, as Model.from_db takes them.
ADOPTION_ROW_FIELDS = [
    field.attname
    for field in Adoption._meta.concrete_fields
    if field.attname
    in {"id", "practice_id", "agency_id", "status", "decided_on", "instrument", "notes"}
]


def _adoption_row_stream(adoptions):
    """Rows of `adoptions` (a queryset), from four queries made now, whatever their number.

    `select_related` would build an agency and a practice page per adoption, and
    `prefetch_related` under `iterator()` queries once per chunk: agencies, pages and results
    are read once each and shared. The adoptions are read as tuples (a few MB for 50,000)
    and become model instances one at a time, as their rows are built.
    """
    values = list(adoptions.order_by("pk").values_list(*ADOPTION_ROW_FIELDS))
    agency_at, practice_at = (ADOPTION_ROW_FIELDS.index(f) for f in ("agency_id", "practice_id"))
    agencies = {
        unit.pk: unit
        for unit in Agency.objects.filter(pk__in={v[agency_at] for v in values}).select_related(
            "parent"
        )
    }
    for unit in agencies.values():
        # reverse() once per unit rather than once per adoption (Adoption.get_absolute_url).
        unit.get_absolute_url = functools.partial(str, unit.get_absolute_url())
    pages = {
        page.pk: page
        for page in PracticePage.objects.filter(
            pk__in={v[practice_at] for v in values}
        ).select_related("category")
    }
    results = defaultdict(list)
    for result in (
        AdoptionResult.objects.filter(adoption__in=adoptions)
        .select_related("indicator")
        .order_by("pk")
    ):
        results[result.adoption_id].append(result)

    alias = adoptions.db

    def rows():
        for row in values:
            adoption = Adoption.from_db(alias, ADOPTION_ROW_FIELDS, row)
            adoption.agency = agencies[adoption.agency_id]
            adoption.practice = pages[adoption.practice_id]
            yield documents.adoption_row(adoption, results.get(adoption.pk, ()))

    return rows()


@contextlib.contextmanager
def bulk_changes(touched_only=False):
    """Suspend per-record indexing; refresh the rows once, in bulk, when the block ends.

    By default every row is rebuilt (`refresh_all`). With `touched_only`, only the rows of
    the records touched inside the block: those whose save or delete signals fired, and
    those named with `touch` (records written without signals). Blocks nest: the outermost
    refreshes, everything if any of them asked for it. A block that raises refreshes nothing.
    """
    state = _pending()
    if not state.suspended:
        state.touched, state.everything = set(), False
    state.everything = state.everything or not touched_only
    state.suspended += 1
    try:
        yield
    finally:
        state.suspended -= 1
        if not state.suspended:
            touched, state.touched = state.touched, set()
    if not state.suspended:
        if state.everything:
            refresh_all()
        else:
            refresh_touched(touched)
        transaction.on_commit(_request_push, robust=True)


def _request_push():
    from search.tasks import request_push  # the task module imports this one

    request_push()


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
        if sent:
            # Searches cached before the push are stale once the index shows the rows, not
            # before: a search answered in between would be cached with the old index.
            client.indices.refresh(index=index)
    except (TransportError, ApiError, BulkIndexError) as error:
        logger.warning("Search node unreachable; %s rows stay pending: %s", sent, error)
        if sent:  # some batches reached the index: searches show them once it refreshes
            with contextlib.suppress(TransportError, ApiError):
                client.indices.refresh(index=index)
            invalidate()
        return None
    if sent:
        invalidate()
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
    invalidate()  # the searches cached from the old index
    for index in old:
        client.indices.delete(index=index, ignore_unavailable=True)
    SearchDocument.objects.filter(deleted=True, updated_at__lt=started).delete()
    SearchDocument.objects.filter(indexed_at__isnull=True, updated_at__lt=started).update(
        indexed_at=timezone.now()
    )
    SearchDocument.objects.filter(updated_at__gte=started).update(indexed_at=None)
    push_pending(name)
    return name, count
