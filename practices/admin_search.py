"""The admin's searches of agencies and adoptions, with or without diacritics.

Wagtail searches these lists through its database search backend, which matches words as
they are written: "bac ninh" finds no "Bắc Ninh" (and on SQLite a list's `search_fields`
name columns that its full-text table lacks). These lists search folded text instead
(practices.text.fold: diacritics and tone marks dropped, đ → d), so "bac ninh", "Bắc Ninh",
"hoà bình" and "hòa bình" find the same rows, as the public search does. Each word typed
must be found, in any of the fields searched.
"""

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy

from wagtail.admin.forms.choosers import BaseFilterForm

from practices.models import Agency, PracticePage
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


def search_agencies(queryset, query):
    """Agencies whose name, short name or code hold every word of `query`."""
    for _typed, folded in query_words(query):
        queryset = queryset.filter(Q(name_folded__contains=folded) | Q(code__icontains=folded))
    return queryset


def search_adoptions(queryset, query):
    """Adoptions whose agency's name or practice's title (folded), instrument or notes hold
    every word of `query`."""
    words = query_words(query)
    if not words:
        return queryset
    # Practices are a catalogue of tens, not a table of records: their titles fold here.
    titles = [(pk, fold(title)) for pk, title in PracticePage.objects.values_list("pk", "title")]
    for typed, folded in words:
        agencies = Agency.objects.filter(name_folded__contains=folded).values("pk")
        practices = [pk for pk, title in titles if folded in title]
        queryset = queryset.filter(
            Q(agency__in=agencies)
            | Q(practice__in=practices)
            | Q(instrument__icontains=typed)
            | Q(notes__icontains=typed)
        )
    return queryset


class FoldedSearchMixin:
    """An admin list (a generic IndexView) whose search is `folded_search(queryset, query)`."""

    folded_search = None

    @cached_property
    def is_searchable(self):
        return bool(self.index_results_url or self.search_url)

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return type(self).folded_search(queryset, self.search_query)


class FoldedSearchFilterForm(BaseFilterForm):
    """A chooser's search box, searching with `folded_search(queryset, query)`."""

    folded_search = None

    q = forms.CharField(
        label=gettext_lazy("Search term"),
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Search")}),
        required=False,
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = self.cleaned_data.get("q")
        if query:
            objects = type(self).folded_search(objects, query)
            self.is_searching = True
            self.search_query = query
        return objects


class AgencySearchForm(FoldedSearchFilterForm):
    folded_search = staticmethod(search_agencies)


class AdoptionSearchForm(FoldedSearchFilterForm):
    folded_search = staticmethod(search_adoptions)
