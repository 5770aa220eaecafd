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
    # Reviews: every procedure in force has a periodic one (nightly), then the officers are
    # reminded of those due in 30 or 7 days or overdue, before the office opens.
    "documents-periodic-reviews-ensure": {
        "task": "documents.tasks.periodic_reviews_ensure",
        "schedule": crontab(hour=0, minute=20),
    },
    "documents-review-reminders-send": {
        "task": "documents.tasks.review_reminders_send",
        "schedule": crontab(hour=6, minute=30),
    },
}
