"""A reporter reports for their agencies, the units that became them (today's Bắc Ninh for the
former Bắc Ninh and Bắc Giang, which merged into it on 1/7/2025) and the departments of all of
these, and for nothing else: not for another province's departments. Tried at each door: the
permission policy, the agency chooser, the adoption form, the list and the import; and the
date of a decision must fall in the chosen unit's period, or the error names the unit that
existed on that date."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

import pytest

from practices.models import Adoption, Agency
from practices.periods import labelled
from practices.resources import import_adoptions
from reporting.permissions import agency_scope, readable_agency_scope
from tests import factories
from tests.reporting.test_doors import csv_bytes, form_data, make_reporter

pytestmark = pytest.mark.django_db

ADMIN = "wagtailsnippets_practices_adoption"
AGENCY_CHOOSER = "wagtailsnippetchoosers_practices_agency"
ADOPTION_CHOOSER = "wagtailsnippetchoosers_practices_adoption"
BEFORE = datetime.date(2025, 6, 1)


@pytest.fixture
def units(seeded):
    """Today's Bắc Ninh, the two units that became it, a department of each side of the
    merger, and a department of another province (Lạng Sơn)."""
    bac_ninh = Agency.objects.resolve("24")
    old_bac_ninh = Agency.objects.resolve("27", BEFORE)
    bac_giang = Agency.objects.resolve("24", BEFORE)
    lang_son = Agency.objects.resolve("20")
    department = "department"
    return {
        "bac_ninh": bac_ninh,
        "old_bac_ninh": old_bac_ninh,
        "bac_giang": bac_giang,
        "new_department": factories.agency(
            "Sở Thử Nghiệm Bắc Ninh",
            kind=department,
            parent=bac_ninh,
            valid_from=datetime.date(2025, 7, 1),
        ),
        "old_department": factories.agency(
            "Sở Thử Nghiệm Bắc Giang",
            kind=department,
            parent=bac_giang,
            valid_to=datetime.date(2025, 6, 30),
        ),
        "foreign_department": factories.agency(
            "Sở Thử Nghiệm Lạng Sơn", kind=department, parent=lang_son
        ),
    }


OWN = ("bac_ninh", "old_bac_ninh", "bac_giang", "new_department", "old_department")


@pytest.fixture
def reporter(units):
    return make_reporter("baocao-bacninh", "24")


def pks(units, *names):
    return {units[name].pk for name in names}


def test_the_policy_reaches_the_predecessors_and_their_departments_not_another_provinces(
    reporter, units
):
    assert agency_scope(reporter) == pks(units, *OWN)
    assert readable_agency_scope(reporter) == pks(units, *OWN)


def test_an_ended_units_own_membership_still_grants_reading_only(units):
    call_command(
        "create_reporter", "baocao-bacgiang", "--agency", "24", "--on", "2025-06-01",
        "--password", "mat-khau-thu-2025", stdout=None,
    )  # fmt: skip
    former = get_user_model().objects.get(username="baocao-bacgiang")
    assert agency_scope(former) == set()
    assert readable_agency_scope(former) == pks(units, "bac_giang", "old_department")


# == The agency chooser ==


def chooser_rows(client, **params):
    response = client.get(reverse(f"{AGENCY_CHOOSER}:choose_results"), params)
    assert response.status_code == 200
    return response, list(response.context["results"].paginator.object_list)


def test_the_chooser_offers_a_reporter_their_units_labelled_with_their_periods(
    client, reporter, units
):
    client.force_login(reporter)
    response, rows = chooser_rows(client)
    assert {row.pk for row in rows} == pks(units, *OWN)
    html = response.content.decode()
    for label in (
        "Tỉnh Bắc Ninh (từ 01/07/2025)",
        "Tỉnh Bắc Ninh (đến 30/06/2025)",
        "Tỉnh Bắc Giang (đến 30/06/2025)",
        "Sở Thử Nghiệm Bắc Giang (đến 30/06/2025)",
    ):
        assert label in html
    assert "Lạng Sơn" not in html
    assert "Tên cơ quan, đơn vị (thời kỳ)" in html  # the column's heading, not "Tiêu đề"
    # Old and new Bắc Ninh side by side, each with its period.
    _, found = chooser_rows(client, q="bac ninh")
    assert {row.pk for row in found} == pks(units, "bac_ninh", "old_bac_ninh", "new_department")

    chosen = client.get(reverse(f"{AGENCY_CHOOSER}:chosen", args=[units["bac_ninh"].pk]))
    assert chosen.json()["result"]["string"] == "Tỉnh Bắc Ninh (từ 01/07/2025)"
    foreign = units["foreign_department"].pk
    assert client.get(reverse(f"{AGENCY_CHOOSER}:chosen", args=[foreign])).status_code == 404
    assert client.get(reverse(f"{AGENCY_CHOOSER}:chosen", args=["abc"])).status_code == 404
    several = client.get(
        reverse(f"{AGENCY_CHOOSER}:chosen_multiple"),
        {"id": [units["bac_giang"].pk, foreign]},
    )
    assert [item["id"] for item in several.json()["result"]] == [str(units["bac_giang"].pk)]


def test_national_users_are_offered_every_unit_with_the_same_labels(admin_client, units):
    response, rows = chooser_rows(admin_client)
    assert len(rows) == Agency.objects.count()
    _, found = chooser_rows(admin_client, q="Bac Ninh")
    assert [labelled(row) for row in found] == [
        "Tỉnh Bắc Ninh (đến 30/06/2025)",
        "Tỉnh Bắc Ninh (từ 01/07/2025)",
        "Sở Thử Nghiệm Bắc Ninh (từ 01/07/2025)",
    ]


# == The form ==


def test_the_form_takes_the_predecessors_and_departments_and_refuses_another_provinces(
    client, reporter, units
):
    client.force_login(reporter)
    form = client.get(reverse(f"{ADMIN}:add")).context["form"]
    assert {agency.pk for agency in form.fields["agency"].queryset} == pks(units, *OWN)
    assert form["agency"].value() is None  # several units: the reporter chooses
    for name, day in [("bac_giang", "2025-01-10"), ("old_department", "2025-03-01")]:
        practice = factories.practice()
        saved = client.post(
            reverse(f"{ADMIN}:add"), form_data(practice, units[name], decided_on=day)
        )
        assert saved.status_code == 302, saved.context["form"].errors
        assert Adoption.objects.get(practice=practice).agency == units[name]
    practice = factories.practice()
    refused = client.post(reverse(f"{ADMIN}:add"), form_data(practice, units["foreign_department"]))
    [message] = refused.context["form"].errors["agency"]
    assert message.startswith("Đơn vị này không thuộc phạm vi báo cáo của bạn.")
    assert "Hãy chọn một lựa chọn hợp lệ" not in message
    assert not Adoption.objects.filter(practice=practice).exists()


def test_the_form_shows_the_chosen_unit_with_its_period(client, reporter, units):
    record = factories.adoption(
        factories.practice(), units["bac_ninh"], live=False, decided_on=datetime.date(2025, 9, 1)
    )
    client.force_login(reporter)
    html = client.get(reverse(f"{ADMIN}:edit", args=[record.pk])).content.decode()
    assert "Tỉnh Bắc Ninh (từ 01/07/2025)" in html


def test_the_form_fills_in_the_only_unit_of_a_reporter(client, seeded):
    ha_noi = Agency.objects.resolve("01")
    assert agency_scope(make_reporter("baocao-hanoi", "01")) == {ha_noi.pk}
    client.force_login(make_reporter("baocao-hanoi", "01"))
    response = client.get(reverse(f"{ADMIN}:add"))
    assert response.context["form"]["agency"].value() == ha_noi.pk
    assert ha_noi.name in response.content.decode()


PREDECESSORS_ON_10_JANUARY = (
    "Ngày quyết định 10/01/2025 trước khi Tỉnh Bắc Ninh (từ 01/07/2025) bắt đầu; đơn vị lúc đó "
    "là Tỉnh Bắc Ninh (đến 30/06/2025) hoặc Tỉnh Bắc Giang (đến 30/06/2025): hãy {verb} đơn vị "
    "đã ra quyết định."
)


def test_a_date_outside_the_units_period_names_the_unit_of_that_date(client, reporter, units):
    client.force_login(reporter)
    practice = factories.practice()
    add = reverse(f"{ADMIN}:add")
    merged = client.post(add, form_data(practice, units["bac_ninh"], decided_on="2025-01-10"))
    assert merged.context["form"].errors["agency"] == [
        PREDECESSORS_ON_10_JANUARY.format(verb="chọn")
    ]
    ended = client.post(add, form_data(practice, units["old_bac_ninh"], decided_on="2025-08-01"))
    assert ended.context["form"].errors["agency"] == [
        "Ngày quyết định 01/08/2025 sau khi Tỉnh Bắc Ninh (đến 30/06/2025) kết thúc; đơn vị lúc "
        "đó là Tỉnh Bắc Ninh (từ 01/07/2025): hãy chọn đơn vị đó."
    ]
    # A department with no succession: no other unit to name.
    alone = client.post(add, form_data(practice, units["new_department"], decided_on="2025-01-10"))
    assert alone.context["form"].errors["agency"] == [
        "Ngày quyết định 10/01/2025 trước khi Sở Thử Nghiệm Bắc Ninh (từ 01/07/2025) bắt đầu; "
        "hãy chọn đơn vị tồn tại vào ngày đó."
    ]
    assert not Adoption.objects.filter(practice=practice).exists()


# == The list and the "Học tập từ" chooser ==


def test_the_list_and_the_source_chooser_hold_the_predecessors_records(client, reporter, units):
    practice = factories.practice()
    records = {name: factories.adoption(practice, units[name], live=False) for name in units}
    client.force_login(reporter)
    listed = {obj.pk for obj in client.get(reverse(f"{ADMIN}:list")).context["object_list"]}
    assert {records[name].pk for name in OWN} <= listed
    assert records["foreign_department"].pk not in listed
    own = Adoption.objects.filter(agency__in=pks(units, *OWN))
    assert listed == set(own.values_list("pk", flat=True))
    results = client.get(reverse(f"{ADOPTION_CHOOSER}:choose_results")).context["results"]
    offered = {obj.pk for obj in results.paginator.object_list}
    assert {records[name].pk for name in OWN} <= offered
    assert records["foreign_department"].pk not in offered
    edit = reverse(f"{ADMIN}:edit", args=[records["bac_giang"].pk])
    assert client.get(edit).status_code == 200
    foreign = reverse(f"{ADMIN}:edit", args=[records["foreign_department"].pk])
    assert client.get(foreign).status_code == 302  # back to the dashboard, refused


# == The import ==


def test_the_import_takes_the_predecessors_and_departments_and_refuses_another_provinces(
    reporter, units
):
    practice = factories.practice()
    row = f"{practice.slug},{{name}},thí điểm,{{day}},Quyết định số 3/QĐ-UBND,,,"
    accepted = import_adoptions(
        csv_bytes(
            row.format(name="Bắc Giang", day="10/01/2025"),
            row.format(name="Sở Thử Nghiệm Bắc Giang", day="10/01/2025"),
            row.format(name="Sở Thử Nghiệm Bắc Ninh", day="01/09/2025"),
        ),
        "csv",
        user=reporter,
    )
    assert accepted.ok, [str(error) for error in accepted.errors]
    assert set(Adoption.objects.filter(practice=practice).values_list("agency", flat=True)) == (
        pks(units, "bac_giang", "old_department", "new_department")
    )
    other = factories.practice()
    refused = import_adoptions(
        csv_bytes(f"{other.slug},Sở Thử Nghiệm Lạng Sơn,thí điểm,01/09/2025,Quyết định số 3/QĐ,,,"),
        "csv",
        user=reporter,
    )
    [error] = refused.errors
    assert error.row == 2
    assert error.reason.startswith("Bạn không được báo cáo cho cơ quan “Sở Thử Nghiệm Lạng Sơn”")
    assert not Adoption.objects.filter(practice=other).exists()


def test_an_imported_date_outside_the_units_period_names_the_unit_of_that_date(reporter, units):
    practice = factories.practice()
    data = f"practice,agency_slug,status,decided_on\n{practice.slug},{units['bac_ninh'].slug},"
    report = import_adoptions(f"{data}planned,10/01/2025\n".encode(), "csv", user=reporter)
    [error] = report.errors
    assert error.row == 2
    assert error.reason == PREDECESSORS_ON_10_JANUARY.format(verb="ghi").replace(
        "Tỉnh Bắc Ninh (từ 01/07/2025) bắt đầu", "Tỉnh Bắc Ninh (mã 24, 01/07/2025 – nay) bắt đầu"
    )
    assert not Adoption.objects.filter(practice=practice).exists()
