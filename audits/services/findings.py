"""Findings: record, change, respond to and close them; recurrence; the state a nonconformity
takes from its corrective actions (DESIGN.md §4).

Who: an audit's finding is recorded (and changed) by a member of its team (or an administrator)
while the audit is open (in progress or reported), on the auditee or a unit inside it, with the
source "internal audit"; its audit, checklist item and source never change once recorded;
findings from other sources (an objective breached, a complaint, an external inspection, the
management review) by officers and leaders of the agency or a body above it, who also change them
while they are not closed. A nonconformity starts "action required" and closes only through its
corrective actions (``finding_sync_state``); an observation or an opportunity starts "open" and
is closed with a response by an officer or a leader of the agency (``finding_respond_close``).

A new nonconformity of the same agency on the same clause and procedure as one closed within the
last 12 months is marked a recurrence of it (``audits.selectors_findings.recurrence_candidate``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import (
    NONCONFORMITY_KINDS,
    OPEN_STATES,
    ActionState,
    AuditState,
    Finding,
    FindingKind,
    FindingSource,
    FindingState,
)
from audits.selectors_findings import recurrence_candidate
from qms import permissions
from qms.models import Membership, Role
from qms.services.notifications import notify

KEEPERS = (Role.OFFICER, Role.LEADER)


def _is_keeper(user, agency) -> bool:
    """An officer or a leader of ``agency`` or of a body above it (or an administrator)."""
    if permissions.is_admin(user):
        return True
    return any(
        m.role in KEEPERS and agency.is_within(m.agency)
        for m in permissions.active_memberships(user)
    )


def _on_team(user, audit) -> bool:
    return permissions.is_admin(user) or audit.team.filter(user=user).exists()


def record_refusal(actor, finding: Finding) -> str | None:
    """Why ``actor`` may not record (or change) ``finding``, or None."""
    if actor is None:
        return None
    if finding.audit_id:
        audit = finding.audit
        if _on_team(actor, audit):
            return None
        return _("Chỉ thành viên đoàn đánh giá %(code)s ghi nhận phát hiện của cuộc đánh giá.") % {
            "code": audit.code
        }
    if finding.agency_id is None:
        return _("Hãy chọn cơ quan, đơn vị của phát hiện.")
    if _is_keeper(actor, finding.agency):
        return None
    return _(
        "Chỉ cán bộ đầu mối ISO, lãnh đạo của “%(agency)s” hoặc cấp trên ghi nhận phát hiện "
        "ngoài đánh giá nội bộ."
    ) % {"agency": finding.agency.name}


def respond_refusal(actor, finding: Finding) -> str | None:
    """Why ``actor`` may not close ``finding`` with a response, or None."""
    if actor is None or _is_keeper(actor, finding.agency):
        return None
    return _(
        "Chỉ cán bộ đầu mối ISO, lãnh đạo của “%(agency)s” hoặc cấp trên đóng phát hiện %(code)s."
    ) % {"agency": finding.agency.name, "code": finding.code}


def change_refusal(actor, finding: Finding) -> str | None:
    """Why ``actor`` may not change ``finding`` (closed, or not theirs to change), or None.
    An audit's finding is changed only by that audit's team (or an administrator): the
    auditee's officers and leaders respond to it, they do not rewrite it."""
    if finding.state == FindingState.CLOSED:
        return _("Phát hiện %(code)s đã đóng: không sửa được nữa.") % {"code": finding.code}
    if actor is None:
        return None
    if finding.audit_id:
        if _on_team(actor, finding.audit):
            return None
        return _(
            "Phát hiện %(code)s thuộc cuộc đánh giá %(audit)s: chỉ thành viên đoàn đánh giá "
            "sửa được."
        ) % {"code": finding.code, "audit": finding.audit.code}
    if finding.agency_id and _is_keeper(actor, finding.agency):
        return None
    return record_refusal(actor, finding) or _("Bạn không có quyền sửa phát hiện %(code)s.") % {
        "code": finding.code
    }


def _validate(instance: Finding) -> None:
    instance.description = (instance.description or "").strip()
    instance.evidence = (instance.evidence or "").strip()
    errors: dict[str, list[str]] = {}
    if not instance.description:
        errors["description"] = [_("Hãy mô tả phát hiện.")]
    if instance.kind not in FindingKind.values:
        errors["kind"] = [_("Hãy chọn loại phát hiện.")]
    if not instance.raised_on:
        instance.raised_on = timezone.localdate()
    elif instance.raised_on > timezone.localdate():
        errors["raised_on"] = [
            _("Ngày ghi nhận %(day)s ở tương lai.")
            % {"day": instance.raised_on.strftime("%d/%m/%Y")}
        ]
    issue = instance.procedure_issue
    if issue is not None:
        if instance.procedure_id is None:
            instance.procedure_id = issue.procedure_id
        elif issue.procedure_id != instance.procedure_id:
            errors["procedure_issue"] = [
                _("Lần ban hành %(issue)s không thuộc quy trình “%(procedure)s”.")
                % {"issue": f"{issue.code} ({issue.number:02d})", "procedure": instance.procedure}
            ]
    audit = instance.audit
    if audit is not None:
        if audit.state not in OPEN_STATES:
            errors["audit"] = [
                _(
                    "Cuộc đánh giá %(code)s ở trạng thái “%(state)s”: chỉ ghi nhận phát hiện khi "
                    "đang đánh giá hoặc đã báo cáo."
                )
                % {"code": audit.code, "state": AuditState(audit.state).label}
            ]
        if instance.agency_id and not instance.agency.is_within(audit.agency):
            errors["agency"] = [
                _("“%(agency)s” không thuộc đơn vị được đánh giá “%(auditee)s”.")
                % {"agency": instance.agency.name, "auditee": audit.agency.name}
            ]
        if instance.source != FindingSource.INTERNAL_AUDIT:
            errors["source"] = [_("Phát hiện của cuộc đánh giá có nguồn “Đánh giá nội bộ”.")]
        item = instance.checklist_item
        if item is not None and item.audit_id != audit.pk:
            errors["checklist_item"] = [
                _("Câu hỏi này không thuộc phiếu đánh giá của cuộc đánh giá %(code)s.")
                % {"code": audit.code}
            ]
    else:
        if instance.source == FindingSource.INTERNAL_AUDIT:
            errors["audit"] = [_("Phát hiện từ đánh giá nội bộ cần chọn cuộc đánh giá.")]
        if instance.checklist_item_id:
            errors["checklist_item"] = [_("Câu hỏi trong phiếu đánh giá cần cuộc đánh giá.")]
    inspection = instance.external_inspection
    if inspection is not None:
        if instance.source != FindingSource.EXTERNAL_INSPECTION:
            errors["source"] = [
                _("Phát hiện của đợt kiểm tra có nguồn “Kiểm tra của cơ quan có thẩm quyền”.")
            ]
        if instance.agency_id and not instance.agency.is_within(inspection.agency):
            errors["agency"] = [
                _("“%(agency)s” không thuộc cơ quan được kiểm tra “%(inspected)s”.")
                % {"agency": instance.agency.name, "inspected": inspection.agency.name}
            ]
    review = instance.management_review
    if review is not None:
        if instance.source != FindingSource.MANAGEMENT_REVIEW:
            errors["source"] = [
                _("Vấn đề nêu tại cuộc họp xem xét có nguồn “Xem xét của lãnh đạo”.")
            ]
        if instance.agency_id and not instance.agency.is_within(review.agency):
            errors["agency"] = [
                _("“%(agency)s” không thuộc cơ quan của cuộc họp “%(review)s”.")
                % {"agency": instance.agency.name, "review": review.title}
            ]
    if instance.agency_id is None:
        errors["agency"] = [_("Hãy chọn cơ quan, đơn vị của phát hiện.")]
    if errors:
        raise ValidationError(errors)


def _next_code(day) -> str:
    prefix = f"PH-{day.year}-"
    last = (
        Finding.objects.select_for_update()
        .filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _finding_url(finding) -> str:
    try:
        return reverse("audit_findings:inspect", args=[finding.pk])
    except NoReverseMatch:
        return ""


def _keepers_of(agency) -> list:
    return [
        m.user
        for m in Membership.objects.active()
        .filter(agency=agency, role__in=KEEPERS, user__is_active=True)
        .select_related("user")
    ]


def _check(reason, exc=PermissionDenied):
    if reason:
        raise exc(reason)


@transaction.atomic
def finding_record(*, actor, instance: Finding) -> Finding:
    """Record a new finding: its code (PH-<year>-<number>), its first state (a nonconformity
    needs corrective actions), its recurrence; the agency's officers and leaders are told."""
    _check(record_refusal(actor, instance))
    _validate(instance)
    instance.state = (
        FindingState.ACTION_REQUIRED if instance.kind in NONCONFORMITY_KINDS else FindingState.OPEN
    )
    instance.code = _next_code(instance.raised_on)
    instance.recurrence_of = recurrence_candidate(instance)
    instance.raised_by = actor
    instance.closed_at = None
    instance._history_user = actor
    instance.save()
    body = _("%(kind)s tại “%(agency)s”: %(description)s") % {
        "kind": FindingKind(instance.kind).label,
        "agency": instance.agency.name,
        "description": instance.description[:200],
    }
    notify(
        recipients=_keepers_of(instance.agency),
        title=_("Phát hiện mới %(code)s") % {"code": instance.code},
        body=body,
        url=_finding_url(instance),
    )
    return instance


def _check_fixed_fields(before: Finding, instance: Finding) -> None:
    """The audit and the checklist item a finding was recorded with never change (nor are
    cleared, nor set later); an audit's finding keeps its source "internal audit"."""
    errors: dict[str, list[str]] = {}
    if instance.audit_id != before.audit_id:
        errors["audit"] = [
            _("Phát hiện %(code)s: không đổi được cuộc đánh giá đã ghi nhận.")
            % {"code": before.code}
        ]
    if instance.checklist_item_id != before.checklist_item_id:
        errors["checklist_item"] = [
            _("Phát hiện %(code)s: không đổi được câu hỏi trong phiếu đánh giá đã ghi nhận.")
            % {"code": before.code}
        ]
    if instance.external_inspection_id != before.external_inspection_id:
        errors["external_inspection"] = [
            _("Phát hiện %(code)s: không đổi được đợt kiểm tra đã ghi nhận.")
            % {"code": before.code}
        ]
    if instance.management_review_id != before.management_review_id:
        errors["management_review"] = [
            _("Phát hiện %(code)s: không đổi được cuộc họp xem xét của lãnh đạo đã ghi nhận.")
            % {"code": before.code}
        ]
    if before.audit_id and instance.source != before.source:
        errors["source"] = [
            _("Phát hiện %(code)s của cuộc đánh giá: không đổi được nguồn “%(source)s”.")
            % {"code": before.code, "source": FindingSource(before.source).label}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def finding_update(*, actor, instance: Finding) -> Finding:
    """Change a finding that is not closed. A nonconformity with corrective actions stays one."""
    before = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("agency", "audit")
        .get(pk=instance.pk)
    )
    if before.state == FindingState.CLOSED:
        raise ValidationError(
            _("Phát hiện %(code)s đã đóng: không sửa được nữa.") % {"code": before.code}
        )
    audit = before.audit
    if audit is not None and audit.state not in OPEN_STATES:
        raise ValidationError(
            {
                "audit": [
                    _(
                        "Phát hiện %(code)s thuộc cuộc đánh giá %(audit)s ở trạng thái "
                        "“%(state)s”: chỉ sửa khi đang đánh giá hoặc đã báo cáo."
                    )
                    % {
                        "code": before.code,
                        "audit": audit.code,
                        "state": AuditState(audit.state).label,
                    }
                ]
            }
        )
    _check(change_refusal(actor, before))
    _check_fixed_fields(before, instance)
    _check(record_refusal(actor, instance))
    _validate(instance)
    was_nc = before.kind in NONCONFORMITY_KINDS
    is_nc = instance.kind in NONCONFORMITY_KINDS
    if was_nc and not is_nc and before.actions.exists():
        raise ValidationError(
            {
                "kind": [
                    _("Phát hiện %(code)s đã có hành động khắc phục: vẫn là điểm không phù hợp.")
                    % {"code": before.code}
                ]
            }
        )
    instance.code = before.code
    instance.raised_by_id = before.raised_by_id
    instance.response = before.response
    instance.closed_at = before.closed_at
    if is_nc:
        states = list(before.actions.values_list("state", flat=True))
        done = states and all(s == ActionState.CLOSED for s in states)
        instance.state = FindingState.CLOSED if done else FindingState.ACTION_REQUIRED
    else:
        instance.state = FindingState.OPEN
    instance.recurrence_of = recurrence_candidate(instance)
    instance._history_user = actor
    instance.save()
    return instance


@transaction.atomic
def finding_respond_close(*, actor, instance: Finding, response: str = "") -> Finding:
    """Close an observation or an opportunity for improvement with a response."""
    finding = (
        Finding.objects.select_for_update(of=("self",)).select_related("agency").get(pk=instance.pk)
    )
    if finding.is_nonconformity:
        raise ValidationError(
            _(
                "Phát hiện %(code)s là điểm không phù hợp: chỉ đóng khi các hành động khắc phục "
                "đã đóng."
            )
            % {"code": finding.code}
        )
    if finding.state == FindingState.CLOSED:
        raise ValidationError(_("Phát hiện %(code)s đã đóng.") % {"code": finding.code})
    _check(respond_refusal(actor, finding))
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": [_("Hãy ghi ý kiến phản hồi trước khi đóng.")]})
    finding.response = response
    finding.state = FindingState.CLOSED
    finding.closed_at = timezone.now()
    finding._history_user = actor
    finding.save(update_fields=["response", "state", "closed_at"])
    instance.refresh_from_db()
    return finding


@transaction.atomic
def finding_sync_state(*, finding: Finding, actor=None) -> Finding:
    """A nonconformity's state from its actions: closed when it has actions and all are closed,
    otherwise "action required". Called by the corrective-action services after each move.
    Observations and opportunities close with a response instead (untouched here)."""
    finding = Finding.objects.select_for_update(of=("self",)).get(pk=finding.pk)
    if not finding.is_nonconformity:
        return finding
    states = list(finding.actions.values_list("state", flat=True))
    wanted = (
        FindingState.CLOSED
        if states and all(s == ActionState.CLOSED for s in states)
        else FindingState.ACTION_REQUIRED
    )
    if finding.state != wanted:
        finding.state = wanted
        finding.closed_at = timezone.now() if wanted == FindingState.CLOSED else None
        finding._history_user = actor
        finding.save(update_fields=["state", "closed_at"])
    return finding
