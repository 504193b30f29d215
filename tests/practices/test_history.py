"""Dated steps: kept when the status changes, and read as of a day by one rule
(practices.history) on the matrix, the practice and agency pages and the API.

Bắc Giang (24 until 30/6/2025) and the old Bắc Ninh (27) became today's Bắc Ninh (24) on
1/7/2025: before the reform they are two of 63 units, after it their records are one unit's."""

import datetime
import random

from django.utils import timezone

import pytest

from practices import history, queries
from practices.models import (
    CENTRAL_KINDS,
    PROVINCIAL_KINDS,
    Adoption,
    AdoptionStatus,
    AdoptionStep,
    Agency,
    AgencyKind,
)
from tests import factories

D = datetime.date
LAST_OLD_DAY, FIRST_NEW_DAY = D(2025, 6, 30), D(2025, 7, 1)


@pytest.fixture
def units(reference_data):
    return {
        "bac_giang": Agency.objects.resolve("24", LAST_OLD_DAY),
        "bac_ninh_cu": Agency.objects.resolve("27", LAST_OLD_DAY),
        "bac_ninh": Agency.objects.resolve("24", FIRST_NEW_DAY),
        "ha_noi": Agency.objects.resolve("01"),
    }


def move(adoption, status, on, instrument=""):
    adoption.status, adoption.decided_on, adoption.instrument = status, on, instrument
    adoption.save()
    return adoption


def statuses(adoption):
    return [(s.status, s.on) for s in AdoptionStep.objects.filter(adoption=adoption)]


def test_a_new_status_is_a_new_step_and_the_old_one_is_kept(units):
    practice = factories.practice("Giải pháp Lịch sử")
    adoption = factories.adoption(practice, units["ha_noi"], "planned", D(2024, 1, 5))
    assert statuses(adoption) == [("planned", D(2024, 1, 5))]
    move(adoption, "piloting", D(2024, 6, 1), "QĐ 1/QĐ-UBND")
    move(adoption, "adopted", D(2025, 2, 1), "QĐ 2/QĐ-UBND")
    assert statuses(adoption) == [
        ("planned", D(2024, 1, 5)),
        ("piloting", D(2024, 6, 1)),
        ("adopted", D(2025, 2, 1)),
    ]
    # The same status again corrects the latest step instead of adding one.
    move(adoption, "adopted", D(2025, 2, 3), "QĐ 2/QĐ-UBND (đính chính)")
    steps = list(AdoptionStep.objects.filter(adoption=adoption))
    assert [(s.status, s.on) for s in steps][-1] == ("adopted", D(2025, 2, 3))
    assert len(steps) == 3 and steps[-1].instrument == "QĐ 2/QĐ-UBND (đính chính)"


def test_the_migration_rule_gives_an_undated_record_the_day_it_was_entered(units):
    practice = factories.practice("Giải pháp Không ngày")
    adoption = factories.adoption(practice, units["ha_noi"], "adopted", None)
    entered = timezone.localtime(adoption.created_at).date()  # the site's day, not UTC's
    loaded = history.History.load()
    step = loaded.step_on(units["ha_noi"].id, practice.id, entered)
    assert step is not None and step.counts_from == entered
    assert loaded.step_on(units["ha_noi"].id, practice.id, entered - datetime.timedelta(1)) is None


def test_adopters_across_the_provincial_reform(units):
    practice = factories.practice("Giải pháp Sáp nhập")
    factories.adoption(practice, units["bac_giang"], "adopted", D(2024, 3, 1))
    factories.adoption(practice, units["bac_ninh_cu"], "adopted", D(2025, 1, 10))
    loaded = history.History.load()
    before = loaded.adopters(practice.id, LAST_OLD_DAY, PROVINCIAL_KINDS)
    after = loaded.adopters(practice.id, FIRST_NEW_DAY, PROVINCIAL_KINDS)
    assert len(loaded.units_on(LAST_OLD_DAY, PROVINCIAL_KINDS)) == 63
    assert len(loaded.units_on(FIRST_NEW_DAY, PROVINCIAL_KINDS)) == 34
    assert set(before) == {units["bac_giang"].id, units["bac_ninh_cu"].id}
    # Two pre-reform adopters, one successor: counted once.
    assert set(after) == {units["bac_ninh"].id}
    assert after[units["bac_ninh"].id].on == D(2024, 3, 1)  # the earlier of the two
    assert loaded.first_on(units["bac_ninh"].id, practice.id, {"adopted"}) == D(2024, 3, 1)
    # Before the reform, today's Bắc Ninh did not exist: it adopted nothing then.
    assert loaded.adopters(practice.id, D(2024, 6, 1), PROVINCIAL_KINDS) == {
        units["bac_giang"].id: before[units["bac_giang"].id]
    }


def test_status_as_of_a_day_follows_the_steps(units):
    practice = factories.practice("Giải pháp Từng bước")
    adoption = factories.adoption(practice, units["ha_noi"], "piloting", D(2023, 5, 1))
    move(adoption, "adopted", D(2024, 5, 1))
    move(adoption, "discontinued", D(2026, 1, 15))
    loaded = history.History.load()
    unit = units["ha_noi"].id
    assert loaded.status_on(unit, practice.id, D(2023, 4, 30)) is None
    assert loaded.status_on(unit, practice.id, D(2023, 5, 1)) == "piloting"
    assert loaded.status_on(unit, practice.id, D(2025, 12, 31)) == "adopted"
    assert loaded.status_on(unit, practice.id, D(2026, 1, 15)) == "discontinued"


def test_a_draft_is_not_history(units):
    practice = factories.practice("Giải pháp Bản nháp")
    factories.adoption(practice, units["ha_noi"], "adopted", D(2024, 5, 1), live=False)
    assert history.History.load().status_on(units["ha_noi"].id, practice.id, D(2025, 1, 1)) is None


@pytest.fixture
def reform_story(units):
    """Bắc Giang piloted in 2024 and adopted in 2025, before the reform."""
    practice = factories.practice("Giải pháp Ngày xem")
    adoption = factories.adoption(
        practice, units["bac_giang"], "piloting", D(2024, 2, 1), instrument="TĐ 1"
    )
    move(adoption, "adopted", D(2025, 3, 1), "QĐ 9/QĐ-UBND")
    return practice, adoption


def test_matrix_on_a_day(client, units, reform_story):
    practice, adoption = reform_story
    response = client.get("/ma-tran/", {"pham-vi": "tinh-thanh", "ngay": "2024-06-01"})
    matrix = response.context["matrix"]
    assert len(matrix.rows) == 63 and "01/06/2024" in matrix.scope.label
    row = next(r for r in matrix.rows if r.agency == units["bac_giang"])
    cell = row.cells[matrix.practices.index(practice)]
    assert cell.status == AdoptionStatus.PILOTING
    now = queries.replication_matrix("tinh-thanh")
    row = next(r for r in now.rows if r.agency == units["bac_ninh"])
    assert row.cells[now.practices.index(practice)].status == AdoptionStatus.ADOPTED
    before_anything = queries.replication_matrix("tinh-thanh", D(2024, 1, 1))
    assert all(
        not r.cells[before_anything.practices.index(practice)].adoption
        for r in before_anything.rows
    )


def test_practice_page_on_a_day(client, units, reform_story):
    practice, adoption = reform_story
    then = client.get(practice.url, {"ngay": "2024-06-01"}).context["adoption"]
    assert [row.adoption.status for row in then.adopters] == ["piloting"]
    assert [u.id for u in then.adopters[0].current_units] == [units["bac_giang"].id]
    assert len(then.not_adopted) + 1 == len(
        Agency.objects.filter(kind__in=queries.PROVINCIAL_KINDS + queries.CENTRAL_KINDS).valid_on(
            D(2024, 6, 1)
        )
    )
    now = client.get(practice.url).context["adoption"]
    assert [row.adoption.status for row in now.adopters] == ["adopted"]
    assert [u.id for u in now.adopters[0].current_units] == [units["bac_ninh"].id]


def test_agency_page_on_a_day(client, units, reform_story):
    practice, adoption = reform_story

    def shown(unit, day):
        page = client.get(unit.get_absolute_url(), {"ngay": day})
        records = [a for a in page.context["profile"].adoptions if a.practice_id == practice.id]
        return page, [(a.status, a.instrument) for a in records]

    assert shown(units["bac_ninh"], "2025-08-01")[1] == [("adopted", "QĐ 9/QĐ-UBND")]
    # On 1/6/2024 today's Bắc Ninh did not exist: the page says so and holds nothing.
    page, records = shown(units["bac_ninh"], "2024-06-01")
    assert page.context["profile"].adoptions == []
    assert "chưa tồn tại hoặc đã kết thúc vào ngày 01/06/2024" in page.content.decode()
    assert shown(units["bac_giang"], "2024-06-01")[1] == [("piloting", "TĐ 1")]
    assert shown(units["bac_giang"], "2024-01-31")[1] == []


@pytest.mark.parametrize("value", ["2024-13-01", "hôm qua", "1999-12-31", "2999-01-01", "x" * 500])
def test_a_bad_day_is_told_not_failed(client, units, reform_story, value):
    practice, _ = reform_story
    for url in ("/ma-tran/", practice.url, units["bac_ninh"].get_absolute_url()):
        response = client.get(url, {"ngay": value})
        assert response.status_code == 200
        assert response.context["date_error"], url
        assert 'role="alert"' in response.content.decode()
    api = client.get("/api/v1/adoptions/", {"ngay": value})
    assert api.status_code == 400 and "ngay" in api.json()


def test_api_on_a_day(client, units, reform_story):
    practice, adoption = reform_story

    def get(**params):
        response = client.get("/api/v1/adoptions/", {"practice": practice.slug, **params})
        assert response.status_code == 200, response.content
        return response.json()["results"]

    [now] = get()
    assert now["status"] == "adopted"
    assert [(s["status"], s["on"]) for s in now["steps"]] == [
        ("piloting", "2024-02-01"),
        ("adopted", "2025-03-01"),
    ]
    [then] = get(ngay="2024-06-01")
    assert (then["status"], then["decided_on"], then["instrument"]) == (
        "piloting",
        "2024-02-01",
        "TĐ 1",
    )
    assert [s["status"] for s in then["steps"]] == ["piloting"]
    assert get(ngay="2024-01-01") == []
    assert get(ngay="2024-06-01", status="adopted") == []
    assert len(get(ngay="2024-06-01", status="piloting")) == 1


def test_the_pages_and_the_dashboards_read_a_day_alike(client, units):
    """The three readings of a day, the API's and the agency page's in SQL (`annotate_as_of`),
    the other pages' in Python (`as_of`) and the dashboards' (`History`), give each record the
    same status on every day, undated records and two steps of one day included."""
    practice = factories.practice("Giải pháp Hai cách đọc")
    dated = factories.adoption(practice, units["bac_giang"], "piloting", D(2024, 2, 1))
    move(dated, "adopted", D(2025, 3, 1))
    same_day = factories.adoption(practice, units["bac_ninh_cu"], "planned", D(2024, 5, 1))
    move(same_day, "piloting", D(2024, 5, 1))
    factories.adoption(practice, units["ha_noi"], "adopted", None)
    records = Adoption.objects.public().filter(practice=practice).select_related("agency")
    steps = history.steps_by_adoption(records)
    loaded = history.History.load(practice_ids=[practice.id])
    days = [D(2024, 1, 1), D(2024, 5, 1), D(2024, 6, 1), D(2025, 6, 1), timezone.localdate()]
    for day in days:
        pages = set(history.annotate_as_of(records, day).values_list("pk", "status_then"))
        dashboards = set()
        for adoption in records:
            step = loaded.record_step_on(practice.id, adoption.agency_id, day)
            if step is not None:
                dashboards.add((adoption.pk, step.status))
        assert pages == dashboards, day
        shown = {
            (a.pk, a.status) for a in history.read_as_of(history.annotate_as_of(records, day), day)
        }
        assert shown == pages, day
        assert {(a.pk, a.status) for a in history.as_of(list(records), day, steps)} == pages, day


def test_reach_counts_what_adopters_finds_on_every_day(units):
    """`History.reach` (spans of days, for the dashboards' curves and the overview) counts
    the units `adopters` finds on each day, across both reforms, with departments'
    records, undated records and records that went back a stage; for a History of units
    only as well."""
    rng = random.Random(7)
    practices = [factories.practice(f"Giải pháp Đếm {n}") for n in range(2)]
    provinces = list(Agency.objects.filter(kind__in=PROVINCIAL_KINDS))
    ministries = list(Agency.objects.filter(kind__in=CENTRAL_KINDS))
    department = factories.agency(
        "Sở Thử nghiệm Bắc Ninh", kind=AgencyKind.DEPARTMENT, parent=units["bac_ninh"]
    )
    stories = [
        ("adopted",),
        ("planned", "piloting"),
        ("piloting", "adopted", "discontinued"),
        ("planned", "adopted", "discontinued", "adopted"),
    ]
    for practice in practices:
        for unit in rng.sample(provinces, 30) + rng.sample(ministries, 8) + [department]:
            story = rng.choice(stories)
            start = max(unit.valid_from or D(2022, 1, 1), D(2022, 1, 1))
            end = min(unit.valid_to or D(2026, 6, 1), D(2026, 6, 1))
            days = sorted(rng.sample(range((end - start).days), len(story)))
            undated = rng.random() < 0.1
            adoption = factories.adoption(
                practice, unit, story[0], None if undated else start + datetime.timedelta(days[0])
            )
            for status, day in zip(story[1:], days[1:], strict=True):
                move(adoption, status, start + datetime.timedelta(day))
    loaded = history.History.load(details=False)
    # Units only: the records are read when the spans are first asked for.
    units_only = history.History.load_units()
    days = {D(2025, 2, 28), D(2025, 3, 1), LAST_OLD_DAY, FIRST_NEW_DAY}
    days |= {D(2022, 1, 1) + datetime.timedelta(n) for n in range(0, 1800, 11)}
    for kinds in (PROVINCIAL_KINDS, CENTRAL_KINDS):
        for statuses in ({"adopted"}, {"adopted", "piloting"}):
            reach = loaded.reach(kinds, statuses)
            assert units_only.reach(kinds, statuses).periods == reach.periods
            for practice in practices:
                for day in sorted(days):
                    expected = set(loaded.adopters(practice.id, day, kinds, statuses))
                    assert reach.count(practice.id, day, kinds) == len(expected), (day, kinds)
                    assert reach.units(practice.id, day, kinds) == expected, (day, kinds)
    assert units_only.first_change_date() == loaded.first_change_date()
