from django.urls import path, re_path

from opendata import schema, views

urlpatterns = [
    path("du-lieu-mo/", views.open_data, name="open-data"),
    path("api/v1/schema/", schema.SchemaView.as_view(), name="api-schema"),
    path(
        "api/v1/schema/xem/",
        schema.SchemaViewer.as_view(url_name="api-schema"),
        name="api-schema-viewer",
    ),
]

# After every view of /api/v1/ (kb/urls.py). Only addresses ending in "/": one without it
# ("/api/v1/practices") must not resolve here, so that APPEND_SLASH still redirects it.
unknown = [re_path(r"^api/v1/(?P<rest>(?:.*/)?)$", views.unknown, name="api-unknown")]
