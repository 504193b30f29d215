from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Báo cáo và thẩm định"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from practices.models import Adoption
        from reporting.permissions import AdoptionPermissionPolicy

        register_permission_policy(Adoption, AdoptionPermissionPolicy(Adoption))

        from reporting import notifications

        notifications.install()
