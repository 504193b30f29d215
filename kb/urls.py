from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import urls as accounts_urls
from accounts import views as accounts_views
from opendata import urls as opendata_urls
from practices import api
from reporting import admin_urls as reporting_admin_urls
from search import api as search_api

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # Before Wagtail's admin: these replace some of its views (site history).
    path("admin/", include(reporting_admin_urls)),
    # Sign-in: logout asks before it acts on a GET; two-factor screens (accounts/urls.py).
    path("admin/logout/", accounts_views.LogoutView.as_view(), name="wagtailadmin_logout"),
    path("admin/", include(accounts_urls)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Public search as JSON, beside the router's resources.
    path("api/v1/search/", search_api.search, name="api-search"),
    path("api/v1/search/suggest/", search_api.suggest, name="api-search-suggest"),
    path("", include(opendata_urls)),
    path("api/v1/", include(api.router.urls)),
    path("", include(opendata_urls.unknown)),
    path("", include("practices.urls")),
    path("", include("search.urls")),
    path("", include("dashboards.urls")),
    path("", include("dashboards.urls_map")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
