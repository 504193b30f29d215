"""A job of the admin run by the background worker: an export or a snapshot.

The worker (`ops.jobs`) moves a job from queued to running to done or failed. While it runs it
writes `done` and `total` outside any transaction of the work, so the job's page sees them at
once; the time of that write (`progress_at`) is also how a job whose worker was killed is told
from one still working (`ops.jobs.mark_interrupted`). An export's file waits in
`JOB_FILES_ROOT`, under no public URL, for the user who asked.
"""

import uuid

from django.conf import settings
from django.db import models


class Job(models.Model):
    class Kind(models.TextChoices):
        EXPORT = "export", "Xuất dữ liệu"
        SNAPSHOT = "snapshot", "Bản sao dữ liệu"

    class State(models.TextChoices):  # the labels of the import jobs (imports.models)
        QUEUED = "queued", "Đang chờ xử lý"
        RUNNING = "running", "Đang xử lý"
        DONE = "done", "Đã xong"
        FAILED = "failed", "Không thành công"

    # Random, and in the job's URL: a guessed id still answers 404 to anyone but the owner.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("loại công việc", max_length=20, choices=Kind.choices)
    # An export: {"kind": "adoptions", "format": "csv"}; a snapshot: {}.
    params = models.JSONField("tham số", default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người yêu cầu",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="background_jobs",
    )
    state = models.CharField(
        "trạng thái", max_length=10, choices=State.choices, default=State.QUEUED
    )
    done = models.PositiveIntegerField("đã xử lý", default=0)
    total = models.PositiveIntegerField("tổng số", default=0)
    message = models.TextField("thông báo", blank=True)
    # An export's file in JOB_FILES_ROOT; a snapshot's folder in SNAPSHOTS_ROOT (its date).
    file_name = models.CharField("tệp kết quả", max_length=255, blank=True)
    task_id = models.CharField("mã tác vụ", max_length=64, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    started_at = models.DateTimeField("bắt đầu lúc", null=True, blank=True)
    progress_at = models.DateTimeField("cập nhật tiến độ lúc", null=True, blank=True)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "công việc nền"
        verbose_name_plural = "các công việc nền"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"]), models.Index(fields=["state"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_state_display()})"

    @property
    def finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def file_format(self):
        return self.params.get("format", "")


class HandledPost(models.Model):
    """A form sent (POST and the like) that an app server has carried out, by the key the
    proxy gave the request (`ops.retries`): when the proxy sends it again to another server
    because the first died under it, the second answers what the first did instead of doing it
    twice. Written in the transaction of the request's own writes, so it exists exactly when
    they do; kept for a day."""

    key = models.CharField("khóa yêu cầu", max_length=64, primary_key=True)
    status = models.PositiveSmallIntegerField("mã trả lời", null=True)
    content_type = models.CharField(max_length=100, blank=True)
    location = models.TextField(blank=True)
    body = models.BinaryField(null=True)
    created_at = models.DateTimeField("lúc", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "yêu cầu đã xử lý"
        verbose_name_plural = "các yêu cầu đã xử lý"

    def __str__(self):
        return self.key
