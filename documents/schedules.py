"""Beat schedules of documents (collected by ``qms.celery.collect_beat_schedules``)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # An issue takes effect within a few minutes of its go-live time.
    "documents-publish-scheduled": {
        "task": "documents.tasks.publish_scheduled",
        "schedule": 180.0,
    },
    # Staff who have not acknowledged an issue five working days after it took effect.
    "documents-acknowledgement-reminders": {
        "task": "documents.tasks.acknowledgement_reminders_send",
        "schedule": crontab(hour=7, minute=0),
    },
}
