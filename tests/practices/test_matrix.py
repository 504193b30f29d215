"""Which record a replication-matrix cell shows. A row collects the unit's own records, its
predecessors' and its departments'; when several are about one practice, the cell shows the
furthest stage (discontinued < planned < piloting < adopted), and between two records at the
same stage the earlier decision (a dated record before an undated one; on the same day, the
record entered first)."""

import datetime
import itertools

import pytest

from practices import queries
from tests import factories

# From least to furthest along.
STAGES = ["discontinued", "planned", "piloting", "adopted"]
LAST_DAY = datetime.date(2025, 6, 30)


@pytest.fixture
def row(db):
    """A unit of today's provinces with a predecessor and a department, and a practice."""
    new = factories.agency("Tỉnh Hàng Mới", valid_from=LAST_DAY + datetime.timedelta(days=1))
    old = factories.agency("Tỉnh Hàng Cũ", valid_to=LAST_DAY)
    factories.succession(old, new)
    department = factories.agency("Sở Hàng Mới", kind="department", parent=new)
    holders = {"own": new, "predecessor": old, "department": department}
    return holders, factories.practice()


def record(row, holder, status, decided_on):
    holders, practice = row
    return factories.adoption(practice, holders[holder], status=status, decided_on=decided_on)


def cell(row):
    holders, practice = row
    matrix = queries.replication_matrix("tinh-thanh")
    [unit_row] = [r for r in matrix.rows if r.agency == holders["own"]]
    return unit_row.cells[matrix.practices.index(practice)]


# Two holders of one row, the first one deciding earlier, on days when both existed.
ARRANGEMENTS = {
    "predecessor-then-own": (
        ("predecessor", datetime.date(2025, 3, 1)),
        ("own", datetime.date(2025, 8, 1)),
    ),
    "own-then-department": (
        ("own", datetime.date(2025, 8, 1)),
        ("department", datetime.date(2025, 9, 1)),
    ),
    "department-then-predecessor": (
        ("department", datetime.date(2025, 1, 1)),
        ("predecessor", datetime.date(2025, 3, 1)),
    ),
}


@pytest.mark.parametrize("arrangement", ARRANGEMENTS)
@pytest.mark.parametrize(
    ("earlier_stage", "later_stage"), list(itertools.product(STAGES, repeat=2))
)
def test_the_furthest_stage_wins_and_the_earlier_record_breaks_a_tie(
    row, arrangement, earlier_stage, later_stage
):
    (first_holder, first_day), (second_holder, second_day) = ARRANGEMENTS[arrangement]
    earlier = record(row, first_holder, earlier_stage, first_day)
    later = record(row, second_holder, later_stage, second_day)

    shown = cell(row)

    if STAGES.index(later_stage) > STAGES.index(earlier_stage):
        expected = later
    else:  # further along, or the same stage reached first
        expected = earlier
    assert shown.adoption == expected
    assert shown.status == expected.status
    assert shown.count == 2


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("undated_first", [True, False], ids=["undated-first", "dated-first"])
def test_a_dated_record_wins_over_an_undated_one_at_the_same_stage(row, stage, undated_first):
    records = [
        ("department", None),
        ("own", datetime.date(2025, 8, 1)),
    ]
    if not undated_first:
        records.reverse()
    made = {day: record(row, holder, stage, day) for holder, day in records}
    assert cell(row).adoption == made[datetime.date(2025, 8, 1)]


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("first_holder", ["own", "department"])
def test_on_the_same_day_the_record_entered_first_wins(row, stage, first_holder):
    second_holder = "department" if first_holder == "own" else "own"
    day = datetime.date(2025, 8, 1)
    first = record(row, first_holder, stage, day)
    record(row, second_holder, stage, day)
    assert cell(row).adoption == first


def test_an_empty_cell_and_a_single_record(row):
    assert (cell(row).adoption, cell(row).status, cell(row).count) == (None, "", 0)
    only = record(row, "predecessor", "discontinued", datetime.date(2024, 5, 1))
    shown = cell(row)
    assert (shown.adoption, shown.status, shown.count) == (only, "discontinued", 1)
