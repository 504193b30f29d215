from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Vận hành"

    def ready(self):
        from ops import signals

        signals.connect()
