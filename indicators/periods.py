"""Reporting periods of indicator values: a month, a quarter or a year, named by its first day.

A period is written as people write it ("Tháng 3/2025", "Quý I/2025", "Năm 2025") and
stored as its kind and its first day. A figure belongs to the unit that existed on the
period's last day: the unit in place when the period closed is the one that reports it, so
the 2025 year of a province formed on 1/7/2025 is the new province's, and its second quarter
the merged predecessors'.

Models use this module (IndicatorValue.clean), so it imports them only inside functions.
"""

import calendar
import datetime
import re

from django.db import models

from practices.periods import labelled, units_on


class PeriodKind(models.TextChoices):
    MONTH = "month", "Tháng"
    QUARTER = "quarter", "Quý"
    YEAR = "year", "Năm"


ROMAN = ("I", "II", "III", "IV")
FIRST_MONTHS = {
    PeriodKind.MONTH: range(1, 13),
    PeriodKind.QUARTER: (1, 4, 7, 10),
    PeriodKind.YEAR: (1,),
}


def is_start(kind, date):
    """Whether `date` is the first day of a period of `kind`."""
    return date.day == 1 and date.month in FIRST_MONTHS[kind]


def start_error(kind, date):
    """Why `date` cannot start a period of `kind`, with the first day it likely meant; "" if
    it can."""
    if is_start(kind, date):
        return ""
    meant = containing(kind, date)
    what = {
        PeriodKind.MONTH: "ngày 1 của tháng",
        PeriodKind.QUARTER: "ngày 1 của tháng đầu quý (01/01, 01/04, 01/07 hoặc 01/10)",
        PeriodKind.YEAR: "ngày 01/01 của năm",
    }[kind]
    return (
        f"Ngày đầu kỳ của kỳ {PeriodKind(kind).label.lower()} phải là {what}; "
        f"{date:%d/%m/%Y} thuộc {label(kind, meant)}, bắt đầu ngày {meant:%d/%m/%Y}."
    )


def containing(kind, date):
    """The first day of the period of `kind` that holds `date`."""
    if kind == PeriodKind.YEAR:
        return date.replace(month=1, day=1)
    if kind == PeriodKind.QUARTER:
        return date.replace(month=3 * ((date.month - 1) // 3) + 1, day=1)
    return date.replace(day=1)


def end(kind, start):
    """The last day of the period of `kind` that starts on `start`."""
    months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[kind]
    last_month = start.month + months - 1
    year = start.year + (last_month - 1) // 12
    month = (last_month - 1) % 12 + 1
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def label(kind, start):
    """ "Tháng 3/2025", "Quý I/2025", "Năm 2025"."""
    if kind == PeriodKind.YEAR:
        return f"Năm {start.year}"
    if kind == PeriodKind.QUARTER:
        return f"Quý {ROMAN[(start.month - 1) // 3]}/{start.year}"
    return f"Tháng {start.month}/{start.year}"


_LABEL = re.compile(
    r"^\s*(?:(th[aá]ng)\s*(\d{1,2})|(qu[yý])\s*([ivIV]{1,3}|[1-4]))\s*[/\-.]\s*(\d{4})\s*$"
    r"|^\s*(n[aă]m)\s*(\d{4})\s*$",
    re.IGNORECASE,
)


def parse_label(text):
    """(kind, start) of a period written as `label` writes it, or None."""
    match = _LABEL.match(str(text or ""))
    if not match:
        return None
    month_word, month, quarter_word, quarter, year, year_word, only_year = match.groups()
    if year_word:
        return PeriodKind.YEAR, datetime.date(int(only_year), 1, 1)
    if month_word:
        if not 1 <= int(month) <= 12:
            return None
        return PeriodKind.MONTH, datetime.date(int(year), int(month), 1)
    number = int(quarter) if quarter.isdigit() else ROMAN.index(quarter.upper()) + 1
    return PeriodKind.QUARTER, datetime.date(int(year), 3 * (number - 1) + 1, 1)


def outside_period(agency, kind, start, name=labelled, verb="chọn", **loaded):
    """Why a figure of the period (`kind`, `start`) cannot be recorded for `agency`, which
    did not exist on the period's last day, naming the unit (or units) linked to it that did:
    "Quý III/2025 kết thúc ngày 30/09/2025, sau khi Tỉnh Bắc Giang (đến 30/06/2025) kết thúc;
    đơn vị lúc đó là Tỉnh Bắc Ninh (từ 01/07/2025): hãy chọn đơn vị đó." (The wording of
    `practices.periods.outside_period`, for a period instead of a decision date.)"""
    last = end(kind, start)
    when = (
        "sau khi {} kết thúc"
        if agency.valid_to and last > agency.valid_to
        else "trước khi {} bắt đầu"
    )
    refused = f"{label(kind, start)} kết thúc ngày {last:%d/%m/%Y}, {when.format(name(agency))}"
    found = units_on(agency, last, **loaded)
    if not found:
        return f"{refused}; hãy {verb} đơn vị tồn tại vào ngày đó."
    names = " hoặc ".join(labelled(unit) for unit in found)
    which = "đơn vị đó" if len(found) == 1 else "một trong các đơn vị đó"
    return f"{refused}; đơn vị lúc đó là {names}: hãy {verb} {which}."
