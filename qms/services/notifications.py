"""Notifications: an inbox row per recipient and an e-mail in the outbox, sent at most once."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from qms.models import Notification, OutboundEmail

logger = logging.getLogger(__name__)


def _absolute(url: str) -> str:
    if url.startswith("/"):
        return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url
    return url


@transaction.atomic
def notify(*, recipients, title: str, body: str = "", url: str = "", email: bool = True) -> list:
    """Put a notification in each recipient's inbox and queue its e-mail (sent after commit)."""
    created = []
    for user in {u.pk: u for u in recipients if u is not None and u.is_active}.values():
        notification = Notification.objects.create(recipient=user, title=title, body=body, url=url)
        created.append(notification)
        if email and user.email:
            text = body + (f"\n\n{_absolute(url)}" if url else "")
            OutboundEmail.objects.create(
                notification=notification, to=user.email, subject=title, body=text
            )
    if any(n.emails.exists() for n in created):
        from qms.tasks import send_pending_emails

        send_pending_emails.delay_on_commit()
    return created


def notification_mark_read(*, user, notification_ids=None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    queryset = Notification.objects.unread().filter(recipient=user)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=notification_ids)
    return queryset.update(read_at=timezone.now())


def _claim(email_id: int) -> bool:
    """Take the e-mail for this worker: one UPDATE, so two runs can never both win it."""
    return (
        OutboundEmail.objects.filter(pk=email_id, claimed_at__isnull=True).update(
            claimed_at=timezone.now()
        )
        == 1
    )


def outbox_send_pending(*, limit: int = 200) -> int:
    """Send unclaimed e-mails. A claimed e-mail is never sent again, even if sending crashed:
    at most once is the promise (a lost reminder is visible in the inbox; a duplicate is noise)."""
    sent = 0
    ids = list(
        OutboundEmail.objects.filter(claimed_at__isnull=True).values_list("pk", flat=True)[:limit]
    )
    for email_id in ids:
        if not _claim(email_id):
            continue
        email = OutboundEmail.objects.get(pk=email_id)
        try:
            send_mail(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to])
        except Exception as exc:  # the error is kept on the row for the administrator
            logger.exception("sending e-mail %s failed", email_id)
            OutboundEmail.objects.filter(pk=email_id).update(error=str(exc)[:2000])
            continue
        OutboundEmail.objects.filter(pk=email_id).update(sent_at=timezone.now())
        sent += 1
    return sent
