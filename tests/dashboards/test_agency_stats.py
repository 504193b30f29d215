"""The per-agency dashboards: the gap list's peers (same region, bordering provinces of the
date's map), public records only, the timeline with inherited steps, the comparison with the
national average across 1/7/2025, `?ngay=`, and the bad parameters."""

import datetime
import re

from django.core.cache import cache
from django.urls import reverse

import pytest

from dashboards import agency_stats
from dashboards.agency_stats import BORDERING, SAME_REGION
from practices.history import History
from practices.models import AdoptionStep, Agency, AgencyKind
from tests import factories

BEFORE = datetime.date(2025, 6, 1)  # the 63 provinces
AFTER = datetime.date(2025, 9, 1)  # the 34


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def unit(code, on):
    return Agency.objects.resolve(code, on=on)


def adopt(practice, agency, on, status="adopted", **fields):
    return factories.adoption(practice, agency, status=status, decided_on=on, **fields)


def peers(agency, date, practice):
    history = History.load()
    gaps, _ = agency_stats.gap_list(history, history.agencies[agency.id], date, [practice])
    assert len(gaps) <= 1
    return {peer.unit.code: peer for peer in (gaps[0].peers if gaps else [])}


@pytest.fixture
def practice(seeded):
    return factories.practice("Giải pháp Thử Bảng Theo Dõi")


def test_peers_after_the_reform_are_the_region_and_the_34_unit_neighbours(practice):
    ha_noi = unit("01", AFTER)
    adopt(practice, unit("19", AFTER), datetime.date(2025, 8, 1))  # Thái Nguyên: borders
    adopt(practice, unit("31", AFTER), datetime.date(2025, 8, 2))  # Hải Phòng: same region
    adopt(practice, unit("96", AFTER), datetime.date(2025, 8, 3))  # Cà Mau: neither
    adopt(practice, unit("15", AFTER), datetime.date(2025, 8, 4))  # Lào Cai: neither
    found = peers(ha_noi, AFTER, practice)
    assert set(found) == {"19", "31"}
    assert found["19"].reasons == (BORDERING,)
    assert found["31"].reasons == (SAME_REGION,)
    assert found["19"].step.instrument == ""
    assert found["19"].record_url.endswith(f"#ap-dung-{found['19'].step.adoption_id}")


def test_peers_before_the_reform_use_the_63_unit_map(practice):
    ha_noi = unit("01", BEFORE)
    adopt(practice, unit("17", BEFORE), datetime.date(2024, 5, 1))  # Hòa Bình: borders (63)
    adopt(practice, unit("30", BEFORE), datetime.date(2024, 5, 2))  # Hải Dương: same region
    adopt(practice, unit("10", BEFORE), datetime.date(2024, 5, 3))  # Lào Cai: neither
    adopt(practice, unit("19", AFTER), datetime.date(2025, 8, 1))  # not yet on BEFORE
    found = peers(ha_noi, BEFORE, practice)
    assert set(found) == {"17", "30"}
    assert found["17"].reasons == (BORDERING,)
    assert found["30"].reasons == (SAME_REGION,)
    # After the reform, Hòa Bình's record counts under Phú Thọ, which borders Hà Nội in the 34.
    after = peers(ha_noi, AFTER, practice)
    assert after["25"].unit == unit("25", AFTER)
    assert after["25"].holder.code == "17"
    assert BORDERING in after["25"].reasons


def test_a_reused_code_borders_what_its_own_period_says(seeded):
    history = History.load()
    bac_giang = unit("24", BEFORE)
    found, rule = agency_stats.comparable_units(history, bac_giang, BEFORE)
    codes = {history.agencies[i].code: reasons for i, reasons in found.items()}
    assert codes["30"] == (BORDERING,)  # Hải Dương, a neighbour of Bắc Giang
    assert "31" not in codes  # Hải Phòng: neither region nor border of Bắc Giang
    bac_ninh = unit("24", AFTER)
    found, rule = agency_stats.comparable_units(history, bac_ninh, AFTER)
    codes = {history.agencies[i].code: reasons for i, reasons in found.items()}
    assert BORDERING in codes["31"]  # Hải Phòng now holds Hải Dương
    assert "30" not in codes
    assert {u.code for u in rule.bordering} == {"01", "19", "20", "22", "31", "33"}


@pytest.mark.parametrize("on, expected", [(datetime.date(2025, 2, 28), 21), (AFTER, None)])
def test_a_ministrys_peers_are_the_other_ministries_of_the_date(seeded, on, expected):
    history = History.load()
    ministry = Agency.objects.get(slug="bo-cong-an")
    found, rule = agency_stats.comparable_units(history, ministry, on)
    others = history.units_on(on, agency_stats.CENTRAL_KINDS)
    assert len(found) == len(others) - 1
    if expected:
        assert len(found) == expected
    assert ministry.id not in found
    assert all(reasons == (agency_stats.OTHER_MINISTRY,) for reasons in found.values())


def test_a_draft_adoption_of_a_peer_never_shows_nor_its_evidence(client, practice):
    ha_noi = unit("01", AFTER)
    adopt(
        practice,
        unit("19", AFTER),
        datetime.date(2025, 8, 1),
        live=False,
        evidence_url="https://example.org/ban-nhap-thai-nguyen.pdf",
        instrument="Dự thảo số 1/DT",
    )
    published = adopt(
        practice,
        unit("31", AFTER),
        datetime.date(2025, 8, 2),
        evidence_url="https://example.org/da-cong-bo.pdf",
        instrument="Quyết định số 7/QĐ-UBND",
    )
    # A newer draft of the published record must not leak either.
    published.evidence_url = "https://example.org/ban-nhap-moi.pdf"
    published.instrument = "Dự thảo số 2/DT"
    published.save_revision()
    assert set(peers(ha_noi, AFTER, practice)) == {"31"}
    html = client.get(ha_noi.get_absolute_url(), {"ngay": AFTER.isoformat()}).content.decode()
    assert "https://example.org/da-cong-bo.pdf" in html
    assert "Quyết định số 7/QĐ-UBND" in html
    for secret in ("ban-nhap-thai-nguyen", "Dự thảo số 1/DT", "ban-nhap-moi", "Dự thảo số 2/DT"):
        assert secret not in html


def test_the_timeline_holds_the_predecessors_steps_labelled_as_inherited(client, practice):
    phu_tho = unit("25", AFTER)
    hoa_binh = unit("17", BEFORE)
    record = adopt(practice, hoa_binh, datetime.date(2024, 1, 10), status="piloting")
    AdoptionStep.objects.create(
        adoption=record, status="adopted", on=datetime.date(2024, 5, 1), instrument="QĐ 5"
    )
    adopt(practice, phu_tho, datetime.date(2025, 8, 1), status="planned", instrument="KH 9")
    history = History.load()
    rows = agency_stats.timeline(history, history.agencies[phu_tho.id], AFTER, [practice])
    steps = [(s.status, s.on, s.holder.code, s.inherited) for s in rows[0].steps]
    assert steps == [
        ("piloting", datetime.date(2024, 1, 10), "17", True),
        ("adopted", datetime.date(2024, 5, 1), "17", True),
        ("planned", datetime.date(2025, 8, 1), "25", False),
    ]
    assert rows[0].current.status == "adopted"
    # Before the adoption, the step had not come yet.
    on = datetime.date(2024, 3, 1)
    rows = agency_stats.timeline(history, hoa_binh, on, [practice])
    assert [s.status for s in rows[0].steps] == ["piloting"]
    html = client.get(phu_tho.get_absolute_url(), {"ngay": AFTER.isoformat()}).content.decode()
    timeline = html[html.index('id="dien-bien"') : html.index('id="con-thieu"')]
    assert "kế thừa từ" in timeline and hoa_binh.name in timeline
    assert "KH 9" in timeline and "QĐ 5" in timeline


def comparison_row(html, practice):
    """The row of `practice` in the page's comparison table (not the chart's data table)."""
    table = html[html.index('class="data-table table-stack agency-comparison"') :]
    return re.search(rf"{re.escape(practice.title)}.*?</tr>", table, re.S).group(0)


def shares(client, agency, on, practice):
    url = reverse("dashboards:agency_compare", args=[agency.slug])
    html = client.get(url, {"voi": "ca-nuoc", "ngay": on.isoformat()}).content.decode()
    row = comparison_row(html, practice)
    return re.search(r"\((\d+)/(\d+) đơn vị\)", row).groups(), html


def test_the_national_average_changes_denominator_on_1_7_2025_without_double_counting(
    client, practice
):
    adopt(practice, unit("17", BEFORE), datetime.date(2024, 5, 1))  # Hòa Bình → Phú Thọ
    adopt(practice, unit("26", BEFORE), datetime.date(2024, 6, 1))  # Vĩnh Phúc → Phú Thọ
    adopt(practice, unit("19", BEFORE), datetime.date(2024, 2, 1))  # Thái Nguyên, continues
    (adopters, units), html = shares(client, unit("01", BEFORE), BEFORE, practice)
    assert (adopters, units) == ("3", "63")
    assert "trong 63 tỉnh, thành phố" in html
    (adopters, units), html = shares(client, unit("01", AFTER), AFTER, practice)
    assert (adopters, units) == ("2", "34")
    result = agency_stats.compare(unit("01", AFTER), None, AFTER)
    row = next(r for r in result.rows if r.practice.id == practice.id)
    assert row.theirs.percent == round(100 * 2 / 34, 1)


def test_two_agencies_side_by_side(client, practice):
    adopt(practice, unit("19", AFTER), datetime.date(2025, 8, 1), instrument="QĐ 1")
    adopt(practice, unit("01", AFTER), datetime.date(2025, 8, 5), status="piloting")
    url = reverse("dashboards:agency_compare", args=[unit("01", AFTER).slug])
    response = client.get(url, {"voi": unit("19", AFTER).slug, "ngay": AFTER.isoformat()})
    row = comparison_row(response.content.decode(), practice)
    assert "Thí điểm" in row and "05/08/2025" in row
    assert "Đã áp dụng" in row and "01/08/2025" in row


@pytest.mark.parametrize("value", ["2025-13-01", "abc", "2025-02-30", "9999-01-01", "x" * 500])
def test_a_malformed_date_is_told_in_vietnamese_on_both_pages(client, seeded, value):
    ha_noi = unit("01", AFTER)
    for url in (
        ha_noi.get_absolute_url(),
        reverse("dashboards:agency_compare", args=[ha_noi.slug]),
    ):
        response = client.get(url, {"ngay": value})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Ngày" in html and ('role="alert"' in html)


def test_a_unit_that_did_not_exist_on_the_date_links_its_predecessors_or_successors(client, seeded):
    phu_tho = unit("25", AFTER)
    hoa_binh = unit("17", BEFORE)
    html = client.get(phu_tho.get_absolute_url(), {"ngay": "2024-03-01"}).content.decode()
    assert "chưa được thành lập vào ngày 01/03/2024" in html
    assert f'href="{hoa_binh.get_absolute_url()}?ngay=2024-03-01"' in html
    url = reverse("dashboards:agency_compare", args=[hoa_binh.slug])
    html = client.get(url, {"ngay": AFTER.isoformat()}).content.decode()
    assert "đã chấm dứt hoạt động vào ngày 01/09/2025" in html
    assert f'href="{phu_tho.get_absolute_url()}?ngay=2025-09-01"' in html


def test_bad_comparison_parameters(client, seeded):
    ha_noi = unit("01", AFTER)
    url = reverse("dashboards:agency_compare", args=[ha_noi.slug])
    response = client.get(url, {"voi": "khong-co-don-vi-nay"})
    assert response.status_code == 200
    assert "Không tìm thấy đơn vị cần so sánh" in response.content.decode()
    response = client.get(url, {"tim": "bac ninh" * 100, "voi": "x" * 5000})
    assert response.status_code == 200
    assert client.get(reverse("dashboards:agency_compare", args=["khong-co"])).status_code == 404


def test_the_comparison_form_searches_names_folded(client, seeded):
    url = reverse("dashboards:agency_compare", args=[unit("01", AFTER).slug])
    html = client.get(url, {"tim": "bac ninh", "ngay": AFTER.isoformat()}).content.decode()
    select = html[html.index('id="so-sanh-voi"') : html.index("</select>")]
    assert "Tỉnh Bắc Ninh" in select
    assert "Cà Mau" not in select


def test_the_agency_pages_speak_no_english(client, practice):
    from tests.kb.english_strings import english_in

    adopt(practice, unit("19", AFTER), datetime.date(2025, 8, 1))
    ha_noi = unit("01", AFTER)
    compare = reverse("dashboards:agency_compare", args=[ha_noi.slug])
    for url, params in [
        (ha_noi.get_absolute_url(), {"ngay": AFTER.isoformat()}),
        (compare, {"ngay": AFTER.isoformat()}),
        (compare, {"ngay": "sai", "voi": unit("19", AFTER).slug}),
    ]:
        html = client.get(url, params).content.decode()
        assert not english_in(html), url


def test_the_timeline_counts_the_departments_records_and_links_to_them(client, practice):
    """A province has dozens of departments: the timeline lists its own and its predecessors'
    steps, and says how many records its departments have, with a link to them."""
    phu_tho = unit("25", AFTER)
    department = factories.agency(
        "Sở Thử nghiệm Dòng thời gian", kind=AgencyKind.DEPARTMENT, parent=phu_tho
    )
    adopt(practice, department, datetime.date(2025, 8, 3), instrument="QĐ Sở 12")
    history = History.load()
    rows = agency_stats.timeline(history, history.agencies[phu_tho.id], AFTER, [practice])
    assert rows[0].steps == [] and rows[0].department_records == 1
    assert rows[0].current.status == "adopted"  # the department's record counts for it
    html = client.get(phu_tho.get_absolute_url(), {"ngay": AFTER.isoformat()}).content.decode()
    timeline = html[html.index('id="dien-bien"') : html.index('id="con-thieu"')]
    assert "QĐ Sở 12" not in timeline
    assert "Các đơn vị trực thuộc có 1 ghi nhận" in timeline
    link = f"?giai-phap={practice.slug}&amp;ngay={AFTER.isoformat()}#ap-dung"
    assert link in timeline
    records = client.get(phu_tho.get_absolute_url(), {"giai-phap": practice.slug}).content.decode()
    assert "QĐ Sở 12" in records
