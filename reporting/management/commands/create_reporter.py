import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
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
        try:
            on = datetime.date.fromisoformat(options["on"]) if options["on"] else None
        except ValueError:
            raise CommandError(
                f"Ngày “{options['on']}” không hợp lệ; hãy viết YYYY-MM-DD."
            ) from None
        try:
            agency = Agency.objects.resolve(options["agency"], on)
        except Agency.DoesNotExist:
            raise CommandError(f"Không có cơ quan mang mã “{options['agency']}”.") from None
        users = get_user_model().objects
        user = users.filter(username=options["username"]).first()
        created = user is None
        if created:
            user = users.model(username=options["username"], email=options["email"])
        if options["password"]:
            # The same validators as the admin's password forms (AUTH_PASSWORD_VALIDATORS).
            try:
                validate_password(options["password"], user)
            except ValidationError as error:
                raise CommandError(
                    "Mật khẩu không được chấp nhận: " + " ".join(error.messages)
                ) from None
            user.set_password(options["password"])
        elif created:
            user.set_unusable_password()
        setup_roles()
        user.save()
        user.groups.add(Group.objects.get(name=REPORTERS))
        AgencyMembership.objects.get_or_create(user=user, agency=agency)
        verb = "Đã tạo" if created else "Đã cập nhật"
        self.stdout.write(f"{verb} báo cáo viên {user.username} cho {agency}.")
