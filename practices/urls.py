from django.urls import path

from practices import views
from practices.evidence import views as evidence_views

app_name = "practices"

urlpatterns = [
    path("co-quan/", views.agency_list, name="agency_list"),
    path("co-quan/<slug:slug>/", views.agency_detail, name="agency_detail"),
    path("ma-tran/", views.matrix, name="matrix"),
    path("minh-chung/<path:path>", evidence_views.evidence_file, name="evidence_file"),
]
