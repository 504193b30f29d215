from django.urls import path, re_path

from wagtail.contrib.sitemaps.views import sitemap

from opendata import feeds, schema, sitemaps, views, views_downloads

urlpatterns = [
    path("du-lieu-mo/", views.open_data, name="open-data"),
    path("du-lieu-mo/ban-sao/", views_downloads.snapshot_list, name="snapshots"),
    path(
        "du-lieu-mo/ban-sao/<str:date>/<str:name>",
        views_downloads.snapshot_file,
        name="snapshot-file",
    ),
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
    # Downloads of the public lists (opendata/views_downloads.py), `<name>.csv|xlsx|json`.
    path(
        "tai-ve/giai-phap.<str:file_format>", views_downloads.catalogue, name="download-catalogue"
    ),
    path(
        "tai-ve/giai-phap/<slug:slug>.<str:file_format>",
        views_downloads.practice,
        name="download-practice",
    ),
    path("tai-ve/ma-tran.<str:file_format>", views_downloads.matrix, name="download-matrix"),
    path("tai-ve/co-quan.<str:file_format>", views_downloads.agencies, name="download-agencies"),
    path(
        "tai-ve/co-quan/<slug:slug>.<str:file_format>",
        views_downloads.agency,
        name="download-agency",
    ),
    path("tai-ve/tim-kiem.<str:file_format>", views_downloads.search, name="download-search"),
    path(
        "tai-ve/chi-so.<str:file_format>",
        views_downloads.indicator_values,
        name="download-indicators",
    ),
    path("api/v1/schema/", schema.SchemaView.as_view(), name="api-schema"),
    path(
        "api/v1/schema/xem/",
        schema.SchemaViewer.as_view(url_name="api-schema"),
        name="api-schema-viewer",
    ),
]

# After every view of /api/v1/ (kb/urls.py). Only addresses ending in "/": one without it
# ("/api/v1/practices") must not resolve here, so that APPEND_SLASH still redirects it.
# `[\s\S]`, not `.`: an address may hold a line break (%0A), which `.` does not match.
unknown = [re_path(r"^api/v1/(?P<rest>(?:[\s\S]*/)?)$", views.unknown, name="api-unknown")]
