"""The home page's chart: how many public adoptions are at each stage. The pipeline's first
chart (one include line in templates/kb/home_page.html)."""

from dashboards import cache, charts, home_stats

NAME = "ket-qua-theo-trang-thai"


@charts.register(NAME)
def adoptions_by_status(params):
    counts = cache.cached("home:adoptions-by-status", home_stats.public_adoptions_by_status)
    statuses = charts.STATUS_ORDER
    values = [
        {"trang_thai": charts.status_text(status), "so_luong": counts.get(status, 0)}
        for status in statuses
    ]
    total = sum(counts.values())
    spec = {
        "width": 560,
        "height": {"step": 36},
        "data": {"values": values},
        "layer": [
            {
                "mark": {
                    "type": "bar",
                    "stroke": charts.MARK_STROKE,
                    "strokeWidth": 1,
                    "tooltip": True,
                },
                "encoding": {
                    "color": {
                        "field": "trang_thai",
                        "type": "nominal",
                        "scale": charts.status_color_scale(statuses),
                        "legend": None,
                    },
                },
            },
            {
                # The number beside each bar, in the text colour on white.
                "mark": {"type": "text", "align": "left", "dx": 6, "color": charts.TEXT},
                "encoding": {"text": {"field": "so_luong", "type": "quantitative"}},
            },
        ],
        "encoding": {
            # The status is written on the axis (symbol and words): never colour alone.
            "y": {
                "field": "trang_thai",
                "type": "nominal",
                "sort": [charts.status_text(s) for s in statuses],
                "title": None,
                "axis": {"labelLimit": 200},
            },
            "x": {
                "field": "so_luong",
                "type": "quantitative",
                "title": "Số kết quả áp dụng",
                "axis": {"tickMinStep": 1, "format": "d"},
            },
            "tooltip": [
                {"field": "trang_thai", "title": "Trạng thái"},
                {"field": "so_luong", "title": "Số kết quả áp dụng", "format": "d"},
            ],
        },
    }
    return charts.Chart(
        title="Kết quả áp dụng theo trạng thái",
        description=(
            f"Số kết quả áp dụng đã công bố (tổng cộng {total}), theo trạng thái hiện tại; "
            "mỗi kết quả là một giải pháp tại một cơ quan, đơn vị."
        ),
        spec=spec,
        columns=["Trạng thái", "Số kết quả áp dụng"],
        rows=[[row["trang_thai"], row["so_luong"]] for row in values],
    )
