"""Public views that are not Wagtail pages: agencies and the replication matrix."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from practices import queries
from practices.models import Agency

AGENCIES_PER_PAGE = 40


def agency_list(request):
    directory = queries.agency_directory(request.GET)
    page = Paginator(directory.pop("agencies"), AGENCIES_PER_PAGE).get_page(
        request.GET.get("trang")
    )
    return render(request, "practices/agency_list.html", {**directory, "page": page})


def agency_detail(request, slug):
    agency = get_object_or_404(Agency.objects.select_related("parent"), slug=slug)
    return render(
        request, "practices/agency_detail.html", {"profile": queries.agency_profile(agency)}
    )


def matrix(request):
    scope = request.GET.get("pham-vi", queries.DEFAULT_SCOPE)
    return render(request, "practices/matrix.html", {"matrix": queries.replication_matrix(scope)})
