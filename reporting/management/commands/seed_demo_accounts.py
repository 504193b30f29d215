from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from practices.models import Agency
from reporting.models import AgencyMembership
from reporting.roles import EDITORS, REPORTERS, REVIEWERS, setup_roles


@dataclass(frozen=True)
class DemoAccount:
    username: str
    group: str
    role: str  # the box's first column; also the user's displayed name, with DEMO_MARK
    agency_code: str | None = None

    @property
    def email(self):
        # example.org is reserved for examples (RFC 2606): no message can reach anyone.
        return f"{self.username}@example.org"


# Demo accounts for a local site only; the command refuses to run with DEBUG off. Their names
# say the role, so that the e-mails the console shows read as from and to a role.
DEMO_ACCOUNTS = [
    DemoAccount("bientap", EDITORS, "Biên tập viên quốc gia"),
    DemoAccount("thamdinh", REVIEWERS, "Thẩm định viên quốc gia"),
    DemoAccount("baocao-bacninh", REPORTERS, "Báo cáo viên Tỉnh Bắc Ninh", agency_code="24"),
]
DEMO_MARK = "(minh họa)"
DEMO_PASSWORD = "demo-dvctt-2025"  # noqa: S105 - printed for local demos, DEBUG only


class Command(BaseCommand):
    help = (
        "Tạo (hoặc cập nhật) một tài khoản minh họa cho mỗi vai trò và in chúng trong một "
        "khung (chỉ dùng khi DEBUG bật)."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Chỉ tạo tài khoản minh họa khi DEBUG bật (môi trường phát triển).")
        setup_roles()
        for account in DEMO_ACCOUNTS:
            self.ensure(account)
        if options["verbosity"] > 0:
            self.stdout.write(self.box())

    def ensure(self, account):
        """The account as listed, whatever an earlier run left. The password is set only when
        the account is new: it is the developer's account to change afterwards."""
        user, created = get_user_model().objects.get_or_create(username=account.username)
        user.first_name, user.last_name = account.role, DEMO_MARK
        user.email = account.email
        if created:
            user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=account.group))
        if account.agency_code:
            AgencyMembership.objects.get_or_create(
                user=user, agency=Agency.objects.resolve(account.agency_code)
            )

    def box(self):
        admin_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/admin/"
        width = max(len(a.role) for a in DEMO_ACCOUNTS)
        logins = [f"{a.role:<{width}}   {a.username}" for a in DEMO_ACCOUNTS]
        lines = [
            "TÀI KHOẢN MINH HỌA",
            f"Đăng nhập tại {admin_url}",
            "",
            *logins,
            "",
            f"Mật khẩu của cả ba tài khoản: {DEMO_PASSWORD}",
            "Thư thông báo (gửi thẩm định, phê chuẩn, trả lại) in ra trong cửa sổ này.",
        ]
        inner = max(len(line) for line in lines)
        return "\n".join(
            [
                "┌" + "─" * (inner + 2) + "┐",
                *(f"│ {line:<{inner}} │" for line in lines),
                "└" + "─" * (inner + 2) + "┘",
            ]
        )
