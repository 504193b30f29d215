"""Wagtail's chooser widgets without inline scripts.

Wagtail 8 renders each chooser widget (page, snippet, document, image) as its HTML followed by
`<script>new PageChooser("id_…", {…});</script>`, built in Python (`BaseChooser.render`), so no
template override can reach it, and the site's Content-Security-Policy refuses inline scripts.
`install()` makes that method emit a marker element instead, which static/js/admin-init.js turns
into the same constructor call (its allow-list names the constructors). Widgets that start
differently (their own `render_js_init`) keep Wagtail's output. The browser test
tests/browser/test_csp.py fails if a Wagtail upgrade brings an inline script back."""

import json

from django.utils.html import format_html

from wagtail.admin.widgets.chooser import BaseChooser

_wagtail_render = BaseChooser.render


def _render(self, name, value, attrs=None, renderer=None):
    if (
        type(self).render_js_init is not BaseChooser.render_js_init
        or not attrs
        or "id" not in attrs
    ):
        return _wagtail_render(self, name, value, attrs, renderer)
    value_data = self.get_value_data(value)
    return format_html(
        '{}<span hidden data-controller="kb-init" data-kb-init-call-value="chooser" '
        'data-kb-init-widget-value="{}" data-kb-init-target-value="{}" '
        'data-kb-init-options-value="{}"></span>',
        self.render_html(name, value_data, attrs),
        self.js_constructor,
        attrs["id"],
        json.dumps(self.get_js_init_options(attrs["id"], name, value_data)),
    )


def install():
    BaseChooser.render = _render
