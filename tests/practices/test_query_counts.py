"""Public pages run a fixed number of SQL queries, whatever the number of agencies and
adoptions: the count is measured at two data sizes and must not move."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from practices.models import Adoption, Agency, AgencyKind, PracticePage, Succession


def grow(n_units):
    """Add `n_units` merged provinces, each with a predecessor and adoptions of every practice."""
    practices = list(PracticePage.objects.live())
    merged_from = []
    for i in range(n_units):
        old = Agency.objects.create(
            slug=f"tinh-gia-{i}-den-2025",
            code=f"G{i}",
            name=f"Tỉnh Giả {i}",
            kind=AgencyKind.PROVINCE,
            valid_to=datetime.date(2025, 6, 30),
            region="Tây Nguyên",
        )
        new = Agency.objects.create(
            slug=f"tinh-gia-{i}",
            code=f"G{i}",
            name=f"Tỉnh Giả {i}",
            kind=AgencyKind.PROVINCE,
            valid_from=datetime.date(2025, 7, 1),
            region="Tây Nguyên",
        )
        merged_from.append(Succession(predecessor=old, successor=new, effective_on=new.valid_from))
        Adoption.objects.bulk_create(
            [
                Adoption(
                    practice=p, agency=old, status="adopted", decided_on=datetime.date(2023, 1, 1)
                )
                for p in practices
            ]
            + [
                Adoption(
                    practice=p, agency=new, status="piloting", decided_on=datetime.date(2025, 8, 1)
                )
                for p in practices
            ]
        )
    Succession.objects.bulk_create(merged_from)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def page_urls():
    practice = PracticePage.objects.live().get(slug="giao-chi-tieu-dvctt")
    da_nang = Agency.objects.resolve("48")
    return [
        "/ma-tran/",
        "/ma-tran/?pham-vi=tinh-thanh-2008-2025",
        "/ma-tran/?pham-vi=bo-nganh",
        "/ma-tran/?pham-vi=bo-nganh-2021-2025",
        practice.url,
        da_nang.get_absolute_url(),
        "/sang-kien/",
        "/sang-kien/?vung=T%C3%A2y+Nguy%C3%AAn&trang-thai=adopted",
        "/co-quan/",
        "/",
        "/api/v1/adoptions/?current_agency=48",
        "/api/v1/agencies/",
        "/api/v1/practices/",
    ]


@pytest.mark.django_db
def test_query_count_does_not_grow_with_data(client, seeded):
    urls = page_urls()
    client.get("/")  # warm per-process caches (site root paths)
    small = {url: count_queries(client, url) for url in urls}
    grow(60)
    large = {url: count_queries(client, url) for url in urls}
    assert large == small
    # The matrix itself is a handful of queries, not one per row or cell.
    assert small["/ma-tran/"] <= 12
