from rest_framework.pagination import PageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param


class StablePagination(PageNumberPagination):
    """Page-number paging; `page_size` may be raised to 500 for bulk readers."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    page_query_description = "Số trang, từ 1; quá số trang: lỗi 404."
    page_size_query_description = "Số mục một trang (mặc định 50, tối đa 500)."
    invalid_page_message = "Không có trang này: số trang phải từ 1 đến số trang của danh sách."

    def get_paginated_response(self, data):
        """The body's `next` and `previous`, and the same links (with the first and the last
        page) in a `Link` header (RFC 8288), which generic clients follow."""
        response = super().get_paginated_response(data)
        here = self.request.build_absolute_uri()
        last = self.page.paginator.num_pages
        links = {
            "first": remove_query_param(here, self.page_query_param),
            "prev": self.get_previous_link(),
            "next": self.get_next_link(),
            "last": replace_query_param(here, self.page_query_param, last),
        }
        response["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
        return response

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        notes = {
            "count": "Tổng số mục với các bộ lọc đã chọn.",
            "next": "Địa chỉ trang sau; null ở trang cuối.",
            "previous": "Địa chỉ trang trước; null ở trang đầu.",
            "results": "Các mục của trang này.",
        }
        for name, note in notes.items():
            described["properties"][name]["description"] = note
        return described
