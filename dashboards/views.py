"""`/bieu-do/<name>.<svg|png|csv>`: a registered chart (dashboards.charts) as a file."""

import logging

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboards import charts
from kb.ratelimits import MESSAGE, limit

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "svg": "image/svg+xml; charset=utf-8",
    "png": "image/png",
    "csv": "text/csv; charset=utf-8",
}
UNAVAILABLE = (
    "Không vẽ được biểu đồ này lúc này. Vui lòng thử lại sau hoặc xem bảng số liệu trên trang."
)


def _refused(request, message, status):
    return render(request, "dashboards/chart_error.html", {"message": message}, status=status)


def _too_many(request, seconds):
    response = _refused(request, MESSAGE.format(seconds=seconds), 429)
    response["Retry-After"] = str(seconds)
    return response


@require_GET
@limit("charts", "RATELIMIT_CHARTS", respond=_too_many)
def chart_file(request, name, fmt):
    if fmt not in CONTENT_TYPES or not charts.registered(name):
        raise Http404("Không có biểu đồ này.")
    try:
        chart = charts.build(name, request.GET)
    except charts.BadParams as error:
        return _refused(request, str(error), 400)
    try:
        if fmt == "csv":
            body = chart.csv().encode("utf-8")
        elif fmt == "svg":
            body = chart.standalone_svg().encode("utf-8")
        else:
            body = chart.png()
    except Exception:  # vl-convert's errors are plain exceptions; the reader gets a 503
        logger.exception("Chart %s could not be rendered as %s", name, fmt)
        return _refused(request, UNAVAILABLE, 503)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    disposition = "attachment" if fmt == "csv" else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}.{fmt}"'
    return response
