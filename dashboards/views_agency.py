"""The comparison page of an agency: `/co-quan/<slug>/so-sanh/?voi=<slug>|ca-nuoc&ngay=…`."""

from django.shortcuts import get_object_or_404, render

from dashboards import agency_stats, charts_agency
from practices.history import date_from
from practices.models import Agency


def agency_compare(request, slug):
    agency = get_object_or_404(Agency, slug=slug)
    date, error = date_from(request.GET)
    date = date or agency_stats.default_date(agency)
    wanted = request.GET.get("voi", "").strip()[:120] or agency_stats.NATIONAL
    other, other_error = None, None
    if wanted != agency_stats.NATIONAL:
        other = Agency.objects.filter(slug=wanted).first()
        if other is None:
            other_error = "Không tìm thấy đơn vị cần so sánh; đang so sánh với cả nước."
    comparison = agency_stats.compare(agency, other, date)
    query = request.GET.get("tim", "")[:100]
    return render(
        request,
        "dashboards/agency_compare.html",
        {
            "agency": agency,
            "comparison": comparison,
            "chart": charts_agency.comparison_for(comparison) if comparison.rows else None,
            "date": date,
            "errors": [message for message in (error, other_error) if message],
            "choices": agency_stats.choices(date, query),
            "query": query,
            "selected": other.slug if other else agency_stats.NATIONAL,
            "national": agency_stats.NATIONAL,
        },
    )
