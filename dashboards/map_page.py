"""What the map page reads: its parameters, the practice, each unit's status on the date (via
`practices.history.History`), and the page, JSON, CSV and SVG made from them.

Four queries whatever the data size: the practices (one), the history of the chosen practice
(`History.load`, three); the rows are cached under the dashboards' data version
(`dashboards.cache`), the server's SVG under a hash of everything it shows.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from dashboards import cache as dashboards_cache
from dashboards import charts, maps
from practices.history import DateError, History, parse_date
from practices.queries import live_practices

PRACTICE_PARAM = "giai-phap"
DATE_PARAM = "ngay"
MONTH_PARAM = "thang"
CSV_HEADER = ["Mã", "Đơn vị", "Trạng thái", "Ngày", "Văn bản"]
SVG_CACHE_SECONDS = 24 * 3600


class BadParams(ValueError):
    """A parameter the map cannot show; its text is for the reader (Vietnamese)."""


def practice_choices():
    return list(live_practices().only("id", "slug", "title", "category__name"))


def month_number(date):
    return date.year * 12 + date.month - 1


def from_month_number(value, today):
    year, month = divmod(value, 12)
    day = datetime.date(year, month + 1, 1)
    return today if (day.year, day.month) == (today.year, today.month) else day


@dataclass
class MapParams:
    practice: object
    date: datetime.date
    practices: list

    @classmethod
    def read(cls, params):
        practices = practice_choices()
        today = timezone.localdate()
        slug = params.get(PRACTICE_PARAM, "").strip()
        if slug:
            practice = next((p for p in practices if p.slug == slug), None)
            if practice is None:
                raise BadParams(
                    f"Không có giải pháp “{slug[:80]}”: hãy chọn một giải pháp trong danh sách."
                )
        elif practices:
            practice = practices[0]
        else:
            raise BadParams("Chưa có giải pháp nào được công bố để xem trên bản đồ.")
        date = cls._date(params, today)
        if date < maps.EARLIEST:
            raise BadParams(
                f"Bản đồ có từ ngày {maps.EARLIEST:%d/%m/%Y} (63 tỉnh, thành phố): hãy chọn "
                "một ngày từ đó đến nay."
            )
        return cls(practice, date, practices)

    @staticmethod
    def _date(params, today):
        month = params.get(MONTH_PARAM, "").strip()
        if month:
            if not month.isdigit() or len(month) > 6:
                raise BadParams(f"Tháng “{month[:20]}” không hợp lệ: hãy kéo thanh chọn ngày.")
            number = int(month)
            if not month_number(maps.EARLIEST) <= number <= month_number(today):
                raise BadParams(f"Hãy chọn một tháng từ {maps.EARLIEST:%m/%Y} đến {today:%m/%Y}.")
            return from_month_number(number, today)
        try:
            return parse_date(params.get(DATE_PARAM, ""), today) or today
        except DateError as error:
            raise BadParams(str(error)) from error

    def query(self, **extra):
        return urlencode(
            {PRACTICE_PARAM: self.practice.slug, DATE_PARAM: self.date.isoformat(), **extra}
        )


def _history(params):
    return History.load(practice_ids=[params.practice.id])


def _slider(params, history):
    today = timezone.localdate()
    changes = history.change_dates(params.practice.id)
    first = max(min(changes[0], params.date), maps.EARLIEST) if changes else maps.REFORM
    first = min(first, params.date)
    return {
        "name": MONTH_PARAM,
        "min": month_number(first),
        "max": month_number(today),
        "value": month_number(params.date),
        "today": today.isoformat(),
    }


def _summary(rows, boundaries, date):
    counts = {}
    for row in rows:
        counts[row["legend"]] = counts.get(row["legend"], 0) + 1
    parts = [f"{counts[label]} {label[2:].lower()}" for label in maps.LEGEND if counts.get(label)]
    return (
        f"Ngày {date:%d/%m/%Y}: {len(rows)} tỉnh, thành phố"
        + (f" ({boundaries.units} đơn vị theo bản đồ)" if len(rows) != boundaries.units else "")
        + (": " + ", ".join(parts) if parts else "")
        + "."
    )


def _computed(params):
    """The rows and the slider, cached per practice and date until the data changes (the
    addresses and the spec are made afresh: a static file's hashed name changes on deploy)."""

    def build():
        history = _history(params)
        rows = maps.unit_rows(history, params.practice.id, params.date)
        return rows, _slider(params, history)

    return dashboards_cache.cached(f"map:{params.practice.pk}:{params.date.isoformat()}", build)


def payload(params):
    """The map's data on the date: rows, spec, slider and texts (what the JSON endpoint sends,
    and what the page puts in the browser's first drawing)."""
    rows, slider = _computed(params)
    boundaries = maps.boundaries_on(params.date)
    return {
        "practice": {"slug": params.practice.slug, "title": params.practice.title},
        "date": params.date.isoformat(),
        "date_label": f"{params.date:%d/%m/%Y}",
        "units": boundaries.units,
        "summary": _summary(rows, boundaries, params.date),
        "attribution": boundaries.attribution,
        "rows": rows,
        "spec": maps.spec(rows, params.date, boundaries),
        "links": {
            "page": f"{reverse('dashboards_map:map')}?{params.query()}",
            "csv": f"{reverse('dashboards_map:csv')}?{params.query()}",
            "svg": f"{reverse('dashboards_map:svg')}?{params.query()}",
        },
        "slider": slider,
    }


def page_context(params):
    data = payload(params)
    return {
        "params": params,
        "practices": params.practices,
        "data": data,
        "rows": data["rows"],
        "slider": data["slider"],
        "data_url": reverse("dashboards_map:data"),
        "islands_note": maps.ISLANDS_NOTE,
    }


def svg(params):
    """The map drawn on the server, cached under a hash of what it shows."""
    boundaries = maps.boundaries_on(params.date)
    rows, _ = _computed(params)
    digest = hashlib.sha256(
        json.dumps([boundaries.units, params.date.isoformat(), rows], sort_keys=True).encode()
    ).hexdigest()
    key = f"dashboards:map-svg:{digest}"
    found = cache.get(key)
    if found is None:
        spec = maps.spec(rows, params.date, boundaries, inline_boundaries=True)
        found = charts._vl_convert().vegalite_to_svg(spec, vl_version=charts.VEGA_LITE_VERSION)
        cache.set(key, found, SVG_CACHE_SECONDS)
    return found
