"""Where a report stands in its review, in the words the admin shows.

A report's state is read from two things Wagtail keeps: its active workflow state (at most
one per record, `in_progress` or `needs_changes`) and whether the record is live, with or
without a newer revision. This module names the states; `reporting.queries` computes them in
the database for a whole list at once.
"""

from django.db import models


class ReviewState(models.TextChoices):
    # In the order a reporter acts on them: what needs their work first.
    RETURNED = "returned", "Bị trả lại"
    DRAFT = "draft", "Bản nháp"
    WAITING = "waiting", "Chờ thẩm định"
    PUBLISHED_PENDING = "published-pending", "Đã công bố, có thay đổi chờ duyệt"
    PUBLISHED_DRAFT = "published-draft", "Đã công bố, có bản nháp chưa gửi"
    PUBLISHED = "published", "Đã công bố"


# What each state means, for the dashboard and the README's table.
STATE_HELP = {
    ReviewState.RETURNED: "Thẩm định viên yêu cầu chỉnh sửa: sửa theo nhận xét rồi bấm “Gửi lại”.",
    ReviewState.DRAFT: "Đã lưu nhưng chưa gửi: bấm “Gửi thẩm định” khi báo cáo đã đủ.",
    ReviewState.WAITING: "Đã gửi, đang chờ thẩm định viên quốc gia xem xét.",
    ReviewState.PUBLISHED_PENDING: (
        "Bản đã duyệt đang công bố; thay đổi mới của bạn đang chờ thẩm định."
    ),
    ReviewState.PUBLISHED_DRAFT: (
        "Bản đã duyệt đang công bố; thay đổi mới của bạn chưa được gửi thẩm định."
    ),
    ReviewState.PUBLISHED: "Đã được phê chuẩn và công bố trên trang công khai.",
}

# The states of a record that is live (the public sees its approved version).
LIVE_STATES = frozenset(
    {ReviewState.PUBLISHED, ReviewState.PUBLISHED_PENDING, ReviewState.PUBLISHED_DRAFT}
)
