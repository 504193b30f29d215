"""`Last-Modified` on the open-data API and the feeds, so that a client may ask "has it changed?" and get
`304 Not Modified` (Django's ConditionalGetMiddleware answers it, with the `ETag` it makes
from the body).

Every public record has a search row that is rewritten, or made a tombstone, whenever the
record is published, changed, withdrawn or deleted (search.sync), so the newest `updated_at`
of the search rows (an index: one look-up) is when the public data last changed. Answers
also change with the date alone (which units are current, a record's state on `?ngay=`
today), so the header is never earlier than the start of today.
"""

import datetime

from django.db.models import Max
from django.utils import timezone
from django.utils.http import http_date

from opendata.docs import OPEN_DATA_PREFIX
from search.models import SearchDocument

DATED = (OPEN_DATA_PREFIX, "/theo-doi/")  # the API, the Atom feeds (opendata/urls.py)
UNDATED = (f"{OPEN_DATA_PREFIX}schema/",)  # made from the code, not from the data


def public_data_changed():
    """When the public data, or the day, last changed (an aware datetime)."""
    changed = SearchDocument.objects.aggregate(last=Max("updated_at"))["last"]
    today = timezone.localdate()
    midnight = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    return max(changed, midnight) if changed else midnight


class LastModifiedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and request.path.startswith(DATED)
            and not request.path.startswith(UNDATED)
            and not response.has_header("Last-Modified")
        ):
            response["Last-Modified"] = http_date(public_data_changed().timestamp())
        return response
