from django.apps import AppConfig


class KnowledgeBaseConfig(AppConfig):
    name = "kb"
    verbose_name = "Kho tri thức"

    def ready(self):
        from kb import lookups  # noqa: F401 - registers the `__any` lookup

        fold_library_search_fields()


def fold_library_search_fields():
    """The image and document libraries, and their choosers, find titles and tags typed
    without diacritics, as pages are found (kb.search_backend).

    Wagtail's own image and document models index their texts as written; swapping in
    custom models for this one change would move every stored file's row. Their search
    fields are read when an object is indexed and when a search is compiled, never at
    import, so they are given folded copies here, before either can happen.
    """
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    from kb.search_backend import folded_search_fields

    for model in (get_image_model(), get_document_model()):
        model.search_fields = folded_search_fields(model.search_fields)
