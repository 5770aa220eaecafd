"""The yearly audit programme (issue 9 point 2): prepare, approve, return to draft for amendment,
plan its entries (auditee, quarter, clauses, TTHC), schedule an entry's audit, keep the entries'
priorities, remind of audits not yet scheduled. Every change goes through these functions, each in
one transaction, refusing with PermissionDenied (who) or ValidationError (what, each field named)
and writing nothing then; history (django-simple-history) names the acting user.

Who (DESIGN.md §6; the policy rows are audits/rules_programme.py): officers and internal auditors
of the scope body or of a body above it prepare the programme and its entries while it is a draft;
a leader of the scope body or above approves it, never the person who prepared it (separation of
duties), and never an empty programme. An approved programme's entries do not change: a leader (or
the preparer) returns it to draft with a reason, and it needs approval again. Scheduling an entry
plans the audit through ``audits.services.audits.audit_plan`` (whose own rules, the auditors'
independence among them, apply) or links an existing audit of the auditee in the year.

Priority (recomputed when an entry is saved and on "refresh priorities"): high with an open major
nonconformity, a recurring nonconformity in the last 12 months, a quality objective missed in the
last 12 months (a nonconformity with source "objective breach") or an on-time rate under 95 % in the
last 12 months (asked of ``qms.providers.ON_TIME_PERFORMANCE``: no answer, no reason); medium when
not audited in the last 12 months (or never) or with open minor nonconformities; normal otherwise.
The reasons are stored as sentences and shown beside the priority.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audits.models import (
    Audit,
    AuditProgramme,
    AuditState,
    EntryPriority,
    Finding,
    FindingKind,
    FindingSource,
    FindingState,
    ProgrammeEntry,
    ProgrammeState,
    SystemReminder,
    SystemReminderKind,
)
from audits.selectors_audits import procedures_for_scope
from audits.selectors_programme import DONE_STATES, procedure_tthc_ids, quarter_bounds
from audits.services.audits import audit_plan
from qms import permissions, providers
from qms.display import format_day
from qms.formats.numbers import format_percent
from qms.models import AdministrativeProcedure, Agency, Membership, Role
from qms.models.agencies import subtree_q
from qms.people import person_name
from qms.services.notifications import notify

PREPARER_ROLES = (Role.OFFICER, Role.AUDITOR)
ON_TIME_TARGET = 95  # per cent: below it, a unit's audit is a high priority
RECENT_DAYS = 365
REMIND_DAYS_BEFORE = 30
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _label(programme: AuditProgramme) -> str:
    return _("Chương trình đánh giá năm %(year)s của “%(agency)s”") % {
        "year": programme.year,
        "agency": programme.agency.name,
    }


def _holds(user, agency, roles) -> bool:
    return any(
        m.role in roles and agency.is_within(m.agency) for m in permissions.active_memberships(user)
    )


def _check(reason, exc=PermissionDenied):
    if reason:
        raise exc(reason)


# --- Who may do what ----------------------------------------------------------------------------


def prepare_refusal(actor, agency) -> str | None:
    """Why ``actor`` may not prepare a programme of ``agency`` (or its entries), or None."""
    if actor is None or permissions.is_admin(actor):
        return None
    if agency is None:
        return _("Hãy chọn cơ quan (phạm vi) của chương trình.")
    if _holds(actor, agency, PREPARER_ROLES):
        return None
    return _(
        "Chỉ cán bộ đầu mối ISO hoặc đánh giá viên nội bộ của “%(agency)s” hay cơ quan cấp trên "
        "lập chương trình đánh giá của phạm vi này."
    ) % {"agency": agency.name}


def _draft_refusal(programme: AuditProgramme) -> str | None:
    if programme.state == ProgrammeState.DRAFT:
        return None
    return _(
        "%(programme)s đã được phê duyệt: các cuộc đánh giá dự kiến không sửa được; hãy trả về "
        "dự thảo để sửa đổi."
    ) % {"programme": _label(programme)}


def change_refusal(actor, programme: AuditProgramme) -> str | None:
    """Why ``actor`` may not change ``programme`` (its objectives, its entries), or None."""
    return _draft_refusal(programme) or prepare_refusal(actor, programme.agency)


def approve_refusal(actor, programme: AuditProgramme) -> str | None:
    if programme.state != ProgrammeState.DRAFT:
        return _("%(programme)s đã được phê duyệt.") % {"programme": _label(programme)}
    if actor is not None and programme.created_by_id and actor.pk == programme.created_by_id:
        return _(
            "Người lập %(programme)s không tự phê duyệt chương trình (phân công, phân nhiệm): "
            "lãnh đạo khác phê duyệt."
        ) % {"programme": _label(programme)}
    if (
        actor is not None
        and not permissions.is_admin(actor)
        and not _holds(actor, programme.agency, (Role.LEADER,))
    ):
        return _(
            "Chỉ lãnh đạo của “%(agency)s” hoặc cơ quan cấp trên phê duyệt chương trình đánh giá."
        ) % {"agency": programme.agency.name}
    # A list annotates ``entry_count`` (one query for the page, not one per row).
    count = getattr(programme, "entry_count", None)
    if not (count if count is not None else programme.entries.exists()):
        return _(
            "%(programme)s chưa có cuộc đánh giá dự kiến nào: không phê duyệt chương trình trống."
        ) % {"programme": _label(programme)}
    return None


def reopen_refusal(actor, programme: AuditProgramme) -> str | None:
    if programme.state != ProgrammeState.APPROVED:
        return _("%(programme)s đang là dự thảo.") % {"programme": _label(programme)}
    if actor is None or permissions.is_admin(actor):
        return None
    if programme.created_by_id and actor.pk == programme.created_by_id:
        return None
    if _holds(actor, programme.agency, (Role.LEADER,)):
        return None
    return _(
        "Chỉ lãnh đạo của “%(agency)s” (hay cấp trên) hoặc người lập chương trình trả chương "
        "trình về dự thảo."
    ) % {"agency": programme.agency.name}


def refresh_refusal(actor, programme: AuditProgramme) -> str | None:
    if actor is None or permissions.is_admin(actor):
        return None
    if _holds(actor, programme.agency, (*PREPARER_ROLES, Role.LEADER)):
        return None
    return _("Bạn không có quyền cập nhật mức ưu tiên của %(programme)s.") % {
        "programme": _label(programme)
    }


def entry_change_refusal(actor, entry: ProgrammeEntry) -> str | None:
    return change_refusal(actor, entry.programme)


def schedule_refusal(actor, entry: ProgrammeEntry) -> str | None:
    programme = entry.programme
    if programme.state != ProgrammeState.APPROVED:
        return _("%(programme)s chưa được phê duyệt: chưa lập cuộc đánh giá theo chương trình.") % {
            "programme": _label(programme)
        }
    if entry.audit_id:
        return _("“%(entry)s” đã có cuộc đánh giá %(code)s.") % {
            "entry": entry,
            "code": entry.audit.code,
        }
    return prepare_refusal(actor, programme.agency)


# --- The programme ------------------------------------------------------------------------------


def _validate_programme(instance: AuditProgramme) -> None:
    instance.objectives = (instance.objectives or "").strip()
    errors: dict[str, list[str]] = {}
    if instance.agency_id is None:
        errors["agency"] = [_("Hãy chọn cơ quan (phạm vi) của chương trình.")]
    if not instance.year or not 2000 <= instance.year <= 2100:
        errors["year"] = [_("Năm %(year)s không hợp lệ.") % {"year": instance.year or "—"}]
    elif (
        instance.agency_id
        and AuditProgramme.objects.filter(agency_id=instance.agency_id, year=instance.year)
        .exclude(pk=instance.pk)
        .exists()
    ):
        errors["year"] = [
            _("“%(agency)s” đã có chương trình đánh giá năm %(year)s.")
            % {"agency": instance.agency.name, "year": instance.year}
        ]
    if errors:
        raise ValidationError(errors)


def _locked(instance: AuditProgramme) -> AuditProgramme:
    return (
        AuditProgramme.objects.select_for_update(of=("self",))
        .select_related("agency", "created_by")
        .get(pk=instance.pk)
    )


@transaction.atomic
def programme_save(*, actor, instance: AuditProgramme) -> AuditProgramme:
    """Prepare a new programme (a draft, ``actor`` its preparer) or change a draft's scope, year
    or objectives."""
    if instance.pk:
        before = _locked(instance)
        _check(change_refusal(actor, before))
        instance.state = before.state
        instance.created_by_id = before.created_by_id
        instance.approved_by_id = before.approved_by_id
        instance.approved_at = before.approved_at
        instance.approval_note = before.approval_note
        if instance.agency_id != before.agency_id:
            outside = [
                e.auditee.name
                for e in before.entries.select_related("auditee")
                if instance.agency_id and not e.auditee.is_within(instance.agency)
            ]
            if outside:
                raise ValidationError(
                    {
                        "agency": [
                            _(
                                "Các đơn vị đã đưa vào chương trình nằm ngoài phạm vi mới: %(units)s."
                            )
                            % {"units": ", ".join(outside)}
                        ]
                    }
                )
    else:
        instance.state = ProgrammeState.DRAFT
        instance.created_by = actor
        instance.approved_by = None
        instance.approved_at = None
        instance.approval_note = ""
    _check(prepare_refusal(actor, instance.agency if instance.agency_id else None))
    _validate_programme(instance)
    instance._history_user = actor
    instance.save()
    return instance


def _programme_url(programme) -> str:
    try:
        return reverse("audit_programmes:inspect", args=[programme.pk])
    except NoReverseMatch:  # the admin's URLs are not loaded (a bare worker)
        return ""


@transaction.atomic
def programme_approve(*, actor, instance: AuditProgramme, note: str = "") -> AuditProgramme:
    """Approve a draft with entries: by a leader of the scope body or above who did not prepare
    it; the preparer is told."""
    programme = _locked(instance)
    _check(approve_refusal(actor, programme))
    programme.state = ProgrammeState.APPROVED
    programme.approved_by = actor
    programme.approved_at = timezone.now()
    programme.approval_note = (note or "").strip()
    programme._history_user = actor
    programme.save(update_fields=["state", "approved_by", "approved_at", "approval_note"])
    preparer = programme.created_by
    if preparer is not None and preparer.is_active and (actor is None or preparer.pk != actor.pk):
        notify(
            recipients=[preparer],
            title=_("Đã phê duyệt: %(programme)s") % {"programme": _label(programme)},
            body=_("%(name)s đã phê duyệt chương trình. %(note)s")
            % {
                "name": person_name(actor) if actor else _("Hệ thống"),
                "note": programme.approval_note,
            },
            url=_programme_url(programme),
        )
    instance.refresh_from_db()
    return programme


@transaction.atomic
def programme_reopen(*, actor, instance: AuditProgramme, reason: str = "") -> AuditProgramme:
    """Return an approved programme to draft for amendment (a reason is required); it must be
    approved again. The reason is the history row's change reason; the preparer and the former
    approver are told."""
    programme = _locked(instance)
    _check(reopen_refusal(actor, programme))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Hãy ghi lý do trả về dự thảo để sửa đổi.")]})
    approver = programme.approved_by
    programme.state = ProgrammeState.DRAFT
    programme.approved_by = None
    programme.approved_at = None
    programme.approval_note = ""
    programme._history_user = actor
    programme._change_reason = reason[:100]
    programme.save(update_fields=["state", "approved_by", "approved_at", "approval_note"])
    recipients = {
        u.pk: u
        for u in (programme.created_by, approver)
        if u is not None and u.is_active and (actor is None or u.pk != actor.pk)
    }
    if recipients:
        notify(
            recipients=list(recipients.values()),
            title=_("Trả về dự thảo: %(programme)s") % {"programme": _label(programme)},
            body=_("%(name)s trả chương trình về dự thảo để sửa đổi. Lý do: %(reason)s")
            % {"name": person_name(actor) if actor else _("Hệ thống"), "reason": reason},
            url=_programme_url(programme),
        )
    instance.refresh_from_db()
    return programme


@transaction.atomic
def programme_refresh_priorities(*, actor, instance: AuditProgramme, today=None) -> int:
    """Recompute every entry's priority and reasons (the plan itself is not changed, so an
    approved programme's are refreshed too); the number of entries whose priority changed."""
    programme = _locked(instance)
    _check(refresh_refusal(actor, programme))
    changed = 0
    for entry in programme.entries.select_related("auditee", "programme__agency"):
        before = (entry.priority, list(entry.priority_reasons))
        _apply_priority(entry, today)
        if (entry.priority, entry.priority_reasons) != before:
            entry._history_user = actor
            entry.save(update_fields=["priority", "priority_reasons"])
            changed += 1
    return changed


# --- Priority -----------------------------------------------------------------------------------


def _codes(findings) -> str:
    return ", ".join(f.code for f in findings)


def _on_time_rate(answer) -> float | None:
    """The share (per cent) of resolved dossiers early or on time in a provider's answer (a
    mapping or an object with counts ``resolved``, ``early``, ``on_time``; or a ``rate``)."""

    def get(name):
        if isinstance(answer, dict):
            return answer.get(name)
        return getattr(answer, name, None)

    resolved = get("resolved")
    if resolved:
        good = (get("early") or 0) + (get("on_time") or 0)
        return 100.0 * float(good) / float(resolved)
    rate = get("rate")
    if rate is None:
        return None
    rate = float(rate)
    return rate * 100 if rate <= 1 else rate


def entry_priority(entry: ProgrammeEntry, today: datetime.date | None = None):
    """(priority, reasons) of an entry from its auditee's (and its units') past results."""
    today = today or timezone.localdate()
    auditee = entry.auditee
    since = today - datetime.timedelta(days=RECENT_DAYS)
    reasons: list[str] = []
    high = medium = False

    findings = Finding.objects.filter(subtree_q([auditee.path], "agency__path"))
    open_ncs = list(
        findings.exclude(state=FindingState.CLOSED)
        .filter(kind__in=(FindingKind.MAJOR_NC, FindingKind.MINOR_NC))
        .order_by("raised_on", "pk")
        .only("code", "kind")
    )
    majors = [f for f in open_ncs if f.kind == FindingKind.MAJOR_NC]
    minors = [f for f in open_ncs if f.kind == FindingKind.MINOR_NC]
    if majors:
        high = True
        reasons.append(
            ngettext(
                "%(count)d điểm không phù hợp nặng chưa đóng (%(codes)s)",
                "%(count)d điểm không phù hợp nặng chưa đóng (%(codes)s)",
                len(majors),
            )
            % {"count": len(majors), "codes": _codes(majors)}
        )
    recurrences = list(
        findings.filter(recurrence_of__isnull=False, raised_on__gte=since)
        .order_by("raised_on", "pk")
        .only("code")
    )
    if recurrences:
        high = True
        reasons.append(
            ngettext(
                "%(count)d điểm không phù hợp lặp lại trong 12 tháng (%(codes)s)",
                "%(count)d điểm không phù hợp lặp lại trong 12 tháng (%(codes)s)",
                len(recurrences),
            )
            % {"count": len(recurrences), "codes": _codes(recurrences)}
        )
    # Quality objectives missed in the last 12 months (each miss raised a nonconformity with
    # source "objective breach"): the measured results fell short of what the leaders set.
    breaches = list(
        findings.filter(source=FindingSource.OBJECTIVE_BREACH, raised_on__gte=since)
        .order_by("raised_on", "pk")
        .only("code")
    )
    if breaches:
        high = True
        reasons.append(
            ngettext(
                "%(count)d lần không đạt mục tiêu chất lượng trong 12 tháng (%(codes)s)",
                "%(count)d lần không đạt mục tiêu chất lượng trong 12 tháng (%(codes)s)",
                len(breaches),
            )
            % {"count": len(breaches), "codes": _codes(breaches)}
        )
    answer = providers.ask_first(providers.ON_TIME_PERFORMANCE, auditee, since, today)
    rate = _on_time_rate(answer) if answer is not None else None
    if rate is not None and rate < ON_TIME_TARGET:
        high = True
        reasons.append(
            _("Tỷ lệ đúng hạn 12 tháng qua %(rate)s") % {"rate": format_percent(rate, 1)}
        )
    # The last audit done of the auditee or of a body containing it (its scope covers it).
    last = (
        Audit.objects.filter(agency_id__in=auditee.ancestor_ids(), state__in=DONE_STATES)
        .order_by("-planned_end")
        .values_list("actual_end", "planned_end")
        .first()
    )
    if last is None:
        medium = True
        reasons.append(_("Chưa từng được đánh giá"))
    else:
        last_day = last[0] or last[1]
        if last_day < since:
            medium = True
            reasons.append(_("Chưa được đánh giá từ %(day)s") % {"day": format_day(last_day)})
    if minors:
        medium = True
        reasons.append(
            ngettext(
                "%(count)d điểm không phù hợp nhẹ chưa đóng (%(codes)s)",
                "%(count)d điểm không phù hợp nhẹ chưa đóng (%(codes)s)",
                len(minors),
            )
            % {"count": len(minors), "codes": _codes(minors)}
        )
    handled = (
        AdministrativeProcedure.objects.filter(
            subtree_q([auditee.path], "handling_agency_links__agency__path")
        )
        .values("pk")
        .distinct()
        .count()
    )
    if handled:
        reasons.append(
            ngettext(
                "Xử lý %(count)d thủ tục hành chính",
                "Xử lý %(count)d thủ tục hành chính",
                handled,
            )
            % {"count": handled}
        )
    if high:
        priority = EntryPriority.HIGH
    elif medium:
        priority = EntryPriority.MEDIUM
    else:
        priority = EntryPriority.NORMAL
    return priority, reasons


def _apply_priority(entry: ProgrammeEntry, today=None) -> None:
    entry.priority, entry.priority_reasons = entry_priority(entry, today)


# --- Entries ------------------------------------------------------------------------------------


def _validate_entry(entry: ProgrammeEntry) -> None:
    entry.note = (entry.note or "").strip()
    errors: dict[str, list[str]] = {}
    if entry.programme_id is None:
        errors["programme"] = [_("Hãy chọn chương trình đánh giá.")]
    if entry.auditee_id is None:
        errors["auditee"] = [_("Hãy chọn đơn vị được đánh giá.")]
    elif entry.programme_id and not entry.auditee.is_within(entry.programme.agency):
        errors["auditee"] = [
            _("“%(auditee)s” không thuộc phạm vi “%(scope)s” của chương trình.")
            % {"auditee": entry.auditee.name, "scope": entry.programme.agency.name}
        ]
    if entry.quarter not in (1, 2, 3, 4):
        errors["quarter"] = [_("Hãy chọn quý (I–IV).")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def entry_save(
    *, actor, instance: ProgrammeEntry, clauses=None, administrative_procedures=None
) -> ProgrammeEntry:
    """Add or change an entry of a draft programme: its auditee (in the programme's scope),
    quarter, clauses and TTHC; its priority is computed again."""
    if instance.programme_id is None:
        raise ValidationError({"programme": [_("Hãy chọn chương trình đánh giá.")]})
    programme = _locked(instance.programme)
    instance.programme = programme
    if instance.pk:
        before = ProgrammeEntry.objects.select_related("programme__agency").get(pk=instance.pk)
        _check(change_refusal(actor, before.programme))
        instance.audit_id = before.audit_id
    _check(change_refusal(actor, programme))
    _validate_entry(instance)
    _apply_priority(instance)
    instance._history_user = actor
    instance.save()
    if clauses is not None:
        instance.clauses.set(list(clauses))
    if administrative_procedures is not None:
        instance.administrative_procedures.set(list(administrative_procedures))
    return instance


@transaction.atomic
def entry_delete(*, actor, instance: ProgrammeEntry) -> None:
    """Take an entry out of a draft programme (one with an audit stays: the audit is the record)."""
    entry = ProgrammeEntry.objects.select_related("programme__agency", "audit").get(pk=instance.pk)
    _check(change_refusal(actor, entry.programme))
    if entry.audit_id:
        raise ValidationError(
            _("“%(entry)s” đã có cuộc đánh giá %(code)s: không xóa được.")
            % {"entry": entry, "code": entry.audit.code}
        )
    entry._history_user = actor
    entry.delete()


def _next_audit_code(entry: ProgrammeEntry) -> str:
    base = f"DGNB-{entry.programme.year}-Q{entry.quarter}-{entry.pk}"
    code, n = base, 1
    while Audit.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def entry_procedures(entry: ProgrammeEntry) -> list:
    """The auditee's procedure pages (in force there or applicable to it) that carry the entry's
    TTHC."""
    wanted = set(entry.administrative_procedures.values_list("pk", flat=True))
    if not wanted:
        return []
    return [p for p in procedures_for_scope(entry.auditee) if procedure_tthc_ids(p) & wanted]


def linkable_audits(entry: ProgrammeEntry):
    """Existing audits an entry may link: of its auditee, planned to start in the programme's
    year, not cancelled and not linked to another entry."""
    return (
        Audit.objects.filter(
            agency_id=entry.auditee_id,
            planned_start__year=entry.programme.year,
            programme_entry__isnull=True,
        )
        .exclude(state=AuditState.CANCELLED)
        .order_by("planned_start", "code")
    )


@transaction.atomic
def entry_schedule(
    *,
    actor,
    instance: ProgrammeEntry,
    audit=None,
    lead_auditor=None,
    planned_start=None,
    planned_end=None,
    code: str = "",
    team=(),
) -> Audit:
    """Set an approved programme's entry's audit: link ``audit`` (an audit of the auditee in the
    year, not linked elsewhere), or plan a new one through ``audit_plan`` prefilled from the
    entry (auditee, clauses, the auditee's procedure pages of its TTHC, dates inside its quarter,
    ``lead_auditor``)."""
    entry = (
        ProgrammeEntry.objects.select_for_update(of=("self",))
        .select_related("programme__agency", "auditee", "audit")
        .get(pk=instance.pk)
    )
    _check(schedule_refusal(actor, entry))
    year, quarter = entry.programme.year, entry.quarter
    first, last = quarter_bounds(year, quarter)
    if audit is not None:
        if not linkable_audits(entry).filter(pk=audit.pk).exists():
            raise ValidationError(
                {
                    "audit": [
                        _(
                            "Cuộc đánh giá %(code)s không phải của “%(auditee)s” trong năm "
                            "%(year)s, đã hủy hoặc đã gắn với cuộc đánh giá dự kiến khác."
                        )
                        % {"code": audit.code, "auditee": entry.auditee.name, "year": year}
                    ]
                }
            )
    else:
        errors: dict[str, list[str]] = {}
        if lead_auditor is None:
            errors["lead_auditor"] = [
                _("Hãy chọn trưởng đoàn đánh giá, hoặc chọn một cuộc đánh giá đã lập.")
            ]
        planned_start = planned_start or first
        planned_end = planned_end or planned_start
        for name, day in (("planned_start", planned_start), ("planned_end", planned_end)):
            if not first <= day <= last:
                errors[name] = [
                    _("Ngày %(day)s nằm ngoài quý %(quarter)s/%(year)s (%(first)s–%(last)s).")
                    % {
                        "day": format_day(day),
                        "quarter": ROMAN[quarter],
                        "year": year,
                        "first": format_day(first),
                        "last": format_day(last),
                    }
                ]
        if errors:
            raise ValidationError(errors)
        auditee = entry.auditee
        audit = audit_plan(
            actor=actor,
            instance=Audit(
                agency=auditee,
                code=(code or "").strip() or _next_audit_code(entry),
                title=_("Đánh giá nội bộ %(auditee)s quý %(quarter)s/%(year)s")
                % {"auditee": auditee.name, "quarter": ROMAN[quarter], "year": year},
                objectives=entry.note
                or _(
                    "Xác định mức độ phù hợp của hệ thống quản lý chất lượng với TCVN ISO "
                    "9001:2015 theo %(programme)s."
                )
                % {"programme": _label(entry.programme)},
                criteria=_("TCVN ISO 9001:2015; các quy trình nội bộ đang áp dụng."),
                planned_start=planned_start,
                planned_end=planned_end,
                lead_auditor=lead_auditor,
            ),
            team=list(team or []),
            clauses=list(entry.clauses.all()),
            procedures=entry_procedures(entry),
        )
    entry.audit = audit
    entry._history_user = actor
    entry.save(update_fields=["audit"])
    instance.refresh_from_db()
    return audit


# --- Reminders ----------------------------------------------------------------------------------


def _officers_of(agency: Agency) -> list:
    return [
        m.user
        for m in Membership.objects.active()
        .filter(agency=agency, role=Role.OFFICER, user__is_active=True)
        .select_related("user")
    ]


def entries_to_schedule(today: datetime.date | None = None) -> list:
    """Entries of approved programmes without an audit whose quarter starts within
    ``REMIND_DAYS_BEFORE`` days (or has started) and has not ended."""
    today = today or timezone.localdate()
    candidates = (
        ProgrammeEntry.objects.filter(
            programme__state=ProgrammeState.APPROVED,
            programme__year__in=(today.year, today.year + 1),
            audit__isnull=True,
        )
        .select_related("programme__agency", "programme__created_by", "auditee")
        .order_by("programme__year", "quarter", "pk")
    )
    due = []
    for entry in candidates:
        first, last = quarter_bounds(entry.programme.year, entry.quarter)
        if first - datetime.timedelta(days=REMIND_DAYS_BEFORE) <= today <= last:
            due.append(entry)
    return due


def programme_reminders_send(today: datetime.date | None = None) -> int:
    """Remind the programme's preparer and the scope body's officers of each entry of an
    approved programme still without an audit a month before its quarter (or during it), once
    per entry and quarter: the reminder row is inserted with the notification in one
    transaction under its unique constraint."""
    entries = entries_to_schedule(today)
    if not entries:
        return 0
    subjects = [f"entry:{e.pk}" for e in entries]
    sent_before = set(
        SystemReminder.objects.filter(
            kind=SystemReminderKind.PROGRAMME_UNSCHEDULED, subject__in=subjects
        ).values_list("subject", "key")
    )
    sent = 0
    for entry in entries:
        programme = entry.programme
        subject, key = f"entry:{entry.pk}", f"{programme.year}-Q{entry.quarter}"
        if (subject, key) in sent_before:
            continue
        recipients = {u.pk: u for u in _officers_of(programme.agency)}
        preparer = programme.created_by
        if preparer is not None and preparer.is_active:
            recipients[preparer.pk] = preparer
        if not recipients:
            continue
        first, _last = quarter_bounds(programme.year, entry.quarter)
        try:
            with transaction.atomic():
                SystemReminder.objects.create(
                    kind=SystemReminderKind.PROGRAMME_UNSCHEDULED, subject=subject, key=key
                )
                notify(
                    recipients=list(recipients.values()),
                    title=_("Chưa lập cuộc đánh giá “%(entry)s”") % {"entry": entry},
                    body=_(
                        "Theo %(programme)s, “%(auditee)s” được đánh giá trong quý %(quarter)s "
                        "(từ %(first)s) nhưng chưa lập kế hoạch cuộc đánh giá."
                    )
                    % {
                        "programme": _label(programme),
                        "auditee": entry.auditee.name,
                        "quarter": ROMAN[entry.quarter],
                        "first": format_day(first),
                    },
                    url=_programme_url(programme),
                )
        except IntegrityError:  # another run sent it
            continue
        sent += 1
    return sent
