from django.urls import path

from practices import views

app_name = "practices"

urlpatterns = [
    path("co-quan/", views.agency_list, name="agency_list"),
    path("co-quan/<slug:slug>/", views.agency_detail, name="agency_detail"),
    path("ma-tran/", views.matrix, name="matrix"),
]
