"""Beat schedules of the core; each app may keep its own ``<app>/schedules.py`` (``BEAT_SCHEDULE``),
collected by ``qms.celery.collect_beat_schedules`` when Django is ready."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "qms-send-pending-emails": {
        "task": "qms.tasks.send_pending_emails",
        "schedule": 60.0,
    },
    "qms-sync-rights": {
        "task": "qms.tasks.sync_rights",
        "schedule": crontab(hour=0, minute=5),
    },
}
