import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from practices.models import Agency
from reporting.models import AgencyMembership
from reporting.roles import REPORTERS, setup_roles


class Command(BaseCommand):
    help = "Tạo (hoặc cập nhật) một báo cáo viên cho một cơ quan."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--agency", required=True, help="Mã cơ quan, ví dụ 24 hoặc bo-y-te.")
        parser.add_argument("--on", help="Ngày xác định mã cơ quan (YYYY-MM-DD); mặc định hôm nay.")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Mật khẩu; bỏ trống để người dùng tự đặt lại.")

    @transaction.atomic
    def handle(self, *args, **options):
        on = datetime.date.fromisoformat(options["on"]) if options["on"] else None
        try:
            agency = Agency.objects.resolve(options["agency"], on)
        except Agency.DoesNotExist:
            raise CommandError(f"Không có cơ quan mang mã “{options['agency']}”.") from None
        setup_roles()
        user, created = get_user_model().objects.get_or_create(
            username=options["username"], defaults={"email": options["email"]}
        )
        if options["password"]:
            user.set_password(options["password"])
        elif created:
            user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=REPORTERS))
        AgencyMembership.objects.get_or_create(user=user, agency=agency)
        verb = "Đã tạo" if created else "Đã cập nhật"
        self.stdout.write(f"{verb} báo cáo viên {user.username} cho {agency}.")
