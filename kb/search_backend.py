"""Wagtail's database search backend, for Vietnamese typed with or without diacritics.

The admin's page searches (the explorer's search, "Tìm kiếm" in the header, the page
chooser) hand the words typed to the search backend. This one searches for them as typed
or folded (practices.text.fold: diacritics and tone marks dropped, đ → d), and models
index a folded copy of their titles (`folded_title`, see PracticePage), so "bac ninh",
"Bắc Ninh", "hoà bình" and "hòa bình" all find "… Bắc Ninh …" or "… Hòa Bình …". A model
without a folded copy is found as before.

Configured as WAGTAILSEARCH_BACKENDS' default; everything else is Wagtail's database backend
for the database in use (PostgreSQL full text, SQLite FTS5, or the plain fallback).
"""

from modelsearch.backends import database
from modelsearch.query import And, Boost, Not, Or, Phrase, PlainText

from practices.text import fold


def with_folded(query):
    """`query`, each text of which matches as written or folded."""
    if isinstance(query, PlainText):
        folded = fold(query.query_string)
        if folded == query.query_string:
            return query
        return Or([query, PlainText(folded, operator=query.operator, boost=query.boost)])
    if isinstance(query, Phrase):
        folded = fold(query.query_string)
        return query if folded == query.query_string else Or([query, Phrase(folded)])
    if isinstance(query, (And, Or)):
        return type(query)([with_folded(subquery) for subquery in query.subqueries])
    if isinstance(query, Not):
        return Not(with_folded(query.subquery))
    if isinstance(query, Boost):
        return Boost(with_folded(query.subquery), query.boost)
    return query  # MatchAll and the like


class FoldingMixin:
    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        if isinstance(query, str) and query:
            operator = kwargs.get("operator") or query_compiler_class.DEFAULT_OPERATOR
            query = PlainText(query, operator=operator)
        return super()._search(
            query_compiler_class, with_folded(query), model_or_queryset, **kwargs
        )


_classes = {}


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a backend's module
    backend = database.SearchBackend(params)
    base = type(backend)
    if base not in _classes:
        _classes[base] = type(f"Folding{base.__name__}", (FoldingMixin, base), {})
    backend.__class__ = _classes[base]
    return backend
