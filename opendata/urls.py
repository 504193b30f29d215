from django.urls import path, re_path

from wagtail.contrib.sitemaps.views import sitemap

from opendata import feeds, schema, sitemaps, views

urlpatterns = [
    path("du-lieu-mo/", views.open_data, name="open-data"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    # Atom feeds (opendata/feeds.py).
    path("theo-doi/ket-qua.atom", feeds.AdoptionFeed(), name="feed-adoptions"),
    path(
        "theo-doi/giai-phap/<slug:slug>.atom",
        feeds.PracticeAdoptionFeed(),
        name="feed-practice",
    ),
    path("theo-doi/nhom/<slug:code>.atom", feeds.CategoryAdoptionFeed(), name="feed-category"),
    path("theo-doi/co-quan/<slug:slug>.atom", feeds.AgencyAdoptionFeed(), name="feed-agency"),
    path("theo-doi/kien-thuc.atom", feeds.KnowledgeFeed(), name="feed-knowledge"),
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
