"""The dated steps (`AdoptionStep`) an adoption import leaves on each record it writes.

Every imported record ends with steps as `Adoption.record_step` would make them: the row's
status, decision date, instrument and link are the record's latest step; a new status adds
a step and keeps the earlier ones, the same status corrects the latest step.

A file may also carry the stage columns (`STAGE_COLUMNS`: "Ngày đưa vào kế hoạch", "Ngày
bắt đầu thí điểm", "Ngày áp dụng", "Ngày dừng áp dụng"), one date per status, the row still
one per record. Then each stage column the file has states the record's steps of its status:
one step on the date in the cell, none when the cell is empty; a step that the record already
has with that status and date is kept as it is, with its instrument, link and note. The
current step (status, decision date, instrument, link) wins for its own status. A status whose
column the file lacks keeps its steps. An export writes, for each status, the latest date
among the record's steps: a history that passes the same status twice keeps the latest of
each in a file.

Steps travel as lists in the order of `ATTNAMES` (pk first; None for a step not written yet),
not as instances: an import of 50,000 new records makes 50,000 steps.
"""

import datetime

from django.db import connections

from practices.models import AdoptionStep
from practices.resources.columns import STAGE_COLUMNS

ATTNAMES = ("id", "adoption_id", "status", "on", "instrument", "evidence_url", "note")
PK, ADOPTION, STATUS, ON, INSTRUMENT, URL, NOTE = range(len(ATTNAMES))


def serialiser():
    """A function from a step (a list) to what modelcluster's `get_serializable_data_for_fields`
    makes of the step, in a revision's content (a test compares them)."""
    from django.core.serializers.json import DjangoJSONEncoder

    default, written = DjangoJSONEncoder().default, {}

    def serialise(step):
        on = step[ON]
        if on is not None and on not in written:
            written[on] = default(on)  # the rows of a file share a few dates
        return {
            "pk": step[PK],
            "adoption": step[ADOPTION],
            "status": step[STATUS],
            "on": None if on is None else written[on],
            "instrument": step[INSTRUMENT],
            "evidence_url": step[URL],
            "note": step[NOTE],
        }

    return serialise


def order(step):
    """`practices.models.step_order` of a step kept as a list (tests check they agree)."""
    on = step[ON]
    return (on is not None, on or datetime.date.min, step[PK] or float("inf"))


def load(adoption_ids):
    """{adoption pk: [step, …] in step order} of those adoptions, in one query."""
    found = {}
    if not adoption_ids:
        return found
    rows = AdoptionStep.objects.filter(adoption__any=list(adoption_ids)).values_list(*ATTNAMES)
    for row in rows:
        found.setdefault(row[ADOPTION], []).append(list(row))
    for steps in found.values():
        steps.sort(key=order)
    return found


_COLUMN_OF = {status: column for column, status in STAGE_COLUMNS.items()}


def latest_dates(steps):
    """{stage column: the latest date of its status among `steps` ((status, date) pairs), or
    None}: what an export writes."""
    dates = dict.fromkeys(STAGE_COLUMNS)
    for status, on in steps:
        column = _COLUMN_OF.get(status)
        if column and on is not None and (dates[column] is None or on > dates[column]):
            dates[column] = on
    return dates


def history(adoption_id, existing, current, stages=None):
    """The record's steps after the row, in step order, from its `existing` ones (lists, in
    step order; left as they are) and the row's `current` (status, date, instrument, link).
    `stages`: {stage column: date or None} for the stage columns the file has, or None for a
    file without any (then only the current step changes, as `record_step` does)."""
    status, on, instrument, url = current
    if not existing and stages is None:  # a new record, the most common row by far
        return [[None, adoption_id, status, on, instrument, url, ""]]
    existing = [list(step) for step in existing]
    if stages is None:
        latest = existing[-1] if existing else None
        if latest is None or latest[STATUS] != status:
            latest = [None, adoption_id, status, None, "", "", ""]
            existing = [*existing, latest]
        latest[ON], latest[INSTRUMENT], latest[URL] = on, instrument, url
        return existing

    stated = {STAGE_COLUMNS[column]: date for column, date in stages.items()}
    kept, own = [], [step for step in existing if step[STATUS] == status]
    for step in existing:
        if step[STATUS] != status and step[STATUS] not in stated:
            kept.append(step)  # its column is not in the file
    for stage, date in stated.items():
        if stage == status or date is None:
            continue
        same = [step for step in existing if step[STATUS] == stage and step[ON] == date]
        kept.append(same[-1] if same else [None, adoption_id, stage, date, "", "", ""])
    if status not in stated:
        kept.extend(own[:-1])  # earlier passes through the current status
    latest = own[-1] if own else [None, adoption_id, status, None, "", "", ""]
    latest[ON], latest[INSTRUMENT], latest[URL] = on, instrument, url
    # The current step must come last; a step of the same day written after it (a higher
    # pk) would take its place, so it is then written again, after them.
    if latest[PK] is not None and any(
        step[ON] == on and (step[PK] is None or step[PK] > latest[PK]) for step in kept
    ):
        latest = [None, *latest[1:]]
    return sorted(kept, key=order) + [latest]


class StepWrites:
    """The step writes of an import, gathered row by row and sent in batches: new steps
    (numbered first, so that a revision can name them), changed ones, removed ones."""

    def __init__(self):
        self.new, self.changed, self.removed = [], [], []

    def add(self, before, after):
        """Record the difference between a record's steps `before` (their values as read)
        and `after` (`history`)."""
        if not before:
            self.new.extend(after)
            return
        remaining = {step[PK] for step in after if step[PK] is not None}
        self.removed.extend(step[PK] for step in before if step[PK] not in remaining)
        originals = {step[PK]: list(step) for step in before}
        for step in after:
            if step[PK] is None:
                self.new.append(step)
            elif step != originals.get(step[PK]):
                self.changed.append(step)

    def number(self):
        """Give the new steps their pks, in order."""
        from kb.bulk import reserve_pks

        for step, pk in zip(self.new, reserve_pks(AdoptionStep, len(self.new)), strict=True):
            step[PK] = pk

    def write(self):
        from kb.bulk import insert_rows

        connection = connections[AdoptionStep.objects.db]
        if self.removed:
            AdoptionStep.objects.filter(pk__any=self.removed).delete()
        if self.changed:
            fields = [AdoptionStep._meta.get_field(name) for name in ATTNAMES[1:]]
            quote = connection.ops.quote_name
            # Names from the model, values as parameters.
            sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
                quote(AdoptionStep._meta.db_table),
                ", ".join(f"{quote(f.column)} = %s" for f in fields),
                quote(AdoptionStep._meta.pk.column),
            )
            with connection.cursor() as cursor:
                cursor.executemany(
                    sql,
                    [
                        [
                            *(
                                f.get_db_prep_save(value, connection)
                                for f, value in zip(fields, step[1:], strict=True)
                            ),
                            step[PK],
                        ]
                        for step in self.changed
                    ],
                )
        if self.new:
            insert_rows(AdoptionStep, ATTNAMES, self.new)
        self.new, self.changed, self.removed = [], [], []
