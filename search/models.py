"""What public search indexes, kept in the database too.

`SearchDocument` holds every public record in the form it is indexed: the database engine
searches it directly, and the Elasticsearch index is a copy of it. A row whose `indexed_at`
is empty has not reached the node yet (the node was down or unset); it is pushed on the next
successful write, by `search_sync` or by `search_rebuild`.
"""

from django.db import models

from wagtail.admin.panels import FieldPanel

from practices.text import fold


class DocumentType(models.TextChoices):
    PRACTICE = "practice", "Giải pháp"
    ADOPTION = "adoption", "Kết quả áp dụng"
    AGENCY = "agency", "Cơ quan, đơn vị"
    GUIDANCE = "guidance", "Hướng dẫn, văn bản, thuật ngữ"


class SearchDocument(models.Model):
    # No index on the facets: the database engine's text match reads every row anyway, and
    # each index slowed the writes of a bulk refresh (tens of thousands of rows per import).
    key = models.CharField(max_length=80, unique=True)  # e.g. "practice:12"
    type = models.CharField(max_length=20, choices=DocumentType.choices)
    title = models.TextField()
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    category = models.CharField(max_length=40, blank=True)
    region = models.CharField(max_length=80, blank=True)
    agency_kind = models.CharField(max_length=20, blank=True)
    agency_code = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    # Folded with practices.text.fold_aligned, so positions match `title` and `body`.
    title_folded = models.TextField()
    body_folded = models.TextField(blank=True)
    deleted = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    indexed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "tài liệu tìm kiếm"
        verbose_name_plural = "tài liệu tìm kiếm"
        # The latest change, read by each search that suggests a word (the vocabulary's cache
        # key, search.database): without it, a read of every row (40 ms at 100,000 rows).
        indexes = [models.Index(fields=["updated_at"], name="search_row_updated_at")]

    def __str__(self):
        return f"{self.key}: {self.title}"


class SynonymGroup(models.Model):
    """Words and abbreviations that mean the same thing in a query (DVCTT, TTHC, TP HCM…)."""

    terms = models.TextField(
        "các cách viết",
        help_text="Mỗi dòng một cách viết, ví dụ: DVCTT / dịch vụ công trực tuyến.",
    )
    note = models.CharField("ghi chú", max_length=255, blank=True)
    # Tells a search that the groups changed (queries.load_synonyms folds them once per change).
    updated_at = models.DateTimeField(auto_now=True)

    panels = [FieldPanel("terms"), FieldPanel("note")]

    class Meta:
        verbose_name = "từ đồng nghĩa, viết tắt"
        verbose_name_plural = "từ đồng nghĩa, viết tắt"
        ordering = ["pk"]

    def __str__(self):
        return " = ".join(self.variants)

    @property
    def variants(self):
        return [line.strip() for line in self.terms.splitlines() if line.strip()]

    @property
    def folded_variants(self):
        return [fold(v) for v in self.variants]
