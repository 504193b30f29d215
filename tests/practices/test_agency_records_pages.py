"""A unit's records table is paged, and every link to a record lands on its row.

A province of today holds its predecessors' and its departments' records: thousands, at the
national scale. The agency page lists them 50 to a page; a record's link
(`Adoption.get_absolute_url`, the matrix's cells, the gap list's peers) narrows the table to
the record's practice, so that the row it points at is on the page it opens.
"""

import datetime
import re

import pytest

from practices import queries
from practices.models import Agency, AgencyKind
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
ROW = re.compile(r'<tr id="ap-dung-(\d+)">')
MORE = queries.RECORDS_PER_PAGE + 5


@pytest.fixture
def crowded(reference_data):
    """Today's Bắc Ninh (24) with more records than a page holds: its own, and one of its
    predecessor Bắc Giang (24 until 30/6/2025) for the last practice."""
    bac_ninh = Agency.objects.resolve("24", D(2025, 7, 1))
    bac_giang = Agency.objects.resolve("24", D(2025, 6, 30))
    practices = [factories.practice(f"Giải pháp Phân trang {n:02d}") for n in range(MORE)]
    own = [factories.adoption(p, bac_ninh, "adopted", D(2025, 8, 1)) for p in practices]
    inherited = factories.adoption(practices[-1], bac_giang, "piloting", D(2024, 3, 1))
    return bac_ninh, practices, own, inherited


def rows(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return [int(pk) for pk in ROW.findall(response.content.decode())], response


def test_the_table_lists_one_page_at_a_time_and_every_record_once(client, crowded):
    bac_ninh, _, own, inherited = crowded
    lineage = queries.Lineage.load()
    records = set(queries.records_of({bac_ninh.id}, lineage).values_list("pk", flat=True))
    assert {a.pk for a in own} | {inherited.pk} <= records
    url = bac_ninh.get_absolute_url()
    first, response = rows(client, url)
    assert len(first) == queries.RECORDS_PER_PAGE
    html = response.content.decode()
    assert f"trên {len(records)}." in html and "Trang sau" in html
    second, _ = rows(client, f"{url}?trang=2")
    assert set(first).isdisjoint(second)
    assert set(first) | set(second) == records
    # A page number that is not one falls back to a page, never an error.
    assert rows(client, f"{url}?trang=abc")[0] == first


def test_a_records_link_opens_the_page_with_its_row(client, crowded):
    bac_ninh, practices, own, inherited = crowded
    last = own[-1]
    assert last.pk not in rows(client, bac_ninh.get_absolute_url())[0]  # not on page 1
    path, _, anchor = last.get_absolute_url().partition("#")
    shown, response = rows(client, path)
    assert anchor == f"ap-dung-{last.pk}" and last.pk in shown
    assert set(shown) == {last.pk, inherited.pk}  # that practice's records only (it is new)
    # The unit's number of records stays the whole of them (the same number everywhere).
    total = queries.records_of({bac_ninh.id}, queries.Lineage.load()).count()
    html = response.content.decode()
    assert f"Xem tất cả {total} ghi nhận" in html
    assert f'Giải pháp đã ghi nhận <span class="count">({total})</span>' in html
    # The predecessor's record, from its successor's matrix cell.
    matrix = client.get("/ma-tran/?pham-vi=tinh-thanh").content.decode()
    link = re.search(rf'href="([^"#]+)#ap-dung-{last.pk}"', matrix)
    assert link is not None
    assert last.pk in rows(client, link.group(1).replace("&amp;", "&"))[0]


def test_an_unknown_practice_shows_every_record(client, crowded):
    bac_ninh, *_ = crowded
    shown, response = rows(client, f"{bac_ninh.get_absolute_url()}?giai-phap=khong-co")
    assert len(shown) == queries.RECORDS_PER_PAGE
    assert "Xem tất cả" not in response.content.decode()


def test_a_department_record_links_to_its_own_unit(client, crowded):
    bac_ninh, practices, *_ = crowded
    department = factories.agency(
        "Sở Thử nghiệm Phân trang", kind=AgencyKind.DEPARTMENT, parent=bac_ninh
    )
    record = factories.adoption(practices[0], department, "adopted", D(2025, 9, 1))
    path, _, _ = record.get_absolute_url().partition("#")
    assert path.startswith(department.get_absolute_url())
    assert record.pk in rows(client, path)[0]
