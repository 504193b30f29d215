import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from practices.matching import AgencyNotFound, match_agency
from practices.models import Adoption
from practices.resources import FORMATS, DateWidget, export_adoptions


class Command(BaseCommand):
    help = (
        "Xuất kết quả áp dụng ra CSV (UTF-8 có BOM), XLSX hoặc JSON, cùng các cột mà "
        "import_adoptions đọc được."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, help="Mặc định theo --output, hoặc csv.")
        parser.add_argument("--output", help="Tệp ghi ra; mặc định là stdout.")
        parser.add_argument("--practice", help="Chỉ xuất một sáng kiến (slug).")
        parser.add_argument("--agency", help="Chỉ xuất một cơ quan (mã hoặc tên).")
        parser.add_argument(
            "--on", help="Ngày để xác định cơ quan theo mã (dd/mm/yyyy); mặc định hôm nay."
        )

    def handle(self, *args, **options):
        output = options["output"]
        file_format = options["format"]
        if not file_format and output and output.rsplit(".", 1)[-1].lower() in FORMATS:
            file_format = output.rsplit(".", 1)[-1].lower()
        file_format = file_format or "csv"
        adoptions = Adoption.objects.all()
        if options["practice"]:
            adoptions = adoptions.filter(practice__slug=options["practice"])
        if options["agency"]:
            try:
                on = DateWidget.parse(options["on"]) if options["on"] else None
                agency = match_agency(options["agency"], on or timezone.localdate())
            except (ValueError, AgencyNotFound) as error:
                raise CommandError(str(error)) from error
            adoptions = adoptions.filter(agency=agency)
        data = export_adoptions(adoptions, file_format)
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
