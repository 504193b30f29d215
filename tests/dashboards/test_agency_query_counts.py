"""The agency dashboards run a fixed number of SQL queries whatever the data size: measured
at two sizes, each larger size showing more rows (peers, steps, practices)."""

import datetime

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from practices.models import PROVINCIAL_KINDS, Adoption, AdoptionStep, Agency
from tests import factories

ON = datetime.date(2025, 9, 1)


def grow(n):
    """`n` new practices, each adopted (after a pilot, two steps) by every current province
    but Hà Nội, and planned by Hà Nội's predecessor-free self."""
    provinces = list(
        Agency.objects.valid_on(ON).filter(kind__in=PROVINCIAL_KINDS).exclude(code="01")
    )
    ha_noi = Agency.objects.resolve("01", on=ON)
    for _ in range(n):
        practice = factories.practice()
        records = Adoption.objects.bulk_create(
            Adoption(
                practice=practice, agency=p, status="adopted", decided_on=datetime.date(2025, 8, 1)
            )
            for p in provinces
        )
        AdoptionStep.objects.bulk_create(
            step
            for record in records
            for step in (
                AdoptionStep(adoption=record, status="piloting", on=datetime.date(2025, 7, 15)),
                AdoptionStep(adoption=record, status="adopted", on=datetime.date(2025, 8, 1)),
            )
        )
        factories.adoption(
            practice, ha_noi, status="planned", decided_on=datetime.date(2025, 7, 20)
        )


def measure(client, url, params):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), len(response.content)


@pytest.mark.parametrize(
    "page, params",
    [
        ("agency", {"ngay": ON.isoformat()}),
        ("compare", {"ngay": ON.isoformat(), "voi": "ca-nuoc"}),
        ("compare", {"ngay": ON.isoformat(), "voi": "19"}),
    ],
)
def test_agency_pages_run_a_fixed_number_of_queries(client, seeded, page, params):
    ha_noi = Agency.objects.resolve("01", on=ON)
    if page == "agency":
        url = ha_noi.get_absolute_url()
    else:
        url = reverse("dashboards:agency_compare", args=[ha_noi.slug])
    if params.get("voi") == "19":
        params = {**params, "voi": Agency.objects.resolve("19", on=ON).slug}
    grow(1)
    small, small_size = measure(client, url, params)
    grow(4)
    large, large_size = measure(client, url, params)
    assert large == small
    assert large_size > small_size
