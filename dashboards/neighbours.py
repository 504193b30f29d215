"""Which provinces border each other, in each period of the provincial map.

Read from `fixtures/reference/province_neighbours_*.csv` (derived from the boundary maps by
`scripts/derive-neighbours.py`; method and limits in `fixtures/reference/README.md`), once per
process. A code is always read with its period: codes are reused, 24 is Bắc Giang in the 63
and Bắc Ninh in the 34.
"""

import csv
import datetime
import functools
from collections import defaultdict
from pathlib import Path

from django.conf import settings

# The 34 units start on this day (Nghị quyết 202/2025/QH15); the 63 ended the day before.
REFORM_DATE = datetime.date(2025, 7, 1)
PERIOD_34 = "2025"
PERIOD_63 = "2008-2025"
FILES = {
    PERIOD_34: "province_neighbours_2025.csv",
    PERIOD_63: "province_neighbours_2008_2025.csv",
}


def period_on(date):
    """The provincial map in force on `date`."""
    return PERIOD_34 if date >= REFORM_DATE else PERIOD_63


@functools.cache
def table(directory=None):
    """{(code, period): frozenset of bordering codes}, both periods."""
    directory = Path(directory or Path(settings.BASE_DIR) / "fixtures" / "reference")
    found = defaultdict(set)
    for period, name in FILES.items():
        with open(directory / name, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                a, b = row["code_a"], row["code_b"]
                found[a, period].add(b)
                found[b, period].add(a)
    return {key: frozenset(codes) for key, codes in found.items()}


def neighbours(code, period):
    """The codes of the units bordering `code` in `period` (empty for an unknown code)."""
    return table().get((code, period), frozenset())


def neighbours_on(code, date):
    """The codes of the units bordering the unit that carried `code` on `date`."""
    return neighbours(code, period_on(date))
