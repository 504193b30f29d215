"""The dashboards' query parameters, read the same way by the pages and by the chart files
(`/bieu-do/…`), with a Vietnamese message for each wrong value."""

from django.utils import timezone

from dashboards import charts
from practices import history
from practices.models import PracticePage

PRACTICE = "giai-phap"
DATE = history.DATE_PARAM  # "ngay"


def day(params):
    """The day asked for (`?ngay=`), today when none; BadParams when it is not a date."""
    try:
        return history.parse_date(params.get(DATE, "")) or timezone.localdate()
    except history.DateError as error:
        raise charts.BadParams(str(error)) from error


def practice(params):
    """The live practice named by its slug; BadParams for any other."""
    slug = params.get(PRACTICE, "")
    found = PracticePage.objects.live().filter(slug=slug[:255]).first() if slug else None
    if found is None:
        raise charts.BadParams(f"Không có giải pháp đã công bố với đường dẫn “{slug[:60]}”.")
    return found
