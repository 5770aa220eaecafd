"""Celery tasks of the core: thin, idempotent wrappers around services."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_pending_emails() -> int:
    # Imported here: the service module imports this task at its top (one direction, no cycle).
    from qms.services.notifications import outbox_send_pending

    return outbox_send_pending()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sync_rights() -> int:
    from qms.services.rights import rights_sync_all

    return rights_sync_all()
