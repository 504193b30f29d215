"""Exports: the columns an import reads, written by `writers` (formulas neutralised)."""

import datetime

from practices.models import Adoption, Agency, PracticePage
from practices.resources import writers
from practices.resources.adoptions import AdoptionResource
from practices.resources.agencies import AgencyResource
from practices.resources.practices import PracticeResource


def _export(resource, rows, file_format):
    dataset = resource.export(rows)
    return writers.to_bytes(file_format, list(dataset.headers), list(dataset))


def export_adoptions(queryset=None, file_format="csv"):
    """The adoptions as bytes in `file_format`; the columns are those an import reads."""
    queryset = (
        (queryset if queryset is not None else Adoption.objects.all())
        .select_related("practice", "agency")
        .prefetch_related("steps")  # the stage columns
        .order_by("practice__slug", "agency__sort_name", "pk")
    )
    return _export(AdoptionResource(), queryset, file_format)


def export_agencies(queryset=None, file_format="csv"):
    """The agencies, each after its parent (so that the file imports in order)."""
    units = list(
        (queryset if queryset is not None else Agency.objects.all())
        .select_related("parent")
        .prefetch_related("successors")
    )
    parents = {unit.pk: unit.parent_id for unit in units}

    def depth(unit):
        level, parent = 0, unit.parent_id
        while parent is not None and level < 10:
            level, parent = level + 1, parents.get(parent)
        return level

    units.sort(key=lambda u: (depth(u), u.sort_name, u.valid_from or datetime.date.min, u.pk))
    return _export(AgencyResource(), units, file_format)


def export_practices(queryset=None, file_format="csv"):
    """The practice pages in catalogue order."""
    queryset = (
        (queryset if queryset is not None else PracticePage.objects.all())
        .select_related("category", "originating_agency")
        .prefetch_related("published_by", "indicators")
        .order_by("path")
    )
    return _export(PracticeResource(), queryset, file_format)
