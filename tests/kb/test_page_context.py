"""Pages get their data from the view layer (`kb.page_context`), never by importing reads:
models do not import queries or views, and a preview shows what the served page shows."""

import ast
import pathlib

from django.conf import settings
from django.contrib.auth.models import AnonymousUser

import pytest

from kb.models import HomePage, KnowledgeIndexPage
from practices.models import PracticeIndexPage, PracticePage

ROOT = pathlib.Path(settings.BASE_DIR)
READ_MODULES = ("queries", "views", "api", "admin_views")


def imported_modules(path):
    """Every module a file imports, at any depth (function-level imports too)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module or ""
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


@pytest.mark.parametrize("models", sorted(ROOT.glob("*/models.py")), ids=lambda p: p.parent.name)
def test_models_import_no_queries_or_views(models):
    reads = [name for name in imported_modules(models) if name.rsplit(".", 1)[-1] in READ_MODULES]
    assert reads == []


PAGES = [
    (HomePage, "overview"),
    (KnowledgeIndexPage, "knowledge"),
    (PracticeIndexPage, "catalogue"),
    (PracticePage, "adoption"),
]


@pytest.mark.parametrize(("page_class", "key"), PAGES, ids=[c.__name__ for c, _ in PAGES])
def test_served_and_previewed_pages_carry_their_data(client, rf, seeded, page_class, key):
    page = page_class.objects.live().order_by("pk").first()
    served = client.get(page.url)
    assert served.status_code == 200
    assert served.context[key]

    request = rf.get(page.url)
    request.user = AnonymousUser()
    preview = page.serve_preview(request, page.default_preview_mode)
    assert preview.context_data[key]
    assert type(preview.context_data[key]) is type(served.context[key])
