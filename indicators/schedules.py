"""Beat schedules of indicators (collected by ``qms.celery.collect_beat_schedules``)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # The summary tables against a recomputation from the dossiers; drift is logged as an error
    # and repaired. At night, when no import runs.
    "indicators-summaries-check": {
        "task": "indicators.tasks.summaries_nightly_check",
        "schedule": crontab(hour=2, minute=30),
    },
    # Quality objectives: the month just ended, on day 1 early in the morning (local time, the
    # beat's timezone), before anyone opens the dashboard.
    "indicators-objectives-monthly": {
        "task": "indicators.tasks.objectives_evaluate_previous_month",
        "schedule": crontab(day_of_month=1, hour=3, minute=15),
    },
    # The monthly report to the leaders: every day at 07:00; sends only from the month's first
    # working day, once per body (a missed day catches up).
    "indicators-monthly-reports": {
        "task": "indicators.tasks.monthly_reports_send",
        "schedule": crontab(hour=7, minute=0),
    },
    # Public statistics: every day early in the morning; publishes the previous month once its
    # publication date (the 5th, or the next working day) has come, and catches up a missed day.
    "indicators-statistics-publish": {
        "task": "indicators.tasks.statistics_publish_due",
        "schedule": crontab(hour=4, minute=10),
    },
}
