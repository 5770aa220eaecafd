"""The Celery app: autodiscovered tasks, beat schedules in code (editable in django-celery-beat)."""

import os
from importlib import import_module

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")

app = Celery("qms", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def collect_beat_schedules() -> dict:
    """Every installed app's ``schedules.BEAT_SCHEDULE``, merged. Called when Django is ready
    (``QmsConfig.ready``); DatabaseScheduler copies them into django-celery-beat, where
    administrators can pause or retime them."""
    from django.apps import apps

    schedule = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.schedules"
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        clash = set(schedule) & set(module.BEAT_SCHEDULE)
        if clash:
            raise RuntimeError(f"beat schedule names used twice: {', '.join(sorted(clash))}")
        schedule.update(module.BEAT_SCHEDULE)
    return schedule
