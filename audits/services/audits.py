"""Planning and running internal audits: plan and change while planned, then start, report, close
(or cancel a planned one). Every change goes through these functions, each in one transaction,
refusing with PermissionDenied (who) or ValidationError (what, each field named) and writing
nothing then.

Who: officers and leaders of the auditee or of a body above it plan, change and cancel an audit;
so do internal auditors of a body strictly above the auditee ("auditors plan and run audits of
nodes they are not members of", DESIGN.md §1): an auditor of a department plans the audits of its
units and, if the city's, of the departments. The lead auditor starts the audit and reports it; the
lead or a leader of the auditee (or above) closes it. Every team member is a qualified internal
auditor on the planned dates and independent of the auditee (``independence_refusal``); a member
on another audit with overlapping dates is a warning (``double_booking_messages``), not a refusal.

Opening (start) and closing or cancelling an audit re-sync each team member's materialised page
and collection rights (``qms.services.rights.rights_sync_user``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import Audit, AuditState, AuditTeamMember, TeamRole
from audits.selectors_auditors import qualification_refusal
from audits.selectors_audits import independence_refusal, procedures_for_scope
from audits.selectors_findings import nonconformities_without_action
from qms import permissions
from qms.display import format_day
from qms.models import Membership, Role
from qms.people import person_name
from qms.services.notifications import notify
from qms.services.rights import rights_sync_user

KEEPERS = (Role.OFFICER, Role.LEADER)


def planning_refusal(actor, auditee) -> str | None:
    """Why ``actor`` may not plan (or change, or cancel) an audit of ``auditee``, or None."""
    if actor is None or permissions.is_admin(actor):
        return None
    for m in permissions.active_memberships(actor):
        if m.role in KEEPERS and auditee.is_within(m.agency):
            return None
        if m.role == Role.AUDITOR and auditee.is_within(m.agency) and auditee.pk != m.agency.pk:
            return None
    return _(
        "Chỉ cán bộ đầu mối ISO, lãnh đạo của “%(agency)s” hoặc cấp trên, đánh giá viên nội bộ "
        "của cơ quan cấp trên và quản trị viên lập kế hoạch đánh giá đơn vị này."
    ) % {"agency": auditee.name}


def _state_refusal(audit, allowed, action_label) -> str | None:
    if audit.state in allowed:
        return None
    return _("Không thể %(action)s cuộc đánh giá %(code)s ở trạng thái “%(state)s”.") % {
        "action": action_label,
        "code": audit.code,
        "state": AuditState(audit.state).label,
    }


def start_refusal(user, audit) -> str | None:
    if user is None or user.pk == audit.lead_auditor_id:
        return None
    return _("Chỉ trưởng đoàn đánh giá %(name)s bắt đầu và báo cáo cuộc đánh giá %(code)s.") % {
        "name": person_name(audit.lead_auditor),
        "code": audit.code,
    }


report_refusal = start_refusal


def close_refusal(user, audit) -> str | None:
    if user is None or user.pk == audit.lead_auditor_id:
        return None
    if any(
        m.role == Role.LEADER and audit.agency.is_within(m.agency)
        for m in permissions.active_memberships(user)
    ):
        return None
    return _(
        "Chỉ trưởng đoàn đánh giá hoặc lãnh đạo của “%(agency)s” (hay cấp trên) kết thúc cuộc "
        "đánh giá %(code)s."
    ) % {"agency": audit.agency.name, "code": audit.code}


def cancel_refusal(user, audit) -> str | None:
    if user is None or (audit.created_by_id and user.pk == audit.created_by_id):
        return None
    return planning_refusal(user, audit.agency)


def _team_errors(instance: Audit, team) -> list[str]:
    errors = []
    days = sorted({instance.planned_start, instance.planned_end})
    for user in team:
        for day in days:
            reason = qualification_refusal(user, day)
            if reason:
                errors.append(reason)
                break
        reason = independence_refusal(user, instance.agency)
        if reason:
            errors.append(reason)
    return errors


def _validate(instance: Audit, team, clauses, procedures) -> None:
    instance.code = (instance.code or "").strip()
    instance.title = (instance.title or "").strip()
    errors: dict[str, list[str]] = {}
    if not instance.code:
        errors["code"] = [_("Hãy ghi số hiệu cuộc đánh giá.")]
    elif Audit.objects.filter(code=instance.code).exclude(pk=instance.pk).exists():
        errors["code"] = [_("Số hiệu %(code)s đã được dùng.") % {"code": instance.code}]
    if not instance.title:
        errors["title"] = [_("Hãy ghi tên cuộc đánh giá.")]
    if not (instance.objectives or "").strip():
        errors["objectives"] = [_("Hãy ghi mục tiêu cuộc đánh giá.")]
    if not (instance.criteria or "").strip():
        errors["criteria"] = [_("Hãy ghi chuẩn mực đánh giá.")]
    start, end = instance.planned_start, instance.planned_end
    if start and end and end < start:
        errors["planned_end"] = [
            _("Ngày kết thúc dự kiến %(end)s trước ngày bắt đầu %(start)s.")
            % {"end": format_day(end), "start": format_day(start)}
        ]
    if not instance.lead_auditor_id:
        errors["lead_auditor"] = [_("Hãy chọn trưởng đoàn đánh giá.")]
    if not errors and instance.agency_id:
        team_errors = _team_errors(instance, team)
        if team_errors:
            errors["team"] = team_errors
        allowed = set(procedures_for_scope(instance.agency).values_list("pk", flat=True))
        outside = [p for p in procedures if p.pk not in allowed]
        if outside:
            errors["procedures"] = [
                _(
                    "Quy trình “%(code)s %(title)s” không có lần ban hành đang áp dụng tại "
                    "“%(agency)s”."
                )
                % {"code": p.code, "title": p.title, "agency": instance.agency.name}
                for p in outside
            ]
    if errors:
        raise ValidationError(errors)


def _save_team(audit: Audit, team, actor) -> None:
    """The team rows as ``team`` (the lead included), each created, changed or deleted row's
    history naming ``actor`` (row by row: a queryset delete would record no one)."""
    wanted = {u.pk: u for u in team}
    wanted[audit.lead_auditor_id] = audit.lead_auditor
    for member in audit.team.exclude(user_id__in=wanted):
        member._history_user = actor
        member.delete()
    current = {m.user_id: m for m in audit.team.all()}
    for pk, user in wanted.items():
        role = TeamRole.LEAD if pk == audit.lead_auditor_id else TeamRole.MEMBER
        member = current.get(pk)
        if member is None:
            member = AuditTeamMember(audit=audit, user=user, role=role)
            member._history_user = actor
            member.save()
        elif member.role != role:
            member.role = role
            member._history_user = actor
            member.save(update_fields=["role"])


def _audit_url(audit) -> str:
    return reverse("audits:inspect", args=[audit.pk])


def _officers_of(agency) -> list:
    return [
        m.user
        for m in Membership.objects.active()
        .filter(agency=agency, role=Role.OFFICER, user__is_active=True)
        .select_related("user")
    ]


def _notify(audit: Audit, title: str, body: str) -> None:
    team = [m.user for m in audit.team.select_related("user")]
    notify(
        recipients=team + _officers_of(audit.agency), title=title, body=body, url=_audit_url(audit)
    )


def _resync(audit: Audit) -> None:
    for member in audit.team.select_related("user"):
        rights_sync_user(member.user)


def _check_planner(actor, audit: Audit) -> None:
    if actor is None:
        return
    if audit.agency_id is None:
        raise PermissionDenied(_("Hãy chọn đơn vị được đánh giá."))
    reason = planning_refusal(actor, audit.agency)
    if reason:
        raise PermissionDenied(reason)


@transaction.atomic
def audit_plan(*, actor, instance: Audit, team=(), clauses=(), procedures=()) -> Audit:
    """Plan a new audit (state "planned"): its auditee, dates, lead, team and scope. The lead is
    on the team whether ``team`` names them or not."""
    _check_planner(actor, instance)
    team = list({u.pk: u for u in [*team, instance.lead_auditor]}.values())
    clauses, procedures = list(clauses), list(procedures)
    _validate(instance, team, clauses, procedures)
    instance.state = AuditState.PLANNED
    instance.created_by = actor
    instance._history_user = actor
    instance.save()
    instance.clauses.set(clauses)
    instance.procedures.set(procedures)
    _save_team(instance, team, actor)
    _notify(
        instance,
        _("Kế hoạch đánh giá nội bộ %(code)s") % {"code": instance.code},
        _("Cuộc đánh giá “%(title)s” tại “%(agency)s” dự kiến từ %(start)s đến %(end)s.")
        % {
            "title": instance.title,
            "agency": instance.agency.name,
            "start": format_day(instance.planned_start),
            "end": format_day(instance.planned_end),
        },
    )
    return instance


@transaction.atomic
def audit_update(*, actor, instance: Audit, team=None, clauses=None, procedures=None) -> Audit:
    """Change a planned audit (None keeps the team or scope as it is)."""
    before = Audit.objects.select_related("agency").get(pk=instance.pk)
    reason = _state_refusal(before, (AuditState.PLANNED,), _("sửa"))
    if reason:
        raise ValidationError(reason)
    _check_planner(actor, before)
    _check_planner(actor, instance)
    team = [m.user for m in before.team.select_related("user")] if team is None else list(team)
    team = list({u.pk: u for u in [*team, instance.lead_auditor]}.values())
    clauses = list(before.clauses.all()) if clauses is None else list(clauses)
    procedures = list(before.procedures.all()) if procedures is None else list(procedures)
    _validate(instance, team, clauses, procedures)
    instance.state = before.state
    instance._history_user = actor
    instance.save()
    instance.clauses.set(clauses)
    instance.procedures.set(procedures)
    _save_team(instance, team, actor)
    return instance


def _transition(actor, audit: Audit, allowed, label, who) -> Audit:
    audit = (
        Audit.objects.select_for_update().select_related("agency", "lead_auditor").get(pk=audit.pk)
    )
    reason = _state_refusal(audit, allowed, label)
    if reason:
        raise ValidationError(reason)
    reason = who(actor, audit)
    if reason:
        raise PermissionDenied(reason)
    audit._history_user = actor
    return audit


@transaction.atomic
def audit_start(*, actor, instance: Audit) -> Audit:
    """Planned → in progress (today is the actual start); the team reads the auditee's records."""
    audit = _transition(actor, instance, (AuditState.PLANNED,), _("bắt đầu"), start_refusal)
    # The team must still be qualified and independent on the day it starts.
    errors = []
    today = timezone.localdate()
    for member in audit.team.select_related("user"):
        reason = qualification_refusal(member.user, today) or independence_refusal(
            member.user, audit.agency
        )
        if reason:
            errors.append(reason)
    if errors:
        raise ValidationError(errors)
    audit.state = AuditState.IN_PROGRESS
    audit.actual_start = today
    audit.save()
    _resync(audit)
    _notify(
        audit,
        _("Bắt đầu đánh giá nội bộ %(code)s") % {"code": audit.code},
        _("Cuộc đánh giá “%(title)s” tại “%(agency)s” bắt đầu ngày %(day)s.")
        % {"title": audit.title, "agency": audit.agency.name, "day": format_day(today)},
    )
    instance.refresh_from_db()
    return audit


@transaction.atomic
def audit_report(*, actor, instance: Audit, conclusion: str = "") -> Audit:
    """In progress → reported (today is the actual end of the fieldwork), with the team's
    conclusion for the audit report."""
    audit = _transition(actor, instance, (AuditState.IN_PROGRESS,), _("báo cáo"), report_refusal)
    audit.state = AuditState.REPORTED
    audit.conclusion = (conclusion or "").strip() or audit.conclusion
    audit.actual_end = timezone.localdate()
    audit.save()
    _notify(
        audit,
        _("Báo cáo đánh giá nội bộ %(code)s") % {"code": audit.code},
        _("Đoàn đánh giá đã báo cáo kết quả cuộc đánh giá “%(title)s” tại “%(agency)s”.")
        % {"title": audit.title, "agency": audit.agency.name},
    )
    instance.refresh_from_db()
    return audit


@transaction.atomic
def audit_close(*, actor, instance: Audit) -> Audit:
    """Reported → closed; the team's read access to the auditee ends."""
    audit = _transition(actor, instance, (AuditState.REPORTED,), _("kết thúc"), close_refusal)
    # Each nonconformity of the audit needs at least one corrective action first.
    missing = list(nonconformities_without_action(audit).values_list("code", flat=True))
    if missing:
        raise ValidationError(
            _(
                "Chưa thể kết thúc cuộc đánh giá %(code)s: điểm không phù hợp %(findings)s chưa "
                "có hành động khắc phục."
            )
            % {"code": audit.code, "findings": ", ".join(missing)}
        )
    audit.state = AuditState.CLOSED
    audit.save()
    _resync(audit)
    instance.refresh_from_db()
    return audit


@transaction.atomic
def audit_cancel(*, actor, instance: Audit, reason: str = "") -> Audit:
    """Planned → cancelled, with a reason."""
    audit = _transition(actor, instance, (AuditState.PLANNED,), _("hủy"), cancel_refusal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Hãy ghi lý do hủy cuộc đánh giá.")]})
    audit.state = AuditState.CANCELLED
    audit.cancel_reason = reason
    audit.save()
    _resync(audit)
    instance.refresh_from_db()
    return audit
