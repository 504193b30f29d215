"""The agency dashboards' charts, through the shared pipeline (dashboards.charts): the
timeline of an agency's steps, and its comparison with another unit or the national average.
Registered, so that each has its SVG, PNG and CSV at /bieu-do/<name>.<fmt>?co-quan=…"""

from dashboards import agency_stats, charts
from practices.history import DateError, parse_date
from practices.models import Agency

TIMELINE = "co-quan-dien-bien"
COMPARISON = "co-quan-so-sanh"
ROW_HEIGHT = 34
WIDTH = 480  # the plot; labels and legend add to it, and the picture shrinks to the page
LABEL_LIMIT = 220
# Long practice titles take the left; the legend goes under the plot, so a phone keeps it.
CONFIG = {"legend": {"orient": "bottom", "direction": "horizontal", "columns": 2}}


def _agency(params):
    agency = Agency.objects.filter(slug=params.get("co-quan", "")).first()
    if agency is None:
        raise charts.BadParams("Không tìm thấy cơ quan, đơn vị.")
    return agency


def _date(params, agency):
    try:
        return parse_date(params.get("ngay", "")) or agency_stats.default_date(agency)
    except DateError as error:
        raise charts.BadParams(str(error)) from error


def _step_unit(step):
    return f"kế thừa từ {step.holder.name}" if step.inherited else "chính đơn vị"


@charts.register(TIMELINE, params=("co-quan", "ngay"))
def timeline(params):
    agency = _agency(params)
    date = _date(params, agency)
    return timeline_chart(agency_stats.agency_dashboard(agency, date))


def timeline_chart(dash):
    """Each practice a row, each step a mark at the day it counts from, shaped and coloured
    by status, with its words in the legend and the tooltip."""
    values, rows = [], []
    for row in dash.timeline:
        for step in row.steps:
            status = charts.status_text(step.status)
            values.append(
                {
                    "giai_phap": row.practice.title,
                    "trang_thai": status,
                    "ngay": step.counts_from.isoformat(),
                    "ghi_ngay": step.on.strftime("%d/%m/%Y") if step.on else "không ghi ngày",
                    "van_ban": step.instrument or "chưa rõ",
                    "don_vi": _step_unit(step),
                }
            )
            rows.append([row.practice.title, status, step.on, step.instrument, _step_unit(step)])
    x = {"field": "ngay", "type": "temporal", "title": "Ngày", "axis": {"format": "%m/%Y"}}
    y = {
        "field": "giai_phap",
        "type": "nominal",
        "title": None,
        "sort": None,
        "axis": {"labelLimit": LABEL_LIMIT},
    }
    spec = {
        "width": WIDTH,
        "height": {"step": ROW_HEIGHT},
        "config": CONFIG,
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "line", "color": charts.MUTED, "strokeWidth": 1},
                "encoding": {"x": x, "y": y, "detail": {"field": "giai_phap"}},
            },
            {
                "mark": {
                    "type": "point",
                    "filled": True,
                    "size": 140,
                    "stroke": charts.MARK_STROKE,
                    "strokeWidth": 1,
                    "opacity": 1,
                },
                "encoding": {
                    "x": x,
                    "y": y,
                    **charts.status_encoding(),
                    "tooltip": [
                        {"field": "giai_phap", "title": "Giải pháp"},
                        {"field": "trang_thai", "title": "Bước"},
                        {"field": "ghi_ngay", "title": "Từ ngày"},
                        {"field": "van_ban", "title": "Văn bản"},
                        {"field": "don_vi", "title": "Đơn vị ghi nhận"},
                    ],
                },
            },
        ],
    }
    return charts.Chart(
        title=f"Các bước áp dụng của {dash.agency.name}",
        description=(
            f"Mỗi dấu là một bước (kế hoạch, thí điểm, áp dụng, dừng) đến ngày "
            f"{dash.date:%d/%m/%Y}, gồm cả bước của đơn vị tiền thân (không gồm đơn vị trực thuộc); "
            "bước không ghi ngày đặt ở ngày được tính."
        ),
        spec=spec,
        columns=["Giải pháp", "Bước", "Từ ngày", "Văn bản", "Đơn vị ghi nhận"],
        rows=rows,
    )


def timeline_for(agency, date):
    return charts.build(TIMELINE, {"co-quan": agency.slug, "ngay": date.isoformat()})


@charts.register(COMPARISON, params=("co-quan", "voi", "ngay"))
def comparison(params):
    agency = _agency(params)
    date = _date(params, agency)
    wanted = params.get("voi", agency_stats.NATIONAL)
    other = None
    if wanted != agency_stats.NATIONAL:
        other = _agency({"co-quan": wanted})
    result = agency_stats.compare(agency, other, date)
    if not result.rows:
        raise charts.BadParams("Không có số liệu để so sánh vào ngày này.")
    return comparison_chart(result)


def comparison_for(result):
    other = result.other.slug if result.other else agency_stats.NATIONAL
    params = {"co-quan": result.agency.slug, "voi": other, "ngay": result.date.isoformat()}
    return charts.build(COMPARISON, params)


def comparison_chart(result):
    if result.national:
        return _national_chart(result)
    return _pair_chart(result)


def _national_chart(result):
    """Bars: the share of the units of the agency's kind that had adopted each practice; the
    agency's own status written beside each bar."""
    mine = result.agency.display_name
    values, rows = [], []
    for row in result.rows:
        status = charts.status_text(row.mine.status)
        values.append(
            {
                "giai_phap": row.practice.title,
                "ty_le": row.theirs.percent,
                "so_don_vi": f"{row.theirs.adopters}/{row.theirs.units}",
                "cua_don_vi": f"{mine}: {status}",
            }
        )
        rows.append(
            [row.practice.title, row.theirs.percent, row.theirs.adopters, row.theirs.units, status]
        )
    y = {
        "field": "giai_phap",
        "type": "nominal",
        "title": None,
        "sort": None,
        "axis": {"labelLimit": LABEL_LIMIT},
    }
    x = {
        "field": "ty_le",
        "type": "quantitative",
        "title": "Tỷ lệ đơn vị đã áp dụng (%)",
        "scale": {"domain": [0, 100]},
    }
    spec = {
        "width": WIDTH,
        "height": {"step": ROW_HEIGHT},
        "config": CONFIG,
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "bar", "color": "#1b5e20", "height": 16},
                "encoding": {
                    "x": x,
                    "y": y,
                    "tooltip": [
                        {"field": "giai_phap", "title": "Giải pháp"},
                        {"field": "ty_le", "title": "Tỷ lệ (%)"},
                        {"field": "so_don_vi", "title": "Số đơn vị"},
                        {"field": "cua_don_vi", "title": "Đơn vị"},
                    ],
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "color": charts.TEXT},
                "encoding": {"x": x, "y": y, "text": {"field": "so_don_vi"}},
            },
        ],
    }
    return charts.Chart(
        title=f"{result.agency.name} và cả nước",
        description=(
            f"Tỷ lệ trên {result.units} {result.kinds_label} tồn tại ngày {result.date:%d/%m/%Y} "
            "đã áp dụng từng giải pháp (mỗi đơn vị một lần, gồm kết quả của đơn vị tiền thân); "
            "trạng thái của đơn vị ở bảng số liệu."
        ),
        spec=spec,
        columns=[
            "Giải pháp",
            "Tỷ lệ đã áp dụng (%)",
            "Số đơn vị đã áp dụng",
            "Số đơn vị cùng loại",
            f"Trạng thái của {mine}",
        ],
        rows=rows,
    )


def _pair_chart(result):
    """A two-column grid: each practice, each unit's status as a shape, colour and words."""
    a, b = result.agency.display_name, result.other.display_name
    values, rows = [], []
    for row in result.rows:
        for name, side in ((a, row.mine), (b, row.theirs)):
            values.append(
                {
                    "giai_phap": row.practice.title,
                    "don_vi": name,
                    "trang_thai": charts.status_text(side.status),
                    "ngay": side.step.on.strftime("%d/%m/%Y") if side.step and side.step.on else "",
                }
            )
        rows.append(
            [
                row.practice.title,
                charts.status_text(row.mine.status),
                row.mine.step.on if row.mine.step else None,
                charts.status_text(row.theirs.status),
                row.theirs.step.on if row.theirs.step else None,
            ]
        )
    x = {
        "field": "don_vi",
        "type": "nominal",
        "title": None,
        "sort": [a, b],
        "axis": {"orient": "top", "labelAngle": 0},
    }
    y = {
        "field": "giai_phap",
        "type": "nominal",
        "title": None,
        "sort": None,
        "axis": {"labelLimit": LABEL_LIMIT},
    }
    spec = {
        "width": WIDTH,
        "height": {"step": ROW_HEIGHT},
        "config": CONFIG,
        "data": {"values": values},
        "mark": {
            "type": "point",
            "filled": True,
            "size": 180,
            "stroke": charts.MARK_STROKE,
            "strokeWidth": 1,
            "opacity": 1,
        },
        "encoding": {
            "x": x,
            "y": y,
            **charts.status_encoding(include_none=True),
            "tooltip": [
                {"field": "giai_phap", "title": "Giải pháp"},
                {"field": "don_vi", "title": "Đơn vị"},
                {"field": "trang_thai", "title": "Trạng thái"},
                {"field": "ngay", "title": "Từ ngày"},
            ],
        },
    }
    return charts.Chart(
        title=f"{result.agency.name} và {result.other.name}",
        description=(
            f"Trạng thái từng giải pháp của hai đơn vị ngày {result.date:%d/%m/%Y}, gồm kết "
            "quả của đơn vị tiền thân và trực thuộc."
        ),
        spec=spec,
        columns=[
            "Giải pháp",
            f"{a}: trạng thái",
            f"{a}: từ ngày",
            f"{b}: trạng thái",
            f"{b}: từ ngày",
        ],
        rows=rows,
    )
