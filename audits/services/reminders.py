"""Reminders of internal audits and corrective actions (issue 8 point 7), sent through
``notify()``, each at most once per threshold:

- an audit starts within 7 days (a planned audit): its team and the auditee's officers; the key is
  the planned start, so a rescheduled audit is reminded again;
- an action is due within 7 days, or overdue (not yet implemented): its owner; the key is the due
  date, so a new due date (after an ineffective verification) is reminded again;
- an action 7 days overdue: the active leaders of the finding's agency (or, when it has none, of
  the nearest body above);
- an action's verification is due (implemented, its wait before verification passed): the named
  verifier or, when none is named yet, the agency's officers; the key is the implementation date.

Each ``AuditReminder`` row is inserted first, then the notification queued, in one transaction
(a savepoint inside a caller's transaction) under the row's unique constraint: a rerun, a
concurrent run or a run after a worker crash (nothing of the crashed run was written) sends each
reminder once. Reminders change no audit or action, so no history is written.
"""

import datetime

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import AuditReminder, ReminderThreshold
from audits.selectors_reminders import (
    DAYS_BEFORE_LEADERS,
    actions_due_soon,
    actions_overdue,
    actions_verification_due,
    audits_starting,
    holders_by_agency,
    implemented_on,
    verification_from,
)
from qms.display import format_day
from qms.models import Role
from qms.people import person_name
from qms.services.notifications import notify


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # the admin's URLs are not loaded (a bare worker)
        return ""


def _audit_url(audit) -> str:
    return _url("audits:inspect", audit.pk)


def _action_url(action) -> str:
    return _url("corrective_actions:inspect", action.pk)


def _send(*, subject, field: str, threshold: str, key: str, recipients, title, body, url) -> bool:
    """Insert the reminder row, then notify, in one transaction; False when there is nobody to
    tell (nothing recorded: the reminder goes out once someone holds the role) or when the
    reminder was already sent (by an earlier or a concurrent run)."""
    recipients = [u for u in recipients if u is not None and u.is_active]
    if not recipients:
        return False
    if any(r.threshold == threshold and r.key == key for r in subject.reminders.all()):
        return False
    try:
        with transaction.atomic():
            AuditReminder.objects.create(**{field: subject}, threshold=threshold, key=key)
            notify(recipients=recipients, title=title, body=body, url=url)
    except IntegrityError:  # another run sent it
        return False
    return True


def _in_days(days: int) -> str:
    if days == 0:
        return _("hôm nay")
    return _("sau %(days)d ngày") % {"days": days}


def _audit_starts(today: datetime.date) -> int:
    audits = list(audits_starting(today))
    officers = holders_by_agency({a.agency for a in audits}, Role.OFFICER, today)
    sent = 0
    for audit in audits:
        names = {
            "code": audit.code,
            "title": audit.title,
            "agency": audit.agency.name,
            "start": format_day(audit.planned_start),
            "end": format_day(audit.planned_end),
            "when": _in_days((audit.planned_start - today).days),
        }
        sent += _send(
            subject=audit,
            field="audit",
            threshold=ReminderThreshold.AUDIT_STARTS,
            key=audit.planned_start.isoformat(),
            recipients=[m.user for m in audit.team.all()] + officers.get(audit.agency_id, []),
            title=_("Cuộc đánh giá %(code)s bắt đầu %(when)s") % names,
            body=_("Cuộc đánh giá “%(title)s” tại “%(agency)s” dự kiến từ %(start)s đến %(end)s.")
            % names,
            url=_audit_url(audit),
        )
    return sent


def _action_names(action, today: datetime.date) -> dict:
    finding = action.finding
    return {
        "code": action.code,
        "finding": finding.code,
        "agency": finding.agency.name,
        "owner": person_name(action.owner),
        "due": format_day(action.due_date),
        "state": action.get_state_display(),
        "description": finding.description,
        "late": (today - action.due_date).days,
    }


def _due_soon(today: datetime.date) -> int:
    sent = 0
    for action in actions_due_soon(today):
        names = _action_names(action, today)
        names["when"] = _in_days((action.due_date - today).days)
        sent += _send(
            subject=action,
            field="action",
            threshold=ReminderThreshold.DUE_SOON,
            key=action.due_date.isoformat(),
            recipients=[action.owner],
            title=_("Hành động khắc phục %(code)s đến hạn %(when)s") % names,
            body=_(
                "Hạn hoàn thành %(due)s (trạng thái: %(state)s). Điểm không phù hợp "
                "%(finding)s: %(description)s"
            )
            % names,
            url=_action_url(action),
        )
    return sent


def _overdue(today: datetime.date) -> int:
    sent = 0
    for action in actions_overdue(today):
        names = _action_names(action, today)
        sent += _send(
            subject=action,
            field="action",
            threshold=ReminderThreshold.OVERDUE,
            key=action.due_date.isoformat(),
            recipients=[action.owner],
            title=_("Hành động khắc phục %(code)s đã quá hạn") % names,
            body=_(
                "Hạn hoàn thành %(due)s, đã quá %(late)d ngày (trạng thái: %(state)s). Điểm "
                "không phù hợp %(finding)s: %(description)s"
            )
            % names,
            url=_action_url(action),
        )
    return sent


def _overdue_leaders(today: datetime.date) -> int:
    actions = list(actions_overdue(today, days=DAYS_BEFORE_LEADERS - 1))
    leaders = holders_by_agency({a.finding.agency for a in actions}, Role.LEADER, today)
    sent = 0
    for action in actions:
        names = _action_names(action, today)
        sent += _send(
            subject=action,
            field="action",
            threshold=ReminderThreshold.OVERDUE_LEADER,
            key=action.due_date.isoformat(),
            recipients=leaders.get(action.finding.agency_id, []),
            title=_("Hành động khắc phục %(code)s của “%(agency)s” quá hạn %(late)d ngày") % names,
            body=_(
                "Người thực hiện: %(owner)s. Hạn hoàn thành %(due)s (trạng thái: %(state)s). "
                "Điểm không phù hợp %(finding)s: %(description)s"
            )
            % names,
            url=_action_url(action),
        )
    return sent


def _verification_due(today: datetime.date) -> int:
    actions = actions_verification_due(today)
    unnamed = {a.finding.agency for a in actions if a.verifier_id is None}
    officers = holders_by_agency(unnamed, Role.OFFICER, today)
    sent = 0
    for action in actions:
        names = _action_names(action, today)
        names["implemented"] = format_day(implemented_on(action))
        names["from"] = format_day(verification_from(action))
        if action.verifier_id:
            recipients = [action.verifier]
            body = _(
                "Hành động khắc phục %(code)s đã thực hiện xong ngày %(implemented)s; hiệu lực "
                "được xác nhận từ ngày %(from)s."
            )
        else:
            recipients = officers.get(action.finding.agency_id, [])
            body = _(
                "Hành động khắc phục %(code)s đã thực hiện xong ngày %(implemented)s; hiệu lực "
                "được xác nhận từ ngày %(from)s. Chưa có người xác nhận hiệu lực: hãy chỉ định "
                "một đánh giá viên nội bộ."
            )
        sent += _send(
            subject=action,
            field="action",
            threshold=ReminderThreshold.VERIFICATION_DUE,
            key=implemented_on(action).isoformat(),
            recipients=recipients,
            title=_("Đến hạn xác nhận hiệu lực hành động khắc phục %(code)s") % names,
            body=body % names,
            url=_action_url(action),
        )
    return sent


def reminders_send(*, on_date: datetime.date | None = None) -> dict[str, int]:
    """Send every audit and corrective-action reminder due on ``on_date`` (today) that was not
    sent yet. Returns the number sent per threshold."""
    today = on_date or timezone.localdate()
    return {
        ReminderThreshold.AUDIT_STARTS.value: _audit_starts(today),
        ReminderThreshold.DUE_SOON.value: _due_soon(today),
        ReminderThreshold.OVERDUE.value: _overdue(today),
        ReminderThreshold.OVERDUE_LEADER.value: _overdue_leaders(today),
        ReminderThreshold.VERIFICATION_DUE.value: _verification_due(today),
    }
