"""Public views: agencies and the replication matrix, and the extra context of the site's
page types (registered with `kb.page_context`, which their `get_context` asks)."""

from django.shortcuts import get_object_or_404, render

from kb import page_context
from kb.models import HomePage, KnowledgeIndexPage
from practices import history, queries
from practices.models import Agency, PracticeIndexPage, PracticePage

AGENCIES_PER_PAGE = 40


def agency_list(request):
    directory = queries.agency_directory(request.GET, AGENCIES_PER_PAGE)
    return render(request, "practices/agency_list.html", directory)


def agency_detail(request, slug):
    agency = get_object_or_404(Agency.objects.select_related("parent"), slug=slug)
    on, date_error = history.date_from(request.GET)
    return render(
        request,
        "practices/agency_detail.html",
        {
            "profile": queries.agency_profile(
                agency, on, request.GET.get("giai-phap", "")[:120], request.GET.get("trang")
            ),
            "date_error": date_error,
        },
    )


def matrix(request):
    scope = request.GET.get("pham-vi", queries.DEFAULT_SCOPE)
    on, date_error = history.date_from(request.GET)
    return render(
        request,
        "practices/matrix.html",
        {"matrix": queries.replication_matrix(scope, on), "date_error": date_error},
    )


@page_context.provides(HomePage)
def home_page(page, request):
    return {"overview": queries.home_overview()}


@page_context.provides(KnowledgeIndexPage)
def knowledge_index_page(page, request):
    return {"knowledge": queries.knowledge_index(page, request.GET)}


@page_context.provides(PracticeIndexPage)
def practice_index_page(page, request):
    return {"catalogue": queries.catalogue(request.GET)}


@page_context.provides(PracticePage)
def practice_page(page, request):
    on, date_error = history.date_from(request.GET)
    return {"adoption": queries.practice_adoption(page, on), "date_error": date_error}
