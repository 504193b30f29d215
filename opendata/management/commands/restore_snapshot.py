import sys

from django.core.management.base import BaseCommand, CommandError

from kb.progress import ProgressBar
from opendata import snapshots


class Command(BaseCommand):
    help = (
        "Nhập lại một bản sao dữ liệu (thư mục do publish_snapshot ghi) bằng các lệnh nhập "
        "dữ liệu, tất cả hoặc không gì cả; kiểm tra mã SHA-256 của từng tệp trước."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="Thư mục của bản sao, ví dụ var/snapshots/2026-12-03.")

    def handle(self, *args, **options):
        progress = ProgressBar(getattr(self.stderr, "_out", sys.stderr), unit="dòng", minimum=200)
        try:
            reports = snapshots.restore(options["folder"], progress=progress)
        except (snapshots.SnapshotError, OSError) as error:
            raise CommandError(f"Không nhập được bản sao: {error}") from error
        for name, report in reports.items():
            self.stdout.write(f"  {name}: {report.summary()}")
        self.stdout.write(self.style.SUCCESS("Đã nhập lại bản sao."))
