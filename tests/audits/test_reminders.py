"""Reminders of audits and corrective actions (issue 8 point 7): each threshold at most once (a
rerun sends nothing more), also across a crash between the row and the notification; a new
planned start or due date is reminded again; the leaders only after 7 days overdue; nothing for
done, closed or cancelled ones."""

import datetime

import pytest
from django.utils import timezone

from audits import tasks
from audits.models import (
    ActionState,
    Audit,
    AuditReminder,
    AuditState,
    AuditTeamMember,
    CorrectiveAction,
    Finding,
    FindingKind,
    ReminderThreshold,
    TeamRole,
)
from audits.services import reminders as reminder_service
from audits.services.reminders import reminders_send
from qms.models import Membership, Notification, Role
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


def _days(n):
    return TODAY + datetime.timedelta(days=n)


def _audit(world, *, start_in=5, state=AuditState.PLANNED, code="DG-01"):
    lead = world.users["sibling", Role.AUDITOR]
    audit = Audit.objects.create(
        agency=world.node,
        code=code,
        title="Đánh giá nội bộ năm 2026",
        objectives="Sự phù hợp với TCVN ISO 9001:2015.",
        criteria="TCVN ISO 9001:2015",
        planned_start=_days(start_in),
        planned_end=_days(start_in + 2),
        lead_auditor=lead,
        state=state,
    )
    AuditTeamMember.objects.create(audit=audit, user=lead, role=TeamRole.LEAD)
    AuditTeamMember.objects.create(
        audit=audit, user=world.users["parent", Role.AUDITOR], role=TeamRole.MEMBER
    )
    return audit


def _action(world, *, due_in=5, state=ActionState.OPEN, code="HĐKP-2026-0001", agency=None, **kw):
    agency = agency or world.node
    finding = Finding.objects.create(
        agency=agency,
        code=f"PH-{code}",
        kind=FindingKind.MINOR_NC,
        description="Phiếu kiểm soát quá trình không ghi ngày trả kết quả.",
        raised_on=_days(-30),
    )
    return CorrectiveAction.objects.create(
        finding=finding,
        code=code,
        state=state,
        owner=kw.pop("owner", world.users["node", Role.STAFF]),
        owner_unit=agency,
        due_date=_days(due_in),
        **kw,
    )


def _sent(**subject):
    return list(
        AuditReminder.objects.filter(**subject).order_by("pk").values_list("threshold", "key")
    )


def _told(title_part=""):
    return sorted(
        Notification.objects.filter(title__contains=title_part).values_list(
            "recipient__username", flat=True
        )
    )


def _total(counts):
    return sum(counts.values())


# --- Audit starts ------------------------------------------------------------------------------


def test_audit_start_reminded_once_to_the_team_and_the_auditees_officers(world):
    audit = _audit(world, start_in=9)
    assert _total(reminders_send(on_date=TODAY)) == 0  # 9 days ahead: not yet
    counts = reminders_send(on_date=_days(2))  # 7 days ahead
    assert counts[ReminderThreshold.AUDIT_STARTS] == 1 and _total(counts) == 1
    assert _total(reminders_send(on_date=_days(2))) == 0  # rerun
    assert _total(reminders_send(on_date=_days(9))) == 0  # the start day: already reminded
    assert _sent(audit=audit) == [(ReminderThreshold.AUDIT_STARTS, _days(9).isoformat())]
    assert _told("DG-01") == ["node_officer", "parent_auditor", "sibling_auditor"]
    note = Notification.objects.filter(recipient__username="node_officer").get()
    assert note.title == "Cuộc đánh giá DG-01 bắt đầu sau 7 ngày"
    assert f"từ {_days(9):%d/%m/%Y} đến {_days(11):%d/%m/%Y}" in note.body
    assert note.url == f"/admin/audits/inspect/{audit.pk}/"


def test_a_rescheduled_audit_is_reminded_again(world):
    audit = _audit(world, start_in=3)
    assert _total(reminders_send(on_date=TODAY)) == 1
    Audit.objects.filter(pk=audit.pk).update(planned_start=_days(6), planned_end=_days(7))
    assert _total(reminders_send(on_date=TODAY)) == 1
    assert _total(reminders_send(on_date=_days(1))) == 0
    assert [key for _t, key in _sent(audit=audit)] == [_days(3).isoformat(), _days(6).isoformat()]


def test_a_unit_without_officers_has_its_bodys_officers_reminded(world):
    audit = _audit(world, start_in=1)
    Audit.objects.filter(pk=audit.pk).update(agency=world.unit)
    reminders_send(on_date=TODAY)
    assert "node_officer" in _told("DG-01")


@pytest.mark.parametrize("state", [AuditState.IN_PROGRESS, AuditState.CANCELLED])
def test_no_start_reminder_unless_planned(world, state):
    _audit(world, start_in=2, state=state)
    assert _total(reminders_send(on_date=TODAY)) == 0
    assert not AuditReminder.objects.exists()


def test_a_past_start_is_not_reminded(world):
    _audit(world, start_in=-1)
    assert _total(reminders_send(on_date=TODAY)) == 0


# --- Actions due and overdue -------------------------------------------------------------------


def test_due_soon_then_overdue_then_leaders_each_once(world):
    action = _action(world, due_in=10)
    assert _total(reminders_send(on_date=TODAY)) == 0
    assert reminders_send(on_date=_days(3))[ReminderThreshold.DUE_SOON] == 1  # 7 days left
    assert _total(reminders_send(on_date=_days(3))) == 0
    assert _total(reminders_send(on_date=_days(10))) == 0  # due today: already reminded
    counts = reminders_send(on_date=_days(11))  # 1 day overdue
    assert counts[ReminderThreshold.OVERDUE] == 1 and _total(counts) == 1
    for day in range(12, 17):  # 2..6 days overdue: nothing more, leaders not yet
        assert _total(reminders_send(on_date=_days(day))) == 0
    counts = reminders_send(on_date=_days(17))  # 7 days overdue
    assert counts[ReminderThreshold.OVERDUE_LEADER] == 1 and _total(counts) == 1
    assert _total(reminders_send(on_date=_days(30))) == 0
    key = _days(10).isoformat()
    assert _sent(action=action) == [
        (ReminderThreshold.DUE_SOON, key),
        (ReminderThreshold.OVERDUE, key),
        (ReminderThreshold.OVERDUE_LEADER, key),
    ]
    assert _told("HĐKP-2026-0001 đến hạn") == ["node_staff"]
    assert _told("HĐKP-2026-0001 đã quá hạn") == ["node_staff"]
    assert _told("quá hạn 7 ngày") == ["node_leader"]
    leader_note = Notification.objects.get(recipient__username="node_leader")
    assert "Người thực hiện: " in leader_note.body and f"{_days(10):%d/%m/%Y}" in leader_note.body


def test_a_long_overdue_action_tells_owner_and_leaders_at_once(world):
    _action(world, due_in=-20)
    counts = reminders_send(on_date=TODAY)
    assert counts[ReminderThreshold.OVERDUE] == 1
    assert counts[ReminderThreshold.OVERDUE_LEADER] == 1
    assert counts[ReminderThreshold.DUE_SOON] == 0


def test_leaders_of_the_nearest_body_above_when_the_agency_has_none(world):
    Membership.objects.filter(agency=world.node, role=Role.LEADER).delete()
    _action(world, due_in=-8)
    reminders_send(on_date=TODAY)
    assert _told("quá hạn 8 ngày") == ["parent_leader"]


def test_a_unit_with_its_own_leader_tells_that_leader(world):
    factories.member(world.unit, Role.LEADER, username="unit_leader")
    _action(world, due_in=-8, agency=world.unit)
    reminders_send(on_date=TODAY)
    assert _told("quá hạn 8 ngày") == ["unit_leader"]


def test_a_new_due_date_is_reminded_again(world):
    """Verified ineffective, the action is planned again with a new due date."""
    action = _action(world, due_in=-8, state=ActionState.ACTION_PLANNED)
    reminders_send(on_date=TODAY)
    assert len(_sent(action=action)) == 2
    CorrectiveAction.objects.filter(pk=action.pk).update(due_date=_days(5))
    assert reminders_send(on_date=TODAY)[ReminderThreshold.DUE_SOON] == 1
    assert reminders_send(on_date=_days(6))[ReminderThreshold.OVERDUE] == 1
    assert reminders_send(on_date=_days(12))[ReminderThreshold.OVERDUE_LEADER] == 1
    assert len(_sent(action=action)) == 5


@pytest.mark.parametrize(
    "state",
    [ActionState.IMPLEMENTED, ActionState.VERIFIED_EFFECTIVE, ActionState.CLOSED],
)
def test_no_due_reminders_once_implemented(world, state):
    _action(world, due_in=-10, state=state)
    _action(world, due_in=3, state=state, code="HĐKP-2026-0002")
    counts = reminders_send(on_date=TODAY)
    assert counts[ReminderThreshold.DUE_SOON] == 0
    assert counts[ReminderThreshold.OVERDUE] == 0
    assert counts[ReminderThreshold.OVERDUE_LEADER] == 0


def test_an_inactive_owner_is_not_reminded_and_nothing_is_recorded(world):
    owner = world.users["node", Role.STAFF]
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    action = _action(world, due_in=2)
    assert _total(reminders_send(on_date=TODAY)) == 0
    assert _sent(action=action) == []


# --- Verification due --------------------------------------------------------------------------


def _implemented(world, *, days_ago, wait=30, verifier="sibling_auditor", code="HĐKP-2026-0001"):
    users = {u.username: u for u in world.users.values()}
    return _action(
        world,
        due_in=-days_ago,
        state=ActionState.IMPLEMENTED,
        code=code,
        implemented_at=timezone.make_aware(
            datetime.datetime.combine(_days(-days_ago), datetime.time(9, 0))
        ),
        verification_wait_days=wait,
        verifier=users.get(verifier),
    )


def test_verification_due_reminds_the_verifier_once(world):
    action = _implemented(world, days_ago=29)
    assert _total(reminders_send(on_date=TODAY)) == 0  # one day to wait
    counts = reminders_send(on_date=_days(1))
    assert counts[ReminderThreshold.VERIFICATION_DUE] == 1 and _total(counts) == 1
    assert _total(reminders_send(on_date=_days(5))) == 0
    assert _sent(action=action) == [(ReminderThreshold.VERIFICATION_DUE, _days(-29).isoformat())]
    assert _told("xác nhận hiệu lực") == ["sibling_auditor"]
    body = Notification.objects.get().body
    assert f"thực hiện xong ngày {_days(-29):%d/%m/%Y}" in body
    assert f"từ ngày {_days(1):%d/%m/%Y}" in body


def test_verification_due_without_verifier_tells_the_agencys_officers(world):
    _implemented(world, days_ago=10, wait=7, verifier=None)
    reminders_send(on_date=TODAY)
    assert _told("xác nhận hiệu lực") == ["node_officer"]
    assert "hãy chỉ định" in Notification.objects.get().body


def test_implemented_again_after_an_ineffective_verification_is_reminded_again(world):
    action = _implemented(world, days_ago=40)
    assert reminders_send(on_date=TODAY)[ReminderThreshold.VERIFICATION_DUE] == 1
    CorrectiveAction.objects.filter(pk=action.pk).update(
        implemented_at=timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(8)))
    )
    assert reminders_send(on_date=_days(29))[ReminderThreshold.VERIFICATION_DUE] == 0
    assert reminders_send(on_date=_days(30))[ReminderThreshold.VERIFICATION_DUE] == 1
    assert len(_sent(action=action)) == 2


@pytest.mark.parametrize("state", [ActionState.VERIFIED_EFFECTIVE, ActionState.CLOSED])
def test_no_verification_reminder_once_verified(world, state):
    action = _implemented(world, days_ago=40)
    CorrectiveAction.objects.filter(pk=action.pk).update(state=state)
    assert _total(reminders_send(on_date=TODAY)) == 0


# --- Crash and concurrency ---------------------------------------------------------------------


def test_a_crash_after_notifying_records_nothing_and_the_rerun_sends_once(world, monkeypatch):
    action = _action(world, due_in=-2)
    real_notify = reminder_service.notify

    def notify_then_crash(**kwargs):
        real_notify(**kwargs)
        raise RuntimeError("worker lost")

    monkeypatch.setattr(reminder_service, "notify", notify_then_crash)
    with pytest.raises(RuntimeError):
        reminders_send(on_date=TODAY)
    assert not AuditReminder.objects.exists() and not Notification.objects.exists()
    monkeypatch.setattr(reminder_service, "notify", real_notify)
    assert reminders_send(on_date=TODAY)[ReminderThreshold.OVERDUE] == 1
    assert _total(reminders_send(on_date=TODAY)) == 0
    assert _sent(action=action) == [(ReminderThreshold.OVERDUE, _days(-2).isoformat())]
    assert Notification.objects.count() == 1


def test_a_concurrent_run_that_sent_first_wins(world, monkeypatch):
    """Another run inserted the row after this run read the reminders already sent: the unique
    constraint refuses this run's row and nothing is notified twice."""
    action = _action(world, due_in=-2)
    real_overdue = reminder_service.actions_overdue

    def read_then_other_run_sends(today, days=0):
        actions = list(real_overdue(today, days))  # read: nothing sent yet
        if days == 0:  # the other run sends the owner's reminder now
            AuditReminder.objects.create(
                action=action, threshold=ReminderThreshold.OVERDUE, key=action.due_date.isoformat()
            )
        return actions

    monkeypatch.setattr(reminder_service, "actions_overdue", read_then_other_run_sends)
    assert reminders_send(on_date=TODAY)[ReminderThreshold.OVERDUE] == 0
    monkeypatch.undo()
    assert _sent(action=action) == [(ReminderThreshold.OVERDUE, _days(-2).isoformat())]
    assert not Notification.objects.exists()  # nothing notified by this run
    assert _total(reminders_send(on_date=TODAY)) == 0


def test_the_task_returns_the_counts(world):
    today = (timezone.localdate() - TODAY).days  # the task reminds as of the real today
    _action(world, due_in=today - 2)
    _audit(world, start_in=today + 1)
    counts = tasks.reminders_send.apply().get()
    assert counts[ReminderThreshold.AUDIT_STARTS] == 1
    assert counts[ReminderThreshold.OVERDUE] == 1
    assert tasks.reminders_send.apply().get() == dict.fromkeys(ReminderThreshold.values, 0)


def test_reading_does_not_grow_with_rows(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(2):
        _action(world, due_in=-20, code=f"A-{i}")
    reminders_send(on_date=TODAY)  # sent; a rerun only reads
    with CaptureQueriesContext(connection) as few:
        reminders_send(on_date=TODAY)
    for i in range(2, 8):
        _action(world, due_in=-20, code=f"A-{i}")
    reminders_send(on_date=TODAY)
    with CaptureQueriesContext(connection) as many:
        reminders_send(on_date=TODAY)
    assert len(many) == len(few)
