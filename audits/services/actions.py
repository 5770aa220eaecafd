"""Corrective actions (ISO 9001 clause 10.2): open one for a nonconformity, analyse its cause,
plan, implement, verify its effectiveness, close. Every function runs in one transaction, refuses
with PermissionDenied (who) or ValidationError (what, each field named) and writes nothing then;
each move writes a ``CorrectiveActionStep`` (who, from, to, note) and then lets the finding follow
its actions (``finding_sync_state``).

Who (DESIGN.md §6):
- open: officers and leaders of the finding's agency (or a body above), or the lead auditor of the
  finding's audit while it is open;
- analyse the cause and plan: the owner, or an officer of the agency (or above);
- implement: the owner;
- verify: the named verifier only, a qualified internal auditor today, never the owner nor holding
  a working role in the owner's unit (or a unit inside it), no earlier than the set number of
  days after implementation;
- close: an officer or leader of the agency (or above), or the verifier; never the owner.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model

from audits.models import (
    AWAITING_VERIFICATION,
    NONCONFORMITY_KINDS,
    ActionState,
    CauseCategory,
    CorrectiveAction,
    CorrectiveActionStep,
    FindingState,
)
from audits.selectors_actions import owner_membership, verifier_refusal
from audits.services.findings import finding_sync_state
from qms import permissions
from qms.display import format_day
from qms.models import Role
from qms.people import person_name
from qms.services.files import agency_collection_ensure
from qms.services.notifications import notify
from qms.uploads import validate_upload

KEEPERS = (Role.OFFICER, Role.LEADER)


def _holds(user, agency, roles) -> bool:
    if user is None or permissions.is_admin(user):
        return True
    return any(
        m.role in roles and agency.is_within(m.agency) for m in permissions.active_memberships(user)
    )


def _state_label(state) -> str:
    return ActionState(state).label


def _state_refusal(action, allowed, label) -> str | None:
    if action.state in allowed:
        return None
    return _("Không thể %(action)s hành động khắc phục %(code)s ở trạng thái “%(state)s”.") % {
        "action": label,
        "code": action.code,
        "state": _state_label(action.state),
    }


# --- Who may do what (also asked by the admin to offer only allowed transitions) --------------


def open_refusal(user, finding) -> str | None:
    """Why ``user`` may not open a corrective action for ``finding``, or None."""
    if _holds(user, finding.agency, KEEPERS):
        return None
    audit = finding.audit
    if audit is not None and audit.is_open and user.pk == audit.lead_auditor_id:
        return None
    return _(
        "Chỉ cán bộ đầu mối ISO, lãnh đạo của “%(agency)s” (hoặc cấp trên) và trưởng đoàn của "
        "cuộc đánh giá đang diễn ra mở hành động khắc phục cho phát hiện %(code)s."
    ) % {"agency": finding.agency.name, "code": finding.code}


def change_refusal(user, action) -> str | None:
    """Why ``user`` may not change an action's assignment (owner, due date, verifier), or None."""
    if action.state not in AWAITING_VERIFICATION:
        return _("Hành động khắc phục %(code)s ở trạng thái “%(state)s”: không sửa được nữa.") % {
            "code": action.code,
            "state": _state_label(action.state),
        }
    return open_refusal(user, action.finding)


def owner_or_officer_refusal(user, action) -> str | None:
    if user is None or user.pk == action.owner_id:
        return None
    if _holds(user, action.finding.agency, (Role.OFFICER,)):
        return None
    return _(
        "Chỉ người thực hiện %(owner)s hoặc cán bộ đầu mối ISO của “%(agency)s” phân tích "
        "nguyên nhân và lập kế hoạch cho hành động khắc phục %(code)s."
    ) % {
        "owner": person_name(action.owner),
        "agency": action.finding.agency.name,
        "code": action.code,
    }


def owner_refusal(user, action) -> str | None:
    if user is None or user.pk == action.owner_id:
        return None
    return _("Chỉ người thực hiện %(owner)s báo cáo đã thực hiện hành động khắc phục %(code)s.") % {
        "owner": person_name(action.owner),
        "code": action.code,
    }


def verify_refusal(user, action) -> str | None:
    if action.verifier_id is None:
        return _("Hành động khắc phục %(code)s chưa có người xác nhận hiệu lực.") % {
            "code": action.code
        }
    if user is None or user.pk == action.verifier_id:
        return None
    return _("Chỉ người xác nhận hiệu lực %(name)s xác nhận hành động khắc phục %(code)s.") % {
        "name": person_name(action.verifier),
        "code": action.code,
    }


def close_refusal(user, action) -> str | None:
    if user is None:
        return None
    if user.pk == action.owner_id and not permissions.is_admin(user):
        return _("Người thực hiện không tự đóng hành động khắc phục %(code)s của mình.") % {
            "code": action.code
        }
    if user.pk == action.verifier_id or _holds(user, action.finding.agency, KEEPERS):
        return None
    return _(
        "Chỉ cán bộ đầu mối ISO, lãnh đạo của “%(agency)s” (hoặc cấp trên) và người xác nhận "
        "hiệu lực đóng hành động khắc phục %(code)s."
    ) % {"agency": action.finding.agency.name, "code": action.code}


# --- Helpers --------------------------------------------------------------------------------


def _next_code(year: int) -> str:
    prefix = f"HĐKP-{year}-"
    codes = CorrectiveAction.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _url(action) -> str:
    return reverse("corrective_actions:inspect", args=[action.pk])


def _step(action, from_state, actor, note="") -> None:
    CorrectiveActionStep.objects.create(
        action=action, from_state=from_state, to_state=action.state, actor=actor, note=note
    )


def _assignment_errors(instance: CorrectiveAction, today) -> dict[str, list[str]]:
    """The owner (a working member of the finding's agency or a unit inside it; sets
    ``owner_unit``), the due date and the verifier (qualified, independent of the owner)."""
    errors: dict[str, list[str]] = {}
    finding = instance.finding
    if not instance.owner_id:
        errors["owner"] = [_("Hãy chọn người thực hiện hành động khắc phục.")]
    else:
        membership = owner_membership(instance.owner, finding.agency, today)
        if membership is None:
            errors["owner"] = [
                _(
                    "%(name)s không phải cán bộ, công chức, viên chức đang làm việc tại "
                    "“%(agency)s” hoặc đơn vị trực thuộc."
                )
                % {"name": person_name(instance.owner), "agency": finding.agency.name}
            ]
        else:
            instance.owner_unit = membership.agency
    if not instance.due_date:
        errors["due_date"] = [_("Hãy ghi hạn hoàn thành.")]
    if instance.verifier_id and "owner" not in errors and instance.owner_id:
        reason = verifier_refusal(instance.verifier, instance.owner, instance.owner_unit, today)
        if reason:
            errors["verifier"] = [reason]
    return errors


def _lock(instance: CorrectiveAction) -> CorrectiveAction:
    return (
        CorrectiveAction.objects.select_for_update(of=("self",))
        .select_related("finding__agency", "finding__audit", "owner", "verifier", "owner_unit")
        .get(pk=instance.pk)
    )


def _move(actor, action, to_state, note="") -> CorrectiveAction:
    from_state = action.state
    action.state = to_state
    action._history_user = actor
    action.save()
    _step(action, from_state, actor, note)
    finding = finding_sync_state(finding=action.finding, actor=actor)
    finding.agency, finding.audit = action.finding.agency, action.finding.audit
    action.finding = finding
    return action


def _refresh(instance, action):
    if instance is not action:
        instance.refresh_from_db()
    return action


# --- Services ------------------------------------------------------------------------------


@transaction.atomic
def action_open(
    *,
    actor,
    finding,
    owner,
    due_date: datetime.date,
    correction: str = "",
    verifier=None,
    verification_wait_days: int | None = None,
) -> CorrectiveAction:
    """A new corrective action ("open") for a nonconformity that is not closed."""
    from audits.models import Finding

    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("agency", "audit")
        .get(pk=finding.pk)
    )
    if finding.kind not in NONCONFORMITY_KINDS:
        raise ValidationError(
            {
                "finding": [
                    _(
                        "Phát hiện %(code)s là “%(kind)s”: chỉ điểm không phù hợp (nặng, nhẹ) mới "
                        "có hành động khắc phục."
                    )
                    % {"code": finding.code, "kind": finding.get_kind_display()}
                ]
            }
        )
    if finding.state == FindingState.CLOSED:
        raise ValidationError(
            {"finding": [_("Phát hiện %(code)s đã đóng.") % {"code": finding.code}]}
        )
    if actor is not None:
        reason = open_refusal(actor, finding)
        if reason:
            raise PermissionDenied(reason)
    today = timezone.localdate()
    action = CorrectiveAction(
        finding=finding,
        owner=owner,
        due_date=due_date,
        correction=(correction or "").strip(),
        verifier=verifier,
        created_by=actor,
    )
    if verification_wait_days is not None:
        action.verification_wait_days = verification_wait_days
    errors = _assignment_errors(action, today)
    if due_date and due_date < today and "due_date" not in errors:
        errors["due_date"] = [_("Hạn hoàn thành %(day)s đã qua.") % {"day": format_day(due_date)}]
    if errors:
        raise ValidationError(errors)
    action.code = _next_code(today.year)
    action.state = ActionState.OPEN
    action._history_user = actor
    action.save()
    _step(action, "", actor)
    action.finding = finding_sync_state(finding=finding, actor=actor)
    _notify_owner_assigned(action)
    return action


def _notify_owner_assigned(action) -> None:
    notify(
        recipients=[action.owner],
        title=_("Bạn được giao hành động khắc phục %(code)s") % {"code": action.code},
        body=_("Khắc phục điểm không phù hợp %(finding)s tại “%(agency)s”, hạn hoàn thành %(due)s.")
        % {
            "finding": action.finding.code,
            "agency": action.finding.agency.name,
            "due": format_day(action.due_date),
        },
        url=_url(action),
    )


@transaction.atomic
def action_update(*, actor, instance: CorrectiveAction) -> CorrectiveAction:
    """Change the assignment (owner, due date, immediate correction, verifier, waiting days) of
    an action not yet verified; the state does not move. The waiting days before verification
    are fixed once the action has been implemented (the verifier may not verify at once)."""
    before = _lock(instance)
    reason = change_refusal(actor, before) if actor is not None else None
    if reason:
        if before.state not in AWAITING_VERIFICATION:
            raise ValidationError(reason)
        raise PermissionDenied(reason)
    instance.finding = before.finding
    instance.state = before.state
    errors = _assignment_errors(instance, timezone.localdate())
    implemented = before.implemented_at is not None or before.state == ActionState.IMPLEMENTED
    if implemented and instance.verification_wait_days != before.verification_wait_days:
        errors.setdefault("verification_wait_days", []).append(
            _(
                "Hành động khắc phục %(code)s đã thực hiện: không đổi được thời gian chờ "
                "xác nhận hiệu lực (%(days)s ngày)."
            )
            % {"code": before.code, "days": before.verification_wait_days}
        )
    if errors:
        raise ValidationError(errors)
    instance.correction = (instance.correction or "").strip()
    instance._history_user = actor
    instance.save()
    if instance.owner_id != before.owner_id:
        _notify_owner_assigned(instance)
    return instance


@transaction.atomic
def action_analyse_cause(
    *, actor, instance: CorrectiveAction, whys, fishbone=None, root_cause: str
) -> CorrectiveAction:
    """Open → cause analysed: the five whys (at least one), the fishbone by category, the root
    cause."""
    action = _lock(instance)
    reason = _state_refusal(action, (ActionState.OPEN,), _("phân tích nguyên nhân"))
    if reason:
        raise ValidationError(reason)
    reason = owner_or_officer_refusal(actor, action)
    if reason:
        raise PermissionDenied(reason)
    whys = [str(w).strip() for w in (whys or []) if str(w).strip()]
    root_cause = (root_cause or "").strip()
    errors: dict[str, list[str]] = {}
    if not whys:
        errors["whys"] = [_("Hãy ghi ít nhất một câu trả lời “Tại sao?”.")]
    if not root_cause:
        errors["root_cause"] = [_("Hãy ghi nguyên nhân gốc rễ.")]
    cleaned: dict[str, list[str]] = {}
    for key, causes in (fishbone or {}).items():
        if key not in CauseCategory.values:
            errors.setdefault("fishbone", []).append(
                _("“%(key)s” không phải nhóm nguyên nhân của biểu đồ xương cá.") % {"key": key}
            )
            continue
        if isinstance(causes, str):
            causes = [causes]
        causes = [str(c).strip() for c in causes or [] if str(c).strip()]
        if causes:
            cleaned[key] = causes
    if errors:
        raise ValidationError(errors)
    action.whys = whys
    action.fishbone = cleaned
    action.root_cause = root_cause
    _move(actor, action, ActionState.CAUSE_ANALYSED)
    return _refresh(instance, action)


@transaction.atomic
def action_plan(
    *, actor, instance: CorrectiveAction, plan: str, due_date: datetime.date
) -> CorrectiveAction:
    """Cause analysed → action planned; a plan already made (after an ineffective verification)
    may be revised the same way."""
    action = _lock(instance)
    reason = _state_refusal(
        action, (ActionState.CAUSE_ANALYSED, ActionState.ACTION_PLANNED), _("lập kế hoạch")
    )
    if reason:
        raise ValidationError(reason)
    reason = owner_or_officer_refusal(actor, action)
    if reason:
        raise PermissionDenied(reason)
    plan = (plan or "").strip()
    errors: dict[str, list[str]] = {}
    if not plan:
        errors["plan"] = [_("Hãy ghi kế hoạch hành động.")]
    if not due_date:
        errors["due_date"] = [_("Hãy ghi hạn hoàn thành.")]
    elif due_date < timezone.localdate():
        errors["due_date"] = [_("Hạn hoàn thành %(day)s đã qua.") % {"day": format_day(due_date)}]
    if errors:
        raise ValidationError(errors)
    action.plan = plan
    action.due_date = due_date
    _move(actor, action, ActionState.ACTION_PLANNED)
    return _refresh(instance, action)


@transaction.atomic
def action_implement(
    *, actor, instance: CorrectiveAction, implementation: str, files=()
) -> CorrectiveAction:
    """Action planned → implemented, by the owner, with what was done and evidence files (kept as
    documents in the finding's agency's collection)."""
    action = _lock(instance)
    reason = _state_refusal(action, (ActionState.ACTION_PLANNED,), _("báo cáo đã thực hiện"))
    if reason:
        raise ValidationError(reason)
    reason = owner_refusal(actor, action)
    if reason:
        raise PermissionDenied(reason)
    implementation = (implementation or "").strip()
    errors: dict[str, list[str]] = {}
    if not implementation:
        errors["implementation"] = [_("Hãy ghi kết quả thực hiện (bằng chứng).")]
    files = [f for f in files or () if f]
    for file in files:
        try:
            validate_upload(file)
        except ValidationError as exc:
            errors.setdefault("files", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    if files:
        collection = agency_collection_ensure(action.finding.agency)
        Document = get_document_model()
        for file in files:
            document = Document(
                title=f"{action.code} – {file.name}",
                file=file,
                collection=collection,
                uploaded_by_user=actor,
            )
            document.save()
            action.evidence_documents.add(document)
    action.implementation = implementation
    action.implemented_at = timezone.now()
    _move(actor, action, ActionState.IMPLEMENTED)
    if action.verifier_id:
        notify(
            recipients=[action.verifier],
            title=_("Hành động khắc phục %(code)s chờ xác nhận hiệu lực") % {"code": action.code},
            body=_("%(owner)s đã thực hiện; có thể xác nhận hiệu lực từ ngày %(day)s.")
            % {
                "owner": person_name(action.owner),
                "day": format_day(earliest_verification(action)),
            },
            url=_url(action),
        )
    return _refresh(instance, action)


def earliest_verification(action) -> datetime.date | None:
    """The first day the action's effectiveness may be verified."""
    if action.implemented_at is None:
        return None
    done = timezone.localdate(action.implemented_at)
    return done + datetime.timedelta(days=action.verification_wait_days)


@transaction.atomic
def action_verify(
    *, actor, instance: CorrectiveAction, effective: bool, note: str = ""
) -> CorrectiveAction:
    """Implemented → verified effective, or back to action planned when ineffective (a note is
    required then), by the named verifier, once the waiting time has passed."""
    action = _lock(instance)
    reason = _state_refusal(action, (ActionState.IMPLEMENTED,), _("xác nhận hiệu lực"))
    if reason:
        raise ValidationError(reason)
    reason = verify_refusal(actor, action)
    if reason:
        if action.verifier_id is None:
            raise ValidationError({"verifier": [reason]})
        raise PermissionDenied(reason)
    today = timezone.localdate()
    earliest = earliest_verification(action)
    if earliest and today < earliest:
        raise ValidationError(
            _(
                "Chưa đến lúc xác nhận hiệu lực hành động khắc phục %(code)s: sớm nhất từ ngày "
                "%(day)s (%(days)s ngày sau khi thực hiện)."
            )
            % {
                "code": action.code,
                "day": format_day(earliest),
                "days": action.verification_wait_days,
            }
        )
    reason = verifier_refusal(action.verifier, action.owner, action.owner_unit, today)
    if reason:
        raise ValidationError({"verifier": [reason]})
    note = (note or "").strip()
    if not effective and not note:
        raise ValidationError({"note": [_("Hãy ghi vì sao hành động chưa có hiệu lực.")]})
    action.verified_at = timezone.now()
    action.verification_note = note
    if effective:
        _move(actor, action, ActionState.VERIFIED_EFFECTIVE, note)
    else:
        _move(actor, action, ActionState.ACTION_PLANNED, note)
        notify(
            recipients=[action.owner],
            title=_("Hành động khắc phục %(code)s chưa có hiệu lực") % {"code": action.code},
            body=_("%(name)s xác nhận hành động chưa có hiệu lực: %(note)s")
            % {"name": person_name(action.verifier), "note": note},
            url=_url(action),
        )
    return _refresh(instance, action)


@transaction.atomic
def action_close(*, actor, instance: CorrectiveAction) -> CorrectiveAction:
    """Verified effective → closed; the nonconformity closes when all its actions are closed."""
    action = _lock(instance)
    reason = _state_refusal(action, (ActionState.VERIFIED_EFFECTIVE,), _("đóng"))
    if reason:
        raise ValidationError(reason)
    reason = close_refusal(actor, action)
    if reason:
        raise PermissionDenied(reason)
    action.closed_at = timezone.now()
    _move(actor, action, ActionState.CLOSED)
    return _refresh(instance, action)
