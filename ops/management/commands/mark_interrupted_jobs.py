from django.core.management.base import BaseCommand

from ops import admin_views, jobs


class Command(BaseCommand):
    help = (
        "Đánh dấu không thành công các công việc nền (xuất dữ liệu, bản sao) đang chạy mà không "
        "có tiến độ mới sau JOB_STALE_SECONDS (tiến trình xử lý đã dừng), và xoá tệp dở dang."
    )

    def handle(self, *args, **options):
        marked = jobs.mark_interrupted()
        for job in marked:
            self.stdout.write(f"  {job.pk}: {admin_views.title_of(job)}")
        self.stdout.write(self.style.SUCCESS(f"Đã đánh dấu {len(marked)} công việc bị gián đoạn."))
