"""The national overview's charts (`/tong-quan/`), registered for download."""

import functools

from dashboards import charts, overview, params
from dashboards.charts_practice import (
    DATE_AXIS,
    SERIES,
    SERIES_ADOPTED,
    SERIES_BOTH,
    date_tooltip,
    name,
    percent,
)
from dashboards.practice_stats import GROUPS

# Per group of units, as on the practice dashboard (charts_practice.name).
COVERAGE = "tong-quan-bao-phu"  # + "-tinh-thanh", "-bo-nganh"
TREND = "tong-quan-xu-huong"  # + "-tinh-thanh", "-bo-nganh"
REGIONS = "tong-quan-vung"

# Dark enough on white for a line (≥ 3:1), and each line has its own dash pattern as well.
PALETTE = ["#1b5e20", "#0d47a1", "#b71c1c", "#6a1b9a", "#8d4a00", "#006064", "#37474f", "#4e342e"]
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [10, 2], [2, 4], [6, 2, 2, 2]]


def _overview(query):
    day = params.day(query)
    return day, overview.cached_overview(day)


def coverage_chart(query, group):
    day, data = _overview(query)
    units = data.units[group.key]
    values = [
        {
            "giai_phap": row.practice.title,
            "da_ap_dung": percent(c.adopted_share),
            "ca_thi_diem": percent(c.adopted_or_piloting_share),
            "nhan": f"{c.adopted} đã áp dụng, {c.adopted_or_piloting} kể cả thí điểm",
            "so": c.adopted,
            "so_ca_thi_diem": c.adopted_or_piloting,
        }
        for row in data.rows
        for c in [row.coverage[group.key]]
    ]
    share_axis = {
        "type": "quantitative",
        "scale": {"domain": [0, 100]},
        "title": f"Tỷ lệ trên {units} {group.noun} (%)",
    }
    tooltip = [
        {"field": "giai_phap", "title": "Giải pháp"},
        {"field": "so", "title": SERIES_ADOPTED},
        {"field": "so_ca_thi_diem", "title": SERIES_BOTH},
    ]
    spec = {
        "width": 420,
        "height": {"step": 34},
        "data": {"values": values},
        "encoding": {
            "y": {
                "field": "giai_phap",
                "type": "nominal",
                "sort": None,
                "title": None,
                "axis": {"labelLimit": 320},
            },
        },
        # Told apart by their form, not only their colour: adopted-or-piloting is an outlined
        # bar, adopted a filled one inside it (it can only be as long or shorter).
        "layer": [
            {
                "mark": {
                    "type": "bar",
                    "fill": "#ffffff",
                    "stroke": SERIES[SERIES_BOTH]["color"],
                    "strokeWidth": 2,
                    "tooltip": True,
                },
                "encoding": {"x": {"field": "ca_thi_diem", **share_axis}, "tooltip": tooltip},
            },
            {
                "mark": {
                    "type": "bar",
                    "color": SERIES[SERIES_ADOPTED]["color"],
                    "height": {"band": 0.45},
                    "tooltip": True,
                },
                "encoding": {"x": {"field": "da_ap_dung", **share_axis}, "tooltip": tooltip},
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 6, "color": charts.TEXT},
                "encoding": {
                    "x": {"field": "ca_thi_diem", **share_axis},
                    "text": {"field": "nhan"},
                },
            },
        ],
    }
    return charts.Chart(
        title=f"Mức độ bao phủ các giải pháp trên {group.noun}",
        description=(
            f"Vào ngày {day:%d/%m/%Y}, trên {units} {group.noun} tồn tại vào ngày đó: thanh "
            "đặc là số đã áp dụng, khung viền ngoài là số đã áp dụng hoặc đang thí điểm."
        ),
        spec=spec,
        columns=[
            "Giải pháp",
            f"Số {group.noun} tồn tại",
            "Đã áp dụng",
            "Tỷ lệ đã áp dụng (%)",
            "Đã áp dụng hoặc đang thí điểm",
            "Tỷ lệ đã áp dụng hoặc đang thí điểm (%)",
        ],
        rows=[
            [
                r.practice.title,
                c.units,
                c.adopted,
                percent(c.adopted_share),
                c.adopted_or_piloting,
                percent(c.adopted_or_piloting_share),
            ]
            for r in data.rows
            for c in [r.coverage[group.key]]
        ],
    )


def trend_chart(query, group):
    day, data = _overview(query)
    points = data.trends[group.key]
    titles = [practice.title for practice in data.practices]
    values = [
        {
            "ngay": p.on.isoformat(),
            "giai_phap": p.practice.title,
            "ty_le": percent(p.share),
            "so": p.adopted,
            "mau_so": p.units,
        }
        for p in points
    ]
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(titles))]
    dashes = [DASHES[i % len(DASHES)] for i in range(len(titles))]
    legend = {"orient": "bottom", "direction": "vertical", "labelLimit": 600, "title": None}
    spec = {
        "width": 640,
        "height": 260,
        "data": {"values": values},
        "mark": {"type": "line", "interpolate": "step-after", "point": True, "strokeWidth": 2},
        "encoding": {
            "x": DATE_AXIS,
            "y": {
                "field": "ty_le",
                "type": "quantitative",
                "title": "Tỷ lệ đã áp dụng (%)",
                "scale": {"domain": [0, 100]},
            },
            # One legend showing each practice's colour and dash pattern.
            "color": {
                "field": "giai_phap",
                "type": "nominal",
                "title": "Giải pháp",
                "scale": {"domain": titles, "range": colours},
                "legend": legend,
            },
            "strokeDash": {
                "field": "giai_phap",
                "type": "nominal",
                "title": "Giải pháp",
                "scale": {"domain": titles, "range": dashes},
                "legend": legend,
            },
            "tooltip": [
                {"field": "giai_phap", "title": "Giải pháp"},
                date_tooltip(),
                {"field": "so", "title": "Số đơn vị đã áp dụng"},
                {"field": "mau_so", "title": f"Số {group.noun} tồn tại"},
                {"field": "ty_le", "title": "Tỷ lệ (%)"},
            ],
        },
    }
    return charts.Chart(
        title=f"Tỷ lệ {group.noun} đã áp dụng mỗi giải pháp theo thời gian",
        description=f"Đến ngày {day:%d/%m/%Y}. {overview.RULES['trend']}",
        spec=spec,
        columns=[
            "Ngày",
            "Giải pháp",
            f"Số {group.noun} tồn tại",
            "Đã áp dụng",
            "Tỷ lệ đã áp dụng (%)",
        ],
        rows=[[p.on, p.practice.title, p.units, p.adopted, percent(p.share)] for p in points],
    )


@charts.register(REGIONS, params=(params.DATE,))
def regions_chart(query):
    day, data = _overview(query)
    values = [
        {"vung": r.region, "ty_le": percent(r.share), "nhan": f"{r.adopted_pairs}/{r.pairs}"}
        for r in data.regions
    ]
    spec = {
        "width": 480,
        "height": {"step": 30},
        "data": {"values": values},
        "encoding": {
            "y": {
                "field": "vung",
                "type": "nominal",
                "sort": None,
                "title": None,
                "axis": {"labelLimit": 260},
            },
            "x": {
                "field": "ty_le",
                "type": "quantitative",
                "scale": {"domain": [0, 100]},
                "title": "Tỷ lệ cặp (tỉnh, thành phố × giải pháp) đã áp dụng (%)",
            },
        },
        "layer": [
            {"mark": {"type": "bar", "color": SERIES[SERIES_ADOPTED]["color"], "tooltip": True}},
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "color": charts.TEXT},
                "encoding": {"text": {"field": "nhan"}},
            },
        ],
    }
    return charts.Chart(
        title="Các vùng theo mức độ áp dụng, vùng thấp nhất trước",
        description=f"Vào ngày {day:%d/%m/%Y}. {overview.RULES['regions']}",
        spec=spec,
        columns=[
            "Vùng",
            "Số tỉnh, thành phố",
            "Số cặp (tỉnh, thành phố × giải pháp)",
            "Số cặp đã áp dụng",
            "Tỷ lệ (%)",
        ],
        rows=[
            [r.region, r.units, r.pairs, r.adopted_pairs, percent(r.share)] for r in data.regions
        ],
    )


for _group in GROUPS:
    for _base, _builder in ((COVERAGE, coverage_chart), (TREND, trend_chart)):
        charts.register(name(_base, _group), params=(params.DATE,))(
            functools.partial(_builder, group=_group)
        )
