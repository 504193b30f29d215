from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction

from wagtail.models import Revision

from practices.evidence.legacy import move_legacy_files
from practices.models import Adoption


class Command(BaseCommand):
    help = (
        "Chuyển các tệp minh chứng còn nằm trong MEDIA_ROOT (tải lên trước khi có kho riêng) "
        "vào kho tệp minh chứng riêng (PRIVATE_MEDIA_ROOT), đặt tên ngẫu nhiên và giữ tên gốc "
        "làm tên tải về. Chạy lại nhiều lần không sao."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            report = move_legacy_files(Adoption, Revision, ContentType)
        for old, new in report.moved.items():
            self.stdout.write(f"{old} → {new}")
        for old in report.missing:
            self.stderr.write(f"Không tìm thấy tệp {old}; giữ nguyên tên trong dữ liệu.")
        self.stdout.write(
            f"Đã chuyển {len(report.moved)} tệp ({report.rows} bản ghi, {report.revisions} "
            f"phiên bản); thiếu {len(report.missing)} tệp."
        )
