"""The demo's internal audits: one in each state, each team qualified and independent of the
auditee; seeding again creates nothing."""

import pytest
from django.core.management import call_command
from django.db import transaction

from audits import demo_audits
from audits.models import Audit, AuditState
from audits.selectors_auditors import qualification_refusal
from audits.selectors_audits import independence_refusal

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_one_audit_in_each_state_with_a_qualified_independent_team(seeded):
    audits = list(Audit.objects.select_related("agency").order_by("code"))
    assert {a.state for a in audits} == set(AuditState.values)
    for audit in audits:
        for member in audit.team.select_related("user"):
            assert independence_refusal(member.user, audit.agency) is None
            assert qualification_refusal(member.user, audit.planned_start) is None
    assert audits[1].team.count() == 2 and audits[1].procedures.exists()


def test_seeding_audits_again_creates_nothing(seeded):
    before = Audit.objects.count()
    assert demo_audits.seed() == {"audits": 0}
    assert Audit.objects.count() == before
