from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from practices.models import Agency
from reporting.models import AgencyMembership
from reporting.roles import EDITORS, REPORTERS, REVIEWERS, setup_roles

# Demo accounts for a local site only; the command refuses to run with DEBUG off.
DEMO_ACCOUNTS = [
    ("bientap", EDITORS, None, "Biên tập viên quốc gia"),
    ("thamdinh", REVIEWERS, None, "Thẩm định viên quốc gia"),
    ("baocao-bacninh", REPORTERS, "24", "Báo cáo viên của Tỉnh Bắc Ninh"),
]
DEMO_PASSWORD = "demo-dvctt-2025"  # noqa: S105 - printed for local demos, DEBUG only


class Command(BaseCommand):
    help = "Tạo một tài khoản minh họa cho mỗi vai trò (chỉ dùng khi DEBUG bật)."

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Chỉ tạo tài khoản minh họa khi DEBUG bật (môi trường phát triển).")
        setup_roles()
        users = get_user_model().objects
        self.stdout.write("Tài khoản minh họa (đăng nhập tại /admin/):")
        for username, group, agency_code, label in DEMO_ACCOUNTS:
            user, created = users.get_or_create(username=username)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            user.groups.add(Group.objects.get(name=group))
            if agency_code:
                AgencyMembership.objects.get_or_create(
                    user=user, agency=Agency.objects.resolve(agency_code)
                )
            self.stdout.write(f"  {label}: {username} / {DEMO_PASSWORD}")
