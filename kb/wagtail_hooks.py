from wagtail import hooks
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.documents import get_document_model
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.models import Page
from wagtail.permissions import policy_registry
from wagtail.snippets.models import register_snippet

from rest_framework.authentication import SessionAuthentication

from kb.admin_search import FoldedFields, FoldedSnippetViewSet
from kb.models import Source


class SourceViewSet(FoldedSnippetViewSet):
    model = Source
    icon = "doc-full-inverse"
    menu_label = "Nguồn trích dẫn"
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["title", "publisher", "published_on"]
    # Searched folded (kb.admin_search), as the list of every other snippet.
    folded_search = FoldedFields("title", "publisher")


register_snippet(SourceViewSet)


# --- Page editor --------------------------------------------------------------------------


class CreatePageView(CreateView):
    """Wagtail's page creation, without autosave.

    Autosave on this screen creates the page, as a draft with its slug, as soon as the title
    and the required choices are filled, before the editor has asked for anything: a page
    left half filled stays in the tree and its title is taken the next time. Here a page
    exists once the editor presses "Lưu bản nháp" (or publishes); leaving before that is
    met with Wagtail's warning about unsaved changes. The edit screen keeps autosave.
    """

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["autosave_enabled"] = False
        context["autosave_indicator"] = None
        return context


class SitePageViewSet(PageViewSet):
    add_view_class = CreatePageView


@hooks.register("register_admin_viewset")
def register_page_viewset():
    # Registered for `Page` after Wagtail's own viewset (order -1), so every page type without
    # a viewset of its own is created through the view above; the other views are Wagtail's.
    return SitePageViewSet("site_pages", model=Page)


# --- Library documents used as evidence (practices.evidence) -----------------------------


@hooks.register("before_serve_document", order=100)
def guard_evidence_document(document, request):
    # After Wagtail's own collection restrictions (order 0): a login or password page they
    # answer with comes first.
    from practices.evidence.views import guard_evidence_document

    return guard_evidence_document(document, request)


class ChoosableDocumentsAPIViewSet(DocumentsAdminAPIViewSet):
    """The admin API's documents, narrowed to those the user may choose or manage in the
    library: Wagtail's own lists every document, with its download URL, to anyone who can
    open the admin (an agency reporter among them)."""

    # The project's REST framework settings authenticate nobody (the open-data API is
    # anonymous); the admin's API is reached with the admin's session.
    authentication_classes = [SessionAuthentication]

    def get_queryset(self):
        policy = policy_registry.get_by_type(get_document_model())
        allowed = policy.instances_user_has_any_permission_for(
            self.request.user, ["choose", "change"]
        )
        return super().get_queryset().filter(pk__in=allowed.values("pk"))


@hooks.register("construct_admin_api", order=100)
def restrict_admin_api_documents(router):
    # Runs after wagtail.documents registered its endpoint under the same name.
    router.register_endpoint("documents", ChoosableDocumentsAPIViewSet)
