"""Admin menus for agencies, categories, indicators and adoptions (Wagtail snippets), and
the import and export screens."""

from django.urls import include, path, reverse

from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.panels import ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet, SnippetViewSetGroup

from kb.admin_search import FoldedFields, FoldedSnippetViewSet
from practices import admin_views
from practices.admin_search import search_adoptions, search_agencies
from practices.agency_chooser import AgencyChooserViewSet
from practices.forms import AdoptionForm
from practices.models import Adoption, Agency, Indicator, PracticeCategory, Succession
from reporting.guards import AdoptionChooserViewSet, AdoptionDeleteBulkAction, guard_record_view
from reporting.listing import AdoptionFilterSet, ReviewStateColumn
from reporting.permissions import adoption_policy
from reporting.queries import with_review_state


class AdoptionCreateView(CreateView):
    """Wagtail's create screen for a report, without autosave: autosave would create the report
    as a draft behind the reporter's back as soon as the required fields are filled, and race
    the reporter's own "Lưu bản nháp" or "Gửi thẩm định" (the answer then read "Đã cập nhật"
    for a report just created, or was refused). A report exists once the reporter saves it;
    the edit screen keeps autosave, as for pages (kb.wagtail_hooks)."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.autosave_enabled = False


class AdoptionViewSet(FoldedSnippetViewSet):
    model = Adoption
    icon = "tick-inverse"
    menu_label = "Kết quả áp dụng"
    menu_order = 200
    add_to_admin_menu = True
    list_display = [
        "agency",
        "practice",
        ReviewStateColumn(),
        "status",
        "decided_on",
        "evidence_level",
        "updated_at",
    ]
    # The review state (reporting.listing) and the record's own fields.
    filterset_class = AdoptionFilterSet
    list_per_page = 50
    # Searched folded: agency name, practice title, instrument, notes (practices.admin_search).
    folded_search = staticmethod(search_adoptions)
    add_view_class = AdoptionCreateView
    ordering = ["-updated_at"]
    # The form limits a reporter's agency choices to their own.
    edit_handler = ObjectList(Adoption.panels, base_form_class=AdoptionForm)

    # Its chooser ("Học tập từ") offers public records and the user's own, and creates none.
    chooser_viewset_class = AdoptionChooserViewSet

    def construct_view(self, view_class, **kwargs):
        # Every view of this viewset asks the policy about the record its URL names, however
        # the view itself receives it (see reporting.guards).
        return guard_record_view(
            super().construct_view(view_class, **kwargs),
            view_name=getattr(view_class, "view_name", None),
            edit_url_name=self.get_url_name("edit"),
            list_url_name=self.get_url_name("list"),
        )

    def get_queryset(self, request):
        # Lists show only what the user may read: a reporter sees their agencies' reports;
        # each row with its review state, computed in the same query.
        return with_review_state(adoption_policy().visible_to(request.user)).select_related(
            "agency", "practice"
        )


class AgencySnippetViewSet(FoldedSnippetViewSet):
    model = Agency
    icon = "group"
    menu_label = "Cơ quan, đơn vị"
    list_display = ["name", "code", "kind", "valid_from", "valid_to"]
    list_filter = ["kind", "region"]
    list_per_page = 50
    # Searched folded: name, short name, code (practices.admin_search).
    folded_search = staticmethod(search_agencies)
    # Reporters are offered their own units; every unit is labelled with its period.
    chooser_viewset_class = AgencyChooserViewSet


class SuccessionViewSet(FoldedSnippetViewSet):
    model = Succession
    icon = "arrow-right"
    menu_label = "Kế thừa giữa các đơn vị"
    list_display = ["predecessor", "successor", "effective_on", "relation"]
    list_filter = ["relation", "effective_on"]
    # A few hundred links, found by either unit's name (kb.admin_search).
    folded_search = FoldedFields(
        "predecessor__name",
        "predecessor__short_name",
        "successor__name",
        "successor__short_name",
        "legal_basis",
    )


class CategoryViewSet(SnippetViewSet):
    model = PracticeCategory
    icon = "folder-open-inverse"
    menu_label = "Nhóm giải pháp"
    list_display = ["name", "code", "sort_order"]


class IndicatorViewSet(FoldedSnippetViewSet):
    model = Indicator
    icon = "pick"
    menu_label = "Chỉ số"
    list_display = ["name", "code", "unit"]
    # Its list and its chooser (the indicator of an indicator value), searched folded.
    folded_search = FoldedFields("name", "code", "group")


class ReferenceDataGroup(SnippetViewSetGroup):
    items = (AgencySnippetViewSet, SuccessionViewSet, CategoryViewSet, IndicatorViewSet)
    menu_icon = "table"
    menu_label = "Dữ liệu tham chiếu"
    menu_name = "reference-data"
    menu_order = 210


register_snippet(AdoptionViewSet)
# After Wagtail's own delete action for snippets (order 0), so that this one is used for
# adoptions: it lists and deletes only the records the user may read.
hooks.register("register_bulk_action", AdoptionDeleteBulkAction, order=1)
register_snippet(ReferenceDataGroup)


class ImportMenuItem(MenuItem):
    def __init__(self, kind, *args, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return self.kind.may_import(request.user)


class ImportIndexMenuItem(MenuItem):
    """The menu's own page (what each import does, the templates): for whoever may import
    anything."""

    def is_shown(self, request):
        return any(kind.may_import(request.user) for kind in admin_views.KINDS.values())


class ImportSubmenuItem(SubmenuMenuItem):
    def is_shown(self, request):
        return any(item.is_shown(request) for item in self.menu.menu_items_for_request(request))


@hooks.register("register_admin_urls")
def register_import_urls():
    return [
        path(
            "nhap-xuat/",
            include((admin_views.urlpatterns, "practices_import"), namespace="practices_import"),
        )
    ]


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    items = [
        ImportMenuItem(
            kind,
            kind.menu_label,
            reverse(kind.upload_url),
            name=f"{kind.name}-import",
            icon_name=kind.icon,
            order=100 * position,
        )
        for position, kind in enumerate(admin_views.KINDS.values(), 1)
    ]
    items.insert(
        0,
        ImportIndexMenuItem(
            "Hướng dẫn và tệp mẫu",
            reverse("practices_import:index"),
            name="import-index",
            icon_name="help",
            order=0,
        ),
    )
    return ImportSubmenuItem(
        "Nhập, xuất dữ liệu", Menu(items=items), name="data-import", icon_name="upload", order=205
    )
