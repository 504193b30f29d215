"""Records made against a unit that no longer exists keep their history and roll up into the
successor, and never into another unit that happens to carry the same code."""

import datetime

import pytest

from practices import queries
from practices.models import Adoption, Agency
from tests import factories

ARTICLE_DATE = datetime.date(2022, 11, 22)


@pytest.fixture
def bac_giang_adoption(reference_data):
    bac_giang = Agency.objects.resolve("24", ARTICLE_DATE)
    return factories.adoption(factories.practice("Giao chỉ tiêu"), bac_giang)


def cell_for(matrix, agency, practice):
    row = next(row for row in matrix.rows if row.agency == agency)
    return row.cells[matrix.practices.index(practice)]


def test_2022_bac_giang_adoption_shows_under_todays_bac_ninh(bac_giang_adoption):
    bac_ninh = Agency.objects.resolve("24")
    matrix = queries.replication_matrix("tinh-thanh")
    cell = cell_for(matrix, bac_ninh, bac_giang_adoption.practice)
    assert cell.status == "adopted"
    # Labelled with the unit that made the record.
    assert cell.adoption.agency.name == "Tỉnh Bắc Giang"


def test_bac_giang_adoption_never_lands_on_another_unit(bac_giang_adoption):
    practice = bac_giang_adoption.practice
    bac_ninh_today = Agency.objects.resolve("24")
    for scope in ("tinh-thanh", "tinh-thanh-2008-2025"):
        matrix = queries.replication_matrix(scope)
        holders = {
            (row.agency.name, cell_for(matrix, row.agency, practice).status)
            for row in matrix.rows
            if cell_for(matrix, row.agency, practice).adoption
        }
        holder = "Tỉnh Bắc Ninh" if scope == "tinh-thanh" else "Tỉnh Bắc Giang"
        expected = {(holder, "adopted")}
        assert holders == expected
    # Old Bắc Ninh (code 27) is a predecessor of today's Bắc Ninh too, but not of Bắc Giang.
    old_bac_ninh = Agency.objects.resolve("27", ARTICLE_DATE)
    assert old_bac_ninh.successors.get() == bac_ninh_today
    historic = queries.replication_matrix("tinh-thanh-2008-2025")
    assert cell_for(historic, old_bac_ninh, practice).adoption is None


def test_agency_page_of_successor_lists_inherited_adoption(client, bac_giang_adoption):
    bac_ninh = Agency.objects.resolve("24")
    profile = queries.agency_profile(bac_ninh)
    assert bac_giang_adoption.pk in {a.pk for a in profile.adoptions}
    # Everything Bắc Ninh shows today was recorded by its predecessors (seed and fixture).
    assert {a.agency.name for a in profile.adoptions} == {"Tỉnh Bắc Giang"}
    assert all(a.inherited for a in profile.adoptions)
    assert {a.name for a in profile.predecessors} == {"Tỉnh Bắc Giang", "Tỉnh Bắc Ninh"}
    response = client.get(bac_ninh.get_absolute_url())
    assert response.status_code == 200
    assert "Tỉnh Bắc Giang" in response.content.decode()


def test_historic_unit_keeps_its_record_and_names_its_successor(client, bac_giang_adoption):
    bac_giang = bac_giang_adoption.agency
    profile = queries.agency_profile(bac_giang)
    assert bac_giang_adoption.pk in {a.pk for a in profile.adoptions}
    assert not any(a.inherited for a in profile.adoptions)
    assert [s.name for s in profile.successors] == ["Tỉnh Bắc Ninh"]
    html = client.get(bac_giang.get_absolute_url()).content.decode()
    assert "Tỉnh Bắc Ninh" in html
    assert "30/06/2025" in html  # the end of its period


def test_practice_page_counts_a_rolled_up_unit_as_adopter(bac_giang_adoption):
    result = queries.practice_adoption(bac_giang_adoption.practice)
    assert [row.adoption.agency.name for row in result.adopters] == ["Tỉnh Bắc Giang"]
    assert [unit.name for unit in result.adopters[0].current_units] == ["Tỉnh Bắc Ninh"]
    not_adopted = {agency.name for agency in result.not_adopted}
    assert "Tỉnh Bắc Ninh" not in not_adopted
    assert "Tỉnh Lạng Sơn" in not_adopted
    # Only units that exist today are listed as not having adopted.
    assert "Tỉnh Bắc Giang" not in not_adopted


def test_chains_of_successions_roll_up_transitively(db):
    first = factories.agency("Tỉnh Cũ", valid_to=datetime.date(2010, 12, 31))
    middle = factories.agency(
        "Tỉnh Giữa", valid_from=datetime.date(2011, 1, 1), valid_to=datetime.date(2025, 6, 30)
    )
    last = factories.agency("Tỉnh Mới", valid_from=datetime.date(2025, 7, 1))
    factories.succession(first, middle, datetime.date(2011, 1, 1))
    factories.succession(middle, last)
    practice = factories.practice()
    factories.adoption(practice, first, decided_on=datetime.date(2009, 5, 1))
    matrix = queries.replication_matrix("tinh-thanh")
    assert cell_for(matrix, last, practice).adoption.agency == first


def test_adoption_must_name_a_unit_that_existed_on_the_decision_date(reference_data):
    bac_ninh_today = Agency.objects.resolve("24")
    adoption = Adoption(
        practice=factories.practice(),
        agency=bac_ninh_today,
        status="adopted",
        decided_on=ARTICLE_DATE,
    )
    with pytest.raises(Exception) as error:
        adoption.full_clean()
    assert "agency" in error.value.message_dict


def test_historic_matrix_shows_only_what_was_decided_by_its_date(reference_data):
    practice = factories.practice()
    ha_noi = Agency.objects.resolve("01")  # one continuous record across the reform
    factories.adoption(practice, ha_noi, decided_on=datetime.date(2026, 3, 1))
    assert cell_for(queries.replication_matrix("tinh-thanh"), ha_noi, practice).adoption
    historic = queries.replication_matrix("tinh-thanh-2008-2025")
    assert cell_for(historic, ha_noi, practice).adoption is None
