"""What the agency list and an agency page label "Mã" and "Thời kỳ": a code is a code (the
statistics code of a province), never a name identifier; a period is said in words, and the
list explains the words. The pages are in Vietnamese: no English name under the title."""

import re

import pytest

from practices.models import Agency

pytestmark = pytest.mark.django_db


def list_row(client, agency):
    html = client.get("/co-quan/", {"thoi-ky": "tat-ca", "q": agency.name}).content.decode()
    link = f'href="{agency.get_absolute_url()}"'
    [row] = [row for row in html.split("<tr")[1:] if link in row]
    return html, row


def cell(row, label):
    return re.search(rf'<td data-label="{label}">(.*?)</td>', row, re.S).group(1)


def test_a_province_shows_its_statistics_code_and_a_ministry_none(client, seeded):
    _, bac_ninh = list_row(client, Agency.objects.get(slug="bac-ninh"))
    assert cell(bac_ninh, "Mã") == "<code>24</code>"
    ministry = Agency.objects.get(slug="bo-cong-an")
    _, row = list_row(client, ministry)
    assert ministry.code not in cell(row, "Mã")
    assert "không có mã số" in cell(row, "Mã")
    page = client.get(ministry.get_absolute_url()).content.decode()
    [code] = re.findall(r"<dt>Mã</dt><dd>(.*?)</dd>", page, re.S)
    assert code.startswith("— ") and "không có mã số" in code


def test_a_department_code_made_of_its_name_is_not_shown_as_a_code(client, seeded):
    department = Agency.objects.filter(kind="department").exclude(code="").first()
    assert "-" in department.code
    _, row = list_row(client, department)
    assert "<code>" not in cell(row, "Mã")


@pytest.mark.parametrize(
    "slug, period",
    [
        ("bac-ninh", "từ 01/07/2025"),
        ("bac-giang-den-2025", "đến 30/06/2025"),
        ("bo-cong-an", "liên tục"),
    ],
)
def test_the_period_is_said_in_words_the_list_explains(client, seeded, slug, period):
    html, row = list_row(client, Agency.objects.get(slug=slug))
    assert cell(row, "Thời kỳ").startswith(period)
    legend = html[
        html.index('id="cach-doc-bang"') : html.index("</ul>", html.index("cach-doc-bang"))
    ]
    assert f"“{period}”" in legend


def test_no_english_name_on_an_agency_page(client, seeded):
    agency = Agency.objects.get(slug="bac-ninh")
    assert agency.name_en
    assert agency.name_en not in client.get(agency.get_absolute_url()).content.decode()
