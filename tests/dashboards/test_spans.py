"""The overview's stored spans (dashboards.spans) are always those of the records: every write
that changes them makes them stale, and stale ones are computed again, never read."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from dashboards import spans
from dashboards.models import SpanState
from practices import reach
from practices.history import History
from practices.models import (
    PROVINCIAL_KINDS,
    Adoption,
    AdoptionStatus,
    AdoptionStep,
    Agency,
    PracticePage,
)
from tests import factories

D = datetime.date
pytestmark = pytest.mark.django_db


def live_ids():
    return list(PracticePage.objects.live().values_list("pk", flat=True))


def stored():
    """The stored reach, and whether reading it had to read any step."""
    with CaptureQueriesContext(connection) as queries:
        found = spans.stored_reach(History.load_units(), live_ids())
    read_steps = any("practices_adoptionstep" in q["sql"] for q in queries.captured_queries)
    return found, read_steps


def assert_as_computed():
    """The stored reach equals the one computed from every record now, both when it is brought
    up to date and when it is read back without reading a step."""
    loaded = History.load(details=False)
    adopted, reached = loaded.reach(spans.KINDS, *spans.STAGES)
    for attempt in range(2):
        found, read_steps = stored()
        assert found.adopted.periods == adopted.periods
        assert found.adopted_or_piloting.periods == reached.periods
        assert found.first_day == loaded.first_change_date()
        if attempt == 1:
            assert not read_steps, "fresh spans are read back, not computed"


BEFORE_THE_REFORM = D(2025, 3, 1)


def province(code):
    """The province of `code` before 1/7/2025."""
    units = Agency.objects.filter(kind__in=PROVINCIAL_KINDS, code=code)
    return units.valid_on(BEFORE_THE_REFORM).get()


def test_every_kind_of_change_makes_the_stored_spans_stale(reference_data):
    practice = factories.practice("Giải pháp Khoảng")
    other = factories.practice("Giải pháp Khác")
    assert_as_computed()

    # A record, then a later step of it (saved as the admin does).
    record = factories.adoption(practice, province("24"), "piloting", D(2024, 5, 1))
    assert_as_computed()
    record.status, record.decided_on = AdoptionStatus.ADOPTED, D(2025, 2, 1)
    record.save()
    assert_as_computed()

    # A step written on its own, then deleted.
    step = AdoptionStep.objects.create(
        adoption=record, status=AdoptionStatus.DISCONTINUED, on=D(2025, 9, 1)
    )
    assert_as_computed()
    step.delete()
    assert_as_computed()

    # The record moved to another practice: both practices' spans change.
    record.practice = other
    record.save()
    assert_as_computed()

    # A record taken down (a draft), and deleted.
    record.live = False
    record.save()
    assert_as_computed()
    record.live = True
    record.save()
    factories.adoption(practice, province("01"), "adopted", D(2023, 1, 1)).delete()
    assert_as_computed()

    # The practice page unpublished, then published again.
    factories.adoption(practice, province("01"), "adopted", D(2023, 1, 1))
    assert_as_computed()
    page = PracticePage.objects.get(pk=practice.pk)
    page.unpublish()
    assert_as_computed()
    page.save_revision().publish()
    assert_as_computed()


def test_a_change_to_the_units_makes_every_practices_spans_stale(reference_data):
    practice = factories.practice("Giải pháp Đơn vị")
    unit = province("24")
    factories.adoption(practice, unit, "adopted", D(2024, 5, 1))
    assert_as_computed()
    # The unit ends earlier: its record counts until then only, and not for its successor.
    unit.valid_to = D(2024, 12, 31)
    unit.save()
    assert_as_computed()
    # A department of another unit, whose record counts for that unit.
    department = factories.agency("Sở Thử", code="", kind="department", parent=province("01"))
    factories.adoption(practice, department, "piloting", D(2024, 8, 1))
    assert_as_computed()
    department.parent = province("02")
    department.save()
    assert_as_computed()
    succession = factories.succession(province("02"), province("01"), D(2025, 7, 1))
    assert_as_computed()
    succession.delete()
    assert_as_computed()


def test_an_import_makes_its_practices_spans_stale(reference_data):
    from practices.resources import import_adoptions

    slug = "tro-ly-ao-huong-dan-dvctt"
    Adoption.objects.filter(practice__slug=slug).delete()
    assert_as_computed()
    data = (
        "Sáng kiến,Cơ quan,Trạng thái,Ngày quyết định\n"
        f"{slug},Tỉnh Bắc Giang,Đã áp dụng,15/03/2022\n"
    ).encode()
    report = import_adoptions(data, file_format="csv")
    assert report.ok, [str(e) for e in report.errors]
    assert_as_computed()


def test_spans_whose_records_change_while_they_are_computed_are_not_kept(
    reference_data, monkeypatch
):
    practice = factories.practice("Giải pháp Đang tính")
    factories.adoption(practice, province("24"), "adopted", D(2024, 5, 1))
    computing = reach.periods

    def a_write_meanwhile(*args, **kwargs):
        found = computing(*args, **kwargs)
        spans.mark_changed([practice.pk])  # a record changed after the steps were read
        return found

    monkeypatch.setattr(reach, "periods", a_write_meanwhile)
    stored()
    monkeypatch.setattr(reach, "periods", computing)
    state = SpanState.objects.get(key=spans.practice_key(practice.pk))
    assert state.computed == "", "computed under a token that has changed since: not kept"
    _, read_steps = stored()
    assert read_steps


def test_a_practice_without_any_record_has_no_span_and_no_first_day(reference_data):
    practice = factories.practice("Giải pháp Chưa ai")
    found = spans.stored_reach(History.load_units(), [practice.pk])
    assert found.adopted.count(practice.pk, D(2026, 1, 1), spans.KINDS) == 0
    assert found.first_day is None
