"""Celery tasks of audits: thin, idempotent wrappers."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def reminders_send() -> dict:
    """Daily: remind of audits starting within 7 days, corrective actions due within 7 days or
    overdue (the owner; the agency's leaders after 7 days) and verifications due, each at most once
    (the reminder row is written with the notification; a redelivered task sends nothing twice)."""
    from audits.services.reminders import reminders_send as send

    return send()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def complaints_daily() -> dict:
    """Daily: erase complainants' contacts past their retention (Decree 13/2023) and remind of
    complaints whose answer is due, each at most once."""
    from audits.services.complaints import complaint_contacts_erase, complaint_reminders_send

    return {"erased": complaint_contacts_erase(), "reminded": complaint_reminders_send()}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def quality_system_daily() -> dict:
    """Daily: remind of corrective reports due after an external inspection, of programme audits
    not yet scheduled a month before their quarter, and of agencies whose last management review
    is more than 12 months old, each at most once."""
    from audits.services.programme import programme_reminders_send
    from audits.services.register import inspection_reminders_send
    from audits.services.reviews import review_reminders_send

    return {
        "inspections": inspection_reminders_send(),
        "programme": programme_reminders_send(),
        "reviews": review_reminders_send(),
    }
