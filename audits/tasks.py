"""Celery tasks of audits: thin, idempotent wrappers."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def reminders_send() -> dict:
    """Daily: remind of audits starting within 7 days, corrective actions due within 7 days or
    overdue (the owner; the agency's leaders after 7 days) and verifications due, each at most once
    (the reminder row is written with the notification; a redelivered task sends nothing twice)."""
    from audits.services.reminders import reminders_send as send

    return send()
