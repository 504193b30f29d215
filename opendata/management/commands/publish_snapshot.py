from django.conf import settings
from django.core.management.base import BaseCommand

from opendata import snapshots


class Command(BaseCommand):
    help = (
        "Ghi bản sao dữ liệu công khai của hôm nay (mỗi bảng một tệp CSV, datapackage.json, "
        "SHA256SUMS) vào SNAPSHOTS_ROOT; ghi lại bản của hôm nay nếu đã có."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url",
            default=getattr(settings, "WAGTAILADMIN_BASE_URL", ""),
            help="Địa chỉ trang, ghi vào datapackage.json.",
        )

    def handle(self, *args, **options):
        folder = snapshots.publish(site_url=options["site_url"])
        snapshot = snapshots.find(folder.name)
        for name, size, _ in snapshot.files:
            self.stdout.write(f"  {name}: {size:,} byte")
        self.stdout.write(self.style.SUCCESS(f"Đã ghi bản sao {folder}."))
