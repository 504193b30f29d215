"""What a reviewer's decision does to a report beyond approving it, and how it is shown back.

The evidence level `verified` means a reviewer checked the evidence; it is written by the
review task when the reviewer ticks "Đã kiểm tra minh chứng", never taken from a reporter.
"""

from wagtail.log_actions import log
from wagtail.models import TaskState, WorkflowState

from reporting.permissions import is_national

EVIDENCE_LOG_ACTION = "reporting.evidence_level"


def record_evidence_level(task_state, user, checked):
    """Save, as a new revision by `user`, the evidence level the approval publishes.

    Ticked: `verified`. Not ticked: the level stays as reported, except that a `verified`
    written by a reporter (an import can carry one) is published as `documented`.
    """
    from practices.models import Adoption, EvidenceLevel

    obj = task_state.workflow_state.content_object
    if not isinstance(obj, Adoption):
        return None
    revision = obj.get_latest_revision()
    draft = revision.as_object()
    reported = draft.evidence_level
    if checked:
        level = EvidenceLevel.VERIFIED
    elif (
        reported == EvidenceLevel.VERIFIED
        and revision.user is not None
        and not is_national(revision.user)
    ):
        level = EvidenceLevel.DOCUMENTED
    else:
        return None
    if level == reported:
        return None
    draft.evidence_level = level
    new_revision = draft.save_revision(user=user, clean=False)
    # The workflow publishes `obj.get_latest_revision()` of this same, already loaded, object.
    obj.latest_revision = new_revision
    log(
        instance=draft,
        action=EVIDENCE_LOG_ACTION,
        user=user,
        revision=new_revision,
        data={"from": reported, "to": str(level), "checked": bool(checked)},
    )
    return new_revision


def last_decision(obj):
    """The reviewer's latest approval or return of `obj`, or None."""
    return (
        TaskState.objects.for_instance(obj)
        .filter(status__in=[TaskState.STATUS_APPROVED, TaskState.STATUS_REJECTED])
        .exclude(finished_at=None)
        .select_related("finished_by")
        .order_by("-finished_at", "-id")
        .first()
    )


def returned_decision(obj):
    """The return (request for changes) `obj` is waiting on, or None when it is not returned."""
    state = getattr(obj, "current_workflow_state", None)
    if state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:
        return None
    task_state = state.current_task_state
    if task_state is None or task_state.status != TaskState.STATUS_REJECTED:
        return None
    return task_state


def may_review(obj, user):
    """Whether `user` may approve or return the review `obj` is in."""
    task = obj.current_workflow_task
    return task is not None and bool(task.specific.get_actions(obj, user))


def evidence_under_review(obj):
    """The evidence of the version of `obj` a review decides on (its latest revision): its
    link, its uploaded file (the evidence view's address and the uploader's name) and its
    library document, each as {"url", "label"} or None."""
    from practices.evidence.storage import download_name, evidence_url

    version = obj.get_latest_revision_as_object() if obj.pk else obj
    link = version.evidence_url or ""
    file = version.evidence_file
    document = version.evidence_document if version.evidence_document_id else None
    evidence = {
        # Only web addresses become links; anything else (an old row, an odd import) is text.
        "link": {"url": link, "label": link, "clickable": _is_web_address(link)} if link else None,
        "file": (
            {
                "url": evidence_url(file.name),
                "label": download_name(file.name, version.evidence_file_name),
            }
            if file
            else None
        ),
        "document": {"url": document.url, "label": document.title} if document else None,
    }
    evidence["any"] = any(evidence.values())
    return evidence


def _is_web_address(value):
    from urllib.parse import urlsplit

    return urlsplit(value).scheme.lower() in {"http", "https"}
