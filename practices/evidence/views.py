"""The one door to evidence files, and the rule for library documents used as evidence."""

from django.http import Http404
from django.views.decorators.http import require_safe

from kb import sendfile
from practices.evidence import queries
from practices.evidence.storage import (
    PREFIX,
    content_type,
    download_name,
    evidence_storage,
    is_stored_name,
)


@require_safe
def evidence_file(request, path):
    """An evidence file by its stored name, to whoever the rule lets have it (see
    `practices.evidence.queries`); a 404 to anyone else, as for a name that never existed."""
    name = PREFIX + path
    if not is_stored_name(name):
        raise Http404
    access = queries.file_access(request.user, name)
    if access is None:
        raise Http404
    try:
        return sendfile.serve_stored(
            request,
            evidence_storage(),
            name,
            content_type=content_type(name),
            filename=download_name(name, queries.original_name(name)),
            private=access != queries.PUBLIC,
        )
    except FileNotFoundError:
        raise Http404 from None


def guard_evidence_document(document, request):
    """Wagtail's `before_serve_document` hook: a document used as evidence of no public
    adoption goes only to users who may see one of the adoptions that use it; a document
    that is no evidence keeps Wagtail's rules.

    Wagtail's serve view still sends the file (streamed, or by X-Accel-Redirect through
    `kb.sendfile`, or from a bucket): a hook can only replace the response with a plain
    `HttpResponse`, which would hold the whole file in memory. The request is marked with the
    document's file name instead, and `practices.evidence.middleware` makes the response a
    private download."""
    access = queries.document_access(request.user, document)
    if access == queries.DENIED:
        raise Http404
    if access == queries.PRIVATE:
        request.private_evidence_document = document.filename
    return None
