"""Beat schedules of documents (collected by ``qms.celery.collect_beat_schedules``)."""

BEAT_SCHEDULE = {
    # An issue takes effect within a few minutes of its go-live time.
    "documents-publish-scheduled": {
        "task": "documents.tasks.publish_scheduled",
        "schedule": 180.0,
    },
}
