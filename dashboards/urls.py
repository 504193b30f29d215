from django.urls import re_path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    re_path(
        r"^bieu-do/(?P<name>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<fmt>svg|png|csv)$",
        views.chart_file,
        name="chart",
    ),
]
