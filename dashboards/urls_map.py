from django.urls import path

from dashboards import views_map

app_name = "dashboards_map"

urlpatterns = [
    path("ban-do/", views_map.map_view, name="map"),
    path("ban-do/du-lieu.json", views_map.map_data, name="data"),
    path("ban-do/du-lieu.csv", views_map.map_csv, name="csv"),
    path("ban-do/ban-do.svg", views_map.map_svg, name="svg"),
]
