"""Headers for library documents that the evidence rule lets through privately."""


class PrivateDocumentMiddleware:
    """A library document served as private evidence: a download that no cache keeps."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "private_evidence_document", False) and response.status_code == 200:
            response["Cache-Control"] = "private, no-store"
            disposition = response.get("Content-Disposition", "")
            if disposition.startswith("inline"):
                response["Content-Disposition"] = "attachment" + disposition[len("inline") :]
            elif not disposition:
                response["Content-Disposition"] = "attachment"
        return response
