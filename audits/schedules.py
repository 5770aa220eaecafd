"""Beat schedules of audits (collected by ``qms.celery.collect_beat_schedules``)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Audits about to start, corrective actions due or overdue, verifications due: before the
    # office opens.
    "audits-reminders-send": {
        "task": "audits.tasks.reminders_send",
        "schedule": crontab(hour=6, minute=45),
    },
    # Complainants' contacts past their retention erased, complaint answers due reminded.
    "audits-complaints-daily": {
        "task": "audits.tasks.complaints_daily",
        "schedule": crontab(hour=6, minute=50),
    },
    # Inspection reports due, programme audits unscheduled, management reviews overdue.
    "audits-quality-system-daily": {
        "task": "audits.tasks.quality_system_daily",
        "schedule": crontab(hour=6, minute=55),
    },
}
