"""The reviewers' e-mails on submission: one per report from the admin form, one per file
from an import.

Wagtail e-mails the reviewers on every submission (its handlers of `task_submitted` and
`workflow_submitted`, in `wagtail.admin.signal_handlers`): a reporter's import of 600 rows
would send each reviewer 1,200 e-mails. `install()` puts handlers of our own in their place
(under the same dispatch uids, so Wagtail's own registration cannot add its handlers back)
that call Wagtail's notifiers unchanged, except inside `submission_digest()`: there each
submission is only counted, and once the import has committed each reviewer who would have
been told gets one e-mail for the whole file, in Vietnamese.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.mail import get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from wagtail.admin import signal_handlers as wagtail_handlers
from wagtail.admin.mail import send_mail
from wagtail.admin.utils import get_admin_base_url
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import task_submitted, workflow_submitted

logger = logging.getLogger(__name__)

TASK_SUBMITTED_UID = "group_approval_task_submitted_email_notification"
WORKFLOW_SUBMITTED_UID = "workflow_state_submitted_email_notification"
LISTED = 10  # reports named in the digest; the rest are counted

_digest = ContextVar("submission_digest", default=None)


@dataclass
class Digest:
    user: object
    file_name: str
    count: int = 0
    task_states: dict = field(default_factory=dict)  # one per task, for its recipients
    workflow_state: object = None  # one, for the superusers Wagtail adds
    first: list = field(default_factory=list)  # workflow state ids of the first reports


def _task_submitted(sender, instance, **kwargs):
    digest = _digest.get()
    if digest is None:
        return wagtail_handlers.task_submission_email_notifier(
            sender=sender, instance=instance, **kwargs
        )
    digest.count += 1
    digest.task_states.setdefault(instance.task_id, instance)
    if len(digest.first) < LISTED:
        digest.first.append(instance.workflow_state_id)
    return True


def _workflow_submitted(sender, instance, **kwargs):
    if _digest.get() is None:
        return wagtail_handlers.workflow_submission_email_notifier(
            sender=sender, instance=instance, **kwargs
        )
    _digest.get().workflow_state = _digest.get().workflow_state or instance
    return True


def install():
    """Replace Wagtail's two submission handlers by ours (from `ReportingConfig.ready`).

    Disconnecting first makes this hold whichever app is ready first: connected before
    Wagtail's admin, ours keep the uids and Wagtail's connects are ignored; after, theirs
    are removed."""
    task_submitted.disconnect(sender=TaskState, dispatch_uid=TASK_SUBMITTED_UID)
    workflow_submitted.disconnect(sender=WorkflowState, dispatch_uid=WORKFLOW_SUBMITTED_UID)
    task_submitted.connect(_task_submitted, sender=TaskState, dispatch_uid=TASK_SUBMITTED_UID)
    workflow_submitted.connect(
        _workflow_submitted, sender=WorkflowState, dispatch_uid=WORKFLOW_SUBMITTED_UID
    )


def _recipients(digest):
    users = set()
    notifier = wagtail_handlers.task_submission_email_notifier
    for task_state in digest.task_states.values():
        if notifier.can_handle(task_state):
            users |= notifier.get_valid_recipients(task_state, user=digest.user)
    if digest.workflow_state is not None:
        users |= wagtail_handlers.workflow_submission_email_notifier.get_valid_recipients(
            digest.workflow_state, user=digest.user
        )
    users.discard(digest.user)
    return sorted(users, key=lambda user: user.pk)


def _context(digest):
    states = WorkflowState.objects.filter(pk__in=digest.first).order_by("pk")
    agencies = digest.user.agency_memberships.select_related("agency").order_by("agency__name")
    return {
        "sender": digest.user,
        "file_name": digest.file_name,
        "count": digest.count,
        "agencies": [membership.agency.name for membership in agencies],
        "titles": [str(state.content_object) for state in states],
        "more": digest.count - len(digest.first),
        "base_url": get_admin_base_url(),
        "queue_url": reverse("wagtailadmin_home"),
    }


def send_digest(digest):
    """One e-mail per reviewer for the reports of `digest`; the number sent."""
    recipients = _recipients(digest)
    if not recipients:
        return 0
    context = _context(digest)
    sent = 0
    with get_connection() as connection:
        for recipient in recipients:
            context["user"] = recipient
            subject = render_to_string("reporting/email/import_digest_subject.txt", context)
            body = render_to_string("reporting/email/import_digest.txt", context)
            try:
                send_mail(
                    " ".join(subject.split()),
                    body.strip(),
                    [recipient.email],
                    connection=connection,
                )
                sent += 1
            except Exception:  # one address that fails must not stop the others
                logger.exception("Import digest to %s not sent", recipient.email)
    return sent


@contextmanager
def submission_digest(user, file_name):
    """Inside: submissions by this thread send no e-mail. After: when reports were submitted
    and committed, one digest per reviewer (an import that rolled back sends nothing)."""
    digest = Digest(user=user, file_name=file_name)
    token = _digest.set(digest)
    try:
        yield digest
    finally:
        _digest.reset(token)
    if digest.count:
        # Inside an outer transaction (the import worker's), the digest waits for its commit.
        transaction.on_commit(lambda: _send_if_committed(digest))


def _send_if_committed(digest):
    if WorkflowState.objects.filter(pk=digest.first[0]).exists():
        send_digest(digest)
