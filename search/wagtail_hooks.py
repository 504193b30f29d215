from wagtail.snippets.models import register_snippet

from kb.admin_search import FoldedFields, FoldedSnippetViewSet
from search.models import SynonymGroup


class SynonymViewSet(FoldedSnippetViewSet):
    model = SynonymGroup
    icon = "search"
    menu_label = "Từ đồng nghĩa, viết tắt"
    menu_order = 230
    add_to_admin_menu = True
    list_display = ["__str__", "note"]
    # "tro ly ao" finds the group of "trợ lý ảo" (kb.admin_search).
    folded_search = FoldedFields("terms", "note")


register_snippet(SynonymViewSet)
