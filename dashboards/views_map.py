"""The map page (`/ban-do/`), its data as JSON (redrawn by the date slider) and CSV, and its
SVG drawn on the server (for readers without JavaScript and for print)."""

import csv
import io

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboards import map_page
from practices.resources.formulas import neutralise


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
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
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
def map_svg(request):
    params, error = _params(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(map_page.svg(params), content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
