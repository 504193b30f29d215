"""E-mail sent by the background worker, not by the request that decided to send it.

`QueuedEmailBackend` is an e-mail backend like any other: Wagtail's workflow notices, the
reviewers' digests and the sign-in e-mails reach it through `send_mail`. It turns each message
into plain data and queues one `deliver` task for it, in the transaction of the request, so
a decision that rolls back sends nothing and one that commits is sent even if the SMTP server
is slow or down at that moment. The worker sends through `EMAIL_DELIVERY_BACKEND` (SMTP in
production) and, when that fails, queues the message again with a growing delay, up to
`EMAIL_DELIVERY_ATTEMPTS` times; the last failure is kept with its traceback in the task's
result, which the background-work page of the admin lists.
"""

import base64
import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from django_tasks import task

logger = logging.getLogger(__name__)


def to_data(message):
    """A message as JSON-safe data (a task's arguments are stored as JSON)."""
    attachments = []
    for attachment in message.attachments:
        filename, content, mimetype = attachment
        if isinstance(content, str):
            content = content.encode()
        attachments.append([filename, base64.b64encode(content).decode(), mimetype])
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [list(a) for a in getattr(message, "alternatives", [])],
        "attachments": attachments,
    }


def from_data(data):
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


@task(backend="background", queue_name="mail")
def deliver(data, attempt=1):
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND)
    try:
        connection.send_messages([from_data(data)])
    except Exception:
        if attempt >= settings.EMAIL_DELIVERY_ATTEMPTS or not deliver.get_backend().supports_defer:
            raise  # the task fails; its result keeps the traceback
        delay = datetime.timedelta(minutes=2 ** (attempt - 1))
        logger.warning("E-mail to %s not sent (attempt %s); trying again", data["to"], attempt)
        deliver.using(run_after=timezone.now() + delay).enqueue(data, attempt + 1)
        return {"sent": False, "attempt": attempt}
    return {"sent": True, "attempt": attempt}


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            deliver.enqueue(to_data(message))
        return len(email_messages)
