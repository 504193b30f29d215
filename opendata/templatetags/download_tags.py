"""`{% download_links "download-catalogue" %}`: the "Tải về" control of a list, linking to
its files (opendata/views_downloads.py) with the page's own filters."""

from django import template
from django.urls import reverse

from practices.resources.writers import FORMATS

register = template.Library()

LABELS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "json": "JSON"}
# Parameters of the page that are not filters: which page of the list is shown.
NOT_FILTERS = ("trang", "page")


@register.inclusion_tag("opendata/_download_links.html", takes_context=True)
def download_links(context, url_name, slug=None, what="danh sách này", query=None):
    """`query`: the filters of the files, instead of the page's own (for a fragment the
    page caches whatever its query string)."""
    if query is None:
        params = context["request"].GET.copy()
        for name in NOT_FILTERS:
            params.pop(name, None)
        query = params.urlencode()
    query = f"?{query}" if query else ""
    args = [slug] if slug else []
    return {
        "what": what,
        "links": [
            (reverse(url_name, args=[*args, file_format]) + query, LABELS[file_format])
            for file_format in FORMATS
        ],
    }
