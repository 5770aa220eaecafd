"""Complaints and feedback: record, change, answer, withdraw, raise a nonconformity, erase the
complainant's contact after the retention period, remind of the answer due (issue 9 point 3).

Who: officers and leaders of the complaint's agency or of a body above it (or an administrator)
record and handle complaints; nobody else (auditors and staff neither). The complainant's contact
is shown only to officers and leaders of the agency itself (``may_see_contact``: not to a body
above, never to auditors; Decree 13/2023/NĐ-CP), and a person who may not see it never changes it.

The answer is due ``answer_days`` working days after the day of receipt on the core's working
calendar (the day of receipt does not count: counting starts on the next working day); answered
on or before the due day is "on time", after it "late". The contact is kept until the answer
(or the withdrawal) plus ``QMS_COMPLAINT_CONTACT_RETENTION_DAYS`` days, then erased by the daily
task (``complaint_contacts_erase``, idempotent); the history never held it.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import (
    CONTACT_FIELDS,
    NONCONFORMITY_KINDS,
    Complaint,
    ComplaintOutcome,
    ComplaintReminder,
    ComplaintState,
    Finding,
    FindingKind,
    FindingSource,
)
from audits.services.findings import finding_record
from qms import permissions
from qms.display import format_day
from qms.models import Membership, Role
from qms.services.notifications import notify
from qms.workcal import WorkingCalendar, get_calendar

KEEPERS = (Role.OFFICER, Role.LEADER)
DEFAULT_ANSWER_DAYS = 10
DEFAULT_RETENTION_DAYS = 90
MAX_ANSWER_DAYS = 90
# The answer-due reminder goes out this many days before the due day (or on it, or after).
REMIND_DAYS_BEFORE = 2
ANSWER_OUTCOMES = (
    ComplaintOutcome.JUSTIFIED,
    ComplaintOutcome.PARTLY,
    ComplaintOutcome.NOT_JUSTIFIED,
)


def answer_days_default() -> int:
    return int(getattr(settings, "QMS_COMPLAINT_ANSWER_DAYS", DEFAULT_ANSWER_DAYS))


def retention_days() -> int:
    return int(getattr(settings, "QMS_COMPLAINT_CONTACT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def due_on(received_on: datetime.date, days: int, calendar: WorkingCalendar | None = None):
    """The day the answer is due: the ``days``-th working day after ``received_on``."""
    calendar = calendar or get_calendar()
    start = datetime.datetime.combine(
        received_on + datetime.timedelta(days=1), datetime.time(), tzinfo=calendar.tz
    )
    return calendar.add_working_days(start, days).date()


def _is_keeper(user, agency) -> bool:
    """An officer or a leader of ``agency`` or of a body above it (or an administrator)."""
    if permissions.is_admin(user):
        return True
    return any(
        m.role in KEEPERS and agency.is_within(m.agency)
        for m in permissions.active_memberships(user)
    )


def may_see_contact(user, complaint: Complaint) -> bool:
    """Only officers and leaders of the complaint's agency itself (not of a body above, never an
    auditor, nor an administrator without that role) see the complainant's contact."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return any(
        m.role in KEEPERS and m.agency.pk == complaint.agency_id
        for m in permissions.active_memberships(user)
    )


def handle_refusal(actor, complaint: Complaint) -> str | None:
    """Why ``actor`` may not record or handle ``complaint``, or None."""
    if actor is None:
        return None
    if complaint.agency_id is None:
        return _("Hãy chọn cơ quan, đơn vị tiếp nhận.")
    if _is_keeper(actor, complaint.agency):
        return None
    return _(
        "Chỉ cán bộ đầu mối ISO, lãnh đạo của “%(agency)s” hoặc cấp trên xử lý khiếu nại, phản ánh."
    ) % {"agency": complaint.agency.name}


def change_refusal(actor, complaint: Complaint) -> str | None:
    if complaint.state != ComplaintState.RECEIVED:
        return _("%(code)s ở trạng thái “%(state)s”: không sửa được nữa.") % {
            "code": complaint.code,
            "state": ComplaintState(complaint.state).label,
        }
    return handle_refusal(actor, complaint)


def answer_refusal(actor, complaint: Complaint) -> str | None:
    return change_refusal(actor, complaint)


def raise_refusal(actor, complaint: Complaint) -> str | None:
    if complaint.finding_id:
        return _("%(code)s đã có điểm không phù hợp %(finding)s.") % {
            "code": complaint.code,
            "finding": complaint.finding.code,
        }
    if complaint.state == ComplaintState.WITHDRAWN:
        return _("%(code)s đã rút: không ghi nhận điểm không phù hợp.") % {"code": complaint.code}
    return handle_refusal(actor, complaint)


def _check(reason, exc=PermissionDenied):
    if reason:
        raise exc(reason)


def _validate(instance: Complaint) -> None:
    instance.content = (instance.content or "").strip()
    instance.dossier_code = (instance.dossier_code or "").strip()
    for name in CONTACT_FIELDS:
        setattr(instance, name, (getattr(instance, name) or "").strip())
    errors: dict[str, list[str]] = {}
    if instance.agency_id is None:
        errors["agency"] = [_("Hãy chọn cơ quan, đơn vị tiếp nhận.")]
    if not instance.content:
        errors["content"] = [_("Hãy ghi nội dung khiếu nại, phản ánh.")]
    today = timezone.localdate()
    if not instance.received_on:
        instance.received_on = today
    elif instance.received_on > today:
        errors["received_on"] = [
            _("Ngày tiếp nhận %(day)s ở tương lai.") % {"day": format_day(instance.received_on)}
        ]
    if not instance.answer_days:
        instance.answer_days = answer_days_default()
    elif instance.answer_days > MAX_ANSWER_DAYS:
        errors["answer_days"] = [
            _("Thời hạn trả lời %(days)s ngày làm việc: tối đa %(max)s ngày.")
            % {"days": instance.answer_days, "max": MAX_ANSWER_DAYS}
        ]
    page = instance.procedure
    if page is not None and instance.agency_id and not instance.agency.is_within(page.agency):
        # A procedure of the agency or of a body above it (shared) applies to it.
        errors["procedure"] = [
            _("Quy trình “%(procedure)s” không áp dụng cho “%(agency)s”.")
            % {"procedure": page.title, "agency": instance.agency.name}
        ]
    if errors:
        raise ValidationError(errors)
    instance.due_on = due_on(instance.received_on, instance.answer_days)


def _next_code(day) -> str:
    prefix = f"PA-{day.year}-"
    last = (
        Complaint.objects.select_for_update()
        .filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _url(complaint) -> str:
    try:
        return reverse("complaints:inspect", args=[complaint.pk])
    except NoReverseMatch:  # the admin's URLs are not loaded (a bare worker)
        return ""


def _keepers_of(agency) -> list:
    return [
        m.user
        for m in Membership.objects.active()
        .filter(agency=agency, role__in=KEEPERS, user__is_active=True)
        .select_related("user")
    ]


def _locked(instance: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("agency", "finding")
        .get(pk=instance.pk)
    )


@transaction.atomic
def complaint_record(*, actor, instance: Complaint) -> Complaint:
    """Record a received complaint or feedback: its code (PA-<year>-<number>), its due day."""
    _check(handle_refusal(actor, instance))
    _validate(instance)
    instance.code = _next_code(instance.received_on)
    instance.state = ComplaintState.RECEIVED
    instance.answered_on = None
    instance.answer = ""
    instance.outcome = ""
    instance.finding = None
    instance.contact_erased_at = None
    instance.created_by = actor
    instance._history_user = actor
    instance.save()
    return instance


@transaction.atomic
def complaint_update(*, actor, instance: Complaint) -> Complaint:
    """Change a complaint not yet answered nor withdrawn; the due day follows. Whoever may not
    see the complainant's contact leaves it as it was."""
    before = _locked(instance)
    _check(change_refusal(actor, before))
    _check(handle_refusal(actor, instance))
    if actor is not None and not may_see_contact(actor, before):
        for name in CONTACT_FIELDS:
            setattr(instance, name, getattr(before, name))
    _validate(instance)
    for name in ("code", "state", "answered_on", "answer", "outcome", "finding_id"):
        setattr(instance, name, getattr(before, name))
    instance.contact_erased_at = before.contact_erased_at
    instance.created_by_id = before.created_by_id
    instance._history_user = actor
    instance.save()
    return instance


@transaction.atomic
def complaint_answer(
    *, actor, instance: Complaint, answered_on=None, answer: str = "", outcome: str = ""
) -> Complaint:
    """Record the answer: its day (on time when on or before the due day), text and outcome."""
    complaint = _locked(instance)
    _check(answer_refusal(actor, complaint))
    answer = (answer or "").strip()
    answered_on = answered_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if not answer:
        errors["answer"] = [_("Hãy ghi nội dung trả lời.")]
    if outcome not in ANSWER_OUTCOMES:
        errors["outcome"] = [_("Hãy chọn kết quả giải quyết.")]
    if answered_on < complaint.received_on:
        errors["answered_on"] = [
            _("Ngày trả lời %(day)s trước ngày tiếp nhận %(received)s.")
            % {"day": format_day(answered_on), "received": format_day(complaint.received_on)}
        ]
    elif answered_on > timezone.localdate():
        errors["answered_on"] = [
            _("Ngày trả lời %(day)s ở tương lai.") % {"day": format_day(answered_on)}
        ]
    if errors:
        raise ValidationError(errors)
    complaint.answer = answer
    complaint.outcome = outcome
    complaint.answered_on = answered_on
    complaint.state = ComplaintState.ANSWERED
    complaint._history_user = actor
    complaint.save(update_fields=["answer", "outcome", "answered_on", "state"])
    instance.refresh_from_db()
    return complaint


@transaction.atomic
def complaint_withdraw(*, actor, instance: Complaint, answer: str = "") -> Complaint:
    """The complainant withdrew: closed today with the outcome "withdrawn" (left out of the
    on-time counts); the retention period runs from today."""
    complaint = _locked(instance)
    _check(answer_refusal(actor, complaint))
    complaint.state = ComplaintState.WITHDRAWN
    complaint.outcome = ComplaintOutcome.WITHDRAWN
    complaint.answered_on = max(timezone.localdate(), complaint.received_on)
    complaint.answer = (answer or "").strip()
    complaint._history_user = actor
    complaint.save(update_fields=["answer", "outcome", "answered_on", "state"])
    instance.refresh_from_db()
    return complaint


@transaction.atomic
def complaint_raise_finding(
    *,
    actor,
    instance: Complaint,
    kind: str = FindingKind.MINOR_NC,
    description: str = "",
    clause=None,
    raised_on: datetime.date | None = None,
) -> Finding:
    """Raise a nonconformity from the complaint (source "complaint", the complaint's agency and
    procedure) through ``finding_record``, and link it to the complaint. ``raised_on`` is today
    unless given (a finding recorded later for a day it was decided)."""
    complaint = _locked(instance)
    _check(raise_refusal(actor, complaint))
    if kind not in NONCONFORMITY_KINDS:
        raise ValidationError({"kind": [_("Hãy chọn mức độ không phù hợp (nặng hoặc nhẹ).")]})
    description = (description or "").strip() or _("Từ %(code)s: %(content)s") % {
        "code": complaint.code,
        "content": complaint.content[:500],
    }
    finding = finding_record(
        actor=actor,
        instance=Finding(
            agency=complaint.agency,
            kind=kind,
            source=FindingSource.COMPLAINT,
            clause=clause,
            procedure=complaint.procedure,
            description=description,
            evidence=_("Khiếu nại, phản ánh %(code)s tiếp nhận ngày %(day)s.")
            % {"code": complaint.code, "day": format_day(complaint.received_on)},
            raised_on=raised_on or timezone.localdate(),
        ),
    )
    complaint.finding = finding
    complaint._history_user = actor
    complaint.save(update_fields=["finding"])
    instance.refresh_from_db()
    return finding


def erasable(today: datetime.date | None = None):
    """Complaints whose contact is past its retention (answered or withdrawn more than the
    retention days ago) and not erased yet."""
    today = today or timezone.localdate()
    last_kept = today - datetime.timedelta(days=retention_days())
    return Complaint.objects.filter(
        answered_on__isnull=False, answered_on__lt=last_kept, contact_erased_at__isnull=True
    )


@transaction.atomic
def complaint_contacts_erase(today: datetime.date | None = None) -> int:
    """Erase the complainant's contact of every complaint past its retention; the number erased.
    Idempotent: an erased complaint is not touched again. No history row is written (the
    history never held the contact)."""
    return erasable(today).update(
        **{name: "" for name in CONTACT_FIELDS}, contact_erased_at=timezone.now()
    )


def complaints_answer_due(today: datetime.date | None = None):
    today = today or timezone.localdate()
    return (
        Complaint.objects.filter(
            state=ComplaintState.RECEIVED,
            due_on__lte=today + datetime.timedelta(days=REMIND_DAYS_BEFORE),
        )
        .select_related("agency")
        .prefetch_related("reminders")
        .order_by("due_on", "pk")
    )


def complaint_reminders_send(today: datetime.date | None = None) -> int:
    """Remind the agency's officers and leaders of each complaint whose answer is due within
    ``REMIND_DAYS_BEFORE`` days (or overdue), once per due day: the reminder row is inserted
    with the notification in one transaction under its unique constraint."""
    sent = 0
    for complaint in complaints_answer_due(today):
        key = complaint.due_on.isoformat()
        if any(r.key == key for r in complaint.reminders.all()):
            continue
        recipients = _keepers_of(complaint.agency)
        if not recipients:
            continue
        try:
            with transaction.atomic():
                ComplaintReminder.objects.create(complaint=complaint, key=key)
                notify(
                    recipients=recipients,
                    title=_("Hạn trả lời %(code)s: %(day)s")
                    % {
                        "code": complaint.code,
                        "day": format_day(complaint.due_on),
                    },
                    body=_(
                        "%(kind)s tiếp nhận ngày %(received)s tại “%(agency)s” cần trả lời "
                        "trước hết ngày %(due)s."
                    )
                    % {
                        "kind": complaint.get_kind_display(),
                        "received": format_day(complaint.received_on),
                        "agency": complaint.agency.name,
                        "due": format_day(complaint.due_on),
                    },
                    url=_url(complaint),
                )
        except IntegrityError:  # another run sent it
            continue
        sent += 1
    return sent
