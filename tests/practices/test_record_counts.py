"""One definition of a unit's records, shown the same everywhere.

A unit's records are the public adoptions of the unit itself, of its departments and of every
unit that became it (README, "Agencies change; records do not move"). The agency list, the
agency page, the matrix and the API each show how many a unit has; for the same unit they
must say the same number, the number the rule gives.
"""

import datetime
import re

from django.utils import timezone

import pytest

from practices import queries
from practices.models import Agency, AgencyKind
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
RULE = "gồm kết quả áp dụng của chính đơn vị, các đơn vị trực thuộc và các đơn vị tiền thân"

# slug: (matrix scope that has the unit as a row or None, records after `more_records`).
# The comment under each names what makes up the number (seed records, then those added).
UNITS = {
    "bac-ninh": ("tinh-thanh", 4),
    # Bắc Giang's 2 (seed), its own of 2026, one of a department of Bắc Giang; not its draft,
    # not its record of an unpublished practice.
    "ca-mau": ("tinh-thanh", 2),
    # the former Cà Mau's (seed), the former Bạc Liêu's.
    "can-tho": ("tinh-thanh", 3),
    # Sóc Trăng's 2 (seed, added), one of a department of today's Cần Thơ.
    "bo-nong-nghiep-va-moi-truong": ("bo-nganh", 2),
    # formed on 01/03/2025: Bộ Nông nghiệp và Phát triển nông thôn's (seed, an undated one).
    "bo-khoa-hoc-va-cong-nghe": ("bo-nganh", 4),
    # absorbed Bộ Thông tin và Truyền thông: its own 2 (seed, 2025), the absorbed ministry's
    # and its department's (Cục Chuyển đổi số quốc gia).
    "bo-nong-nghiep-va-phat-trien-nong-thon": ("bo-nganh-2021-2025", 2),
    # its seed record and an undated one: it ended by the matrix's date, so that one counts.
    "bo-thong-tin-va-truyen-thong": ("bo-nganh-2021-2025", 2),
    # its own and its department's; not Bộ Khoa học và Công nghệ's of 2025 (no roll back).
    "bac-giang-den-2025": ("tinh-thanh-2008-2025", 3),
    # its 2 (seed) and its department's; not today's Bắc Ninh's of 2026.
    "so-khoa-hoc-va-cong-nghe-thanh-pho-da-nang": (None, 2),
    # a department: its predecessor's (seed) and its own.
    "so-khoa-hoc-va-cong-nghe-thanh-pho-da-nang-den-2025": (None, 1),
}


def unit(slug):
    return Agency.objects.get(slug=slug)


@pytest.fixture
def more_records(seeded):
    practice = factories.practice("Giải pháp Đếm Thử")
    hidden = factories.practice("Giải pháp Chưa Công Bố")
    hidden.unpublish()

    bac_ninh = unit("bac-ninh")
    factories.adoption(practice, bac_ninh, decided_on=D(2026, 3, 1))
    factories.adoption(hidden, bac_ninh, decided_on=D(2026, 3, 1))
    factories.adoption(factories.practice("Giải pháp Nháp"), bac_ninh, live=False)
    department = factories.agency(
        "Sở Thử Nghiệm tỉnh Bắc Giang",
        kind=AgencyKind.DEPARTMENT,
        parent=unit("bac-giang-den-2025"),
        valid_to=D(2025, 6, 30),
    )
    factories.adoption(practice, department, decided_on=D(2024, 1, 10))

    factories.adoption(practice, unit("bac-lieu-den-2025"), decided_on=D(2023, 5, 2))

    factories.adoption(practice, unit("soc-trang-den-2025"), decided_on=D(2024, 2, 1))
    can_tho_department = factories.agency(
        "Sở Thử Nghiệm thành phố Cần Thơ",
        kind=AgencyKind.DEPARTMENT,
        parent=unit("can-tho"),
        valid_from=D(2025, 7, 1),
    )
    factories.adoption(practice, can_tho_department, decided_on=D(2025, 9, 1))

    # Made before dates were required of units that ended.
    factories.adoption(practice, unit("bo-nong-nghiep-va-phat-trien-nong-thon"), decided_on=None)

    factories.adoption(practice, unit("bo-thong-tin-va-truyen-thong"), decided_on=D(2024, 5, 1))
    factories.adoption(practice, unit("cuc-chuyen-doi-so-quoc-gia"), decided_on=D(2024, 6, 1))
    factories.adoption(
        factories.practice("Giải pháp Sau Hợp Nhất"),
        unit("bo-khoa-hoc-va-cong-nghe"),
        decided_on=D(2025, 5, 1),
    )

    factories.adoption(
        practice, unit("so-khoa-hoc-va-cong-nghe-thanh-pho-da-nang"), decided_on=D(2025, 10, 1)
    )


def row_of(html, agency):
    """The table row whose heading links to `agency`'s page."""
    link = f'href="{agency.get_absolute_url()}"'
    [row] = [row for row in html.split("<tr")[1:] if link in row.split("</th>", 1)[0]]
    return row


def on_date(agency):
    """A day the unit's code names it."""
    if agency.is_current:
        return timezone.localdate()
    return agency.valid_to


def agency_list_count(client, agency):
    response = client.get("/co-quan/", {"thoi-ky": "tat-ca", "q": agency.name})
    html = response.content.decode()
    assert RULE in html
    cell = re.search(
        r'data-label="Số ghi nhận áp dụng" class="num">(\d+)</td>', row_of(html, agency)
    )
    return int(cell.group(1))


def agency_page_count(client, agency):
    html = client.get(agency.get_absolute_url()).content.decode()
    assert RULE in html
    heading = re.search(r'id="ap-dung">Giải pháp đã ghi nhận <span class="count">\((\d+)\)', html)
    shown = len(re.findall(r'<tr id="ap-dung-\d+">', html))
    assert int(heading.group(1)) == shown
    return shown


def matrix_count(client, agency, scope):
    html = client.get("/ma-tran/", {"pham-vi": scope}).content.decode()
    assert RULE in html
    cell = re.search(r'class="matrix__total num matrix__records">(\d+)</td>', row_of(html, agency))
    return int(cell.group(1))


def api_counts(client, agency):
    on = on_date(agency).isoformat()
    adoptions = client.get(
        "/api/v1/adoptions/", {"current_agency": agency.code, "on": on, "page_size": 500}
    ).json()
    detail = client.get(f"/api/v1/agencies/{agency.slug}/").json()
    [listed] = [
        item
        for item in client.get("/api/v1/agencies/", {"q": agency.name, "page_size": 500}).json()[
            "results"
        ]
        if item["slug"] == agency.slug
    ]
    return {
        "adoptions?current_agency": adoptions["count"],
        "agencies/<slug>": detail["adoption_count"],
        "agencies?q": listed["adoption_count"],
    }


@pytest.mark.parametrize("slug", UNITS)
def test_every_page_and_the_api_give_a_unit_the_same_count(client, more_records, slug):
    scope, expected = UNITS[slug]
    agency = unit(slug)
    shown = {
        "/co-quan/": agency_list_count(client, agency),
        "/co-quan/<slug>/": agency_page_count(client, agency),
        **api_counts(client, agency),
    }
    if scope:
        shown["/ma-tran/"] = matrix_count(client, agency, scope)
    assert shown == dict.fromkeys(shown, expected)


def test_a_merger_counts_from_its_date_on(more_records):
    """On 28/02/2025 Bộ Thông tin và Truyền thông was still a ministry of its own: its records
    are in its row of that day's matrix, not also in Bộ Khoa học và Công nghệ's (which absorbed
    it on 01/03/2025), and in today's matrix they are Bộ Khoa học và Công nghệ's."""

    def rows(scope):
        matrix = queries.replication_matrix(scope)
        return {row.agency.slug: row.record_count for row in matrix.rows}

    before = rows("bo-nganh-2021-2025")
    assert before["bo-thong-tin-va-truyen-thong"] == 2
    # Its own record of 22/11/2022; the one of 01/05/2025 came after that day.
    assert before["bo-khoa-hoc-va-cong-nghe"] == 1
    assert rows("bo-nganh")["bo-khoa-hoc-va-cong-nghe"] == 4


def test_a_historic_matrix_leaves_out_an_undated_record_of_a_unit_still_existing(seeded):
    """An undated record is known to be of a day by which its unit had ended; of a unit that
    still exists, it may be of any day, so a snapshot of the past leaves it out."""
    practice = factories.practice("Giải pháp Không Ngày")
    factories.adoption(practice, unit("bo-cong-an"), decided_on=None)

    def count(scope):
        matrix = queries.replication_matrix(scope)
        return next(row.record_count for row in matrix.rows if row.agency.slug == "bo-cong-an")

    assert (count("bo-nganh-2021-2025"), count("bo-nganh")) == (0, 1)
