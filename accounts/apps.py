from django.apps import AppConfig

from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    # The module holds a second config (below): Django takes this one for "accounts" only
    # when it says so, and without it `ready` (inline scripts, the session signal) never runs.
    default = True
    name = "accounts"
    verbose_name = "Tài khoản và đăng nhập"

    def ready(self):
        from accounts import inline_scripts, sessions  # noqa: F401 - sessions connects a signal

        inline_scripts.install()


class WagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's users app (listed in INSTALLED_APPS in its place), with its lists of users
    and groups searched with or without diacritics (accounts.users)."""

    default = False
    user_viewset = "accounts.users.UserViewSet"
    group_viewset = "accounts.users.GroupViewSet"
