"""An audit's checklist (phiếu đánh giá): generated from the scope, edited by the team, answered
on site. Every change goes through these functions, each in one transaction, refusing with
PermissionDenied (who) or ValidationError (what) and writing nothing then.

Who: the audit's team (the lead and the members) generates, adds, edits, orders and deletes
items while the audit is planned or in progress; an answered item is no longer edited, moved nor
deleted. Answers (result, notes, evidence files) are recorded by the team while the audit is in
progress only. Nobody else writes a checklist (separation of duties, DESIGN.md §6: the auditee's
people read it, they do not fill it in). ``actor=None`` is the system (demo data, tests).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from wagtail.documents import get_document_model

from audits.models import (
    Audit,
    AuditState,
    ChecklistEvidence,
    ChecklistItem,
    ItemResult,
)
from audits.selectors_checklists import EDITABLE_STATES, scope_questions
from qms.people import person_name
from qms.services.files import agency_collection_ensure
from qms.uploads import validate_upload


def _lock(audit) -> Audit:
    return (
        Audit.objects.select_for_update(of=("self",))
        .select_related("agency", "lead_auditor")
        .get(pk=audit.pk)
    )


def team_refusal(actor, audit) -> str | None:
    """Why ``actor`` may not fill in ``audit``'s checklist (not on its team), or None."""
    if actor is None or audit.team.filter(user=actor).exists():
        return None
    return _(
        "Chỉ đoàn đánh giá của cuộc đánh giá %(code)s (trưởng đoàn %(lead)s) lập và ghi "
        "phiếu đánh giá."
    ) % {"code": audit.code, "lead": person_name(audit.lead_auditor)}


def edit_state_refusal(audit) -> str | None:
    if audit.state in EDITABLE_STATES:
        return None
    return _(
        "Không thể sửa phiếu đánh giá của cuộc đánh giá %(code)s ở trạng thái “%(state)s”."
    ) % {"code": audit.code, "state": AuditState(audit.state).label}


def answer_state_refusal(audit) -> str | None:
    if audit.state == AuditState.IN_PROGRESS:
        return None
    return _(
        "Chỉ ghi kết quả khi cuộc đánh giá đang diễn ra: cuộc đánh giá %(code)s ở trạng thái "
        "“%(state)s”."
    ) % {"code": audit.code, "state": AuditState(audit.state).label}


def _check(actor, audit, state_refusal) -> None:
    reason = team_refusal(actor, audit)
    if reason:
        raise PermissionDenied(reason)
    reason = state_refusal(audit)
    if reason:
        raise ValidationError(reason)


def _answered_refusal(item) -> str | None:
    if item.result == ItemResult.PENDING:
        return None
    return _(
        "Câu hỏi số %(position)s đã có kết quả “%(result)s”: không sửa, chuyển hay xóa được nữa."
    ) % {"position": item.position, "result": ItemResult(item.result).label}


def _lock_item(item) -> tuple[ChecklistItem, Audit]:
    audit = _lock(item.audit)
    item = (
        ChecklistItem.objects.select_for_update(of=("self",))
        .select_related("clause", "procedure")
        .get(pk=item.pk)
    )
    return item, audit


def _insert(order: list[ChecklistItem], item: ChecklistItem) -> None:
    """Put ``item`` after the last item whose clause does not come after its own (the end of
    its clause's items), so that a checklist in clause order stays so."""
    at = 0
    for index, other in enumerate(order):
        if other.clause.sort_key <= item.clause.sort_key:
            at = index + 1
    order.insert(at, item)


def _renumber(items: list[ChecklistItem], actor) -> None:
    """Positions 1 … n in the list's order (only the changed rows are written)."""
    changed = []
    for number, item in enumerate(items, start=1):
        if item.position != number:
            item.position = number
            changed.append(item)
    saved = [i for i in changed if i.pk is not None]
    if saved:
        bulk_update_with_history(
            saved, ChecklistItem, ["position"], default_user=actor, default_change_reason=""
        )


def _check_text(text: str, field="text") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: [_("Hãy ghi câu hỏi.")]})
    return text


def _check_procedure(audit, procedure) -> None:
    if procedure is not None and not audit.procedures.filter(pk=procedure.pk).exists():
        raise ValidationError(
            {
                "procedure": [
                    _("Quy trình “%(code)s” không thuộc phạm vi cuộc đánh giá %(audit)s.")
                    % {"code": procedure.code, "audit": audit.code}
                ]
            }
        )


@transaction.atomic
def checklist_generate(*, actor, audit: Audit) -> list[ChecklistItem]:
    """One item per question of the scope's clauses (a scope clause covers its sub-clauses; the
    bank's questions and the auditee's and the bodies above's) × each procedure in scope (none
    when the scope has no procedures), in the standard's order. Idempotent: only the missing
    items are added (placed among the others in clause order); nothing is deleted."""
    audit = _lock(audit)
    _check(actor, audit, edit_state_refusal)
    if not audit.clauses.exists():
        raise ValidationError(
            {
                "clauses": [
                    _("Cuộc đánh giá %(code)s chưa có điều khoản nào trong phạm vi.")
                    % {"code": audit.code}
                ]
            }
        )
    procedures = list(audit.procedures.order_by("code")) or [None]
    existing = list(
        ChecklistItem.objects.filter(audit=audit)
        .select_related("clause")
        .order_by("position", "pk")
    )
    have = {(i.question_id, i.procedure_id) for i in existing if i.question_id}
    new = []
    for question in scope_questions(audit):
        for procedure in procedures:
            key = (question.pk, procedure.pk if procedure else None)
            if key in have:
                continue
            have.add(key)
            new.append(
                ChecklistItem(
                    audit=audit,
                    clause=question.clause,
                    procedure=procedure,
                    question=question,
                    text=question.text,
                )
            )
    if not new:
        return []
    order = list(existing)
    for item in new:
        _insert(order, item)
    _renumber(order, actor)
    for number, item in enumerate(order, start=1):
        item.position = number
    created = bulk_create_with_history(new, ChecklistItem, default_user=actor)
    return created


@transaction.atomic
def checklist_item_add(*, actor, audit: Audit, clause, text: str, procedure=None) -> ChecklistItem:
    """A question of the team's own, at the end of its clause's items."""
    audit = _lock(audit)
    _check(actor, audit, edit_state_refusal)
    text = _check_text(text)
    if clause is None:
        raise ValidationError({"clause": [_("Hãy chọn điều khoản.")]})
    _check_procedure(audit, procedure)
    order = list(
        ChecklistItem.objects.filter(audit=audit)
        .select_related("clause")
        .order_by("position", "pk")
    )
    item = ChecklistItem(audit=audit, clause=clause, procedure=procedure, text=text)
    _insert(order, item)
    _renumber(order, actor)
    item._history_user = actor
    item.save()
    return item


@transaction.atomic
def checklist_item_update(
    *, actor, item: ChecklistItem, clause, text: str, procedure=None
) -> ChecklistItem:
    """Change an unanswered item's clause, procedure and question."""
    item, audit = _lock_item(item)
    _check(actor, audit, edit_state_refusal)
    reason = _answered_refusal(item)
    if reason:
        raise ValidationError(reason)
    text = _check_text(text)
    if clause is None:
        raise ValidationError({"clause": [_("Hãy chọn điều khoản.")]})
    _check_procedure(audit, procedure)
    item.clause, item.procedure, item.text = clause, procedure, text
    item._history_user = actor
    item.save()
    return item


@transaction.atomic
def checklist_item_move(*, actor, item: ChecklistItem, step: int) -> ChecklistItem:
    """Move an unanswered item ``step`` places up (negative) or down (positive)."""
    item, audit = _lock_item(item)
    _check(actor, audit, edit_state_refusal)
    reason = _answered_refusal(item)
    if reason:
        raise ValidationError(reason)
    order = list(ChecklistItem.objects.filter(audit=audit).order_by("position", "pk"))
    index = next(i for i, o in enumerate(order) if o.pk == item.pk)
    target = max(0, min(len(order) - 1, index + step))
    order.insert(target, order.pop(index))
    _renumber(order, actor)
    item.refresh_from_db()
    return item


@transaction.atomic
def checklist_item_delete(*, actor, item: ChecklistItem) -> None:
    """Delete an unanswered item (an answered one is evidence of the audit: it stays)."""
    item, audit = _lock_item(item)
    _check(actor, audit, edit_state_refusal)
    reason = _answered_refusal(item)
    if reason:
        raise ValidationError(reason)
    if item.evidence.exists():
        raise ValidationError(
            _("Câu hỏi số %(position)s đã có tệp bằng chứng: không xóa được.")
            % {"position": item.position}
        )
    item._history_user = actor
    item.delete()
    rest = list(ChecklistItem.objects.filter(audit=audit).order_by("position", "pk"))
    _renumber(rest, actor)


@transaction.atomic
def checklist_answer(
    *, actor, item: ChecklistItem, result: str, notes: str = "", files=()
) -> ChecklistItem:
    """Record an item's result, evidence notes and evidence files (Wagtail documents in the
    auditee's collection) while the audit is in progress; a pending result ("") keeps the notes
    and files without an answer."""
    item, audit = _lock_item(item)
    _check(actor, audit, answer_state_refusal)
    result = result or ItemResult.PENDING
    if result not in ItemResult.values:
        raise ValidationError(
            {"result": [_("Kết quả “%(value)s” không hợp lệ.") % {"value": result}]}
        )
    errors = []
    for file in files:
        try:
            validate_upload(file)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    notes = (notes or "").strip()
    if item.result != result or item.notes != notes:
        # Who answered and when: the last person to set the result or its notes.
        item.result, item.notes = result, notes
        item.answered_by = actor if result else None
        item.answered_at = timezone.now() if result else None
        item._history_user = actor
        item.save()
    if files:
        collection = agency_collection_ensure(audit.agency)
        Document = get_document_model()
        for file in files:
            document = Document(
                title=file.name, file=file, collection=collection, uploaded_by_user=actor
            )
            document.save()
            evidence = ChecklistEvidence(item=item, document=document, added_by=actor)
            evidence._history_user = actor
            evidence.save()
    return item
