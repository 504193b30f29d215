"""Headers for library documents that the evidence rule lets through privately."""

from kb.sendfile import content_disposition


class PrivateDocumentMiddleware:
    """A library document served as private evidence: a download under the document's own
    name that no cache keeps, the same header whether the file came from the disk or from a
    bucket (Wagtail's serve view names the file on the first and not on the second)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        filename = getattr(request, "private_evidence_document", None)
        if filename and response.status_code == 200:
            response["Cache-Control"] = "private, no-store"
            response["Content-Disposition"] = content_disposition(filename)
        return response
