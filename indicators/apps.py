from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Chỉ số kết quả"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from indicators import signals
        from indicators.models import IndicatorValue
        from indicators.permissions import IndicatorValuePolicy

        register_permission_policy(IndicatorValue, IndicatorValuePolicy(IndicatorValue))
        signals.connect()
