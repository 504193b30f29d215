from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from kb.models import Source


class SourceViewSet(SnippetViewSet):
    model = Source
    icon = "doc-full-inverse"
    menu_label = "Nguồn trích dẫn"
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["title", "publisher", "published_on"]
    search_fields = ["title", "publisher"]


register_snippet(SourceViewSet)
