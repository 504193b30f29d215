"""What every downloaded file of the site shares: the answer that sends it as it is written,
and the validators (`ETag`, `Last-Modified`) that let a client skip an unchanged one.

A file is written as it is sent (`practices.resources.writers`): CSV and JSON stream, XLSX is
written to a temporary file first (a zip needs its end before its start). The validators are
made without reading the data, from the address asked and when the public data last changed
(`opendata.middleware.public_data_changed`), so an unchanged file costs a `304` and nothing
else.
"""

import hashlib
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response, quote_etag
from django.utils.http import content_disposition_header, http_date

from opendata.middleware import public_data_changed
from practices.resources import writers


def file_response(name, file_format, headers, rows):
    """`rows` as the file `name`.`file_format`, an attachment."""
    filename = f"{name}.{file_format}"
    if file_format == "xlsx":
        output = tempfile.TemporaryFile()  # removed when the response closes it
        writers.write_xlsx(output, headers, rows)
        output.seek(0)
        response = FileResponse(output, as_attachment=True, filename=filename)
    else:
        response = StreamingHttpResponse(writers.chunks(file_format, headers, rows))
        response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Type"] = writers.CONTENT_TYPES[file_format]
    return response


def validators(request):
    """(ETag, Last-Modified as a timestamp) of what `request` asks for."""
    changed = public_data_changed()
    key = f"{request.get_full_path()}\n{changed.isoformat()}".encode()
    return quote_etag(hashlib.sha256(key).hexdigest()[:32]), int(changed.timestamp())


def not_modified(request, etag, last_modified):
    """A `304` when the client holds this version already, else None."""
    return get_conditional_response(request, etag=etag, last_modified=last_modified)


def stamped(response, etag, last_modified):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return response
