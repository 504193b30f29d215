"""E-mail through the background worker (ops/mail.py, production's EMAIL_BACKEND): a reviewer's
decision queues the reporter's e-mail in the request's transaction, the database worker sends
it as it would have been sent directly, and an SMTP server that refuses it gets it again
later."""

from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

import pytest
from django_tasks_db.models import DBTaskResult

from ops.mail import deliver
from tests.reporting.test_review import (  # noqa: F401 - fixtures
    COMMENT,
    act,
    practice,
    reporter,
    reviewer,
    sent_to,
    submit,
)
from tests.search.test_push_task import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server down")


@pytest.fixture(autouse=True)
def queued_mail(settings):
    settings.TASKS = {
        **settings.TASKS,
        "background": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": settings.TASK_QUEUES,
        },
    }
    settings.EMAIL_BACKEND = "ops.mail.QueuedEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def queued():
    return DBTaskResult.objects.filter(task_path=deliver.module_path, status="READY")


def test_a_decision_e_mail_is_sent_by_the_worker_as_it_would_be_by_the_request(
    client,
    reporter,  # noqa: F811 - the fixtures imported above
    reviewer,  # noqa: F811
    practice,  # noqa: F811
):
    report = submit(client, reporter, practice, "24")
    run_worker("--batch")
    mail.outbox.clear()

    act(client, reviewer, report, "approve", evidence_checked="on", comment=COMMENT)
    assert not mail.outbox, "the request sent nothing itself"
    (task,) = queued()
    assert task.queue_name == "mail"

    run_worker("--batch")
    (message,) = sent_to("baocao-bn@example.org")
    assert message.subject == f"Báo cáo “{report}” đã được phê chuẩn"
    assert f"Nhận xét của thẩm định viên: “{COMMENT}”" in message.body
    assert not queued()


def test_the_html_part_and_the_attachments_travel_with_the_message():
    message = EmailMultiAlternatives("Bản sao dữ liệu", "Văn bản", None, ["a@example.org"])
    message.attach_alternative("<p>Văn bản</p>", "text/html")
    message.attach("so-lieu.csv", "mã,tên\n24,Bắc Ninh\n".encode(), "text/csv")
    message.send()
    run_worker("--batch")
    (sent,) = mail.outbox
    assert (sent.subject, sent.body, sent.to) == ("Bản sao dữ liệu", "Văn bản", ["a@example.org"])
    assert [tuple(a) for a in sent.alternatives] == [("<p>Văn bản</p>", "text/html")]
    ((name, content, mimetype),) = sent.attachments
    assert (name, mimetype) == ("so-lieu.csv", "text/csv")
    assert content in ("mã,tên\n24,Bắc Ninh\n", "mã,tên\n24,Bắc Ninh\n".encode())


def test_an_e_mail_of_a_transaction_that_rolls_back_is_never_sent(reviewer):  # noqa: F811
    with pytest.raises(RuntimeError), transaction.atomic():
        mail.send_mail("Thử", "Nội dung", None, ["baocao-bn@example.org"])
        raise RuntimeError("the decision failed")
    assert not queued()


def test_a_refused_e_mail_is_tried_again_later(settings):
    settings.EMAIL_DELIVERY_BACKEND = "tests.ops.test_mail_queue.RefusingBackend"
    mail.send_mail("Báo cáo đã được phê chuẩn", "Nội dung", None, ["baocao-bn@example.org"])
    first = queued().get()

    run_worker("--batch", "--max-tasks", "1")
    first.refresh_from_db()
    assert first.status == "SUCCESSFUL" and first.return_value == {"sent": False, "attempt": 1}
    retry = queued().get()
    assert retry.run_after > first.finished_at
    assert retry.args_kwargs["args"][0]["subject"] == "Báo cáo đã được phê chuẩn"

    settings.EMAIL_DELIVERY_ATTEMPTS = 2
    retry.run_after = first.finished_at  # due now
    retry.save(update_fields=["run_after"])
    run_worker("--batch")
    retry.refresh_from_db()
    assert retry.status == "FAILED", "the last attempt fails the task, with its traceback"
    assert "SMTP server down" in retry.traceback
