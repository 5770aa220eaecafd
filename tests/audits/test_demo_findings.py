"""The demo of audits, on one seeding of the whole demo for the module (it takes a while): the
internal auditors (each qualified, one expired), the audits (one in each state, each team
qualified and independent of the auditee), the checklists, findings and corrective actions
(findings of each kind, actions in each state, one recurrence, one overdue action, one verified
ineffective; the audits reported and closed after their findings); seeding again creates
nothing."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from audits import demo, demo_audits, demo_findings
from audits.models import (
    UNDONE_STATES,
    ActionState,
    Audit,
    AuditorQualification,
    AuditState,
    ChecklistItem,
    CorrectiveAction,
    CorrectiveActionStep,
    Finding,
    FindingKind,
    FindingSource,
    FindingState,
    ItemResult,
    ReminderThreshold,
)
from audits.selectors_auditors import is_qualified, qualification_refusal, qualified_auditors
from audits.selectors_audits import independence_refusal

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_the_audits_are_reported_and_closed_after_their_findings(seeded):
    states = dict(Audit.objects.values_list("code", "state"))
    assert states["DGNB-02"] == AuditState.IN_PROGRESS
    assert states["DGNB-03"] == AuditState.REPORTED
    assert states["DGNB-04"] == AuditState.CLOSED
    assert Audit.objects.get(code="DGNB-03").conclusion
    for code in ("DGNB-02", "DGNB-03", "DGNB-04"):
        audit = Audit.objects.get(code=code)
        assert audit.findings.exists()
        assert audit.checklist.exclude(result=ItemResult.PENDING).count() >= 5
        # Each nonconformity of the audit has an action (the closed audit needed it).
        for finding in audit.findings.filter(kind__in=(FindingKind.MAJOR_NC, FindingKind.MINOR_NC)):
            assert finding.actions.exists()


def test_a_nonconformity_comes_from_its_checklist_question(seeded):
    linked = Finding.objects.exclude(checklist_item=None).select_related("checklist_item")
    assert linked.exists()
    for finding in linked:
        item = finding.checklist_item
        assert item.result == ItemResult.NONCONFORMITY and item.audit_id == finding.audit_id
        assert (finding.clause_id, finding.procedure_id) == (item.clause_id, item.procedure_id)
    assert ChecklistItem.objects.filter(result=ItemResult.CONFORMS).exists()


def test_findings_of_each_kind(seeded):
    assert set(Finding.objects.values_list("kind", flat=True)) == set(FindingKind.values)
    assert set(Finding.objects.values_list("state", flat=True)) == set(FindingState.values)
    responded = Finding.objects.filter(kind=FindingKind.OBSERVATION, state=FindingState.CLOSED)
    assert responded.exclude(response="").exists()


def test_actions_in_each_state_with_their_steps(seeded):
    assert set(CorrectiveAction.objects.values_list("state", flat=True)) == set(ActionState.values)
    for action in CorrectiveAction.objects.prefetch_related("steps"):
        steps = list(action.steps.all())  # by time
        assert steps[0].from_state == "" and steps[-1].to_state == action.state
        for before, after in zip(steps, steps[1:], strict=False):
            assert after.from_state == before.to_state and after.at >= before.at
            assert after.actor_id is not None


def test_one_recurrence_of_a_nonconformity_closed_within_12_months(seeded):
    finding = Finding.objects.select_related("recurrence_of").get(recurrence_of__isnull=False)
    earlier = finding.recurrence_of
    assert finding.source == FindingSource.COMPLAINT and finding.audit_id is None
    assert earlier.audit.code == "DGNB-04" and earlier.state == FindingState.CLOSED
    assert (finding.agency_id, finding.clause_id, finding.procedure_id) == (
        earlier.agency_id,
        earlier.clause_id,
        earlier.procedure_id,
    )
    assert earlier.closed_at.date() <= finding.raised_on
    assert earlier.closed_at.date() >= finding.raised_on - datetime.timedelta(days=365)


def test_one_overdue_action_reminded_to_its_owner_and_the_leaders(seeded):
    from audits.services.reminders import reminders_send

    today = timezone.localdate()
    overdue = CorrectiveAction.objects.filter(state__in=UNDONE_STATES, due_date__lt=today)
    assert overdue.count() == 1
    assert (today - overdue.get().due_date).days >= 7
    counts = reminders_send()
    assert counts[ReminderThreshold.OVERDUE] == 1
    assert counts[ReminderThreshold.OVERDUE_LEADER] == 1


def test_one_action_verified_ineffective_back_to_planning(seeded):
    step = CorrectiveActionStep.objects.select_related("action").get(
        from_state=ActionState.IMPLEMENTED, to_state=ActionState.ACTION_PLANNED
    )
    action = step.action
    assert step.note and step.actor_id == action.verifier_id
    assert action.state == ActionState.ACTION_PLANNED
    assert action.due_date > timezone.localdate()  # planned again
    assert action.verification_note == step.note


def test_verified_actions_waited_before_verification(seeded):
    verified = list(CorrectiveAction.objects.exclude(verified_at=None))
    assert verified
    for action in verified:
        earliest = timezone.localdate(action.implemented_at) + datetime.timedelta(
            days=action.verification_wait_days
        )
        assert timezone.localdate(action.verified_at) >= earliest


def test_seeding_findings_again_creates_nothing(seeded):
    before = (Finding.objects.count(), CorrectiveAction.objects.count())
    assert set(demo_findings.seed().values()) == {0}
    assert (Finding.objects.count(), CorrectiveAction.objects.count()) == before


# --- Auditors ---------------------------------------------------------------------------------


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


# --- Audits -----------------------------------------------------------------------------------


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
