from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "practices"
    verbose_name = "Giải pháp và kết quả áp dụng"

    def ready(self):
        # Registers what the page types add to their context (kb.page_context), before any
        # page is served or previewed.
        from practices import views  # noqa: F401
        from practices.evidence import cleanup
        from practices.models import Adoption

        cleanup.connect(Adoption)
