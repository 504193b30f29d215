"""Calendar quarters, as the dashboards count by them."""

import datetime
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1–4

    @classmethod
    def of(cls, day):
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self):
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self):
        following = self.next()
        return following.start - datetime.timedelta(days=1)

    def next(self):
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    @property
    def label(self):
        return f"Quý {self.number}/{self.year}"


@dataclass(frozen=True)
class QuarterCount:
    quarter: Quarter
    count: int

    @property
    def label(self):
        return self.quarter.label


def count_by_quarter(days, until):
    """[QuarterCount] for every quarter from the first of `days` to `until`'s, zeros included;
    empty when there is no day."""
    counts = Counter(Quarter.of(day) for day in days if day <= until)
    if not counts:
        return []
    quarter, last = min(counts), Quarter.of(until)
    found = []
    while quarter <= last:
        found.append(QuarterCount(quarter, counts.get(quarter, 0)))
        quarter = quarter.next()
    return found
