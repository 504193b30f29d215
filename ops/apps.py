from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "Vận hành"

    def ready(self):
        from ops import jobs, signals  # noqa: F401 - jobs: its receiver of task_started

        signals.connect()
