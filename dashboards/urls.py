from django.urls import re_path

from dashboards import urls_agency, views, views_overview, views_practice

app_name = "dashboards"

urlpatterns = [
    re_path(
        r"^bieu-do/(?P<name>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<fmt>svg|png|csv)$",
        views.chart_file,
        name="chart",
    ),
]
# Each page's own list (one line each, so that additions merge).
urlpatterns += urls_agency.urlpatterns
urlpatterns += views_practice.urlpatterns
urlpatterns += views_overview.urlpatterns
