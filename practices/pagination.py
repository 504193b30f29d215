from rest_framework.pagination import PageNumberPagination


class StablePagination(PageNumberPagination):
    """Page-number paging; `page_size` may be raised to 500 for bulk readers."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
