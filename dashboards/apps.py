import pkgutil
from importlib import import_module

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Biểu đồ, bảng số liệu"

    def ready(self):
        from dashboards import signals

        signals.connect()
        # Charts register themselves when their module is imported: every `charts_*.py` of this
        # app (one per page, so that helpers' modules never touch a shared list) and every
        # other app's `charts.py`.
        for module in pkgutil.iter_modules(import_module("dashboards").__path__):
            if module.name.startswith("charts_"):
                import_module(f"dashboards.{module.name}")
        autodiscover_modules("charts")
