"""The units' spans of days at each stage, kept in the database (`UnitSpan`) for the overview.

The national overview counts every practice on many days (`practices.reach`). Computing the
spans means reading every step of every public record: most of a cold overview's time at
50,000 records (BENCHMARKS.md). They change only when the records they come from do, so each
practice's spans are stored, and read back as long as they are still those of its records.

Freshness is a token per practice and one for everything (`SpanState`):

- every write that can change a practice's spans writes a new token for it, in the writer's
  own transaction (`mark_changed`, called by `dashboards.signals` and by the writers that
  bypass signals: the import, the benchmark's build). A change to the units or their
  successions changes every practice's spans: it writes the token of `ALL`;
- stored spans carry the tokens they were computed under (`SpanState.computed`), read
  *before* the steps were read; they are fresh while the tokens are the same.

A change committed before the tokens were read is in the steps read after them; one committed
later has written a token of its own, so the spans are stale again. Stored spans are replaced
only under the token they were computed from, with the row locked, and a row a writer holds is
skipped (the next read computes it again). A practice without a row, or whose row says nothing
was computed, is computed: so are the data of before this table.

Only the units of `KINDS` and the stages of `STAGES` are kept; `SPEC` is part of the tokens,
so that changing either makes everything stored stale.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from dashboards.models import SpanState, UnitSpan
from dashboards.practice_stats import ADOPTED, ADOPTED_OR_PILOTING
from kb.bulk import insert_rows
from practices import reach
from practices.models import CENTRAL_KINDS, PROVINCIAL_KINDS

KINDS = tuple(sorted(PROVINCIAL_KINDS + CENTRAL_KINDS))
STAGES = (ADOPTED, ADOPTED_OR_PILOTING)
THRESHOLDS = tuple(reach.threshold(statuses) for statuses in STAGES)
SPEC = f"{','.join(KINDS)}|{','.join(map(str, THRESHOLDS))}"
ALL = "all"


def practice_key(practice_id):
    return f"practice:{practice_id}"


def _token():
    return uuid.uuid4().hex


def mark_changed(practice_ids=None):
    """Make the stored spans of `practice_ids` stale (all of them, with None), in the current
    transaction: call it from whatever writes a record, a step, a practice's publication, a
    unit or a succession without sending Django's signals."""
    if practice_ids is None:
        keys = [ALL]
    else:
        keys = sorted({practice_key(pk) for pk in practice_ids if pk is not None})
    if not keys:
        return
    token = _token()
    SpanState.objects.bulk_create(
        [SpanState(key=key, changed=token) for key in keys],
        update_conflicts=True,
        update_fields=["changed"],
        unique_fields=["key"],
    )


@dataclass
class StoredReach:
    adopted: reach.Reach
    adopted_or_piloting: reach.Reach
    first_day: object  # datetime.date, or None without any public step


def stored_reach(history, practice_ids):
    """When each unit of `KINDS` had reached each stage of `STAGES`, for `practice_ids`
    (`practices.reach.Reach`, one per stage), and the first day any of them has a public step
    on: from the stored spans, computing and storing those that are stale first. `history`
    holds the units (`History.load_units`). Two queries when everything is fresh."""
    practice_ids = sorted(set(practice_ids))
    states = _states([ALL, *map(practice_key, practice_ids)])
    everything = states[ALL].changed
    computed = {}  # practice id → the tokens its spans must have been computed under
    fresh, stale = [], []
    for practice_id in practice_ids:
        state = states[practice_key(practice_id)]
        computed[practice_id] = _computed_under(state.changed, everything)
        (fresh if state.computed == computed[practice_id] else stale).append(practice_id)

    found = [defaultdict(list) for _ in THRESHOLDS]
    position = {threshold: index for index, threshold in enumerate(THRESHOLDS)}
    rows = UnitSpan.objects.filter(practice_id__in=fresh).values_list(
        "practice_id", "unit_id", "threshold", "start", "end"
    )
    for practice_id, unit_id, threshold, start, end in rows.order_by():
        found[position[threshold]][practice_id, unit_id].append((start, end or reach.FOREVER))
    first_days = [states[practice_key(pk)].first_day for pk in fresh]

    if stale:
        records = history.with_records(practice_ids=stale, details=False)
        new = reach.periods(records, KINDS, THRESHOLDS)
        firsts = _first_days(records)
        _store(stale, new, firsts, computed)
        for each, spans in zip(found, new, strict=True):
            each.update(spans)
        first_days += list(firsts.values())

    adopted, adopted_or_piloting = (reach.Reach(dict(each), history.agencies) for each in found)
    days = [day for day in first_days if day is not None]
    return StoredReach(adopted, adopted_or_piloting, min(days, default=None))


def _computed_under(practice_token, everything_token):
    return f"{practice_token}/{everything_token}/{SPEC}"


def _states(keys):
    """{key: SpanState} for every key, making the rows that are missing (computed under
    nothing, so stale)."""
    states = SpanState.objects.in_bulk(keys)
    missing = [key for key in keys if key not in states]
    if missing:
        SpanState.objects.bulk_create(
            [SpanState(key=key, changed=_token()) for key in missing], ignore_conflicts=True
        )
        states = SpanState.objects.in_bulk(keys)
    return states


def _first_days(history):
    """practice id → the first day one of its records' steps counts from."""
    firsts = {}
    for (practice_id, _), steps in history.records.items():
        day = steps[0].counts_from
        if practice_id not in firsts or day < firsts[practice_id]:
            firsts[practice_id] = day
    return firsts


def _store(practice_ids, periods, first_days, computed):
    """Replace the stored spans of the practices whose token has not changed since it was read
    (`computed`: the tokens read before their steps), skipping rows a writer holds."""
    everything = SpanState.objects.get(key=ALL).changed
    with transaction.atomic():
        locked = SpanState.objects.select_for_update(skip_locked=True).filter(
            key__in=[practice_key(pk) for pk in practice_ids]
        )
        states = {state.key: state for state in locked}
        kept = [
            pk
            for pk in practice_ids
            if practice_key(pk) in states
            and _computed_under(states[practice_key(pk)].changed, everything) == computed[pk]
        ]
        if not kept:
            return
        UnitSpan.objects.filter(practice_id__in=kept).delete()
        kept_set = set(kept)
        insert_rows(
            UnitSpan,
            ["practice_id", "unit_id", "threshold", "start", "end"],
            [
                (practice_id, unit_id, threshold, start, None if end == reach.FOREVER else end)
                for threshold, spans in zip(THRESHOLDS, periods, strict=True)
                for (practice_id, unit_id), days in spans.items()
                if practice_id in kept_set
                for start, end in days
            ],
        )
        for pk in kept:
            state = states[practice_key(pk)]
            state.computed = computed[pk]
            state.first_day = first_days.get(pk)
        SpanState.objects.bulk_update(
            [states[practice_key(pk)] for pk in kept], ["computed", "first_day"]
        )
