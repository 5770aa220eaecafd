"""Notifications: an inbox row per recipient and an e-mail in the outbox, never sent twice.

An e-mail is claimed by one worker (``queued`` → ``sending``) before it is sent. A failure before
the server took the message data is retried with exponential backoff up to ``EMAIL_MAX_ATTEMPTS``;
a 5xx refusal of the sender or recipient fails at once; a failure from DATA on, an unknown failure
or a claim older than ``EMAIL_CLAIM_TIMEOUT`` is ``uncertain``: it may have arrived, so only an
administrator sends it again (``outbox_resend``).
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from qms import mail, permissions
from qms.models import EmailStatus, Notification, OutboundEmail
from qms.tasks import send_pending_emails

logger = logging.getLogger(__name__)

EMAIL_RESEND_ACTION = "qms.email_resend"


def _absolute(url: str) -> str:
    if url.startswith("/"):
        return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url
    return url


@transaction.atomic
def notify(*, recipients, title: str, body: str = "", url: str = "", email: bool = True) -> list:
    """Put a notification in each recipient's inbox and queue its e-mail (sent after commit)."""
    created, queued = [], False
    for user in {u.pk: u for u in recipients if u is not None and u.is_active}.values():
        notification = Notification.objects.create(recipient=user, title=title, body=body, url=url)
        created.append(notification)
        if email and user.email:
            text = body + (f"\n\n{_absolute(url)}" if url else "")
            OutboundEmail.objects.create(
                notification=notification, to=user.email, subject=title, body=text
            )
            queued = True
    if queued:
        _enqueue_sending()
    return created


def _enqueue_sending() -> None:
    """The one place that asks a worker to send the outbox: after the transaction commits, so the
    worker sees the rows. A broker that is down must not undo the caller's work (robust): beat
    runs the same task every minute anyway."""
    transaction.on_commit(send_pending_emails.delay, robust=True)


def notification_mark_read(*, user, notification_ids=None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    queryset = Notification.objects.unread().filter(recipient=user)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=notification_ids)
    return queryset.update(read_at=timezone.now())


def _claim(email_id: int) -> datetime.datetime | None:
    """Take a due e-mail for this worker in one UPDATE, so two runs can never both win it. Returns
    the claim time (the token later updates match on), or None when another run has it."""
    now = timezone.now()
    won = (
        OutboundEmail.objects.filter(pk=email_id, status=EmailStatus.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=EmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    return now if won else None


def _retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff: EMAIL_RETRY_DELAY after the first failure, doubling, at most 6 h."""
    seconds = settings.EMAIL_RETRY_DELAY * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, 6 * 3600))


def _record_failure(email: OutboundEmail, claimed_at, outcome: str, error: BaseException) -> str:
    text = str(error) if isinstance(error, mail.SendError) else f"{type(error).__name__}: {error}"
    changes = {"last_error": text[:2000]}
    if outcome == mail.RETRY and email.attempts < settings.EMAIL_MAX_ATTEMPTS:
        status = EmailStatus.QUEUED
        changes["next_attempt_at"] = timezone.now() + _retry_delay(email.attempts)
    elif outcome == mail.UNCERTAIN:
        status = EmailStatus.UNCERTAIN
    else:
        status = EmailStatus.FAILED
    OutboundEmail.objects.filter(pk=email.pk, claimed_at=claimed_at).update(
        status=status, **changes
    )
    return status


def outbox_mark_stale_claims() -> int:
    """Claims older than EMAIL_CLAIM_TIMEOUT without a result: the worker died or was killed
    mid-send, and the message may have gone out. Marked uncertain for an administrator."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.EMAIL_CLAIM_TIMEOUT)
    count = OutboundEmail.objects.filter(status=EmailStatus.SENDING, claimed_at__lt=cutoff).update(
        status=EmailStatus.UNCERTAIN,
        last_error=_(
            "Không có kết quả sau %(minutes)d phút: tiến trình gửi đã dừng giữa chừng, "
            "thư có thể đã đến người nhận."
        )
        % {"minutes": settings.EMAIL_CLAIM_TIMEOUT // 60},
    )
    if count:
        logger.warning("%d e-mail(s) claimed without a result marked uncertain", count)
    return count


def outbox_send_pending(*, limit: int = 200) -> int:
    """Send the due e-mails of the outbox, each at most once; returns how many were sent."""
    outbox_mark_stale_claims()
    now = timezone.now()
    ids = list(
        OutboundEmail.objects.filter(status=EmailStatus.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    connection = get_connection()
    try:
        for email_id in ids:
            claimed_at = _claim(email_id)
            if claimed_at is None:
                continue
            email = OutboundEmail.objects.get(pk=email_id)
            message = EmailMessage(
                email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to],
                connection=connection,
            )  # fmt: skip
            try:
                connection.open()  # kept open for the batch; reopened after a failure
                message.send()
            except Exception as error:  # the outcome is kept on the row for the administrator
                outcome = error.outcome if isinstance(error, mail.SendError) else mail.UNCERTAIN
                status = _record_failure(email, claimed_at, outcome, error)
                logger.warning("e-mail %s not sent (%s): %s", email_id, status, error)
                _close_quietly(connection)
                continue
            OutboundEmail.objects.filter(pk=email_id, claimed_at=claimed_at).update(
                status=EmailStatus.SENT, sent_at=timezone.now(), next_attempt_at=None
            )
            sent += 1
    finally:
        _close_quietly(connection)
    return sent


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # a broken connection may fail to say QUIT; nothing is lost
        logger.debug("closing the mail connection failed", exc_info=True)


@transaction.atomic
def outbox_resend(*, actor, email: OutboundEmail) -> OutboundEmail:
    """An administrator's deliberate resend of a failed or uncertain e-mail: back to the queue,
    with a fresh count of attempts, logged with who and when."""
    if not permissions.is_admin(actor):
        raise PermissionDenied(_("Chỉ quản trị viên được gửi lại thư."))
    email = OutboundEmail.objects.select_for_update().get(pk=email.pk)
    if not email.resendable:
        raise ValidationError(
            _(
                "Thư gửi %(to)s đang ở trạng thái “%(status)s”: chỉ gửi lại thư gửi lỗi hoặc chưa "
                "chắc đã gửi."
            )
            % {"to": email.to, "status": email.get_status_display()}
        )
    previous = email.status
    email.status = EmailStatus.QUEUED
    email.attempts = 0
    email.next_attempt_at = None
    email.claimed_at = None
    email.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_at"])
    log(
        instance=email,
        action=EMAIL_RESEND_ACTION,
        user=actor,
        data={"previous_status": previous, "last_error": email.last_error},
    )
    _enqueue_sending()
    return email


def outbox_admin_resend(*, actor, instance: OutboundEmail) -> OutboundEmail:
    """The outbox's "resend" transition (``AgencyScopedViewSet.transitions``)."""
    return outbox_resend(actor=actor, email=instance)
