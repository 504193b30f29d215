"""The practice dashboard's charts (`/sang-kien/<slug>/lan-toa/`), registered for download.

Each builder reads the practice, the group and the day from the page's parameters
(`dashboards.params`) and the figures from the cached `dashboards.practice_stats`.
"""

import functools

from dashboards import charts, params, practice_stats
from practices.text import sort_key

# One chart per group of units (provinces, ministries), so that each has a name of its own:
# a page holds both, and a chart's element ids come from its name.
CURVE = "lan-toa-duong-tich-luy"  # + "-tinh-thanh", "-bo-nganh"
QUARTERS = "lan-toa-theo-quy"  # + "-tinh-thanh", "-bo-nganh"
REGIONS = "lan-toa-theo-vung"
LEARNED = "lan-toa-hoc-tap-tu"
TEASER = "lan-toa-thu-nho"

SERIES_ADOPTED = "Đã áp dụng"
SERIES_BOTH = "Đã áp dụng hoặc đang thí điểm"
SERIES_UNITS = "Số đơn vị tồn tại"
# Told apart by the line's pattern and the points' shape as well as the colour.
SERIES = {
    SERIES_ADOPTED: {"color": "#1b5e20", "dash": [1, 0], "shape": "circle"},
    SERIES_BOTH: {"color": "#0d47a1", "dash": [6, 3], "shape": "diamond"},
    SERIES_UNITS: {"color": charts.MUTED, "dash": [2, 2], "shape": "square"},
}

# Days are sent as "YYYY-MM-DD", which Vega reads as UTC midnight: read and written in UTC, so
# that no reader's time zone moves a day.
DATE_AXIS = {
    "field": "ngay",
    "type": "temporal",
    "timeUnit": "utcyearmonthdate",
    "title": "Ngày",
    "axis": {"format": "%m/%Y", "labelAngle": 0},
}


def date_tooltip(field_name="ngay", title="Ngày"):
    return {
        "field": field_name,
        "type": "temporal",
        "timeUnit": "utcyearmonthdate",
        "title": title,
        "format": "%d/%m/%Y",
    }


def percent(share):
    return round(100 * share, 1)


def _series_scale(names):
    """Colour, dash and shape of each series, in one legend that shows all three."""
    legend = {"orient": "bottom", "direction": "vertical", "labelLimit": 320, "title": None}
    return {
        channel: {
            "field": "chuoi",
            "type": "nominal",
            "title": None,
            "scale": {"domain": names, "range": [SERIES[n][key] for n in names]},
            "legend": legend,
        }
        for channel, key in (("color", "color"), ("strokeDash", "dash"), ("shape", "shape"))
    }


def name(base, group):
    """The registered name of a per-group chart."""
    return f"{base}-{group.key}"


def heading(lines):
    """A panel's heading as text marks above it. Not a Vega title: Vega labels a sub-chart's
    title "Title text …" in English whatever the config says; a text mark is silent (the
    figure's caption and the table say it in Vietnamese)."""
    count = len(lines)
    return [
        {
            "data": {"values": [{}]},
            "mark": {
                "type": "text",
                "align": "left",
                "baseline": "bottom",
                "x": 0,
                "y": -8 - 16 * (count - 1 - index),
                "fontSize": 13 if index == 0 else 12,
                "fontWeight": "bold" if index == 0 else "normal",
                "color": charts.TEXT if index == 0 else charts.MUTED,
            },
            "encoding": {"text": {"value": line}},
        }
        for index, line in enumerate(lines)
    ]


def _stats(query):
    practice = params.practice(query)
    day = params.day(query)
    return practice, day, practice_stats.cached_practice_stats(practice, day)


def _group_stats(stats, group):
    return next(g for g in stats.groups if g.group.key == group.key)


def denominator_text(group_stats):
    words = practice_stats.denominator_words(group_stats.denominators, group_stats.group.noun)
    return f"Tỷ lệ trên số {group_stats.group.noun} tồn tại vào từng ngày: {words}."


def curve_chart(query, group):
    practice, day, stats = _stats(query)
    group = _group_stats(stats, group)
    noun = group.group.noun
    values = []
    for point in group.curve:
        on = point.on.isoformat()
        values += [
            {
                "ngay": on,
                "chuoi": SERIES_ADOPTED,
                "so": point.adopted,
                "ty_le": percent(point.adopted_share),
                "mau_so": point.units,
            },
            {
                "ngay": on,
                "chuoi": SERIES_BOTH,
                "so": point.adopted_or_piloting,
                "ty_le": percent(point.adopted_or_piloting_share),
                "mau_so": point.units,
            },
            {
                "ngay": on,
                "chuoi": SERIES_UNITS,
                "so": point.units,
                "ty_le": None,
                "mau_so": point.units,
            },
        ]
    denominator = denominator_text(group)
    tooltip = [
        date_tooltip(title="Từ ngày"),
        {"field": "chuoi", "title": "Chuỗi"},
        {"field": "so", "title": "Số đơn vị"},
        {"field": "ty_le", "title": "Tỷ lệ (%)"},
        {"field": "mau_so", "title": f"Số {noun} tồn tại"},
    ]
    line = {"type": "line", "interpolate": "step-after", "point": {"size": 40}, "strokeWidth": 2}
    words = practice_stats.denominator_words(group.denominators, noun)
    spec = {
        "data": {"values": values},
        "spacing": 48,
        "vconcat": [
            {
                "width": 640,
                "height": 200,
                "layer": [
                    *heading([f"Số {noun}"]),
                    {
                        "mark": line,
                        "encoding": {
                            "x": DATE_AXIS,
                            "y": {
                                "field": "so",
                                "type": "quantitative",
                                "title": "Số đơn vị",
                                "axis": {"tickMinStep": 1, "format": "d"},
                            },
                            **_series_scale([SERIES_ADOPTED, SERIES_BOTH, SERIES_UNITS]),
                            "tooltip": tooltip,
                        },
                    },
                ],
            },
            {
                "width": 640,
                "height": 200,
                "layer": [
                    # The denominator, in words, on the chart itself.
                    *heading([f"Tỷ lệ (%) trên số {noun} tồn tại vào từng ngày", words]),
                    {
                        "transform": [{"filter": f"datum.chuoi !== '{SERIES_UNITS}'"}],
                        "mark": line,
                        "encoding": {
                            "x": DATE_AXIS,
                            "y": {
                                "field": "ty_le",
                                "type": "quantitative",
                                "title": "Tỷ lệ (%)",
                                "scale": {"domain": [0, 100]},
                            },
                            **_series_scale([SERIES_ADOPTED, SERIES_BOTH]),
                            "tooltip": tooltip,
                        },
                    },
                ],
            },
        ],
        "resolve": {
            "scale": {"color": "independent", "strokeDash": "independent", "shape": "independent"}
        },
    }
    return charts.Chart(
        title=f"Số {noun} áp dụng “{practice.title}” theo thời gian",
        description=(
            f"Đến ngày {day:%d/%m/%Y}; đường bậc thang đổi giá trị ở mỗi ngày có thay đổi. "
            + denominator
        ),
        spec=spec,
        columns=[
            "Từ ngày",
            f"Số {noun} tồn tại",
            "Đã áp dụng",
            "Tỷ lệ đã áp dụng (%)",
            "Đã áp dụng hoặc đang thí điểm",
            "Tỷ lệ đã áp dụng hoặc đang thí điểm (%)",
        ],
        rows=[
            [
                p.on,
                p.units,
                p.adopted,
                percent(p.adopted_share),
                p.adopted_or_piloting,
                percent(p.adopted_or_piloting_share),
            ]
            for p in group.curve
        ],
    )


def quarters_chart(query, group):
    practice, day, stats = _stats(query)
    group = _group_stats(stats, group)
    noun = group.group.noun
    values = [{"quy": q.label, "so": q.count} for q in group.quarters]
    spec = {
        "width": {"step": 28} if len(values) > 20 else 640,
        "height": 200,
        "data": {"values": values},
        "mark": {"type": "bar", "color": SERIES[SERIES_ADOPTED]["color"], "tooltip": True},
        "encoding": {
            "x": {
                "field": "quy",
                "type": "ordinal",
                "sort": None,
                "title": "Quý",
                "axis": {"labelAngle": -45},
            },
            "y": {
                "field": "so",
                "type": "quantitative",
                "title": f"Số {noun} mới áp dụng",
                "axis": {"tickMinStep": 1, "format": "d"},
            },
            "tooltip": [
                {"field": "quy", "title": "Quý"},
                {"field": "so", "title": "Số đơn vị mới áp dụng"},
            ],
        },
    }
    return charts.Chart(
        title=f"Số {noun} mới áp dụng “{practice.title}” mỗi quý",
        description=f"Đến ngày {day:%d/%m/%Y}. {practice_stats.RULES['quarters']}",
        spec=spec,
        columns=["Quý", f"Số {noun} mới áp dụng"],
        rows=[[q.label, q.count] for q in group.quarters],
    )


@charts.register(REGIONS, params=(params.PRACTICE, params.DATE))
def regions_chart(query):
    practice, day, stats = _stats(query)
    group = _group_stats(stats, practice_stats.PROVINCES)
    values = [
        {
            "vung": r.region,
            "ty_le": percent(r.adopted_share),
            "nhan": f"{r.adopted}/{r.units}",
            "so": r.adopted,
            "mau_so": r.units,
        }
        for r in group.regions
    ]
    spec = {
        "width": 520,
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
                "title": "Tỷ lệ đã áp dụng (%)",
                "scale": {"domain": [0, 100]},
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
        title=f"Tỉnh, thành phố đã áp dụng “{practice.title}” theo vùng",
        description=(
            f"Vào ngày {day:%d/%m/%Y}: số tỉnh, thành phố đã áp dụng trên số tỉnh, thành phố "
            f"của vùng tồn tại vào ngày đó. {practice_stats.RULES['regions']}"
        ),
        spec=spec,
        columns=[
            "Vùng",
            "Số tỉnh, thành phố",
            "Đã áp dụng",
            "Tỷ lệ đã áp dụng (%)",
            "Đã áp dụng hoặc đang thí điểm",
            "Tỷ lệ đã áp dụng hoặc đang thí điểm (%)",
        ],
        rows=[
            [
                r.region,
                r.units,
                r.adopted,
                percent(r.adopted_share),
                r.adopted_or_piloting,
                percent(r.adopted_or_piloting_share),
            ]
            for r in group.regions
        ],
    )


def unit_label(agency):
    """A unit's name with its period when it has ended, so that two units of one name (a
    province before and after 1/7/2025) stay two rows."""
    if agency.valid_to:
        return f"{agency.display_name} (đến {agency.valid_to:%d/%m/%Y})"
    return agency.display_name


@charts.register(LEARNED, params=(params.PRACTICE, params.DATE))
def learned_chart(query):
    practice, day, stats = _stats(query)
    drawn = [edge for edge in stats.edges if edge.source_on is not None]
    links = [
        {
            "tu": unit_label(e.source),
            "tu_ngay": e.source_on.isoformat(),
            "den": unit_label(e.learner),
            "den_ngay": e.learner_on.isoformat(),
        }
        for e in drawn
    ]
    points = [
        {"don_vi": link[end], "ngay": link[f"{end}_ngay"], "vai": role}
        for link in links
        for end, role in (("tu", "Đơn vị được học tập"), ("den", "Đơn vị học tập"))
    ]
    # Top to bottom in the order the units first appear, as the links run left to right.
    first_seen = {}
    for point in sorted(points, key=lambda p: p["ngay"]):
        first_seen.setdefault(point["don_vi"], point["ngay"])
    names = sorted(first_seen, key=lambda n: (first_seen[n], sort_key(n)))
    # The same units on one scale for both layers and both ends of each link.
    y = {
        "type": "nominal",
        "title": None,
        "sort": None,
        "scale": {"domain": names},
        "axis": {"labelLimit": 260},
    }
    roles = ["Đơn vị được học tập", "Đơn vị học tập"]
    spec = {
        "width": 560,
        "height": {"step": 28},
        "layer": [
            {
                "data": {"values": links},
                "mark": {"type": "rule", "color": charts.MUTED, "strokeWidth": 1.5},
                "encoding": {
                    "x": {**DATE_AXIS, "field": "tu_ngay"},
                    "x2": {"field": "den_ngay", "timeUnit": "utcyearmonthdate"},
                    "y": {**y, "field": "tu"},
                    "y2": {"field": "den"},
                },
            },
            {
                "data": {"values": points},
                "mark": {
                    "type": "point",
                    "filled": True,
                    "size": 90,
                    "tooltip": True,
                    "stroke": charts.MARK_STROKE,
                    "strokeWidth": 1,
                },
                "encoding": {
                    "x": DATE_AXIS,
                    "y": {**y, "field": "don_vi"},
                    # The learner's end is the arrow's head: a triangle, not only a colour.
                    "shape": {
                        "field": "vai",
                        "type": "nominal",
                        "title": None,
                        "scale": {"domain": roles, "range": ["circle", "triangle-right"]},
                        "legend": {"orient": "bottom"},
                    },
                    "color": {
                        "field": "vai",
                        "type": "nominal",
                        "title": None,
                        "scale": {"domain": roles, "range": ["#ffffff", "#0d47a1"]},
                        "legend": {"orient": "bottom"},
                    },
                    "tooltip": [
                        {"field": "don_vi", "title": "Đơn vị"},
                        {"field": "vai", "title": "Vai trò"},
                        date_tooltip(),
                    ],
                },
            },
        ],
    }
    return charts.Chart(
        title=f"Học tập từ: ai học tập ai khi áp dụng “{practice.title}”",
        description=(
            f"Đến ngày {day:%d/%m/%Y}. {practice_stats.RULES['learned']} Trục ngang là ngày "
            "mỗi kết quả được ghi nhận lần đầu."
        ),
        spec=spec,
        columns=[
            "Đơn vị học tập",
            "Ngày ghi nhận",
            "Học tập từ",
            "Ngày ghi nhận của đơn vị được học tập",
            "Giải pháp của kết quả được học tập",
        ],
        rows=[
            [
                unit_label(e.learner),
                e.learner_on,
                unit_label(e.source),
                e.source_on,
                e.source_practice_title or practice.title,
            ]
            for e in stats.edges
        ],
    )


@charts.register(TEASER, params=(params.PRACTICE, params.DATE))
def teaser_chart(query):
    """The small curve on the practice page: the share of provinces adopting."""
    practice, day, stats = _stats(query)
    group = _group_stats(stats, practice_stats.PROVINCES)
    values = [{"ngay": p.on.isoformat(), "ty_le": percent(p.adopted_share)} for p in group.curve]
    spec = {
        "width": 260,
        "height": 80,
        "data": {"values": values},
        "mark": {
            "type": "line",
            "interpolate": "step-after",
            "strokeWidth": 2,
            "color": SERIES[SERIES_ADOPTED]["color"],
        },
        "encoding": {
            "x": {**DATE_AXIS, "title": None, "axis": {"format": "%Y", "tickCount": 3}},
            "y": {
                "field": "ty_le",
                "type": "quantitative",
                "title": "%",
                "scale": {"domain": [0, 100]},
                "axis": {"tickCount": 3},
            },
        },
    }
    return charts.Chart(
        title=f"Tỷ lệ tỉnh, thành phố đã áp dụng “{practice.title}”",
        description=denominator_text(group),
        spec=spec,
        columns=["Từ ngày", "Số tỉnh, thành phố tồn tại", "Đã áp dụng", "Tỷ lệ đã áp dụng (%)"],
        rows=[[p.on, p.units, p.adopted, percent(p.adopted_share)] for p in group.curve],
    )


for _group in practice_stats.GROUPS:
    for _base, _builder in ((CURVE, curve_chart), (QUARTERS, quarters_chart)):
        charts.register(name(_base, _group), params=(params.PRACTICE, params.DATE))(
            functools.partial(_builder, group=_group)
        )
