from django.apps import AppConfig


class KnowledgeBaseConfig(AppConfig):
    name = "kb"
    verbose_name = "Kho tri thức"

    def ready(self):
        from kb import lookups  # noqa: F401 - registers the `__any` lookup
