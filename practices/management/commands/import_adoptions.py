import sys
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from practices.resources import FORMATS, ImportFileError, guess_format, import_adoptions


class ProgressBar:
    """A `\\r` bar on stderr, redrawn at most a few times a second, for files of 200+ rows."""

    def __init__(self, stream, minimum=200, interval=0.2):
        self.stream, self.minimum, self.interval = stream, minimum, interval
        self.last = 0.0

    def __call__(self, done, total):
        if total < self.minimum:
            return
        now = time.monotonic()
        if done < total and now - self.last < self.interval:
            return
        self.last = now
        width = 30
        filled = int(width * done / total)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} dòng")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Nhập kết quả áp dụng từ tệp CSV, XLSX hoặc JSON (cột: sáng kiến, cơ quan, trạng thái, "
        "ngày quyết định, văn bản, minh chứng, mức minh chứng, ghi chú). Tất cả hoặc không: "
        "chỉ một dòng lỗi là không dòng nào được lưu."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp cần nhập.")
        parser.add_argument(
            "--format", choices=FORMATS, help="Định dạng tệp; mặc định theo phần mở rộng."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Kiểm tra và báo cáo, không lưu gì."
        )
        parser.add_argument(
            "--as-user",
            metavar="USERNAME",
            help=(
                "Nhập với tư cách người dùng này: với báo cáo viên, chỉ được các cơ quan mình "
                "phụ trách và các dòng thành báo cáo chờ thẩm định; mặc định là đăng ngay."
            ),
        )

    def handle(self, *args, **options):
        path = options["file"]
        file_format = options["format"] or guess_format(path)
        user = None
        if options.get("as_user"):
            try:
                user = get_user_model().objects.get_by_natural_key(options["as_user"])
            except get_user_model().DoesNotExist as error:
                raise CommandError(f"Không có người dùng “{options['as_user']}”.") from error
        try:
            report = import_adoptions(
                path,
                file_format=file_format,
                dry_run=options["dry_run"],
                user=user,
                progress=ProgressBar(getattr(self.stderr, "_out", sys.stderr)),
            )
        except (ImportFileError, OSError) as error:
            raise CommandError(f"Không nhập được tệp {path}: {error}") from error
        for column in report.ignored_columns:
            self.stdout.write(f"Bỏ qua cột không dùng: “{column}”.")
        if report.errors:
            lines = "\n".join(f"  - {error}" for error in report.errors)
            raise CommandError(
                f"Tệp có {len(report.errors)} lỗi, không có thay đổi nào được lưu.\n"
                f"{lines}\n{report.summary()}"
            )
        self.stdout.write(self.style.SUCCESS(report.summary()))
