"""The agency dashboards' addresses; included from dashboards/urls.py."""

from django.urls import path

from dashboards import views_agency

urlpatterns = [
    path("co-quan/<slug:slug>/so-sanh/", views_agency.agency_compare, name="agency_compare"),
]
