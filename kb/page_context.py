"""What a page type's template needs beyond the page itself, supplied from outside the models.

A page model's `get_context` hands its context to `extend`; the functions that fill it are
registered with `@provides(PageClass)` in the view layer (`practices/views.py`, imported when
the app is ready), and they ask `practices/queries.py`. So reads depend on models and never the
reverse: this module imports nothing of the project.

Why here, and not another Wagtail hook: `before_serve_page` and `on_serve_page` wrap only the
public `serve`, not the admin's preview (`serve_preview` calls `get_context` directly), so a
preview would render without its data; template tags would change every template and the
context that tests and templates read; and overriding `serve` with a view would have the model
import it. `get_context` is the one method both serving and previewing go through.
"""

_providers = {}


def provides(*page_classes):
    """Register `provider(page, request) -> dict` as the extra context of these page types."""

    def register(provider):
        for page_class in page_classes:
            _providers[page_class] = provider
        return provider

    return register


def extend(page, request, context):
    """Add the registered provider's context for `page` (the nearest registered class)."""
    for page_class in type(page).__mro__:
        provider = _providers.get(page_class)
        if provider is not None:
            context.update(provider(page, request))
            break
    return context
