"""Beat schedules are defined in code and land in django-celery-beat, where administrators edit them."""

import pytest
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from qms.celery import app


@pytest.mark.django_db(transaction=True)  # the scheduler closes and reopens connections
def test_code_schedules_are_installed_in_the_database():
    DatabaseScheduler(app=app, lazy=True).setup_schedule()
    tasks = dict(PeriodicTask.objects.values_list("name", "task"))
    assert tasks["qms-send-pending-emails"] == "qms.tasks.send_pending_emails"
    assert tasks["qms-sync-rights"] == "qms.tasks.sync_rights"
    nightly = PeriodicTask.objects.get(name="qms-sync-rights")
    assert (nightly.crontab.hour, nightly.crontab.minute) == ("0", "5")


@pytest.mark.django_db(transaction=True)  # as the module's other test (see tests/conftest.py)
def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]
