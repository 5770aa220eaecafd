"""The Celery app: autodiscovered tasks, beat schedules in code (editable in django-celery-beat)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")

app = Celery("qms", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Schedules live here; DatabaseScheduler copies them into django-celery-beat where administrators
# can pause or retime them.
app.conf.beat_schedule = {
    "qms-send-pending-emails": {
        "task": "qms.tasks.send_pending_emails",
        "schedule": 60.0,
    },
    "qms-sync-page-rights": {
        "task": "qms.tasks.sync_page_rights",
        "schedule": crontab(hour=0, minute=5),
    },
}
