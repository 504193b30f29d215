"""Who reports for which agency, and the reviewers' step of the review workflow."""

from django import forms
from django.conf import settings
from django.db import models, transaction

from wagtail.forms import TaskStateCommentForm
from wagtail.models import GroupApprovalTask


class AgencyMembership(models.Model):
    """A reporter of `agency`: reports for it and for its departments, never for others."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người dùng",
        on_delete=models.CASCADE,
        related_name="agency_memberships",
    )
    agency = models.ForeignKey(
        "practices.Agency",
        verbose_name="cơ quan",
        on_delete=models.CASCADE,
        related_name="memberships",
    )

    class Meta:
        verbose_name = "thành viên báo cáo của cơ quan"
        verbose_name_plural = "thành viên báo cáo của cơ quan"
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} – {self.agency}"


class ReviewCommentForm(TaskStateCommentForm):
    comment = forms.CharField(
        label="Nhận xét",
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text="Người báo cáo nhận được nhận xét này qua thư điện tử và thấy nó khi mở báo cáo.",
    )


class ReturnForm(ReviewCommentForm):
    """Returning a report: the reporter must be told what to change."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = True
        self.fields["comment"].error_messages["required"] = (
            "Hãy ghi lý do trả lại để người báo cáo biết cần sửa gì."
        )


class EvidenceCheckForm(ReviewCommentForm):
    """Approval: the comment and whether the reviewer checked the evidence."""

    evidence_checked = forms.BooleanField(
        label="Đã kiểm tra minh chứng",
        required=False,
        help_text="Đánh dấu khi bạn đã mở và đối chiếu minh chứng: bản được duyệt sẽ ghi mức "
        "minh chứng “Đã thẩm định”. Không đánh dấu thì giữ mức người báo cáo khai.",
    )

    field_order = ["evidence_checked", "comment"]


class AdoptionReviewTask(GroupApprovalTask):
    """The reviewers' approval step. Approving can record that the reviewer checked the
    evidence, which is the only way an adoption reaches the level `verified`."""

    def get_actions(self, obj, user):
        # The recommended action first: the dashboard's queue and the edit view list them in
        # this order (the edit view's labels: reporting.actions).
        if user.is_superuser or self._user_in_groups(user):
            return [
                ("approve", "Phê chuẩn, kiểm tra minh chứng", True),
                ("approve", "Phê chuẩn", False),
                ("reject", "Yêu cầu chỉnh sửa", True),
            ]
        return []

    def get_template_for_action(self, action):
        # The approval's modal shows the evidence under review, one click from the check.
        if action == "approve":
            return "reporting/review/approve_modal.html"
        return super().get_template_for_action(action)

    def get_form_for_action(self, action):
        if action == "approve":
            return EvidenceCheckForm
        if action == "reject":
            return ReturnForm
        return ReviewCommentForm

    @transaction.atomic
    def on_action(self, task_state, user, action_name, evidence_checked=False, **kwargs):
        if action_name == "approve" and task_state.status == task_state.STATUS_IN_PROGRESS:
            # Before approving: the workflow publishes the latest revision, so the level must
            # be in it for the public record and its history to show it.
            from reporting.review import record_evidence_level

            record_evidence_level(task_state, user, checked=evidence_checked)
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return (
            "Thành viên các nhóm được chọn duyệt hoặc trả lại báo cáo; khi duyệt có thể xác "
            "nhận đã kiểm tra minh chứng."
        )

    class Meta:
        verbose_name = "bước thẩm định báo cáo áp dụng"
        verbose_name_plural = "bước thẩm định báo cáo áp dụng"
