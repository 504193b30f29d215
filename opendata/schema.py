"""The OpenAPI 3 description of `/api/v1/`, made from the code by drf-spectacular.

`/api/v1/schema/` serves it as JSON; `/api/v1/schema/xem/` shows it in Swagger UI, whose
files come from our own static files (drf-spectacular-sidecar), so the page needs no other
site and keeps the Content-Security-Policy: no inline script or style.
"""

from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.response import Response

# The schema depends on the code alone: made once per process (a few tenths of a second),
# then served from memory. Two requests at the start may both make it; they make the same.
_made = {}


class SchemaView(SpectacularJSONAPIView):
    def _get_schema_response(self, request):
        if "schema" not in _made:
            _made["schema"] = super()._get_schema_response(request).data
        return Response(_made["schema"])


class SchemaViewer(SpectacularSwaggerSplitView):
    template_name = "opendata/schema_viewer.html"
    title = "Mô tả API mở (OpenAPI)"
