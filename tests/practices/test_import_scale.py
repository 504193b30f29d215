"""Adoption imports of many rows: what they write in bulk (adoptions, revisions, history,
search rows) and that their queries do not grow with the rows, the search refresh included."""

import datetime
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import ModelLogEntry, Revision

import pytest

from practices.models import Adoption, Agency
from practices.resources import import_adoptions
from practices.text import normalise
from search.models import SearchDocument

pytestmark = pytest.mark.django_db

PRACTICES = [
    "giao-chi-tieu-dvctt",
    "chuan-hoa-trai-nghiem-nguoi-dung-dvctt",
    "giam-phi-le-phi-dvctt",
    "uu-tien-tra-ket-qua-som-ho-so-truc-tuyen",
    "thi-diem-dich-vu-khong-tiep-nhan-ho-so-giay",
    "tro-ly-ao-huong-dan-dvctt",
]


def csv_file(n, changed=()):
    """`n` rows, one per (practice, province) pair; rows at the indices `changed` differ."""
    agencies = list(Agency.objects.provincial().valid_on(datetime.date(2022, 1, 1)))
    pairs = [(p, a) for p in PRACTICES for a in agencies][:n]
    assert len(pairs) == n
    lines = ["practice,agency,status,decided_on,notes"]
    for i, (practice, agency) in enumerate(pairs):
        status, notes = ("đã áp dụng", "Mở rộng Quorvath") if i in changed else ("thí điểm", "")
        lines.append(f"{practice},{agency.name},{status},01/02/2022,{notes}")
    return "\n".join(lines).encode()


@pytest.fixture
def no_adoptions(seeded, settings):
    settings.ELASTICSEARCH_URL = ""
    Adoption.objects.all().delete()


def rows_of(adoptions):
    return {
        doc.key: doc
        for doc in SearchDocument.objects.filter(key__in=[f"adoption:{a.pk}" for a in adoptions])
    }


def test_an_import_writes_revisions_history_and_search_rows_in_bulk(no_adoptions):
    report = import_adoptions(csv_file(150), file_format="csv")
    assert report.ok and (report.new, report.updated) == (150, 0)

    adoptions = list(Adoption.objects.select_related("agency", "practice"))
    assert len(adoptions) == 150
    ids = [str(a.pk) for a in adoptions]
    revisions = {
        int(r.object_id): r
        for r in Revision.objects.filter(content_type__model="adoption", object_id__in=ids)
    }
    logs = {
        int(e.object_id): e
        for e in ModelLogEntry.objects.filter(content_type__model="adoption", object_id__in=ids)
    }
    rows = rows_of(adoptions)
    for adoption in adoptions:
        revision = revisions[adoption.pk]
        assert adoption.latest_revision_id == revision.pk
        assert revision.content["status"] == "piloting"
        assert revision.content["pk"] == adoption.pk
        assert revision.object_str == str(adoption)
        log = logs[adoption.pk]
        assert (log.action, log.revision_id) == ("wagtail.create", revision.pk)
        row = rows[f"adoption:{adoption.pk}"]
        assert row.title == normalise(f"{adoption.agency.name}: {adoption.practice.title}")
        assert (row.status, row.year, row.deleted, row.indexed_at) == (
            "piloting",
            2022,
            False,
            None,
        )
    assert adoptions[0].created_at and adoptions[0].updated_at


def test_a_second_import_writes_only_what_changed(no_adoptions):
    import_adoptions(csv_file(150), file_format="csv")
    SearchDocument.objects.update(indexed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    before = {a.pk: a for a in Adoption.objects.all()}
    stored = rows_of(before.values())

    changed = set(range(0, 150, 10))
    report = import_adoptions(csv_file(150, changed=changed), file_format="csv")
    assert report.ok and (report.new, report.updated, report.unchanged) == (0, 15, 135)

    after = {a.pk: a for a in Adoption.objects.all()}
    rows = rows_of(after.values())
    edited = {pk for pk, a in after.items() if a.status == "adopted"}
    assert len(edited) == 15
    for pk, adoption in after.items():
        key = f"adoption:{pk}"
        revisions = Revision.objects.filter(object_id=str(pk), content_type__model="adoption")
        if pk in edited:
            newest = revisions.order_by("-created_at", "-pk").first()
            assert revisions.count() == 2 and adoption.latest_revision_id == newest.pk
            assert newest.content["notes"] == "Mở rộng Quorvath"
            assert adoption.updated_at > before[pk].updated_at
            assert ModelLogEntry.objects.filter(object_id=str(pk), action="wagtail.edit").exists()
            assert "Quorvath" in rows[key].body and rows[key].indexed_at is None
        else:
            assert revisions.count() == 1
            assert adoption.updated_at == before[pk].updated_at
            # The row was not written again: same row, still marked as sent.
            assert rows[key].pk == stored[key].pk and rows[key].indexed_at is not None


def queries(data):
    with CaptureQueriesContext(connection) as captured:
        report = import_adoptions(data, file_format="csv")
    assert report.ok
    return len(captured)


def test_queries_do_not_grow_with_the_rows(postgres, no_adoptions):
    counts = {}
    for n in (30, 300):
        Adoption.objects.all().delete()
        new = queries(csv_file(n))
        changed = queries(csv_file(n, changed=set(range(0, n, 3))))
        unchanged = queries(csv_file(n, changed=set(range(0, n, 3))))
        counts[n] = (new, changed, unchanged)
    # On PostgreSQL every bulk write is one statement whatever the rows (COPY, or one
    # statement for many parameter sets), the search refresh included.
    assert counts[30] == counts[300], counts


def test_new_adoptions_never_take_the_id_of_a_deleted_one(no_adoptions):
    """Wagtail finds a record's revisions and history by its id: an id used again would show
    the deleted record's past on the new one."""
    deleted = set(
        ModelLogEntry.objects.filter(content_type__model="adoption").values_list(
            "object_id", flat=True
        )
    )
    assert deleted  # the seed's adoptions, deleted by the fixture, left their history

    assert import_adoptions(csv_file(150), file_format="csv").ok

    new = {str(pk) for pk in Adoption.objects.values_list("pk", flat=True)}
    assert len(new) == 150 and not new & deleted


def test_an_imported_revision_holds_what_wagtail_would_serialise(no_adoptions):
    """The importer writes revisions from the rows' values, not from instances: their content
    must be what Wagtail's own `save_revision` stores, so that the history, the compare view
    and `revision.as_object()` read them as they read the admin's."""
    assert import_adoptions(csv_file(6), file_format="csv").ok

    for adoption in Adoption.objects.all():
        revision = adoption.latest_revision
        wagtail = json.loads(json.dumps(adoption.serializable_data(), cls=DjangoJSONEncoder))
        # Taken before the adoption pointed at its revision, as save_revision does; and
        # serializable_data() stamps updated_at with the time of the call.
        for moving in ("latest_revision", "updated_at"):
            wagtail.pop(moving)
            revision.content.pop(moving)
        assert revision.content == wagtail
        assert revision.as_object().status == adoption.status
