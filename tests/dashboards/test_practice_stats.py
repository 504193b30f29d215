"""The practice dashboard's figures (dashboards.practice_stats), on the seed's reference data.

The story: before the reform Bắc Giang (24) and the old Bắc Ninh (27) both adopted, and became
today's Bắc Ninh on 1/7/2025; Cao Bằng (unchanged by the reform) adopted and later stopped; Hà
Nội adopted only after the reform; Lạng Sơn is piloting; today's Tuyên Quang, whose two
predecessors never adopted, adopted after the reform. Among the ministries, Bộ Kế hoạch và Đầu
tư and Bộ Tài chính both adopted before Bộ Tài chính absorbed the other on 1/3/2025."""

import datetime

from django.core.cache import cache

import pytest

from dashboards import practice_stats
from dashboards.periods import Quarter
from kb.models import Source
from practices.history import History
from practices.models import Adoption, Agency
from tests import factories

D = datetime.date
LAST_OLD_DAY, FIRST_NEW_DAY = D(2025, 6, 30), D(2025, 7, 1)
LAST_OLD_MINISTRIES, FIRST_NEW_MINISTRIES = D(2025, 2, 28), D(2025, 3, 1)
TODAY = D(2026, 1, 31)


def move(adoption, status, on):
    adoption.status, adoption.decided_on = status, on
    adoption.save()
    return adoption


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def units(reference_data):
    old, new = LAST_OLD_DAY, FIRST_NEW_DAY
    return {
        "bac_giang": Agency.objects.resolve("24", old),
        "bac_ninh_cu": Agency.objects.resolve("27", old),
        "bac_ninh": Agency.objects.resolve("24", new),
        "cao_bang": Agency.objects.resolve("04", new),
        "ha_noi": Agency.objects.resolve("01", new),
        "lang_son": Agency.objects.resolve("20", new),
        "tuyen_quang": Agency.objects.resolve("08", new),
        "ke_hoach": Agency.objects.get(slug="bo-ke-hoach-va-dau-tu"),
        "tai_chinh": Agency.objects.get(slug="bo-tai-chinh"),
    }


@pytest.fixture
def story(units):
    practice = factories.practice("Giải pháp Lan tỏa")
    u = units
    factories.adoption(practice, u["bac_giang"], "adopted", D(2024, 3, 1))
    factories.adoption(practice, u["bac_ninh_cu"], "adopted", D(2025, 1, 10))
    cao_bang = factories.adoption(practice, u["cao_bang"], "adopted", D(2024, 2, 1))
    move(cao_bang, "discontinued", D(2025, 10, 1))
    factories.adoption(practice, u["ha_noi"], "adopted", D(2025, 9, 1))
    factories.adoption(practice, u["lang_son"], "piloting", D(2025, 8, 1))
    factories.adoption(practice, u["tuyen_quang"], "adopted", D(2025, 8, 15))
    factories.adoption(practice, u["ke_hoach"], "adopted", D(2024, 5, 1))
    factories.adoption(practice, u["tai_chinh"], "adopted", D(2024, 6, 1))
    return practice


def stats(practice, on=TODAY):
    return practice_stats.practice_stats(practice, on)


def point_on(group, day):
    """The curve's value on `day`: that of the last point on or before it (a step chart)."""
    points = [p for p in group.curve if p.on <= day]
    return points[-1]


def test_the_curve_across_the_provincial_reform_counts_merged_adopters_once(units, story):
    provinces = stats(story).groups[0]
    days = [p.on for p in provinces.curve]
    # It steps on each step's day and on the reform days, where the denominator changes.
    assert {D(2024, 2, 1), D(2024, 3, 1), D(2025, 1, 10), FIRST_NEW_DAY, D(2025, 10, 1)} <= set(
        days
    )
    before, after = point_on(provinces, LAST_OLD_DAY), point_on(provinces, FIRST_NEW_DAY)
    # Bắc Giang, the old Bắc Ninh and Cao Bằng: 3 of 63.
    assert (before.adopted, before.units) == (3, 63)
    # The two merged into today's Bắc Ninh: counted once, 2 of 34 (Bắc Ninh, Cao Bằng).
    assert (after.adopted, after.units) == (2, 34)
    assert after.adopted_share == pytest.approx(2 / 34)
    # Tuyên Quang and Hà Nội adopt after the reform only; Lạng Sơn pilots.
    september = point_on(provinces, D(2025, 9, 1))
    assert (september.adopted, september.adopted_or_piloting) == (4, 5)
    # Cao Bằng stops on 1/10/2025 and drops out of both series.
    october = point_on(provinces, D(2025, 10, 1))
    assert (october.adopted, october.adopted_or_piloting, october.units) == (3, 4, 34)
    assert provinces.curve[-1].on == TODAY


def test_the_denominator_is_said_in_words(units, story):
    provinces = stats(story).groups[0]
    words = practice_stats.denominator_words(provinces.denominators, provinces.group.noun)
    assert words == "63 tỉnh, thành phố đến 30/06/2025; 34 tỉnh, thành phố từ 01/07/2025"


def test_the_curve_across_the_ministerial_reform(units, story):
    ministries = stats(story).groups[1]
    before = point_on(ministries, LAST_OLD_MINISTRIES)
    after = point_on(ministries, FIRST_NEW_MINISTRIES)
    assert (before.adopted, before.units) == (2, 22)
    # Bộ Tài chính absorbed Bộ Kế hoạch và Đầu tư: one adopter of 17.
    assert (after.adopted, after.units) == (1, 17)


def test_the_curve_on_a_past_day_stops_there(units, story):
    provinces = stats(story, LAST_OLD_DAY).groups[0]
    assert provinces.curve[-1].on == LAST_OLD_DAY
    assert (provinces.curve[-1].adopted, provinces.curve[-1].units) == (3, 63)
    assert provinces.units == 63 and len(provinces.adopters) == 3


def test_new_adopters_per_quarter_count_each_unit_once(units, story):
    provinces = stats(story).groups[0]
    counts = {q.quarter: q.count for q in provinces.quarters}
    # Cao Bằng and Bắc Giang, then the old Bắc Ninh; today's Bắc Ninh is not new on 1/7/2025
    # (its predecessors had adopted); Tuyên Quang and Hà Nội are.
    assert counts[Quarter(2024, 1)] == 2
    assert counts[Quarter(2025, 1)] == 1
    assert counts[Quarter(2025, 3)] == 2
    assert sum(counts.values()) == 5
    # Every quarter from the first to today's, zeros included.
    assert provinces.quarters[0].quarter == Quarter(2024, 1)
    assert provinces.quarters[-1].quarter == Quarter(2026, 1)
    assert counts[Quarter(2024, 2)] == 0


def test_adopters_in_order_with_their_stage(units, story):
    provinces = stats(story).groups[0]
    rows = [(r.unit, r.first_on, r.rank, r.stage.key) for r in provinces.adopters]
    assert rows == [
        # Bắc Ninh adopted first through Bắc Giang (1/3/2024).
        (units["bac_ninh"], D(2024, 3, 1), 1, "tien-phong"),
        (units["tuyen_quang"], D(2025, 8, 15), 2, "ap-dung-som"),
        (units["ha_noi"], D(2025, 9, 1), 3, "ap-dung-som"),
    ]
    assert provinces.adopters[0].via == units["bac_giang"]
    assert dict((s.key, n) for s, n in provinces.stage_counts) == {
        "tien-phong": 1,
        "ap-dung-som": 2,
        "so-dong-som": 0,
        "so-dong-muon": 0,
        "theo-sau": 0,
    }


@pytest.mark.parametrize(
    "rank, stage",
    [
        (1, "tien-phong"),  # 0 of 34 before it: under 2.5 %
        (2, "ap-dung-som"),  # 1/34 = 2.9 %
        (6, "ap-dung-som"),  # 5/34 = 14.7 %
        (7, "so-dong-som"),  # 6/34 = 17.6 %
        (17, "so-dong-som"),  # 16/34 = 47.1 %
        (18, "so-dong-muon"),  # 17/34 = 50 %
        (29, "so-dong-muon"),  # 28/34 = 82.4 %
        (30, "theo-sau"),  # 29/34 = 85.3 %
        (34, "theo-sau"),
    ],
)
def test_the_stage_rule_on_34_units(rank, stage):
    assert practice_stats.stage_for(rank, 34).key == stage


def test_units_adopting_on_the_same_day_share_rank_and_stage(reference_data):
    practice = factories.practice("Giải pháp Cùng ngày")
    day = D(2025, 8, 1)
    for code in ("01", "04", "20"):
        factories.adoption(practice, Agency.objects.resolve(code, day), "adopted", day)
    later = Agency.objects.resolve("08", day)
    factories.adoption(practice, later, "adopted", D(2025, 9, 1))
    provinces = stats(practice).groups[0]
    assert [r.rank for r in provinces.adopters] == [1, 1, 1, 4]
    assert {r.stage.key for r in provinces.adopters[:3]} == {"tien-phong"}
    assert provinces.adopters[3].stage.key == "ap-dung-som"  # 3/34 adopted before it


def test_median_times(units, story):
    story.sources.add(
        Source.objects.create(key="nguon-lan-toa", title="Bài viết", published_on=D(2024, 1, 1)),
        Source.objects.create(key="nguon-muon", title="Bài sau", published_on=D(2024, 6, 1)),
        Source.objects.create(key="nguon-khong-ngay", title="Không ngày"),
    )
    story.save()
    result = stats(story)
    # The earliest dated source is the publication.
    assert result.published_on == D(2024, 1, 1)
    provinces = result.groups[0]
    # Bắc Ninh 1/3/2024 (60 days), Tuyên Quang 15/8/2025 (592), Hà Nội 1/9/2025 (609).
    assert provinces.from_publication.days == 592
    assert provinces.from_publication.count == 3
    # From the first adopter (1/3/2024): 532 and 549 days; median 540.5.
    assert provinces.from_first.days == 540.5
    assert provinces.from_first.count == 2


def test_adoption_before_the_publication_counts_negative(units, story):
    story.sources.add(Source.objects.create(key="nguon-2025", published_on=D(2025, 8, 20)))
    story.save()
    provinces = stats(story).groups[0]
    # -537, -5, 12: median -5; two adopted before the publication.
    assert provinces.from_publication.days == -5
    assert provinces.from_publication.before == 2


def test_no_dated_source_no_median_from_publication(units, story):
    story.sources.add(Source.objects.create(key="nguon-khong-ngay-2", title="Không ngày"))
    story.save()
    result = stats(story)
    assert result.published_on is None
    assert result.groups[0].from_publication.days is None


def test_one_adopter_has_no_median_from_the_first(units):
    practice = factories.practice("Giải pháp Một đơn vị")
    factories.adoption(practice, units["ha_noi"], "adopted", D(2025, 9, 1))
    assert stats(practice).groups[0].from_first.days is None


def test_by_region(units, story):
    regions = {r.region: r for r in stats(story).groups[0].regions}
    # Today's Bắc Ninh has no region in the reference data (its predecessors' differed).
    assert regions[practice_stats.NO_REGION].adopted == 1
    north = regions["Trung du và miền núi phía Bắc"]
    # Tuyên Quang adopted, Lạng Sơn pilots; Cao Bằng stopped.
    assert (north.adopted, north.adopted_or_piloting) == (1, 2)
    assert regions["Đồng bằng sông Hồng"].adopted == 1  # Hà Nội
    assert sum(r.units for r in regions.values()) == 34
    # The six regions in their order, then "Chưa xác định".
    ordered = [r.region for r in stats(story).groups[0].regions]
    assert ordered[-1] == practice_stats.NO_REGION
    assert ordered.index("Trung du và miền núi phía Bắc") < ordered.index("Đồng bằng sông Hồng")


def test_learned_from_edges_show_public_records_on_both_ends(units):
    practice = factories.practice("Giải pháp Học tập")
    source = factories.adoption(practice, units["ha_noi"], "adopted", D(2025, 8, 1))
    draft = factories.adoption(practice, units["cao_bang"], "adopted", D(2025, 8, 2), live=False)
    learner = factories.adoption(
        practice, units["lang_son"], "piloting", D(2025, 9, 1), adapted_from=source
    )
    factories.adoption(practice, units["tuyen_quang"], "adopted", D(2025, 9, 5), adapted_from=draft)
    edges = stats(practice).edges
    assert [(e.learner, e.source, e.learner_on, e.source_on) for e in edges] == [
        (units["lang_son"], units["ha_noi"], D(2025, 9, 1), D(2025, 8, 1))
    ]
    assert edges[0].learner_adoption_id == learner.pk
    # Before the learner's record, there is no link yet.
    assert stats(practice, D(2025, 8, 31)).edges == []


def test_a_draft_learner_is_not_shown(units):
    practice = factories.practice("Giải pháp Học tập nháp")
    source = factories.adoption(practice, units["ha_noi"], "adopted", D(2025, 8, 1))
    factories.adoption(
        practice, units["lang_son"], "adopted", D(2025, 9, 1), adapted_from=source, live=False
    )
    assert stats(practice).edges == []


def test_a_practice_nobody_adopted(reference_data):
    practice = factories.practice("Giải pháp Chưa ai")
    result = stats(practice)
    for group in result.groups:
        assert group.curve == [] and group.quarters == [] and group.adopters == []
        assert group.from_first.days is None


def test_the_cached_result_is_recomputed_after_a_change(
    units, story, settings, django_capture_on_commit_callbacks
):
    # The test settings keep nothing; here results are kept, and a change must show anyway.
    settings.DASHBOARDS_CACHE_SECONDS = 600
    first = practice_stats.cached_practice_stats(story, TODAY)
    assert point_on(first.groups[0], TODAY).adopted == 3
    with django_capture_on_commit_callbacks(execute=True):
        factories.adoption(story, Agency.objects.resolve("11"), "adopted", D(2025, 12, 1))
    again = practice_stats.cached_practice_stats(story, TODAY)
    assert point_on(again.groups[0], TODAY).adopted == 4


def test_history_is_the_only_source_of_statuses(units, story):
    # A record's current status is not read: as of a day before its latest step, the step of
    # that day counts (Cao Bằng had adopted on 30/9/2025, whatever it says now).
    history = History.load(practice_ids=[story.id])
    result = practice_stats.practice_stats(story, D(2025, 9, 30), history)
    assert units["cao_bang"] in [r.unit for r in result.groups[0].adopters]
    assert Adoption.objects.get(practice=story, agency=units["cao_bang"]).status == "discontinued"


def test_a_department_adopting_makes_its_province_an_adopter_that_day(reference_data):
    practice = factories.practice("Giải pháp Sở")
    day = D(2025, 8, 1)
    department = Agency.objects.filter(code="48-so-khcn").valid_on(day).get()
    factories.adoption(practice, department, "adopted", day)
    provinces = stats(practice).groups[0]
    assert day in [p.on for p in provinces.curve]
    assert point_on(provinces, day).adopted == 1
    assert [r.unit for r in provinces.adopters] == [Agency.objects.resolve("48", day)]
    assert provinces.adopters[0].via == department
