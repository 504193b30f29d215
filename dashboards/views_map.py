"""The map page (`/ban-do/`), its data as JSON (redrawn by the date slider) and CSV, and its
SVG drawn on the server (for readers without JavaScript and for print)."""

import csv
import io
import logging

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboards import map_page
from kb.ratelimits import MESSAGE, limit
from practices.resources.formulas import neutralise

logger = logging.getLogger(__name__)
UNAVAILABLE = "Không vẽ được bản đồ lúc này. Vui lòng thử lại sau hoặc xem bảng dữ liệu trên trang."


def _text(message, status):
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _too_many(request, seconds):
    response = _text(MESSAGE.format(seconds=seconds), 429)
    response["Retry-After"] = str(seconds)
    return response


def _params(request):
    try:
        return map_page.MapParams.read(request.GET), None
    except map_page.BadParams as error:
        return None, str(error)


@require_GET
def map_view(request):
    params, error = _params(request)
    if error:
        context = {"error": error, "practices": map_page.practice_choices()}
        return render(request, "dashboards/map.html", context, status=400)
    return render(request, "dashboards/map.html", map_page.page_context(params))


@require_GET
def map_data(request):
    params, error = _params(request)
    if error:
        return JsonResponse({"error": error}, status=400, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(map_page.payload(params), json_dumps_params={"ensure_ascii": False})


@require_GET
def map_csv(request):
    params, error = _params(request)
    if error:
        return _text(error, 400)
    data = map_page.payload(params)
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 Vietnamese only with a BOM
    writer = csv.writer(out)
    writer.writerow(map_page.CSV_HEADER)
    for row in data["rows"]:
        writer.writerow(
            neutralise(str(row[key]))
            for key in ("code", "name", "status_label", "on_label", "instrument")
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"ban-do-{params.practice.slug}-{params.date:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
# A new date or practice costs a drawing on the server (seconds for the 63 units): the charts'
# limit applies (RATELIMIT_CHARTS).
@limit("charts", "RATELIMIT_CHARTS", respond=_too_many)
def map_svg(request):
    params, error = _params(request)
    if error:
        return _text(error, 400)
    try:
        body = map_page.svg(params)
    except Exception:  # vl-convert's errors are plain exceptions; the table is still there
        logger.exception("The map could not be drawn for %s", request.GET.urlencode())
        return _text(UNAVAILABLE, 503)
    response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
