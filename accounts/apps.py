from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Tài khoản và đăng nhập"

    def ready(self):
        from accounts import inline_scripts, sessions  # noqa: F401 - sessions connects a signal

        inline_scripts.install()
