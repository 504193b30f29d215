"""The indicator charts (dashboards.charts): before and after adoption on a practice page, and
a unit's series on its page. Registered for their downloads (`/bieu-do/<name>.<fmt>`); a page
builds them from the data it has already read (`practice_chart`, `agency_chart`)."""

from dashboards import charts
from indicators import queries
from practices.history import DateError, parse_date
from practices.models import Agency, Indicator, PracticePage

BEFORE_AFTER = "chi-so-truoc-sau-ap-dung"
AGENCY_SERIES = "chi-so-co-quan"
ADOPTERS = "Đơn vị đã áp dụng (trung bình)"
OTHERS = "Đơn vị chưa áp dụng, cùng kỳ (trung bình)"


def _number(value):
    return float(value) if value is not None else None


def _unit(indicator):
    return f" ({indicator.unit})" if indicator.unit else ""


def practice_chart(result, practice, on, dated=False):
    """The before/after chart of one indicator (queries.IndicatorBeforeAfter)."""
    indicator = result.indicator
    values = []
    for row in result.rows:
        values.append({"thang": row.offset, "nhom": ADOPTERS, "gia_tri": _number(row.adopters)})
        if row.comparison is not None:
            values.append({"thang": row.offset, "nhom": OTHERS, "gia_tri": _number(row.comparison)})
    groups = [ADOPTERS, OTHERS]
    spec = {
        "width": 560,
        "height": 260,
        "data": {"values": values},
        "layer": [
            {
                # The month of adoption.
                "data": {"values": [{"thang": 0}]},
                "mark": {"type": "rule", "color": charts.MUTED, "strokeDash": [2, 2]},
                "encoding": {"x": {"field": "thang", "type": "quantitative"}},
            },
            {
                "mark": {"type": "line", "point": {"filled": True, "size": 60}, "tooltip": True},
                "encoding": {
                    "x": {
                        "field": "thang",
                        "type": "quantitative",
                        "title": "Tháng so với tháng áp dụng (0 = tháng áp dụng)",
                        "scale": {"domain": [-queries.WINDOW, queries.WINDOW]},
                        "axis": {"tickMinStep": 1, "format": "d"},
                    },
                    "y": {
                        "field": "gia_tri",
                        "type": "quantitative",
                        "title": f"{indicator.name}{_unit(indicator)}",
                    },
                    # Two groups told apart by colour, dash and shape, and named in the legend.
                    "color": {
                        "field": "nhom",
                        "type": "nominal",
                        "title": None,
                        "scale": {"domain": groups, "range": ["#1b5e20", "#4f5866"]},
                        "legend": {"orient": "bottom", "labelLimit": 360},
                    },
                    "strokeDash": {
                        "field": "nhom",
                        "type": "nominal",
                        "scale": {"domain": groups, "range": [[1, 0], [6, 3]]},
                        "legend": None,
                    },
                    "shape": {
                        "field": "nhom",
                        "type": "nominal",
                        "scale": {"domain": groups, "range": ["circle", "square"]},
                        "legend": None,
                    },
                    "tooltip": [
                        {"field": "nhom", "title": "Nhóm"},
                        {"field": "thang", "title": "Tháng so với tháng áp dụng"},
                        {"field": "gia_tri", "title": "Giá trị", "format": ",.1f"},
                    ],
                },
            },
        ],
    }
    description = (
        f"Số đo theo {result.period_kind_label} của {len(result.adopters)} đơn vị đã áp dụng, "
        "mỗi đơn vị tính từ tháng áp dụng của mình (tháng 0); cạnh đó là trung bình của "
        f"{result.comparison_units} đơn vị chưa áp dụng vào ngày {on:%d/%m/%Y}, cùng kỳ. "
        "Cho thấy sự tương quan, không chứng minh nguyên nhân."
    )
    return charts.Chart(
        title=f"{indicator.name}: trước và sau khi áp dụng",
        description=description,
        spec=spec,
        columns=[
            "Tháng so với tháng áp dụng",
            f"Đơn vị đã áp dụng: trung bình{_unit(indicator)}",
            "Số đơn vị báo cáo",
            f"Đơn vị chưa áp dụng, cùng kỳ: trung bình{_unit(indicator)}",
        ],
        rows=[
            [row.offset, _number(row.adopters), row.adopter_count, _number(row.comparison) or "—"]
            for row in result.rows
        ],
        name=BEFORE_AFTER,
        params={"giai-phap": practice.slug, "chi-so": indicator.code}
        | ({"ngay": on.isoformat()} if dated else {}),
    )


@charts.register(BEFORE_AFTER, params=("giai-phap", "chi-so", "ngay"))
def before_after(params):
    practice = PracticePage.objects.live().filter(slug=params.get("giai-phap", "")).first()
    if practice is None:
        raise charts.BadParams("Không có giải pháp này.")
    try:
        on = parse_date(params.get("ngay", ""))
    except DateError as error:
        raise charts.BadParams(str(error)) from error
    data = queries.before_after(practice, on)
    for result in data.results:
        if result.indicator.code == params.get("chi-so"):
            return practice_chart(result, practice, data.on, dated=on is not None)
    raise charts.BadParams("Giải pháp này không có số liệu của chỉ số đó.")


def agency_chart(series, agency):
    """One indicator's series of a unit (queries.AgencySeries), with the national targets."""
    indicator = series.indicator
    values = [
        {
            "ngay": f"{point.period_end:%Y-%m-%d}",
            "ky": point.period_label,
            "don_vi": point.reported_by_label + ("" if point.own else ", tiền thân"),
            "loai": point.kind_label,
            "gia_tri": _number(point.value),
        }
        for point in series.points
    ]
    targets = [
        {
            "ngay": f"{target.period_end:%Y-%m-%d}",
            "ky": target.period_label,
            "gia_tri": _number(target.value),
            "nhan": f"Chỉ tiêu quốc gia {target.display_value} ({target.instrument})",
        }
        for target in series.targets
    ]
    layers = [
        {
            "data": {"values": values},
            "mark": {"type": "line", "point": {"filled": True, "size": 60}, "tooltip": True},
            "encoding": {
                "x": {
                    "field": "ngay",
                    "type": "temporal",
                    "title": "Ngày cuối kỳ",
                    "axis": {"format": "%m/%Y"},
                },
                "y": {
                    "field": "gia_tri",
                    "type": "quantitative",
                    "title": f"{indicator.name}{_unit(indicator)}",
                },
                "color": {
                    "field": "don_vi",
                    "type": "nominal",
                    "title": "Đơn vị báo cáo",
                    "legend": {"orient": "bottom", "labelLimit": 360},
                },
                "shape": {"field": "loai", "type": "nominal", "title": "Loại số liệu"},
                "tooltip": [
                    {"field": "ky", "title": "Kỳ"},
                    {"field": "don_vi", "title": "Đơn vị báo cáo"},
                    {"field": "loai", "title": "Loại số liệu"},
                    {"field": "gia_tri", "title": "Giá trị", "format": ",.1f"},
                ],
            },
        }
    ]
    if targets:
        layers.append(
            {
                "data": {"values": targets},
                "mark": {"type": "point", "shape": "diamond", "size": 120, "color": charts.TEXT},
                "encoding": {
                    "x": {"field": "ngay", "type": "temporal"},
                    "y": {"field": "gia_tri", "type": "quantitative"},
                    "tooltip": [{"field": "nhan", "title": "Chỉ tiêu"}],
                },
            }
        )
    rows = [
        [point.period_label, point.reported_by_label, point.kind_label, _number(point.value)]
        for point in series.points
    ] + [
        [target.period_label, "Cả nước", "Chỉ tiêu quốc gia", _number(target.value)]
        for target in series.targets
    ]
    inherited = (
        " Trước khi đơn vị được thành lập: số liệu của các đơn vị tiền thân."
        if series.inherited
        else ""
    )
    return charts.Chart(
        title=indicator.name,
        description=(
            f"Số liệu của {agency.name} theo kỳ{_unit(indicator)}.{inherited}"
            + (" Hình thoi: chỉ tiêu quốc gia." if targets else "")
        ),
        spec={"width": 560, "height": 240, "layer": layers},
        columns=["Kỳ", "Đơn vị báo cáo", "Loại số liệu", f"Giá trị{_unit(indicator)}"],
        rows=rows,
        name=AGENCY_SERIES,
        params={"co-quan": agency.slug, "chi-so": indicator.code},
    )


@charts.register(AGENCY_SERIES, params=("co-quan", "chi-so"))
def agency_series(params):
    agency = Agency.objects.filter(slug=params.get("co-quan", "")).first()
    indicator = Indicator.objects.filter(code=params.get("chi-so", "")).first()
    if agency is None or indicator is None:
        raise charts.BadParams("Không có cơ quan, đơn vị hoặc chỉ số này.")
    for series in queries.agency_indicators(agency).series:
        if series.indicator.pk == indicator.pk:
            return agency_chart(series, agency)
    raise charts.BadParams("Đơn vị này chưa có số liệu của chỉ số đó.")
