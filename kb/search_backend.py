"""Wagtail's database search backend, for Vietnamese typed with or without diacritics.

The admin's searches that go through Wagtail's search backend (the explorer's search,
"Tìm kiếm" in the header, the page chooser, the image and document libraries and their
choosers) hand it the words typed. This backend searches for them as typed or folded
(practices.text.fold: diacritics and tone marks dropped, đ → d), and the models it searches
index a folded copy of each text beside the text itself (`folded_search_fields`), so "bac
ninh", "Bắc Ninh", "hoà bình" and "hòa bình" all find "… Bắc Ninh …" or "… Hòa Bình …".
A model without folded copies is found as before, as written.

Configured as WAGTAILSEARCH_BACKENDS' default; everything else is Wagtail's database backend
for the database in use (PostgreSQL full text, SQLite FTS5, or the plain fallback).
"""

from django.utils.encoding import force_str

from modelsearch import index
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


def _folded(value):
    """`value` as the index receives it (text, a list of texts, a dict…), each text folded;
    empty where folding changes nothing, so that ASCII text is not indexed twice."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_folded(item) for item in value]
    if isinstance(value, dict):
        return {key: _folded(item) for key, item in value.items()}
    text = force_str(value)
    folded = fold(text)
    return "" if folded == " ".join(text.lower().split()) else folded


class FoldedSearchField(index.SearchField):
    """The folded copy of a SearchField: same name (so a title's copy is weighted as a
    title), same boost, the value folded."""

    def get_value(self, obj):
        return _folded(super().get_value(obj))


class FoldedAutocompleteField(index.AutocompleteField):
    """The folded copy of an AutocompleteField."""

    def get_value(self, obj):
        return _folded(super().get_value(obj))


_FOLDED = {index.SearchField: FoldedSearchField, index.AutocompleteField: FoldedAutocompleteField}


def folded_search_fields(fields):
    """`fields` (a model's `search_fields`), each text field followed by its folded copy.

    Filter fields are kept as they are; the texts of related objects (tags) get copies too.
    Applying it to a list that has copies already adds none. The copies carry their field's
    name, which the database backends store in one column per kind of field; an
    Elasticsearch backend, which keys a document by field name, would need other names.
    """
    result = []
    for field in fields:
        if isinstance(field, index.RelatedFields):
            field = index.RelatedFields(field.field_name, folded_search_fields(field.fields))
        result.append(field)
        copy = _FOLDED.get(type(field))
        if copy is not None:
            result.append(copy(field.field_name, **_copied_options(field)))
    return _unique(result)


def _copied_options(field):
    options = dict(field.kwargs)
    if isinstance(field, index.SearchField):
        options["boost"] = field.boost
    return options


def _unique(fields):
    seen, unique = set(), []
    for field in fields:
        key = (type(field), field.field_name)
        if key not in seen:
            seen.add(key)
            unique.append(field)
    return unique


_classes = {}


def SearchBackend(params):  # noqa: N802 - the name Wagtail looks up in a backend's module
    backend = database.SearchBackend(params)
    base = type(backend)
    if base not in _classes:
        _classes[base] = type(f"Folding{base.__name__}", (FoldingMixin, base), {})
    backend.__class__ = _classes[base]
    return backend
