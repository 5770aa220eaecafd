"""Admin views of an audit's checklist (phiếu đánh giá): the list grouped by clause with the
progress, generating it from the scope, adding, editing, moving and deleting items, the tablet
mode (one question at a time, saved on every step and autosaved as it changes) and the evidence
files, served only to whoever may read the item's evidence (never by Wagtail's public serve).

Reading: the policy (``audits/rules_checklists.py``); anyone else gets a 404. Writing: the team,
through ``audits.services.checklists`` (a reader not on the team gets a 403, a refusal of the
service comes back as a message naming the audit and its state)."""

import mimetypes
import os

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audits.models import Audit, AuditState, ChecklistEvidence, ChecklistItem, Clause, ItemResult
from audits.selectors_audits import may_read_procedure
from audits.selectors_checklists import (
    EDITABLE_STATES,
    FINDING_RESULTS,
    checklist_history,
    checklist_items,
    checklist_progress,
    is_on_team,
    may_read_audit_evidence,
    may_read_checklist,
    may_read_evidence,
)
from audits.services.checklists import (
    answer_state_refusal,
    checklist_answer,
    checklist_generate,
    checklist_item_add,
    checklist_item_delete,
    checklist_item_move,
    checklist_item_update,
    edit_state_refusal,
)
from qms.display import EMPTY
from qms.people import person_name


def _refusal_text(exc) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _audit(request, audit_id) -> Audit:
    audit = get_object_or_404(Audit.objects.select_related("agency", "lead_auditor"), pk=audit_id)
    if not may_read_checklist(request.user, audit):
        raise Http404
    return audit


def _item(request, item_id) -> ChecklistItem:
    item = get_object_or_404(
        ChecklistItem.objects.select_related("audit__agency", "audit__lead_auditor", "clause"),
        pk=item_id,
    )
    if not may_read_checklist(request.user, item.audit):
        raise Http404
    return item


def _team_only(request, audit) -> None:
    if not is_on_team(request.user, audit):
        raise PermissionDenied(
            _("Chỉ đoàn đánh giá của cuộc đánh giá %(code)s ghi phiếu đánh giá.")
            % {"code": audit.code}
        )


def _list_url(audit) -> str:
    return reverse("audit_checklists:list", args=[audit.pk])


def finding_url(item) -> str | None:
    """The finding form prefilled from ``item`` (answered "nonconformity" or "observation"),
    when the findings screens exist."""
    if item.result not in FINDING_RESULTS:
        return None
    try:
        return reverse("audit_findings:add") + f"?checklist_item={item.pk}"
    except NoReverseMatch:
        return None


def _date_time(value) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value else EMPTY


def _row(item, *, editable: bool, evidence_readable: bool) -> dict:
    return {
        "item": item,
        "result_label": ItemResult(item.result).label,
        "answered": item.result != ItemResult.PENDING,
        "answered_by": person_name(item.answered_by) if item.answered_by_id else EMPTY,
        "answered_at": _date_time(item.answered_at),
        "procedure_label": (
            f"{item.procedure.code} – {item.procedure.title}" if item.procedure_id else EMPTY
        ),
        "evidence": list(item.evidence.all()) if evidence_readable else [],
        "editable": editable and item.result == ItemResult.PENDING,
        "finding_url": finding_url(item),
    }


def checklist(request, audit_id):
    """The checklist of an audit, in its order, grouped by clause, with the progress."""
    audit = _audit(request, audit_id)
    on_team = is_on_team(request.user, audit)
    editable = on_team and audit.state in EDITABLE_STATES
    items = list(checklist_items(audit))
    evidence_readable = may_read_audit_evidence(request.user, audit)
    answered, total = checklist_progress(audit)
    groups: list[dict] = []
    for item in items:
        if not groups or groups[-1]["clause"].pk != item.clause_id:
            groups.append({"clause": item.clause, "rows": []})
        groups[-1]["rows"].append(
            _row(item, editable=editable, evidence_readable=evidence_readable)
        )
    return TemplateResponse(
        request,
        "audits/checklist.html",
        {
            "audit": audit,
            "groups": groups,
            "answered": answered,
            "total": total,
            "on_team": on_team,
            "editable": editable,
            "answerable": on_team and audit.state == AuditState.IN_PROGRESS,
            "state_label": AuditState(audit.state).label,
            "header_title": _("Phiếu đánh giá"),
            "header_subtitle": str(audit),
        },
    )


@require_POST
def checklist_generate_view(request, audit_id):
    audit = _audit(request, audit_id)
    _team_only(request, audit)
    try:
        created = checklist_generate(actor=request.user, audit=audit)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _refusal_text(exc))
    else:
        if created:
            messages.success(
                request,
                _("Đã thêm %(count)s câu hỏi từ phạm vi đánh giá.") % {"count": len(created)},
            )
        else:
            messages.info(request, _("Phiếu đánh giá đã có đủ các câu hỏi của phạm vi đánh giá."))
    return redirect(_list_url(audit))


class ItemForm(forms.Form):
    clause = forms.ModelChoiceField(
        label=gettext_lazy("Điều khoản"), queryset=Clause.objects.order_by("sort_key")
    )
    procedure = forms.ModelChoiceField(
        label=gettext_lazy("Quy trình"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("— (không gắn với quy trình)"),
    )
    text = forms.CharField(label=gettext_lazy("Câu hỏi"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, audit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = audit.procedures.order_by("code")
        self.fields["procedure"].label_from_instance = lambda p: f"{p.code} – {p.title}"


def _form_view(request, audit, *, item=None):
    _team_only(request, audit)
    reason = edit_state_refusal(audit)
    if reason:
        messages.error(request, reason)
        return redirect(_list_url(audit))
    initial = {}
    if item is not None:
        initial = {"clause": item.clause_id, "procedure": item.procedure_id, "text": item.text}
    form = ItemForm(request.POST or None, audit=audit, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if item is None:
                checklist_item_add(actor=request.user, audit=audit, **data)
            else:
                checklist_item_update(actor=request.user, item=item, **data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã lưu câu hỏi."))
            return redirect(_list_url(audit))
    return TemplateResponse(
        request,
        "audits/checklist_item_form.html",
        {
            "audit": audit,
            "item": item,
            "form": form,
            "header_title": _("Sửa câu hỏi") if item else _("Thêm câu hỏi"),
            "header_subtitle": str(audit),
        },
    )


def checklist_item_add_view(request, audit_id):
    return _form_view(request, _audit(request, audit_id))


def checklist_item_edit_view(request, item_id):
    item = _item(request, item_id)
    if item.result != ItemResult.PENDING and is_on_team(request.user, item.audit):
        messages.error(
            request,
            _("Câu hỏi số %(position)s đã có kết quả: không sửa được nữa.")
            % {"position": item.position},
        )
        return redirect(_list_url(item.audit))
    return _form_view(request, item.audit, item=item)


@require_POST
def checklist_item_move_view(request, item_id):
    item = _item(request, item_id)
    _team_only(request, item.audit)
    step = -1 if request.POST.get("direction") == "up" else 1
    try:
        checklist_item_move(actor=request.user, item=item, step=step)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _refusal_text(exc))
    return redirect(_list_url(item.audit) + f"#item-{item.pk}")


@require_POST
def checklist_item_delete_view(request, item_id):
    item = _item(request, item_id)
    _team_only(request, item.audit)
    try:
        checklist_item_delete(actor=request.user, item=item)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _refusal_text(exc))
    else:
        messages.success(request, _("Đã xóa câu hỏi."))
    return redirect(_list_url(item.audit))


def _number(value, total) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 1
    return max(1, min(total, number)) if total else 1


def checklist_tablet(request, audit_id):
    """One question at a time (``?n=3``): clause, procedure, question, result, notes, files;
    "previous" / "next" save what was entered (a plain form POST, so it works without JS) and
    the page's script also saves the result and notes as they change (``checklist_autosave``)."""
    audit = _audit(request, audit_id)
    _team_only(request, audit)
    items = list(
        ChecklistItem.objects.filter(audit=audit)
        .order_by("position", "pk")
        .values_list("pk", flat=True)
    )
    total = len(items)
    number = _number(request.POST.get("n") or request.GET.get("n"), total)
    base = reverse("audit_checklists:tablet", args=[audit.pk])
    if not total:
        messages.info(request, _("Phiếu đánh giá chưa có câu hỏi nào."))
        return redirect(_list_url(audit))
    item = (
        ChecklistItem.objects.select_related("clause", "procedure", "answered_by")
        .prefetch_related("evidence__document")
        .get(pk=items[number - 1])
    )
    answerable = answer_state_refusal(audit) is None
    error = None
    if request.method == "POST":
        go = request.POST.get("go")
        target = {"prev": number - 1, "next": number + 1}.get(go, number)
        try:
            checklist_answer(
                actor=request.user,
                item=item,
                result=request.POST.get("result", ""),
                notes=request.POST.get("notes", ""),
                files=request.FILES.getlist("files"),
            )
        except (ValidationError, PermissionDenied) as exc:
            error = _refusal_text(exc)
        else:
            messages.success(request, _("Đã lưu câu %(n)s.") % {"n": number})
            return redirect(f"{base}?n={_number(target, total)}")
        item.refresh_from_db()
    procedure_url = None
    if (
        item.procedure_id
        and audit.is_open
        and may_read_procedure(request.user, audit, item.procedure)
    ):
        procedure_url = reverse("audit_procedure", args=[audit.pk, item.procedure_id])
    return TemplateResponse(
        request,
        "audits/checklist_tablet.html",
        {
            "audit": audit,
            "item": item,
            "number": number,
            "total": total,
            "prev_url": f"{base}?n={number - 1}" if number > 1 else None,
            "next_url": f"{base}?n={number + 1}" if number < total else None,
            "answerable": answerable,
            "refusal": answer_state_refusal(audit),
            "error": error,
            "results": [(v, label) for v, label in ItemResult.choices if v],
            "procedure_url": procedure_url,
            "evidence": (
                list(item.evidence.all()) if may_read_audit_evidence(request.user, audit) else []
            ),
            "finding_url": finding_url(item),
            "autosave_url": reverse("audit_checklists:autosave", args=[item.pk]),
            "header_title": _("Câu %(n)s/%(total)s") % {"n": number, "total": total},
            "header_subtitle": str(audit),
        },
    )


@require_POST
def checklist_autosave(request, item_id):
    """The tablet's autosave of the result and notes: JSON {saved, status} or {error}."""
    item = _item(request, item_id)
    try:
        _team_only(request, item.audit)
        item = checklist_answer(
            actor=request.user,
            item=item,
            result=request.POST.get("result", ""),
            notes=request.POST.get("notes", ""),
        )
    except PermissionDenied as exc:
        return JsonResponse({"saved": False, "error": str(exc)}, status=403)
    except ValidationError as exc:
        return JsonResponse({"saved": False, "error": _refusal_text(exc)}, status=400)
    return JsonResponse(
        {"saved": True, "status": _("Đã lưu"), "result": ItemResult(item.result).label}
    )


def checklist_evidence(request, evidence_id):
    """An evidence file, to whoever may read the item's evidence (404 for anyone else)."""
    evidence = get_object_or_404(
        ChecklistEvidence.objects.select_related("document", "item__audit__agency"),
        pk=evidence_id,
    )
    if not may_read_evidence(request.user, evidence):
        raise Http404
    document = evidence.document
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = os.path.basename(document.file.name)
    response = FileResponse(
        handle,
        filename=name,
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
    )
    response["Cache-Control"] = "private, max-age=0, no-store"
    return response


HISTORY_KINDS = {
    "+": gettext_lazy("Thêm câu hỏi"),
    "~": gettext_lazy("Sửa, ghi kết quả"),
    "-": gettext_lazy("Xóa câu hỏi"),
}


def checklist_history_view(request, audit_id):
    """Who changed which checklist item, when, and what it said then (simple-history), for
    whoever may read the checklist."""
    audit = _audit(request, audit_id)
    rows = [
        {
            "when": record.history_date,
            "who": person_name(record.history_user) if record.history_user_id else EMPTY,
            "kind": HISTORY_KINDS.get(record.history_type, record.history_type),
            "position": record.position,
            "clause": record.clause.number if record.clause_id else EMPTY,
            "text": record.text,
            "result": ItemResult(record.result).label,
            "notes": record.notes or EMPTY,
        }
        for record in checklist_history(audit)
    ]
    return TemplateResponse(
        request,
        "audits/checklist_history.html",
        {
            "audit": audit,
            "rows": rows,
            "header_title": _("Lịch sử phiếu đánh giá"),
            "header_subtitle": str(audit),
        },
    )
