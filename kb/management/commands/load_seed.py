from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from indicators.seed import load_indicators
from kb.seed import CATALOGUE_PATH, SeedError, load_catalogue
from ops.pagecache import invalidate
from practices.reference import REFERENCE_DIR, load_reference_data
from reporting.roles import setup_roles
from search.sync import bulk_changes


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu tham chiếu (tỉnh, thành phố, bộ, ngành và quan hệ kế thừa) và nội dung "
        "khởi tạo của kho giải pháp. Chạy lại nhiều lần không tạo bản ghi trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reference-only", action="store_true", help="Chỉ nạp dữ liệu tham chiếu."
        )
        parser.add_argument(
            "--catalogue", default=str(CATALOGUE_PATH), help="Tệp TOML nội dung khởi tạo."
        )

    def handle(self, *args, **options):
        log = self.stdout.write
        try:
            # One bulk search refresh at the end instead of one per record.
            with transaction.atomic(), bulk_changes():
                log(f"Nạp dữ liệu tham chiếu từ {REFERENCE_DIR.name}/ …")
                units = load_reference_data()
                log(f"  cơ quan, đơn vị: {units}")
                if not options["reference_only"]:
                    log("Nạp nội dung khởi tạo …")
                    load_catalogue(options["catalogue"], log=log)
                    load_indicators(log=log)
                # After the catalogue: on a flushed database the page tree, on whose root the
                # editors' page permissions are granted, exists only once the catalogue made it.
                setup_roles()
                log("  vai trò và quy trình thẩm định: đã thiết lập")
                invalidate()  # bulk writes send no signals
        except (SeedError, ValidationError, OSError, ValueError, KeyError) as error:
            raise CommandError(
                f"Không nạp được dữ liệu, không có thay đổi nào được lưu: {error}"
            ) from error
        self.stdout.write(self.style.SUCCESS("Xong."))
