"""The admin's searches of agencies and adoptions, with or without diacritics.

Agencies and adoptions are tables of records, searched through stored folded columns
(`Agency.name_folded`) rather than folded in Python as the admin's small lists are
(kb.admin_search, which says how the lists and choosers use these searches). So "bac ninh",
"Bắc Ninh", "hoà bình" and "hòa bình" find the same rows, as the public search does. Each
word typed must be found, in any of the fields searched.
"""

from django.db.models import Q

from kb.admin_search import FoldedSearchFilterForm, query_words
from practices.models import Agency, PracticePage
from practices.text import fold


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


AgencySearchForm = FoldedSearchFilterForm.searching_with(search_agencies)
AdoptionSearchForm = FoldedSearchFilterForm.searching_with(search_adoptions)
