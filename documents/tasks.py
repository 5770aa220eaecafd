"""Celery tasks of documents: thin, idempotent wrappers."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def publish_scheduled() -> None:
    """Wagtail's scheduled publishing: revisions whose go-live time has come go live (and each
    becomes a numbered issue through ``page_published``); a rerun finds nothing left to do."""
    from django.core.management import call_command

    call_command("publish_scheduled")


@shared_task(acks_late=True, reject_on_worker_lost=True)
def acknowledgement_reminders_send() -> int:
    """Daily: remind once whoever has not acknowledged an issue in force for five working days
    (each reminder row is written with its notification, so a rerun sends nothing more)."""
    from documents.services.acknowledgements import acknowledgement_reminders_send as send

    return send()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def periodic_reviews_ensure() -> int:
    """Nightly: every procedure in force has an open periodic review (idempotent)."""
    from documents.services.review import periodic_reviews_ensure as ensure

    return ensure()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def review_reminders_send() -> int:
    """Daily: remind officers of reviews due in 30 or 7 days or overdue, each at most once (the
    reminder row is written with the notification; a redelivered task sends nothing twice)."""
    from documents.services.review import review_reminders_send as send

    return send()
