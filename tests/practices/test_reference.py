"""The reference data: provinces before and after 1/7/2025, central agencies before and after
1/3/2025, and how a (possibly reused) code resolves to one unit at a given date."""

import datetime
import os

from django.core.exceptions import ValidationError
from django.core.management import call_command

import pytest

from practices.models import Agency, AgencyKind, Succession
from practices.reference import read_csv

LAST_OLD_DAY = datetime.date(2025, 6, 30)
FIRST_NEW_DAY = datetime.date(2025, 7, 1)
ARTICLE_DATE = datetime.date(2022, 11, 22)

REUSED_CODES = ["15", "24", "44", "52", "80", "82", "91"]

pytestmark = pytest.mark.django_db


def _succession_rows():
    return read_csv("province_succession_2025.csv")


def test_code_24_is_bac_giang_in_2022_and_bac_ninh_today(reference_data):
    then = Agency.objects.resolve("24", ARTICLE_DATE)
    now = Agency.objects.resolve("24")

    assert then.name == "Tỉnh Bắc Giang"
    assert then.valid_to == LAST_OLD_DAY
    assert now.name == "Tỉnh Bắc Ninh"
    assert now.valid_from == FIRST_NEW_DAY
    assert now.valid_to is None


def test_resolve_uses_inclusive_bounds_on_the_reform_day(reference_data):
    assert Agency.objects.resolve("24", LAST_OLD_DAY).name == "Tỉnh Bắc Giang"
    assert Agency.objects.resolve("24", FIRST_NEW_DAY).name == "Tỉnh Bắc Ninh"


def test_reused_codes_are_exactly_the_seven_expected():
    old = {row["code"]: row for row in read_csv("provinces_2008_2025.csv")}
    new = {row["code"]: row for row in read_csv("provinces_2025.csv")}
    # A code is "reused" when, after the reform, it names a differently named province.
    reused = {
        code for code in old.keys() & new.keys() if old[code]["full_name"] != new[code]["full_name"]
    }
    assert sorted(reused) == REUSED_CODES


@pytest.mark.parametrize("code", REUSED_CODES)
def test_reused_code_resolves_to_different_units_before_and_after_the_reform(reference_data, code):
    before = Agency.objects.resolve(code, LAST_OLD_DAY)
    after = Agency.objects.resolve(code, FIRST_NEW_DAY)

    assert before.pk != after.pk
    assert before.name != after.name
    assert before.valid_to == LAST_OLD_DAY
    assert after.valid_from == FIRST_NEW_DAY
    # The old unit's records roll up into the unit that now carries its code.
    assert list(before.successors.all()) == [after]


def test_the_eleven_unchanged_units_are_one_record_each(reference_data):
    unchanged = [row for row in _succession_rows() if row["relation"] == "unchanged"]
    assert len(unchanged) == 11

    for row in unchanged:
        assert row["old_code"] == row["new_code"]
        units = Agency.objects.provincial().filter(code=row["old_code"])
        assert units.count() == 1, row["old_name"]
        unit = units.get()
        assert unit.is_valid_on(LAST_OLD_DAY) and unit.is_valid_on(FIRST_NEW_DAY), unit
        assert unit.valid_to is None
        assert not unit.successors.exists()
        assert Agency.objects.resolve(row["old_code"], ARTICLE_DATE) == unit
        assert Agency.objects.resolve(row["old_code"]) == unit


def test_each_of_the_52_merged_units_has_exactly_one_successor_valid_after_the_reform(
    reference_data,
):
    merged = [row for row in _succession_rows() if row["relation"] != "unchanged"]
    assert len(merged) == 52

    for row in merged:
        old = Agency.objects.resolve(row["old_code"], LAST_OLD_DAY)
        assert old.name == row["old_name"]
        assert old.valid_to == LAST_OLD_DAY
        successors = list(old.successors.all())
        assert len(successors) == 1, old
        successor = successors[0]
        assert successor.is_valid_on(FIRST_NEW_DAY)
        assert successor.code == row["new_code"]
        assert successor.name == row["new_name"]
        link = old.succession_links.get()
        assert link.effective_on == FIRST_NEW_DAY

    ended = Agency.objects.provincial().filter(valid_to=LAST_OLD_DAY)
    assert ended.count() == 52


def test_unit_counts_before_and_after_each_reform(reference_data):
    assert Agency.objects.provincial().valid_on(LAST_OLD_DAY).count() == 63
    assert Agency.objects.provincial().valid_on(FIRST_NEW_DAY).count() == 34
    assert Agency.objects.central().valid_on(datetime.date(2025, 2, 28)).count() == 22
    assert Agency.objects.central().valid_on(datetime.date(2025, 3, 1)).count() == 17


def test_ministry_of_information_and_communications_became_science_and_technology(
    reference_data,
):
    mic = Agency.objects.get(code="bo-thong-tin-va-truyen-thong")
    assert mic.name == "Bộ Thông tin và Truyền thông"
    assert mic.valid_to == datetime.date(2025, 2, 28)
    assert [a.name for a in mic.successors.all()] == ["Bộ Khoa học và Công nghệ"]
    assert mic.succession_links.get().effective_on == datetime.date(2025, 3, 1)

    most = Agency.objects.resolve("bo-khoa-hoc-va-cong-nghe")
    assert mic in most.predecessors.all()


def test_loading_reference_data_twice_changes_nothing(reference_data):
    before = (Agency.objects.count(), Succession.objects.count())
    with open(os.devnull, "w") as quiet:
        call_command("load_seed", "--reference-only", verbosity=0, stdout=quiet)
    assert (Agency.objects.count(), Succession.objects.count()) == before


def _unit(code, **fields):
    return Agency(
        slug=fields.pop("slug", f"don-vi-thu-{code}"),
        code=code,
        name=fields.pop("name", f"Tỉnh Thử {code}"),
        kind=AgencyKind.PROVINCE,
        **fields,
    )


@pytest.mark.parametrize(
    "period",
    [
        {"valid_from": FIRST_NEW_DAY},  # overlaps today's Bắc Ninh
        {"valid_to": datetime.date(2020, 1, 1)},  # overlaps Bắc Giang (open start)
        {},  # an open period overlaps everything
        {"valid_from": LAST_OLD_DAY, "valid_to": LAST_OLD_DAY},  # the shared boundary day
    ],
)
def test_full_clean_refuses_a_second_unit_with_an_overlapping_period(reference_data, period):
    with pytest.raises(ValidationError) as info:
        _unit("24", **period).full_clean()
    assert "code" in info.value.message_dict


def test_full_clean_accepts_a_unit_reusing_a_code_in_a_disjoint_period(reference_data):
    # Quảng Nam (49) ended on 30/6/2025; a later unit may carry 49 again.
    assert not Agency.objects.valid_on(FIRST_NEW_DAY).filter(code="49").exists()
    unit = _unit("49", valid_from=FIRST_NEW_DAY)
    unit.full_clean()
    unit.save()

    assert Agency.objects.resolve("49") == unit
    assert Agency.objects.resolve("49", ARTICLE_DATE).name == "Tỉnh Quảng Nam"


def test_full_clean_refuses_a_unit_reusing_a_code_one_day_too_early(reference_data):
    with pytest.raises(ValidationError) as info:
        _unit("49", valid_from=LAST_OLD_DAY).full_clean()
    assert "code" in info.value.message_dict


def test_editing_an_existing_unit_does_not_clash_with_itself(reference_data):
    bac_ninh = Agency.objects.resolve("24")
    bac_ninh.notes = "Ghi chú mới"
    bac_ninh.full_clean()


def test_central_agencies_carry_their_notes_in_vietnamese(reference_data):
    police = Agency.objects.get(slug="bo-cong-an")
    english = {row["slug"]: row["notes"] for row in read_csv("central_agencies.csv")}

    assert english["bo-cong-an"].startswith("Per the Government proposal")
    assert police.notes.startswith("Theo đề xuất của Chính phủ")
    noted = Agency.objects.filter(slug__in=[slug for slug, note in english.items() if note])
    assert noted.count() == len([note for note in english.values() if note])
    assert not [agency.slug for agency in noted if agency.notes in english.values()]


def test_a_note_left_untranslated_stops_the_load(reference_data, tmp_path):
    from practices.reference import REFERENCE_DIR, load_central_agencies

    for name in ("central_agencies.csv", "central_agencies_notes_vi.csv"):
        lines = (REFERENCE_DIR / name).read_text(encoding="utf-8").splitlines(keepends=True)
        if name.endswith("_vi.csv"):
            lines = [line for line in lines if not line.startswith("bo-y-te,")]
        (tmp_path / name).write_text("".join(lines), encoding="utf-8")

    Agency.objects.filter(slug="bo-y-te").update(notes="")
    with pytest.raises(ValueError, match="bo-y-te"):
        load_central_agencies(tmp_path)
    assert Agency.objects.get(slug="bo-y-te").notes == ""
