"""What the import and export commands share: a progress bar, reading the file and
reporting every bad row, writing an export to a file or to stdout."""

import sys

from django.core.management.base import BaseCommand, CommandError

from kb.progress import ProgressBar
from practices.resources import FORMATS, ImportFileError, guess_format


class ImportCommand(BaseCommand):
    """`import_function(path, file_format=, dry_run=, user=, progress=)` → ImportReport."""

    import_function = None

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp cần nhập.")
        parser.add_argument(
            "--format", choices=FORMATS, help="Định dạng tệp; mặc định theo phần mở rộng."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Kiểm tra và báo cáo, không lưu gì."
        )

    def get_user(self, options):
        return None

    def handle(self, *args, **options):
        path = options["file"]
        try:
            report = type(self).import_function(
                path,
                file_format=options["format"] or guess_format(path),
                dry_run=options["dry_run"],
                user=self.get_user(options),
                progress=ProgressBar(
                    getattr(self.stderr, "_out", sys.stderr), unit="dòng", minimum=200
                ),
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


class ExportCommand(BaseCommand):
    """`export(options, file_format)` → bytes."""

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, help="Mặc định theo --output, hoặc csv.")
        parser.add_argument("--output", help="Tệp ghi ra; mặc định là stdout.")

    def export(self, options, file_format):
        raise NotImplementedError

    def handle(self, *args, **options):
        output = options["output"]
        file_format = options["format"]
        if not file_format and output and output.rsplit(".", 1)[-1].lower() in FORMATS:
            file_format = output.rsplit(".", 1)[-1].lower()
        file_format = file_format or "csv"
        data = self.export(options, file_format)
        if output:
            with open(output, "wb") as handle:
                handle.write(data)
            self.stderr.write(f"Đã ghi {output}.")
        else:
            stream = getattr(self.stdout, "_out", sys.stdout)
            if hasattr(stream, "buffer"):
                stream.buffer.write(data)
                stream.flush()
            else:
                stream.write(data.decode("utf-8-sig") if file_format != "xlsx" else repr(data))
