"""Celery tasks of the core: thin, idempotent wrappers around services."""

from celery import shared_task

from qms.services.notifications import outbox_send_pending
from qms.services.page_rights import page_rights_sync_all


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_pending_emails() -> int:
    return outbox_send_pending()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def sync_page_rights() -> int:
    return page_rights_sync_all()
