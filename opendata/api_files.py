"""`?format=csv` and `?format=xlsx` on the API's lists: every row of the list as filtered,
in one file, instead of one page of JSON (`?format=json`, the default).

The columns are the serializer's fields, as the JSON names them; a nested list of objects
(an adoption's `steps`) is left to the JSON, a list of values is one cell ("a; b"). The rows
are read a batch at a time and written as they are sent (`practices.resources.writers`),
so a list of any length holds one batch in memory.
"""

from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer

from opendata import files
from practices.resources import writers

BATCH = 500
FILE_FORMATS = ("csv", "xlsx")


class _FileRenderer(BaseRenderer):
    """Names the formats for DRF's content negotiation; `FileListMixin.list` writes the
    file itself. Anything else answered in the format (one object, an error) is JSON."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data, "application/json", renderer_context)


class CSVRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(_FileRenderer):
    media_type = writers.CONTENT_TYPES["xlsx"]
    format = "xlsx"


def _columns(serializer):
    return [
        name
        for name, field in serializer.fields.items()
        if not (isinstance(field, serializers.ListSerializer) and _nested(field.child))
    ]


def _nested(field):
    return isinstance(field, serializers.BaseSerializer)


def _cell(value):
    if isinstance(value, list):
        return "; ".join("" if item is None else str(item) for item in value)
    return value


class FileListMixin:
    """A read-only viewset whose list also answers as a whole file. `file_name` names it;
    `prepare_batch(objects)` (optional) completes a batch as `paginate_queryset` completes
    a page."""

    file_name = "du-lieu"

    def get_renderers(self):
        return [*super().get_renderers(), CSVRenderer(), XLSXRenderer()]

    def prepare_batch(self, objects):
        return objects

    def list(self, request, *args, **kwargs):
        file_format = request.accepted_renderer.format
        if file_format not in FILE_FORMATS:
            return super().list(request, *args, **kwargs)
        objects = self.filter_queryset(self.get_queryset())
        serializer = self.get_serializer()
        headers = _columns(serializer)
        for name in [name for name in serializer.fields if name not in headers]:
            serializer.fields.pop(name)  # not written: not worth making

        def rows():
            for batch in writers.batches(objects.iterator(chunk_size=BATCH), BATCH):
                for item in self.prepare_batch(batch):
                    data = serializer.to_representation(item)
                    yield [_cell(data[name]) for name in headers]

        etag, last_modified = files.validators(request)
        if (unchanged := files.not_modified(request, etag, last_modified)) is not None:
            return unchanged
        response = files.file_response(self.file_name, file_format, headers, rows())
        return files.stamped(response, etag, last_modified)

    def perform_content_negotiation(self, request, force=False):
        renderer, media_type = super().perform_content_negotiation(request, force)
        if renderer.format in FILE_FORMATS and self.action != "list":
            return JSONRenderer(), JSONRenderer.media_type  # one object: JSON
        return renderer, media_type

    def handle_exception(self, exc):
        # A refusal (a bad filter, a page too far) is JSON with `error`, whatever the format.
        renderer = getattr(self.request, "accepted_renderer", None)
        if renderer is not None and renderer.format in FILE_FORMATS:
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
