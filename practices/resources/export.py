"""Exports: the columns an import reads, written by `writers` (formulas neutralised).

Each kind has a function that says what its export holds (`adoptions_export`…: an `Export`,
the resource and its records) and one that makes the whole file as bytes (`export_adoptions`…,
for the commands, the snapshots and the shell). The admin's export jobs (`ops.jobs`) write the
same `Export` to a file a batch of records at a time, so their memory does not grow with the
rows."""

import dataclasses
import datetime

from practices.models import Adoption, Agency, PracticePage
from practices.resources import writers
from practices.resources.adoptions import AdoptionResource
from practices.resources.agencies import AgencyResource
from practices.resources.practices import PracticeResource


@dataclasses.dataclass
class Export:
    """The records of one export and the resource that turns each into a row of cells."""

    resource: object
    records: object  # a queryset, or a list already in the file's order

    def headers(self):
        return self.resource.get_export_headers()

    def count(self):
        return len(self.records) if isinstance(self.records, list) else self.records.count()

    def rows(self, batch=writers.ROWS_PER_CHUNK, progress=None):
        """The rows, read `batch` records at a time; `progress(done, total)` after each batch.
        The same rows as `resource.export(records)`, which would hold them all at once."""
        total = self.count() if progress else 0
        done = 0
        for records in writers.batches(self.resource.iter_queryset(self.records), batch):
            for record in records:
                yield self.resource.export_resource(record)
            done += len(records)
            if progress:
                progress(done, total)

    def to_bytes(self, file_format):
        return writers.to_bytes(file_format, self.headers(), self.rows())

    def write(self, target, file_format, batch=writers.ROWS_PER_CHUNK, progress=None):
        """Write the file into `target` (a binary file), reading `batch` records at a time;
        returns the number of rows written."""
        written = [0]

        def report(done, total):
            written[0] = done
            if progress:
                progress(done, total)

        writers.write(target, file_format, self.headers(), self.rows(batch, report))
        return written[0]


def adoptions_export(queryset=None):
    """The adoptions of `queryset` (all by default), by practice then agency."""
    queryset = (
        (queryset if queryset is not None else Adoption.objects.all())
        .select_related("practice", "agency")
        .prefetch_related("steps")  # the stage columns
        .order_by("practice__slug", "agency__sort_name", "pk")
    )
    return Export(AdoptionResource(), queryset)


def agencies_export(queryset=None):
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
    return Export(AgencyResource(), units)


def practices_export(queryset=None):
    """The practice pages in catalogue order."""
    queryset = (
        (queryset if queryset is not None else PracticePage.objects.all())
        .select_related("category", "originating_agency")
        .prefetch_related("published_by", "indicators")
        .order_by("path")
    )
    return Export(PracticeResource(), queryset)


def export_adoptions(queryset=None, file_format="csv"):
    """The adoptions as bytes in `file_format`; the columns are those an import reads."""
    return adoptions_export(queryset).to_bytes(file_format)


def export_agencies(queryset=None, file_format="csv"):
    return agencies_export(queryset).to_bytes(file_format)


def export_practices(queryset=None, file_format="csv"):
    return practices_export(queryset).to_bytes(file_format)
