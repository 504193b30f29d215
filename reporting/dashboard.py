"""The reporter's dashboard: their reports by review state, returned ones first with the
reviewer's comment, a button for a new report, and what to do, in three lines.

National users keep Wagtail's dashboard (their queue is "Chờ bạn thẩm định"); a reporter's
panel replaces Wagtail's "in a workflow" list, which shows only submitted reports.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

from wagtail.admin.ui.components import Component
from wagtail.admin.views.home import UserObjectsInWorkflowModerationPanel

from reporting.permissions import adoption_policy, agency_scope, ended_agencies, ended_unit_message
from reporting.queries import DASHBOARD_ROWS_PER_STATE, reporter_dashboard
from reporting.states import STATE_HELP, ReviewState

ADMIN = "wagtailsnippets_practices_adoption"


class ReporterReportsPanel(Component):
    name = "reporter_reports"
    template_name = "reporting/panels/reporter_reports.html"
    order = 50  # before Wagtail's panels

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        list_url = reverse(f"{ADMIN}:list")
        groups = [
            {
                "state": state,
                "id": f"bao-cao-{state.value}",
                "help": STATE_HELP[state],
                "count": count,
                "rows": rows,
                "more": count - len(rows),
                "list_url": f"{list_url}?{urlencode({'review_state': state.value})}",
                "returned": state == ReviewState.RETURNED,
            }
            for state, count, rows in reporter_dashboard(self.user)
        ]
        may_add = adoption_policy().user_has_permission(self.user, "add")
        ended = ended_agencies(self.user)
        return {
            "groups": groups,
            "add_url": reverse(f"{ADMIN}:add") if may_add else "",
            "list_url": list_url,
            "ended_message": ended_unit_message(ended[-1]) if ended and not may_add else "",
            "help_email": getattr(settings, "REPORTING_HELP_EMAIL", ""),
            "rows_per_state": DASHBOARD_ROWS_PER_STATE,
        }


def construct_panels(request, panels):
    """A reporter's dashboard: their panel first, without Wagtail's list of their submitted
    items (the panel shows those and the rest)."""
    if agency_scope(request.user) is None:
        return
    panels[:] = [
        panel for panel in panels if not isinstance(panel, UserObjectsInWorkflowModerationPanel)
    ]
    panels.insert(0, ReporterReportsPanel(request.user))
