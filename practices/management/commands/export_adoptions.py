from django.core.management.base import CommandError
from django.utils import timezone

from practices.management.commands._tabular import ExportCommand
from practices.matching import AgencyNotFound, match_agency
from practices.models import Adoption
from practices.resources import DateWidget, export_adoptions


class Command(ExportCommand):
    help = (
        "Xuất kết quả áp dụng ra CSV (UTF-8 có BOM), XLSX hoặc JSON, cùng các cột mà "
        "import_adoptions đọc được."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--practice", help="Chỉ xuất một sáng kiến (slug).")
        parser.add_argument("--agency", help="Chỉ xuất một cơ quan (mã hoặc tên).")
        parser.add_argument(
            "--on", help="Ngày để xác định cơ quan theo mã (dd/mm/yyyy); mặc định hôm nay."
        )
        parser.add_argument(
            "--undated",
            action="store_true",
            help=(
                "Chỉ xuất kết quả của đơn vị đã kết thúc mà chưa có ngày quyết định, để ghi "
                "ngày rồi nhập lại."
            ),
        )

    def export(self, options, file_format):
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
        if options["undated"]:
            adoptions = adoptions.filter(agency__valid_to__isnull=False, decided_on__isnull=True)
        return export_adoptions(adoptions, file_format)
