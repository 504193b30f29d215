from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Tài khoản và đăng nhập"

    def ready(self):
        from accounts import sessions  # noqa: F401 - connects the sign-in timestamp
