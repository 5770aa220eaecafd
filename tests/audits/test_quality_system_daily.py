"""The daily task of the system as a whole (beat ``audits-quality-system-daily``): the corrective
report due after an inspection, the programme's audit not yet planned in its quarter and the
management review overdue are each reminded once, and a second run sends nothing."""

import datetime

import pytest
from django.utils import timezone

from audits.models import SystemReminder, SystemReminderKind
from audits.tasks import quality_system_daily
from qms.models import Notification
from tests.audits.test_programme import _approve, _entry, _programme
from tests.audits.test_register import _inspection
from tests.audits.test_reviews import _register

pytestmark = pytest.mark.django_db


def test_the_daily_task_reminds_each_subject_once(world):
    today = timezone.localdate()
    _inspection(world, concluded_on=today - datetime.timedelta(days=50))
    programme = _programme(world, year=today.year)
    _entry(programme, world.node, quarter=(today.month - 1) // 3 + 1)
    _approve(world, programme)
    _register(world, world.sibling, months_ago=14)
    Notification.objects.all().delete()

    assert quality_system_daily() == {"inspections": 1, "programme": 1, "reviews": 1}
    kinds = sorted(SystemReminder.objects.values_list("kind", flat=True))
    assert kinds == sorted(
        [
            SystemReminderKind.INSPECTION_REPORT_DUE,
            SystemReminderKind.PROGRAMME_UNSCHEDULED,
            SystemReminderKind.REVIEW_OVERDUE,
        ]
    )
    sent = Notification.objects.count()
    assert sent > 0
    assert quality_system_daily() == {"inspections": 0, "programme": 0, "reviews": 0}
    assert Notification.objects.count() == sent
