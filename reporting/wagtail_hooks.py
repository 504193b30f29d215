"""Admin: the reviewers' history entries and the management of agency memberships."""

from django.templatetags.static import static
from django.utils.html import format_html

from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet

from kb.admin_search import FoldedFields, FoldedSnippetViewSet
from reporting import actions, dashboard
from reporting.forms import MembershipForm
from reporting.models import AgencyMembership
from reporting.review import EVIDENCE_LOG_ACTION


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    @actions.register_action(EVIDENCE_LOG_ACTION)
    class EvidenceLevelFormatter(LogFormatter):
        label = "Thẩm định: mức minh chứng"

        def format_message(self, log_entry):
            from practices.models import EvidenceLevel

            def label(value):
                try:
                    return EvidenceLevel(value).label
                except ValueError:
                    return value

            data = log_entry.data
            change = f"{label(data.get('from'))} → {label(data.get('to'))}"
            if data.get("checked"):
                return f"Đã kiểm tra minh chứng; mức minh chứng: {change}"
            return (
                "Mức “Đã thẩm định” do người báo cáo tự ghi, chưa được kiểm tra; "
                f"mức minh chứng: {change}"
            )


class AgencyMembershipViewSet(FoldedSnippetViewSet):
    """Who reports for which agency; managed by administrators (superusers, or a group given
    the membership permissions)."""

    model = AgencyMembership
    icon = "user"
    menu_label = "Báo cáo viên theo cơ quan"
    menu_name = "agency-memberships"
    add_to_settings_menu = True
    list_display = ["user", "agency"]
    list_per_page = 50
    # The reporter's login, name or address, the unit's name or code, folded (kb.admin_search).
    folded_search = FoldedFields(
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "agency__name",
        "agency__short_name",
        "agency__code",
    )
    ordering = ["agency__sort_name", "user__username"]
    edit_handler = ObjectList(
        [
            FieldPanel(
                "user",
                help_text="Người dùng được gán sẽ vào nhóm “Báo cáo viên cơ quan”.",
            ),
            FieldPanel(
                "agency",
                help_text="Báo cáo viên báo cáo cho cơ quan này và các đơn vị trực thuộc.",
            ),
        ],
        base_form_class=MembershipForm,
    )


register_snippet(AgencyMembershipViewSet)


@hooks.register("construct_snippet_action_menu")
def arrange_adoption_actions(menu_items, request, context):
    from practices.models import Adoption

    if context.get("model") is Adoption:
        actions.arrange(menu_items, request, context)


@hooks.register("construct_homepage_panels")
def reporter_dashboard(request, panels):
    dashboard.construct_panels(request, panels)


@hooks.register("insert_global_admin_css")
def reporting_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin-reporting.css"))
