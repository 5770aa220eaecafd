"""The demo's internal auditors: each demo auditor holds a qualification, one expired; seeding
again creates nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from audits import demo
from audits.models import AuditorQualification
from audits.selectors_auditors import is_qualified, qualification_refusal, qualified_auditors

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_every_demo_auditor_is_qualified_but_one(seeded):
    User = get_user_model()
    today = timezone.localdate()
    auditors = User.objects.filter(username__endswith="-auditor")
    assert AuditorQualification.objects.filter(user__in=auditors).count() == auditors.count()
    assert is_qualified(User.objects.get(username="stp-auditor"), today)
    expired = User.objects.get(username="snv-auditor")
    assert "chưa có chứng chỉ đánh giá viên nội bộ còn hiệu lực" in qualification_refusal(
        expired, today
    )
    assert set(qualified_auditors(today)) == set(auditors.exclude(pk=expired.pk))


def test_seeding_again_creates_nothing(seeded):
    before = AuditorQualification.objects.count()
    assert demo.seed()["auditor_qualifications"] == 0
    assert AuditorQualification.objects.count() == before
