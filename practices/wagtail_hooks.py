"""Admin menus for agencies, categories, indicators and adoptions (Wagtail snippets)."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from practices.models import Adoption, Agency, Indicator, PracticeCategory, Succession


class AdoptionViewSet(SnippetViewSet):
    model = Adoption
    icon = "tick-inverse"
    menu_label = "Kết quả áp dụng"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["agency", "practice", "status", "decided_on", "evidence_level", "updated_at"]
    list_filter = ["status", "evidence_level", "practice"]
    list_per_page = 50
    search_fields = ["agency__name", "practice__title", "instrument", "notes"]
    ordering = ["-updated_at"]


class AgencySnippetViewSet(SnippetViewSet):
    model = Agency
    icon = "group"
    menu_label = "Cơ quan, đơn vị"
    list_display = ["name", "code", "kind", "valid_from", "valid_to"]
    list_filter = ["kind", "region"]
    list_per_page = 50
    search_fields = ["name", "short_name", "code"]


class SuccessionViewSet(SnippetViewSet):
    model = Succession
    icon = "arrow-right"
    menu_label = "Kế thừa giữa các đơn vị"
    list_display = ["predecessor", "successor", "effective_on", "relation"]
    list_filter = ["relation", "effective_on"]


class CategoryViewSet(SnippetViewSet):
    model = PracticeCategory
    icon = "folder-open-inverse"
    menu_label = "Nhóm giải pháp"
    list_display = ["name", "code", "sort_order"]


class IndicatorViewSet(SnippetViewSet):
    model = Indicator
    icon = "pick"
    menu_label = "Chỉ số"
    list_display = ["name", "code", "unit"]


class ReferenceDataGroup(SnippetViewSetGroup):
    items = (AgencySnippetViewSet, SuccessionViewSet, CategoryViewSet, IndicatorViewSet)
    menu_icon = "table"
    menu_label = "Dữ liệu tham chiếu"
    menu_name = "reference-data"
    menu_order = 210


register_snippet(AdoptionViewSet)
register_snippet(ReferenceDataGroup)
