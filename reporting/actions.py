"""The buttons at the foot of an adoption's create and edit views, named for what they do.

Wagtail builds the menu (its first item is the visible button, the rest sit behind the
arrow) from the model's features and the review task's actions; `arrange` then puts the
action each role is there for first:

- a reporter: "Gửi thẩm định" (or "Gửi lại" once returned), then "Lưu bản nháp"; while the
  report waits (Wagtail locks it for all but the reviewers), a disabled "Đang chờ thẩm định"
  and, for the one who sent it, "Rút lại yêu cầu thẩm định";
- a reviewer, on a report under review: the approval with the evidence check, the plain
  approval, the return, then "Lưu bản nháp". Publishing outside the review is not offered to
  whoever may review it (reviewers lack "publish" anyway, see reporting.roles);
- an editor: Wagtail's order (saving a draft first, publishing behind the arrow).

Wagtail's "Restart workflow" is dropped everywhere: with one review step it does what
"Gửi lại" does, under a second name.
"""

from wagtail.snippets.action_menu import (
    CancelWorkflowMenuItem,
    LockedMenuItem,
    PublishMenuItem,
    RestartWorkflowMenuItem,
    SaveMenuItem,
    SubmitForModerationMenuItem,
    UnpublishMenuItem,
    WorkflowMenuItem,
)

SUBMIT_LABEL = "Gửi thẩm định"
RESUBMIT_LABEL = "Gửi lại"
WITHDRAW_LABEL = "Rút lại yêu cầu thẩm định"
WAITING_LABEL = "Đang chờ thẩm định"
# The review task's actions, in the order the reviewer sees them, with the menu's labels
# (the approval publishes: the review has one step).
REVIEW_LABELS = {
    ("approve", True): "Phê chuẩn, kiểm tra minh chứng và công bố",
    ("approve", False): "Phê chuẩn và công bố",
    ("reject", True): "Yêu cầu chỉnh sửa",
}


class SubmitReportMenuItem(SubmitForModerationMenuItem):
    """Wagtail's submit, labelled "Gửi thẩm định", or "Gửi lại" for a returned report (the
    review resumes at the step that returned it)."""

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        instance = parent_context.get("instance")
        state = instance.current_workflow_state if instance else None
        returned = state is not None and state.status == state.STATUS_NEEDS_CHANGES
        context["label"] = RESUBMIT_LABEL if returned else SUBMIT_LABEL
        return context


class WaitingMenuItem(LockedMenuItem):
    """Wagtail's disabled "Locked" button, saying why: the report waits for its review."""

    label = WAITING_LABEL
    template_name = "reporting/actions/waiting.html"


def _review_rank(item):
    key = (item.name, bool(item.launch_modal))
    keys = list(REVIEW_LABELS)
    return keys.index(key) if key in keys else len(keys)


def arrange(menu_items, request, context):
    """Reorder and relabel `menu_items` (Wagtail's list, changed in place) as the module's
    docstring says."""
    user = request.user
    instance = context.get("instance")
    state = instance.current_workflow_state if instance else None
    requester = state is not None and state.requested_by_id == user.pk
    reviewing = any(isinstance(item, WorkflowMenuItem) for item in menu_items)
    waiting = state is not None and state.status == state.STATUS_IN_PROGRESS

    review, rest = [], []
    for item in menu_items:
        if isinstance(item, WorkflowMenuItem):
            item.label = REVIEW_LABELS.get((item.name, bool(item.launch_modal)), item.label)
            review.append(item)
        elif isinstance(item, RestartWorkflowMenuItem):
            continue
        elif isinstance(item, SubmitForModerationMenuItem):
            rest.append(SubmitReportMenuItem(order=item.order))
        elif isinstance(item, CancelWorkflowMenuItem):
            # Withdrawing is the submitter's; a reviewer returns or approves instead.
            if requester and not reviewing and waiting:
                withdraw = CancelWorkflowMenuItem(order=item.order)
                withdraw.label = WITHDRAW_LABEL
                rest.append(withdraw)
        elif reviewing and isinstance(item, PublishMenuItem | UnpublishMenuItem):
            continue
        elif isinstance(item, LockedMenuItem) and waiting and not reviewing:
            rest.append(WaitingMenuItem(order=item.order))
        else:
            rest.append(item)

    if reviewing:
        review.sort(key=_review_rank)
        ordered = review + rest
    elif not user.has_perm("practices.publish_adoption"):
        # A reporter: sending the report is what the screen is for.
        first = [item for item in rest if isinstance(item, SubmitReportMenuItem | WaitingMenuItem)]
        save = [item for item in rest if isinstance(item, SaveMenuItem)]
        others = [item for item in rest if item not in first and item not in save]
        ordered = first + save + others
    else:
        ordered = rest
    menu_items[:] = ordered
