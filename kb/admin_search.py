"""The admin's list and chooser searches that run in the database, with or without diacritics.

Wagtail searches a list whose model its search backend does not index (sources, synonyms,
memberships, users…) with `icontains` on the list's `search_fields`, which matches words as
they are written: "bac ninh" finds no "Bắc Ninh", "hoà" no "hòa". The lists declared here
search folded text instead (practices.text.fold: diacritics and tone marks dropped, đ → d), as
the public search does. Each word typed must be found, in any of the fields searched.

A list says how it is searched with `folded_search`, a callable `(queryset, query) →
queryset`: `FoldedFields(...)` for lists of up to a few thousand rows, which it folds in
Python, or a function of the model's own app over stored folded columns for tables of records
(practices.admin_search: agencies and adoptions). Lists that Wagtail's search backend serves
(pages, images, documents) fold through the backend instead (kb.search_backend).
"""

from django import forms
from django.conf import settings
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy

from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.views.generic.chooser import BaseChooseView
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from practices.text import fold, normalise


def query_words(query):
    """(as typed, folded) for each distinct word of `query`, the first SEARCH_MAX_WORDS."""
    words, seen = [], set()
    for typed in normalise(query).split():
        folded = fold(typed)
        if folded and folded not in seen:
            seen.add(folded)
            words.append((typed, folded))
    return words[: settings.SEARCH_MAX_WORDS]


class FoldedFields:
    """The rows of which `fields` (names or paths, as `values_list` takes them), folded and
    put together, hold every word of the query.

    Reads those fields of every row of the list once per search: meant for lists of up to a
    few thousand rows (reference data, users). A row reached several times through a
    many-valued path is matched on all its values together.
    """

    def __init__(self, *fields):
        self.fields = fields

    def __call__(self, queryset, query):
        words = [folded for _typed, folded in query_words(query)]
        if not words:
            return queryset
        texts = {}
        for pk, *values in queryset.order_by().values_list("pk", *self.fields):
            texts.setdefault(pk, []).extend(str(value) for value in values if value)
        found = [pk for pk, values in texts.items() if matches(fold(" ".join(values)), words)]
        return queryset.filter(pk__in=found)

    def __repr__(self):
        return f"FoldedFields{self.fields!r}"


def matches(folded_text, words):
    return all(word in folded_text for word in words)


class FoldedSearchMixin:
    """An admin list (a generic IndexView) whose search is `folded_search(queryset, query)`,
    given by its viewset (FoldedSearchViewSetMixin) or by the class; without one, Wagtail's."""

    folded_search = None

    @cached_property
    def is_searchable(self):
        if self.folded_search is None:
            return super().is_searchable
        return bool(self.index_results_url or self.search_url)

    def search_queryset(self, queryset):
        if self.folded_search is None:
            return super().search_queryset(queryset)
        if not self.is_searching:
            return queryset
        return self.folded_search(queryset, self.search_query)


class FoldedSearchFilterForm(BaseFilterForm):
    """A chooser's search box, searching with `folded_search(queryset, query)`."""

    folded_search = None

    q = forms.CharField(
        label=gettext_lazy("Search term"),
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Search")}),
        required=False,
    )

    @classmethod
    def searching_with(cls, folded_search):
        return type(cls.__name__, (cls,), {"folded_search": staticmethod(folded_search)})

    def filter(self, objects):
        objects = super().filter(objects)
        query = self.cleaned_data.get("q")
        if query:
            objects = type(self).folded_search(objects, query)
            self.is_searching = True
            self.search_query = query
        return objects


class FoldedSearchViewSetMixin:
    """A model viewset whose list searches with `folded_search` (a staticmethod or a
    FoldedFields); its `index_view_class` must include FoldedSearchMixin."""

    folded_search = None

    def get_common_view_kwargs(self, **kwargs):
        # Reaches only the views that have the attribute: the list and its results.
        return super().get_common_view_kwargs(folded_search=self.folded_search, **kwargs)


class FoldedSnippetChooserViewSet(SnippetChooserViewSet):
    """A snippet chooser whose search box searches with its snippet viewset's
    `folded_search` (set by FoldedSnippetViewSet)."""

    folded_search = None

    def construct_view(self, view_class, **kwargs):
        if self.folded_search is not None and issubclass(view_class, BaseChooseView):
            kwargs.setdefault(
                "filter_form_class", FoldedSearchFilterForm.searching_with(self.folded_search)
            )
        return super().construct_view(view_class, **kwargs)


class FoldedSnippetIndexView(FoldedSearchMixin, IndexView):
    pass


class FoldedSnippetViewSet(FoldedSearchViewSetMixin, SnippetViewSet):
    """A snippet's list and chooser, searched with `folded_search`. A viewset with its own
    chooser keeps that chooser's search."""

    index_view_class = FoldedSnippetIndexView
    chooser_viewset_class = FoldedSnippetChooserViewSet

    @property
    def chooser_viewset(self):
        viewset = super().chooser_viewset
        if isinstance(viewset, FoldedSnippetChooserViewSet) and viewset.folded_search is None:
            viewset.folded_search = self.folded_search
        return viewset
