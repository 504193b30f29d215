from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Nhập dữ liệu nền"
    default_auto_field = "django.db.models.BigAutoField"
