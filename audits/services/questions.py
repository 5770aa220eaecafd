"""Changes of the question bank: saving a question, taking it out of use and back.

Officers and leaders add and change the questions of their agency (or of a unit inside it); the
bank's own questions (no agency) only administrators. A question is never deleted once used (later
checklists reference it): it is taken out of use, and checklists no longer offer it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audits.models import Question
from audits.rules_clauses import QUESTION
from qms import permissions


def _refusal(actor, instance: Question, action: str) -> str | None:
    if actor is None or permissions.is_admin(actor):
        return None
    if instance.agency_id is None:
        return _(
            "Chỉ quản trị viên được thêm hoặc sửa câu hỏi chung của ngân hàng câu hỏi; hãy chọn "
            "cơ quan, đơn vị của câu hỏi."
        )
    if not permissions.has_permission(actor, QUESTION, action, instance.agency):
        return _(
            "Bạn không có quyền thêm hoặc sửa câu hỏi đánh giá của “%(agency)s”: chỉ cán bộ đầu "
            "mối ISO và lãnh đạo của cơ quan, đơn vị đó hoặc cấp trên."
        ) % {"agency": instance.agency.name}
    return None


def question_save(*, actor, instance: Question) -> Question:
    """Save a new or changed question of the bank (``actor`` None: the system, e.g. demo data)."""
    with transaction.atomic():
        if instance.pk is not None:
            stored = (
                Question.objects.select_for_update(of=("self",))
                .select_related("agency")
                .get(pk=instance.pk)
            )
            # Who may change it is decided by the agency it belongs to now, not the one asked for.
            reason = _refusal(actor, stored, permissions.CHANGE)
            if reason:
                raise PermissionDenied(reason)
        text = (instance.text or "").strip()
        if not text:
            raise ValidationError({"text": _("Hãy nhập nội dung câu hỏi.")})
        instance.text = text
        action = permissions.CHANGE if instance.pk is not None else permissions.ADD
        reason = _refusal(actor, instance, action)
        if reason:
            field = "agency" if instance.agency_id is None else None
            raise ValidationError({field: reason} if field else reason)
        if instance.pk is None and actor is not None:
            instance.created_by = actor
        instance.save()
        return instance


def _set_active(actor, instance: Question, active: bool) -> Question:
    with transaction.atomic():
        question = (
            Question.objects.select_for_update(of=("self",))
            .select_related("agency")
            .get(pk=instance.pk)
        )
        reason = _refusal(actor, question, permissions.CHANGE)
        if reason:
            raise PermissionDenied(reason)
        if question.is_active == active:
            raise ValidationError(
                _("Câu hỏi đã đang được sử dụng.") if active else _("Câu hỏi đã ngừng sử dụng.")
            )
        question.is_active = active
        question.save(update_fields=["is_active"])
        instance.is_active = active
        return question


def question_deactivate(*, actor, instance: Question) -> Question:
    """Take a question out of use: checklists no longer offer it; its history stays."""
    return _set_active(actor, instance, False)


def question_activate(*, actor, instance: Question) -> Question:
    """Put a question taken out of use back in use."""
    return _set_active(actor, instance, True)
