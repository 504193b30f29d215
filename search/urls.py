from django.urls import path
from django.views.generic import RedirectView

from search import views

app_name = "search"

urlpatterns = [
    path("tim-kiem/", views.search, name="search"),
    # The English address some people type; the query string comes along.
    path("search/", RedirectView.as_view(url="/tim-kiem/", permanent=True, query_string=True)),
]
