"""The inputs of a management review held on a past day are those of that day: records created
after it stay out, and records that changed after it (a nonconformity or an action closed, an
action implemented, a risk closed, a procedure review concluded, a complaint answered) count as
they stood that day. Compiled for today the same selector gives today's picture."""

import datetime

import pytest
from django.utils import timezone

from audits.models import (
    ActionState,
    Complaint,
    ComplaintKind,
    CorrectiveAction,
    Finding,
    FindingKind,
    FindingSource,
    FindingState,
    ManagementReview,
    Risk,
    RiskKind,
)
from audits.selectors_reviews import review_inputs
from audits.services.actions import action_open
from audits.services.complaints import complaint_answer, complaint_record
from audits.services.findings import finding_record
from audits.services.register import risk_close, risk_save
from audits.services.reviews import review_hold, review_save
from documents.models import IssueStatus, ProcedureIssue, ProcedureReview, ReviewOutcome
from documents.services.review import periodic_reviews_ensure
from qms.models import Role
from tests import factories
from tests.documents.authz_rules import procedure

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HELD = TODAY - datetime.timedelta(days=60)
START = TODAY - datetime.timedelta(days=200)


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _facts(inputs, key) -> dict:
    return dict(next(s for s in inputs["sections"] if s["key"] == key)["facts"])


def _officer(world):
    return world.users["node", Role.OFFICER]


def _held_review(world) -> ManagementReview:
    review = review_save(
        actor=_officer(world),
        instance=ManagementReview(
            agency=world.node,
            title="Xem xét của lãnh đạo đã họp",
            period_start=START,
            period_end=TODAY + datetime.timedelta(days=30),
            planned_on=HELD,
            chair=world.users["node", Role.LEADER],
        ),
        attendees=[_officer(world)],
    )
    review_hold(actor=_officer(world), instance=review, held_on=HELD, decisions="Kết luận.")
    review.refresh_from_db()
    return review


def test_a_procedure_review_counts_from_its_opening_until_its_conclusion(world):
    page = world.node.page.add_child(
        instance=procedure(
            world.node, title="Quy trình hộ tịch", code="QT-09/STP", tthc=factories.tthc()
        )
    )
    ProcedureIssue.objects.create(
        procedure=page,
        number=1,
        revision=page.save_revision(),
        code="QT-09/STP",
        title=page.title,
        effective_date=TODAY - datetime.timedelta(days=400),
        change_summary="Ban hành lần đầu",
        status=IssueStatus.IN_FORCE,
    )
    periodic_reviews_ensure()
    opened = ProcedureReview.objects.get(procedure=page)
    label = "Quy trình đang chờ rà soát"
    # Opened today: not there on the day held, there today.
    assert _facts(review_inputs(world.node, START, TODAY, HELD), "documents")[label] == "0"
    assert _facts(review_inputs(world.node, START, TODAY, TODAY), "documents")[label] == "1"
    # Opened before the meeting and concluded after it: waiting that day, not today.
    ProcedureReview.objects.filter(pk=opened.pk).update(
        created_at=_moment(HELD - datetime.timedelta(days=10)),
        outcome=ReviewOutcome.NO_CHANGE,
        closed_at=timezone.now(),
    )
    assert _facts(review_inputs(world.node, START, TODAY, HELD), "documents")[label] == "1"
    assert _facts(review_inputs(world.node, START, TODAY, TODAY), "documents")[label] == "0"


def test_what_changed_after_the_meeting_counts_as_it_stood_that_day(world):
    officer = _officer(world)
    # A risk followed since before the meeting, closed today; another one recorded today.
    old_risk = risk_save(
        actor=officer,
        instance=Risk(
            agency=world.node,
            kind=RiskKind.RISK,
            title="Hồ sơ giấy thất lạc",
            likelihood=4,
            impact=4,
            treatment="Sổ giao nhận có ký nhận.",
        ),
    )
    Risk.objects.filter(pk=old_risk.pk).update(
        created_at=_moment(HELD - datetime.timedelta(days=30))
    )
    risk_close(actor=officer, instance=old_risk)
    risk_save(
        actor=officer,
        instance=Risk(
            agency=world.node,
            kind=RiskKind.OPPORTUNITY,
            title="Chữ ký số cho kết quả",
            likelihood=2,
            impact=2,
            treatment="Thử nghiệm tại Bộ phận một cửa.",
        ),
    )
    # A nonconformity raised before the meeting, its action late that day, implemented and
    # closed (with the nonconformity) only today.
    nc = finding_record(
        actor=officer,
        instance=Finding(
            agency=world.node,
            kind=FindingKind.MINOR_NC,
            source=FindingSource.COMPLAINT,
            description="Hồ sơ trả kết quả chậm không có thư xin lỗi.",
            raised_on=HELD - datetime.timedelta(days=20),
        ),
    )
    action = action_open(
        actor=officer,
        finding=nc,
        owner=world.users["node", Role.STAFF],
        due_date=TODAY + datetime.timedelta(days=3),
    )
    now = timezone.now()
    CorrectiveAction.objects.filter(pk=action.pk).update(
        created_at=_moment(HELD - datetime.timedelta(days=15)),
        due_date=HELD - datetime.timedelta(days=5),
        state=ActionState.CLOSED,
        implemented_at=now,
        closed_at=now,
    )
    Finding.objects.filter(pk=nc.pk).update(state=FindingState.CLOSED, closed_at=now)
    # A complaint received before the meeting, past its due day then, answered only today.
    complaint = complaint_record(
        actor=officer,
        instance=Complaint(
            agency=world.node,
            kind=ComplaintKind.COMPLAINT,
            received_on=HELD - datetime.timedelta(days=40),
            content="Chờ kết quả quá hẹn.",
        ),
    )
    complaint_answer(
        actor=officer,
        instance=complaint,
        answer="Đã trả kết quả và xin lỗi.",
        outcome="justified",
    )

    review = _held_review(world)
    then = review.inputs
    assert then["as_of"] == HELD.isoformat()
    risks = _facts(then, "risks")
    assert risks["Đang theo dõi"] == "1"
    assert [s for s in then["sections"] if s["key"] == "risks"][0]["items"][0].startswith(
        "Hồ sơ giấy thất lạc"
    )
    actions = _facts(then, "actions")
    assert actions["Không phù hợp chưa đóng"] == "1"
    assert actions["Hành động khắc phục đang thực hiện"] == "1"
    assert actions["Hành động khắc phục quá hạn"] == "1"
    assert actions["Hành động khắc phục đã đóng trong kỳ"] == "0"
    complaints = _facts(then, "complaints")
    assert complaints["Tiếp nhận trong kỳ"] == "1"
    assert complaints["Đã trả lời trong kỳ"] == "0"
    assert complaints["Chưa trả lời"] == "1"
    assert complaints["Chưa trả lời, đã quá hạn"] == "1"

    now_inputs = review_inputs(world.node, review.period_start, review.period_end, TODAY)
    assert _facts(now_inputs, "risks")["Đang theo dõi"] == "1"  # only the opportunity
    actions = _facts(now_inputs, "actions")
    assert actions["Không phù hợp chưa đóng"] == "0"
    assert actions["Hành động khắc phục đang thực hiện"] == "0"
    assert actions["Hành động khắc phục quá hạn"] == "0"
    assert actions["Hành động khắc phục đã đóng trong kỳ"] == "1"
    complaints = _facts(now_inputs, "complaints")
    assert complaints["Đã trả lời trong kỳ"] == "1"
    assert complaints["Trả lời trễ hạn"] == "1"
    assert complaints["Chưa trả lời"] == "0"
    # Frozen: the review keeps the day's picture.
    assert ManagementReview.objects.get(pk=review.pk).inputs == then
