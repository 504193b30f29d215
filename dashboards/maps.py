"""The map of Vietnam per practice: each province's status on a date, as rows and as a Vega-Lite
spec (a choropleth with a status symbol at each unit's label point).

The units are the ones that existed on the date (63 before 1/7/2025, 34 from it), read through
`practices.history.History`, so a unit's status includes its predecessors' records under the
successions in effect then. Boundaries are joined to units on the two-digit code, never on names:
the 63-unit file for dates before the reform, the 34-unit file from it (static/geo/README.md).
"""

import datetime
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from dashboards import charts, geodata
from practices.models import PROVINCIAL_KINDS
from practices.templatetags.practice_tags import (
    NONE_LABEL,
    NONE_SYMBOL,
    STATUS_LABELS,
    STATUS_SYMBOLS,
)

# The first day of the 34-unit map (Nghị quyết 202/2025/QH15) and of the 63-unit one.
REFORM = datetime.date(2025, 7, 1)
EARLIEST = datetime.date(2008, 8, 1)

# Status is never told by colour alone: each unit carries the site's symbol for its status, and
# the legend and the table write symbol and words (charts.status_text). Fills and symbol colours
# are the charts' status colours (the site's), each pair above 4.5:1.
NO_RECORD = ""
ORDER = [*charts.STATUS_ORDER, None]
LEGEND = [charts.status_text(s) for s in ORDER]


def _text(status):
    return STATUS_LABELS.get(status, NONE_LABEL), STATUS_SYMBOLS.get(status, NONE_SYMBOL)


ATTRIBUTION = {
    34: "Ranh giới: Bản đồ tham chiếu đơn vị hành chính Việt Nam (NXB Tài nguyên Môi trường và "
    "Bản đồ Việt Nam), qua thanglequoc/vietnamese-provinces-database (MIT).",
    63: "Ranh giới: Open Development Vietnam, qua TaliaCao/Vietnam-Shape-Map (MIT).",
}
ISLANDS_NOTE = (
    "Quần đảo Hoàng Sa (thành phố Đà Nẵng) và quần đảo Trường Sa (tỉnh Khánh Hòa) được thể hiện "
    "như trong tệp ranh giới."
)


@dataclass(frozen=True)
class Boundaries:
    units: int
    static_path: str
    data_format: dict

    @property
    def url(self):
        return static(self.static_path)

    @property
    def attribution(self):
        return ATTRIBUTION[self.units]


BOUNDARIES_34 = Boundaries(34, f"geo/{geodata.SERVED_34}", {"type": "json", "property": "features"})
BOUNDARIES_63 = Boundaries(
    63, f"geo/{geodata.SERVED_63}", {"type": "topojson", "feature": geodata.TOPO_OBJECT}
)


def boundaries_on(date):
    return BOUNDARIES_34 if date >= REFORM else BOUNDARIES_63


@cache
def label_points():
    path = Path(geodata.__file__).with_name(geodata.LABEL_POINTS)
    return {int(size): points for size, points in json.loads(path.read_text()).items()}


@cache
def boundary_values(static_path):
    """The boundary file itself, for the server's renderer (which fetches no URL)."""
    path = Path(settings.BASE_DIR) / "static" / static_path
    return json.loads(path.read_text(encoding="utf-8"))


def month_starts(first, last):
    """The first day of each month from `first`'s month to `last`'s, then `last` itself."""
    months, day = [], max(first, EARLIEST).replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    if not months or months[-1] != last:
        months.append(last)
    return months


def unit_rows(history, practice_id, date):
    """Each unit that existed on `date`, in code order, with its status then and the record
    step giving it."""
    boundaries = boundaries_on(date)
    points = label_points()[boundaries.units]
    rows = []
    for unit in sorted(history.units_on(date, PROVINCIAL_KINDS), key=lambda u: u.code):
        step = history.step_on(unit.id, practice_id, date)
        status = step.status if step else None
        label, symbol = _text(status)
        lon, lat = points.get(unit.code, (None, None))
        rows.append(
            {
                "code": unit.code,
                "name": unit.short_name or unit.name,
                "url": reverse("practices:agency_detail", args=[unit.slug]),
                "status": str(status or NO_RECORD),
                "status_label": label,
                "symbol": symbol,
                "legend": f"{symbol} {label}",
                "on": step.on.isoformat() if step and step.on else "",
                "on_label": f"{step.on:%d/%m/%Y}" if step and step.on else "",
                "instrument": (step.instrument if step else "") or "",
                "lon": lon,
                "lat": lat,
            }
        )
    return rows


TOOLTIP = [
    {"field": "name", "title": "Đơn vị"},
    {"field": "status_label", "title": "Trạng thái"},
    {"field": "on_label", "title": "Ngày"},
    {"field": "instrument", "title": "Văn bản"},
]


def spec(rows, date, boundaries, *, inline_boundaries=False, width=440, height=470):
    """The Vega-Lite spec: boundaries filled by status, a symbol at each unit's label point.

    `inline_boundaries` puts the boundary file inside the spec, for the server's renderer; the
    browser fetches it from static/ (compressed, cached) instead.
    """
    fields = ["name", "code", "status_label", "symbol", "legend", "on_label", "instrument"]
    geo_data = (
        {"values": boundary_values(boundaries.static_path), "format": boundaries.data_format}
        if inline_boundaries
        else {"url": boundaries.url, "format": boundaries.data_format}
    )
    return {
        "$schema": charts.SCHEMA,
        "description": (
            f"Bản đồ {boundaries.units} tỉnh, thành phố ngày {date:%d/%m/%Y}, tô màu và ký hiệu "
            "theo trạng thái áp dụng giải pháp."
        ),
        "width": width,
        "height": height,
        "autosize": {"type": "fit", "contains": "padding"},
        "projection": {"type": "mercator"},
        "params": [{"name": "highlight", "value": ""}],
        # The symbols' colours are their own scale, so that the legend is the fills'.
        "resolve": {"scale": {"color": "independent"}},
        "config": charts.CONFIG,
        "layer": [
            {
                "data": geo_data,
                "transform": [
                    {
                        "lookup": "id",
                        "from": {"data": {"values": rows}, "key": "code", "fields": fields},
                    },
                    {"calculate": f"datum.legend || '{LEGEND[-1]}'", "as": "legend"},
                ],
                "mark": {"type": "geoshape", "stroke": "#6b6b6b"},
                "encoding": {
                    "color": {
                        "field": "legend",
                        "type": "nominal",
                        "scale": charts.status_color_scale(ORDER),
                        "legend": {
                            "title": "Trạng thái",
                            "orient": "top-right",
                            "labelLimit": 200,
                            "symbolStrokeColor": "#6b6b6b",
                            "symbolStrokeWidth": 1,
                        },
                    },
                    "strokeWidth": {
                        "condition": {"test": "datum.id === highlight", "value": 3},
                        "value": 0.4,
                    },
                    "tooltip": TOOLTIP,
                },
            },
            {
                "data": {"values": [r for r in rows if r["lon"] is not None]},
                "mark": {"type": "text", "fontSize": 11, "fontWeight": "bold"},
                "encoding": {
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "text": {"field": "symbol"},
                    "color": {
                        "field": "legend",
                        "type": "nominal",
                        "scale": charts.status_text_color_scale(ORDER),
                        "legend": None,
                    },
                    "tooltip": TOOLTIP,
                },
            },
        ],
    }
