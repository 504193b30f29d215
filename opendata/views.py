import re
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from kb.links import absolute_url
from practices.models import AdoptionStatus, AgencyKind, EvidenceLevel, PracticeCategory
from practices.queries import MATRIX_SCOPES

UNKNOWN = "Không có địa chỉ này trong API mở; xem mô tả API tại /api/v1/schema/xem/."
PERIODS = {"s": "giây", "m": "phút", "h": "giờ", "d": "ngày"}


def unknown(request, rest=""):
    """Any address under /api/v1/ that no view answers: a JSON 404 with `error`, as every
    refusal of the API, rather than the site's HTML page."""
    return JsonResponse({"error": UNKNOWN}, status=404, json_dumps_params={"ensure_ascii": False})


# Not for search engines: the admin, private evidence, and endless combinations of search
# and filter parameters, and their downloads (every page has its canonical address without them).
ROBOTS_DISALLOWED = ["/admin/", "/django-admin/", "/minh-chung/", "/tim-kiem/", "/api/", "/tai-ve/"]


def robots(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOWED)]
    lines.append(f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def rate_in_words(rate):
    """django-ratelimit's "60/m" or "100/5m" in Vietnamese; "" when there is no limit."""
    found = re.fullmatch(r"(\d+)/(\d*)([smhd])", rate or "")
    if not found:
        return ""
    count, every, unit = found.groups()
    return f"{count} yêu cầu mỗi {every + ' ' if every else ''}{PERIODS[unit]}"


def open_data(request):
    """The public page that explains the open data: what it holds, its licence, how to cite
    it, and the API's promises."""
    examples = [
        "/api/v1/practices/?category=fees",
        "/api/v1/agencies/?current=true&kind=province",
        "/api/v1/adoptions/?current_agency=48",
        "/api/v1/adoptions/?status=adopted&ngay=2025-06-30",
        "/api/v1/search/?q=thanh+toán+trực+tuyến",
    ]
    return render(
        request,
        "opendata/open_data.html",
        {
            "schema_url": absolute_url(request, "/api/v1/schema/"),
            # (address, as a person reads it: "trực tuyến", not "tr%E1%BB%B1c").
            "examples": [(url, unquote(url)) for url in map(request.build_absolute_uri, examples)],
            "site_url": absolute_url(request, "/"),
            "rate": rate_in_words(settings.RATELIMIT_API),
            "download_rate": rate_in_words(settings.RATELIMIT_DOWNLOADS),
            "matrix_scopes": [(key, scope.label) for key, scope in MATRIX_SCOPES.items()],
            "statuses": AdoptionStatus.choices,
            "evidence_levels": EvidenceLevel.choices,
            "kinds": AgencyKind.choices,
            "categories": PracticeCategory.objects.order_by("sort_order").values_list(
                "code", "name"
            ),
            "share_title": "Dữ liệu mở",
            "share_description": "API, nguồn tin Atom, giấy phép CC BY 4.0 và cách trích dẫn "
            "dữ liệu về các giải pháp dịch vụ công trực tuyến và nơi áp dụng.",
        },
    )
