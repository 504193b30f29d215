"""Admin: the page of background work ("Công việc nền", `ops.admin_views`)."""

from django.urls import include, path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from ops import admin_views, jobs


class JobsMenuItem(MenuItem):
    """For whoever may start a job: an export (anyone who may import a kind) or a snapshot."""

    def is_shown(self, request):
        from practices.admin_views import KINDS

        user = request.user
        return jobs.may_snapshot(user) or any(kind.may_import(user) for kind in KINDS.values())


@hooks.register("register_admin_urls")
def register_job_urls():
    return [
        path("cong-viec-nen/", include((admin_views.urlpatterns, "ops_jobs"), namespace="ops_jobs"))
    ]


@hooks.register("register_admin_menu_item")
def register_jobs_menu_item():
    return JobsMenuItem(
        "Công việc nền",
        reverse("ops_jobs:list"),
        name="background-jobs",
        icon_name="cogs",
        order=206,
    )
