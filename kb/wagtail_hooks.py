from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.permissions import policy_registry
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from rest_framework.authentication import SessionAuthentication

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
