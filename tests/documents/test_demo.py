"""The demo's procedures serve journey 1: real issues through the workflow, one waiting for the
leader, real-shaped step tables; seeding again creates nothing."""

import datetime

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from wagtail.models import WorkflowState

from documents.models import ApprovalDecision, IssueStatus, ProcedureIssue, ProcedurePage
from documents.models.pages import step_table_problems

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_each_demo_procedure_has_two_or_three_signed_numbered_issues(seeded):
    procedures = ProcedurePage.objects.filter(code__startswith="QT-", shared=False).exclude(
        adopted_from__isnull=False
    )
    assert procedures.count() == 4
    for page in procedures:
        issues = list(page.issues.order_by("number"))
        assert 2 <= len(issues) <= 3
        assert [i.number for i in issues] == list(range(1, len(issues) + 1))
        assert [i.status for i in issues[:-1]] == [IssueStatus.SUPERSEDED] * (len(issues) - 1)
        assert issues[-1].status == IssueStatus.IN_FORCE and page.live
        for issue in issues:
            names = {
                issue.drafted_by.username,
                issue.reviewed_by.username,
                issue.approved_by.username,
            }
            assert len(names) == 3  # three different people signed
            assert issue.forms.count() == 1 and issue.services.count() == 1
        dates = [i.effective_date for i in issues]
        assert dates == sorted(dates) and len(set(dates)) == len(dates)


def test_one_draft_waits_for_the_leaders_approval(seeded):
    waiting = WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS)
    assert waiting.count() == 1
    state = waiting.get()
    assert state.content_object.specific.code == "QT-02/STP"
    assert state.current_task_state.task.specific.stage == "approve"


def test_a_real_shaped_step_table_with_quarter_days_and_a_step_not_counted(seeded):
    issue = ProcedureIssue.objects.get(code="QT-01/STP", status=IssueStatus.IN_FORCE)
    steps = issue.services.get().steps
    days = [s["days"] for s in steps]
    assert None in days  # handing over the result is not counted
    assert any(d and d.endswith(".25") for d in days)
    page = ProcedurePage.objects.get(code="QT-01/STP")
    assert not step_table_problems(page.services, page.effective_date())


def test_a_decision_issued_the_departments_latest_issues(seeded):
    decision = ApprovalDecision.objects.get(number="125/QĐ-STP")
    assert set(decision.issues.values_list("code", flat=True)) == {"QT-01/STP", "QT-02/STP"}


def test_the_citys_shared_procedures_one_decision_and_a_wards_own(seeded):
    from documents.selectors import procedure_in_force
    from qms.models import AdministrativeProcedure, Agency

    decision = ApprovalDecision.objects.get(number="3456/QĐ-UBND")
    assert set(decision.issues.values_list("code", flat=True)) == {"QT-01/UBND", "QT-02/UBND"}
    marriage = AdministrativeProcedure.objects.get(code="1.000894")
    birth = AdministrativeProcedure.objects.get(code="1.001193")
    today = timezone.localdate()
    hoan_kiem, cua_nam = Agency.objects.get(code="PHOANKIEM"), Agency.objects.get(code="PCUANAM")
    assert procedure_in_force(cua_nam, marriage, today).issue.code == "QT-02/UBND"
    own = procedure_in_force(hoan_kiem, marriage, today).issue
    assert own.code == "QT-02/PHK" and own.procedure.adopted_from.code == "QT-02/UBND"
    assert {own.drafted_by.username, own.reviewed_by.username, own.approved_by.username} == {
        "phoankiem-officer",
        "phoankiem-leader",
        "hn-leader",
    }
    assert procedure_in_force(hoan_kiem, birth, today).issue.code == "QT-01/UBND"


def test_review_and_acknowledgement_demo(seeded):
    from documents.models import Acknowledgement, ProcedureReview, ReviewReason
    from documents.selectors_review import review_gaps

    overdue = ProcedureReview.objects.filter(
        reason=ReviewReason.LEGAL_CHANGE, outcome="", due_on__lt=timezone.localdate()
    )
    assert overdue.exists()
    assert review_gaps()
    periodic = ProcedureReview.objects.get(
        procedure__code="QT-01/UBND", reason=ReviewReason.PERIODIC, outcome=""
    )
    assert periodic.due_on == datetime.date(2026, 7, 15)  # a year after its effective date
    issue = ProcedureIssue.objects.get(code="QT-01/STP", status=IssueStatus.IN_FORCE)
    assert Acknowledgement.objects.filter(issue=issue).exists()


def test_seeding_again_creates_no_procedure_or_issue(seeded):
    before = (ProcedurePage.objects.count(), ProcedureIssue.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (ProcedurePage.objects.count(), ProcedureIssue.objects.count()) == before
