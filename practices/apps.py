from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "practices"
    verbose_name = "Giải pháp và kết quả áp dụng"

    def ready(self):
        from practices.evidence import cleanup
        from practices.models import Adoption

        cleanup.connect(Adoption)
