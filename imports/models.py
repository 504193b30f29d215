"""An admin import run outside the request: who asked for it, its state, and what it found.

A job is a dry run (the preview) or the import for real (the confirm of a preview). The
worker (`imports.tasks.run_import`) moves it from queued to running to done or failed; the
rows done while it runs are in a cache (`imports.progress`), not here, because the import's
own transaction holds the database until it ends. The preview's rows and errors are kept as
rows of their own so that the preview page reads one page of them at a time.
"""

import uuid

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Đang chờ xử lý"
        RUNNING = "running", "Đang xử lý"
        DONE = "done", "Đã xong"
        FAILED = "failed", "Không thành công"

    # Random, and in the status URL: a guessed id still answers 404 to anyone but the owner.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhập",
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    kind = models.CharField("loại dữ liệu", max_length=20)  # adoptions, agencies, practices
    dry_run = models.BooleanField("chạy thử", default=True)
    preview = models.ForeignKey(
        "self",
        verbose_name="bản xem trước",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="confirms",
    )
    file_name = models.CharField("tên tệp", max_length=255)
    file_format = models.CharField("định dạng", max_length=10)
    upload = models.CharField("mã tệp tải lên", max_length=64)  # see imports.uploads
    state = models.CharField(
        "trạng thái", max_length=10, choices=State.choices, default=State.QUEUED
    )
    rows_done = models.PositiveIntegerField("số dòng đã xử lý", default=0)
    total = models.PositiveIntegerField("tổng số dòng", default=0)
    summary = models.JSONField("kết quả", default=dict, blank=True)
    message = models.TextField("thông báo", blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    started_at = models.DateTimeField("bắt đầu lúc", null=True, blank=True)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "lần nhập dữ liệu"
        verbose_name_plural = "các lần nhập dữ liệu"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "state"]), models.Index(fields=["created_at"])]

    def __str__(self):
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def ok(self):
        return self.state == self.State.DONE and not self.summary.get("error_count")


class PreviewRow(models.Model):
    """One data row of the file as the preview shows it."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()  # order in the file
    row = models.PositiveIntegerField()  # as the spreadsheet numbers it (header = 1)
    label = models.CharField(max_length=50)  # Mới, Thay đổi, Không đổi, Lỗi…
    is_error = models.BooleanField(default=False)
    cells = models.JSONField(default=list)

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["job", "position"])]

    def __str__(self):
        return f"Dòng {self.row}: {self.label}"


class PreviewError(models.Model):
    """One error of the file: its row (0 for the file as a whole), column, value and reason."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="errors")
    position = models.PositiveIntegerField()
    row = models.PositiveIntegerField(default=0)
    column = models.CharField(max_length=255, blank=True)
    value = models.TextField(blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["job", "position"])]

    def __str__(self):
        return f"Dòng {self.row}: {self.reason}"
