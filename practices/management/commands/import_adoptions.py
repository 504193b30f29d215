from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from practices.management.commands._tabular import ImportCommand
from practices.resources import import_adoptions


class Command(ImportCommand):
    help = (
        "Nhập kết quả áp dụng từ tệp CSV, XLSX hoặc JSON (cột: sáng kiến, cơ quan, trạng thái, "
        "ngày quyết định, văn bản, minh chứng, mức minh chứng, ghi chú). Tất cả hoặc không: "
        "chỉ một dòng lỗi là không dòng nào được lưu."
    )
    import_function = import_adoptions

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--as-user",
            metavar="USERNAME",
            help=(
                "Nhập với tư cách người dùng này: với báo cáo viên, chỉ được các cơ quan mình "
                "phụ trách và các dòng thành báo cáo chờ thẩm định; mặc định là đăng ngay."
            ),
        )

    def get_user(self, options):
        if not options.get("as_user"):
            return None
        try:
            return get_user_model().objects.get_by_natural_key(options["as_user"])
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"Không có người dùng “{options['as_user']}”.") from error

    def handle(self, *args, **options):
        try:
            super().handle(*args, **options)
        except PermissionDenied as error:
            raise CommandError(f"{options['as_user']}: {error}") from error
