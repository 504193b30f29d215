"""Admin URLs that take the place of Wagtail's own; included before Wagtail's admin URLs.

Site history (and its CSV and XLSX exports, the same URLs with `?export=`) is refused to
users the adoption policy limits to some agencies: see `reporting.guards.national_only`.
"""

from django.urls import path
from django.views.decorators.cache import never_cache

from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.utils.urlpatterns import decorate_urlpatterns

from reporting.guards import national_only

urlpatterns = [
    path(
        "reports/site-history/",
        national_only(LogEntriesView.as_view()),
        name="reporting_site_history",
    ),
    path(
        "reports/site-history/results/",
        national_only(LogEntriesView.as_view(results_only=True)),
        name="reporting_site_history_results",
    ),
]
urlpatterns = decorate_urlpatterns(urlpatterns, require_admin_access)
urlpatterns = decorate_urlpatterns(urlpatterns, never_cache)
