"""Issues (lần ban hành): numbered when an approved revision goes live, frozen, superseded, withdrawn.

``issue_record`` answers Wagtail's ``page_published`` for procedure pages (documents/receivers.py):
immediate and scheduled publication alike. The number is given under a row lock on the
procedure's ``IssueCounter`` and only when the revision really is the live one, so a scheduled
publication that is cancelled uses no number and numbers never repeat or skip. The issue owns a
copy of every form the page references, with its SHA-256: later changes to the agency's files
change nothing in the past. Withdrawal takes the procedure off the public site and locks it.
"""

import hashlib
import os
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.actions.unpublish_page import UnpublishPageAction
from wagtail.log_actions import log
from wagtail.models import Page, TaskState, WorkflowState

from documents import rules
from documents.models import (
    ApprovalDecision,
    IssueCounter,
    IssueForm,
    IssueService,
    IssueStatus,
    ProcedureIssue,
    ProcedurePage,
)
from documents.services import review as reviews
from qms import permissions

# Wagtail log actions of the issue transitions (named as qms.viewsets.Transition names them, so
# the admin's registry labels them).
ISSUE_WITHDRAW_ACTION = "qms.procedureissue.withdraw"
ISSUE_DECISION_ACTION = "qms.procedureissue.record_decision"
REVIEW, APPROVE = "review", "approve"


# --- Go-live: the numbered, frozen issue ---------------------------------------------------------


def _signatures(page: ProcedurePage, revision) -> dict:
    """Who reviewed and approved ``revision``, and when: the approved task states of the workflow
    run that approved it (the review task's and the approve task's; a task names its stage in
    ``stage``, otherwise the first approval is the review and the last the approval). Empty
    values when the revision went live without a workflow run."""
    approved = TaskState.objects.for_instance(page).filter(
        status=TaskState.STATUS_APPROVED,
        workflow_state__status=WorkflowState.STATUS_APPROVED,
    )
    # With WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT every task of the run approved this very
    # revision; without it, the run is the latest one that approved this revision or an older one.
    states = list(approved.filter(revision=revision).select_related("task", "finished_by"))
    if not states:
        latest = approved.filter(revision_id__lte=revision.pk).order_by("-finished_at").first()
        if latest is not None:
            states = list(
                approved.filter(workflow_state_id=latest.workflow_state_id).select_related(
                    "task", "finished_by"
                )
            )
    states.sort(key=lambda s: (s.finished_at or s.started_at, s.pk))
    by_stage = {getattr(s.task.specific, "stage", None): s for s in states}
    review = by_stage.get(REVIEW) or (states[0] if len(states) > 1 else None)
    approval = by_stage.get(APPROVE) or (states[-1] if states else None)
    signatures = {}
    for prefix, state in (("reviewed", review), ("approved", approval)):
        signatures[f"{prefix}_by"] = state.finished_by if state else None
        signatures[f"{prefix}_at"] = state.finished_at if state else None
    return signatures


def _referenced_documents(page: ProcedurePage) -> list:
    """The documents the page references (its forms, then each step's form), each once."""
    found = {}
    for block in page.forms:
        if block.value is not None:
            found.setdefault(block.value.pk, block.value)
    for block in page.services:
        for step in block.value.get("steps") or []:
            document = step.get("form")
            if document is not None:
                found.setdefault(document.pk, document)
    return list(found.values())


def _freeze_form(issue: ProcedureIssue, document) -> IssueForm:
    """A copy of ``document``'s file owned by the issue (issue-forms/…), with its hash and size."""
    hasher, size = hashlib.sha256(), 0
    form = IssueForm(issue=issue, title=document.title, source_document=document)
    try:
        with document.open_file() as source:
            for chunk in source.chunks():
                hasher.update(chunk)
                size += len(chunk)
            source.seek(0)
            form.file.save(os.path.basename(document.file.name), File(source), save=False)
    except OSError as exc:
        raise ValidationError(
            _(
                "Không đọc được tệp của biểu mẫu “%(title)s” (%(file)s) để lưu kèm lần ban hành: "
                "%(error)s."
            )
            % {"title": document.title, "file": document.filename, "error": exc.strerror or exc}
        ) from exc
    form.sha256, form.size = hasher.hexdigest(), size
    form.save()
    return form


def _days_text(days) -> str | None:
    return None if days is None else f"{Decimal(days):.2f}"


def _snapshot_services(issue: ProcedureIssue, page: ProcedurePage, forms: dict) -> None:
    """One IssueService per TTHC block: its step table as issued, the total of counted days."""
    for position, block in enumerate(page.services):
        value = block.value
        steps = []
        for step in value.get("steps") or []:
            document = step.get("form")
            form = forms.get(document.pk) if document is not None else None
            steps.append(
                {
                    "code": step.get("code") or "",
                    "content": step.get("content") or "",
                    "responsible": step.get("responsible") or "",
                    "days": _days_text(step.get("days")),
                    "output": step.get("output") or "",
                    "form": form.pk if form else None,
                }
            )
        total = sum(
            (Decimal(s.get("days")) for s in value.get("steps") or [] if s.get("days") is not None),
            Decimal("0"),
        )
        IssueService.objects.create(
            issue=issue,
            position=position,
            tthc=value["tthc"],
            variant=value.get("variant") or "",
            total_days=total,
            steps=steps,
        )


@transaction.atomic
def issue_record(revision) -> ProcedureIssue | None:
    """The issue of a ProcedurePage ``revision`` that has just gone live, created once.

    Returns the existing issue when the revision already has one (a publication run twice), and
    None when the revision is not the page's live revision (scheduled for later, or overtaken by
    another publication before it was recorded): such a revision uses no number.
    """
    page_id = int(revision.object_id)
    counter, _created = IssueCounter.objects.get_or_create(procedure_id=page_id)
    # The lock serialises every publication of this procedure until its transaction ends.
    counter = IssueCounter.objects.select_for_update().get(pk=counter.pk)
    existing = ProcedureIssue.objects.filter(revision=revision).first()
    if existing is not None:
        return existing
    page = ProcedurePage.objects.get(pk=page_id)
    if page.live_revision_id != revision.pk:
        return None
    content = revision.as_object()
    signatures = _signatures(page, revision)
    effective = timezone.localdate(page.last_published_at or timezone.now())
    number = counter.last_number + 1
    issue = ProcedureIssue(
        procedure=page,
        number=number,
        revision=revision,
        code=content.code,
        title=content.title,
        effective_date=effective,
        shared=content.shared,
        change_summary=content.change_summary,
        drafted_by=revision.user,
        drafted_at=revision.created_at,
        **signatures,
    )
    # The approval is what made it go live (the system itself when there was no workflow run).
    issue._history_user = signatures["approved_by"]
    issue.save()
    saved_files = []
    try:
        forms = {}
        for document in _referenced_documents(content):
            forms[document.pk] = _freeze_form(issue, document)
            saved_files.append(forms[document.pk].file.name)
        _snapshot_services(issue, content, forms)
    except Exception:
        # The rows roll back with the transaction; the copies already stored would not.
        for name in saved_files:
            IssueForm.file.field.storage.delete(name)
        raise
    for previous in ProcedureIssue.objects.filter(
        procedure=page, status=IssueStatus.IN_FORCE
    ).exclude(pk=issue.pk):
        previous.status = IssueStatus.SUPERSEDED
        previous.superseded_on = effective
        previous._history_user = signatures["approved_by"]
        previous.save(update_fields=["status", "superseded_on"])
    counter.last_number = number
    counter.save(update_fields=["last_number"])
    log(instance=issue, action="wagtail.create", user=signatures["approved_by"])
    # Its legal basis becomes citations of the register; its reviews start again (issue 7).
    reviews.issue_citations_record(issue)
    reviews.review_cycle_restart(issue)
    return issue


# --- Withdrawal and the decision -----------------------------------------------------------------


def _check(actor, action: str, obj, message: str) -> None:
    """Refuse ``actor`` (None: the system) unless the policy allows ``action`` on ``obj``."""
    resource = obj._meta.model_name
    if actor is not None and not permissions.has_permission(actor, resource, action, obj):
        raise PermissionDenied(message)


@transaction.atomic
def issue_withdraw(*, actor, issue: ProcedureIssue, reason: str) -> ProcedureIssue:
    """Withdraw (bãi bỏ) the issue in force: the procedure leaves the public site (unpublished by
    this service alone, past the page's own refusal to unpublish), its scheduled publications and
    open workflow are cancelled and its page is locked; who, when and why are recorded."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do bãi bỏ quy trình.")})
    issue = ProcedureIssue.objects.select_for_update().select_related("procedure").get(pk=issue.pk)
    _check(
        actor,
        rules.WITHDRAW,
        issue,
        _("Chỉ lãnh đạo của “%(agency)s” hoặc cấp trên được bãi bỏ quy trình.")
        % {"agency": issue.procedure.agency.name},
    )
    if issue.status != IssueStatus.IN_FORCE:
        raise ValidationError(
            _("Chỉ bãi bỏ được lần ban hành đang áp dụng; “%(issue)s” có tình trạng “%(status)s”.")
            % {"issue": issue, "status": issue.get_status_display()}
        )
    page = ProcedurePage.objects.get(pk=issue.procedure_id)
    # Nothing may bring it back on its own: a scheduled revision or a run in progress.
    scheduled = list(page.revisions.filter(approved_go_live_at__isnull=False))
    for revision in scheduled:
        log(
            instance=page,
            action="wagtail.schedule.cancel",
            user=actor,
            revision=revision,
            data={
                "revision": {
                    "id": revision.pk,
                    "created": revision.created_at.isoformat(),
                    "go_live_at": revision.approved_go_live_at.isoformat(),
                    "has_live_version": page.live,
                }
            },
        )
    page.revisions.filter(approved_go_live_at__isnull=False).update(approved_go_live_at=None)
    workflow_state = page.current_workflow_state
    if workflow_state is not None:
        workflow_state.cancel(user=actor)
    if page.live:
        UnpublishPageAction(page, user=actor).execute(skip_permission_checks=True)
    # Read-only from now on: locked by nobody, so locked for everybody.
    Page.objects.filter(pk=page.pk).update(locked=True, locked_by=None, locked_at=timezone.now())
    log(instance=page, action="wagtail.lock", user=actor)
    issue.status = IssueStatus.WITHDRAWN
    issue.withdrawn_at = timezone.now()
    issue.withdrawn_by = actor
    issue.withdrawal_reason = reason
    issue._history_user = actor
    issue.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    log(instance=issue, action=ISSUE_WITHDRAW_ACTION, user=actor, data={"reason": reason})
    return issue


def issue_admin_withdraw(*, actor, instance: ProcedureIssue, reason: str) -> ProcedureIssue:
    """The "withdraw" transition of the admin (``Transition.service``)."""
    return issue_withdraw(actor=actor, issue=instance, reason=reason)


@transaction.atomic
def issue_decision_record(
    *, actor, issue: ProcedureIssue, decision: ApprovalDecision
) -> ProcedureIssue:
    """Link the decision (quyết định) that issued ``issue``: once, a decision of the procedure's
    agency or a body above it, signed no later than the issue took effect."""
    issue = ProcedureIssue.objects.select_for_update().select_related("procedure").get(pk=issue.pk)
    agency = issue.procedure.agency
    _check(
        actor,
        rules.RECORD_DECISION,
        issue,
        _("Bạn không có quyền ghi quyết định ban hành cho quy trình của “%(agency)s”.")
        % {"agency": agency.name},
    )
    _check(
        actor,
        permissions.VIEW,
        decision,
        _("Bạn không xem được quyết định %(decision)s.") % {"decision": decision},
    )
    if issue.decision_id is not None:
        raise ValidationError(
            _("“%(issue)s” đã gắn quyết định %(decision)s.")
            % {"issue": issue, "decision": issue.decision}
        )
    if not agency.is_within(decision.agency):
        raise ValidationError(
            {
                "decision": _(
                    "Quyết định %(decision)s do “%(issuer)s” ban hành, không phải “%(agency)s” "
                    "hay cơ quan cấp trên của nó."
                )
                % {"decision": decision, "issuer": decision.agency.name, "agency": agency.name}
            }
        )
    if decision.signed_on > issue.effective_date:
        raise ValidationError(
            {
                "decision": _(
                    "Quyết định %(decision)s ký ngày %(signed)s, sau ngày hiệu lực %(effective)s "
                    "của lần ban hành %(number)d."
                )
                % {
                    "decision": decision.number,
                    "signed": decision.signed_on.strftime("%d/%m/%Y"),
                    "effective": issue.effective_date.strftime("%d/%m/%Y"),
                    "number": issue.number,
                }
            }
        )
    issue.decision = decision
    issue._history_user = actor
    issue.save(update_fields=["decision"])
    log(
        instance=issue,
        action=ISSUE_DECISION_ACTION,
        user=actor,
        data={"decision": {"id": decision.pk, "number": decision.number}},
    )
    return issue


def issue_admin_decision_record(
    *, actor, instance: ProcedureIssue, decision: ApprovalDecision
) -> ProcedureIssue:
    """The "record decision" transition of the admin (``Transition.service``)."""
    return issue_decision_record(actor=actor, issue=instance, decision=decision)


@transaction.atomic
def decision_save(*, actor, instance: ApprovalDecision) -> ApprovalDecision:
    """Create or correct a decision record (its history keeps every version)."""
    action = permissions.ADD if instance._state.adding else permissions.CHANGE
    if actor is not None and not permissions.can_act_on_agency(
        actor, "approvaldecision", action, instance.agency
    ):
        raise PermissionDenied(
            _("Bạn không có quyền ghi quyết định của “%(agency)s”.")
            % {"agency": instance.agency.name}
        )
    instance.number = (instance.number or "").strip()
    instance.signer = (instance.signer or "").strip()
    errors = {}
    if instance.signed_on and instance.signed_on > timezone.localdate():
        errors["signed_on"] = _("Ngày ký %(date)s chưa đến.") % {
            "date": instance.signed_on.strftime("%d/%m/%Y")
        }
    if (
        instance.scan_id
        and actor is not None
        and not permissions.has_permission(actor, "document", permissions.VIEW, instance.scan)
    ):
        errors["scan"] = _("Bản scan “%(title)s” không thuộc tài liệu bạn được xem.") % {
            "title": instance.scan.title
        }
    if errors:
        raise ValidationError(errors)
    instance._history_user = actor
    instance.save()
    return instance
