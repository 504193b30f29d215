"""`/tai-ve/…`: every public list as a file (CSV, XLSX or JSON), with the page's filters;
and `/du-lieu-mo/ban-sao/`, the dated snapshots of the whole data set.

The "Tải về" control of a page links here with the page's own query string; the tables are
`opendata.downloads`', sent by `opendata.files`.
"""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import quote_etag

from kb.ratelimits import MESSAGE, limit
from opendata import downloads, files, snapshots
from practices import history
from practices.models import Agency, PracticePage
from practices.resources import writers
from search import queries as search_queries


def _refusal(status, message):
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def too_many(request, seconds):
    response = _refusal(429, MESSAGE.format(seconds=seconds))
    response["Retry-After"] = str(seconds)
    return response


def _send(request, file_format, make_table):
    """The file `make_table()` makes, or a `304` when the client holds it already."""
    if file_format not in writers.FORMATS:
        raise Http404("Định dạng không có: dùng csv, xlsx hoặc json.")
    etag, last_modified = files.validators(request)
    if (unchanged := files.not_modified(request, etag, last_modified)) is not None:
        return unchanged
    table = make_table()
    if isinstance(table, HttpResponse):
        return table  # a refusal (a bad date, a bad query)
    response = files.file_response(table.name, file_format, table.headers, table.rows)
    return files.stamped(response, etag, last_modified)


def _date(request):
    on, error = history.date_from(request.GET)
    return on, (_refusal(400, error) if error else None)


downloads_limit = limit("downloads", "RATELIMIT_DOWNLOADS", respond=too_many)


@downloads_limit
def catalogue(request, file_format):
    return _send(request, file_format, lambda: downloads.catalogue(request))


@downloads_limit
def practice(request, slug, file_format):
    page = get_object_or_404(PracticePage.objects.live(), slug=slug)

    def table():
        on, refusal = _date(request)
        return refusal or downloads.practice_adopters(request, page, on)

    return _send(request, file_format, table)


@downloads_limit
def matrix(request, file_format):
    def table():
        on, refusal = _date(request)
        return refusal or downloads.matrix(request.GET.get("pham-vi", ""), on)

    return _send(request, file_format, table)


@downloads_limit
def agencies(request, file_format):
    return _send(request, file_format, lambda: downloads.agencies(request))


@downloads_limit
def agency(request, slug, file_format):
    unit = get_object_or_404(Agency, slug=slug)

    def table():
        on, refusal = _date(request)
        practice_slug = request.GET.get("giai-phap", "")[:120]
        return refusal or downloads.agency_records(request, unit, on, practice_slug)

    return _send(request, file_format, table)


@downloads_limit
def search(request, file_format):
    def table():
        try:
            search_request = search_queries.parse(request.GET)
        except search_queries.QueryError as error:
            return _refusal(400, str(error))
        if search_request.is_empty:
            return downloads.Table("ket-qua-tim-kiem", downloads.SEARCH_COLUMNS, [])
        return downloads.search_results(request, search_request)

    return _send(request, file_format, table)


@downloads_limit
def indicator_values(request, file_format):
    def table():
        slug = request.GET.get("co-quan", "")
        unit = Agency.objects.filter(slug=slug).first() if slug else None
        if slug and unit is None:
            return _refusal(400, f"Không có cơ quan, đơn vị nào có mã định danh “{slug[:120]}”.")
        return downloads.indicator_values(request.GET.get("chi-so", "")[:120], unit)

    return _send(request, file_format, table)


# --- Snapshots (opendata/snapshots.py) -------------------------------------------------------


def snapshot_list(request):
    return render(
        request,
        "opendata/snapshots.html",
        {"snapshots": snapshots.published(), "share_title": "Bản sao dữ liệu theo ngày"},
    )


def snapshot_file(request, date, name):
    """One file of a package: only the names its checksums list, from its own folder."""
    snapshot = snapshots.find(date)
    found = snapshot.file(name) if snapshot else None
    if found is None:
        raise Http404("Không có tệp này trong bản sao.")
    path = snapshot.folder / name
    etag = quote_etag(found[2] or f"{found[1]}-{int(path.stat().st_mtime)}")
    last_modified = int(path.stat().st_mtime)
    if (unchanged := files.not_modified(request, etag, last_modified)) is not None:
        return unchanged
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name)
    if name.endswith(".json"):
        response["Content-Type"] = "application/json; charset=utf-8"
    elif name.endswith(".csv"):
        response["Content-Type"] = "text/csv; charset=utf-8"
    else:
        response["Content-Type"] = "text/plain; charset=utf-8"
    return files.stamped(response, etag, last_modified)
