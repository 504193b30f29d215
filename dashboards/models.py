"""Figures the dashboards keep in the database because computing them again costs too much.

`UnitSpan` holds, for each practice, the spans of days over which each unit had reached a
stage (`practices.reach`), so that the national overview reads some thousands of rows instead
of every step of every record. `SpanState` says whether a practice's stored spans are still
those of its records: see `dashboards.spans`.
"""

from django.db import models


class SpanState(models.Model):
    """A token written by every change to what a practice's spans are made from (`changed`),
    and the tokens its stored spans were computed under (`computed`).

    `key` is `spans.ALL` for what every practice's spans depend on (the units and their
    successions), or `practice:<id>`. A plain key rather than a foreign key, so that a writer
    can write it with one upsert and the row for everything has a unique key too.
    """

    key = models.CharField(primary_key=True, max_length=40)
    changed = models.CharField(max_length=32)
    computed = models.CharField(max_length=200, blank=True, default="")
    first_day = models.DateField(null=True, blank=True)  # the practice's first public step

    class Meta:
        verbose_name = "trạng thái khoảng thời gian đã tính"
        verbose_name_plural = "trạng thái khoảng thời gian đã tính"

    def __str__(self):
        return self.key


class UnitSpan(models.Model):
    """The days [start, end) over which a unit had reached a stage (`threshold`, the lowest
    rank it takes in: `practices.models.STATUS_RANK`) for a practice; no `end` while it
    still has."""

    practice = models.ForeignKey(
        "practices.PracticePage", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("practices.Agency", on_delete=models.CASCADE, related_name="+")
    threshold = models.PositiveSmallIntegerField()
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "khoảng thời gian đạt mức áp dụng"
        verbose_name_plural = "khoảng thời gian đạt mức áp dụng"
        indexes = [models.Index(fields=["practice", "threshold"])]

    def __str__(self):
        return f"{self.practice_id}/{self.unit_id}: {self.start}–{self.end or '…'}"
