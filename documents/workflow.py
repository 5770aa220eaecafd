"""The approval workflow of procedures: review, then approve, then the finish action publishes.

``WAGTAIL_FINISH_WORKFLOW_ACTION`` names ``publish_approved``; Wagtail imports it while its own
models load, so this module imports nothing from the apps' models at the top (the task model
itself lives in ``documents.models.approval`` and is offered here by name).

The workflow is the one of every procedure (``ProcedurePage.get_workflow``), whatever workflow an
administrator assigns to pages in Wagtail's settings: bound to the page type, it cannot be
detached or swapped page by page. Its finish action still publishes only a revision whose review
and approval were both given, on that revision, by people the policy allows.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WORKFLOW_NAME = "Phê duyệt quy trình nội bộ"
TASKS = (("review", "Xem xét dự thảo"), ("approve", "Phê duyệt ban hành"))


def __getattr__(name):
    if name == "ProcedureApprovalTask":
        from documents.models.approval import ProcedureApprovalTask

        return ProcedureApprovalTask
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class RejectionForm(forms.Form):
    """Sending a draft back needs a reason: the author reads it on the edit page and in the
    notification."""

    comment = forms.CharField(
        label=gettext_lazy("Nội dung cần sửa"),
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": gettext_lazy("Hãy ghi rõ nội dung cần sửa.")},
    )


def procedure_workflow():
    """The active workflow whose approve stage is a procedure approval task, or None (then no
    procedure can be submitted, and none published)."""
    from wagtail.models import Workflow

    from documents.models.approval import ProcedureApprovalTask

    approve = ProcedureApprovalTask.objects.filter(stage="approve", active=True)
    return (
        Workflow.objects.filter(active=True, workflow_tasks__task__in=approve)
        .order_by("pk")
        .first()
    )


def approval_workflow_ensure():
    """Create the workflow and its two tasks when none exists (after migrate, and after a test
    database is flushed). Returns the workflow."""
    from wagtail.models import Workflow, WorkflowTask

    from documents.models.approval import ProcedureApprovalTask

    workflow = procedure_workflow()
    if workflow is not None:
        return workflow
    workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    for order, (stage, name) in enumerate(TASKS):
        task = ProcedureApprovalTask.objects.create(name=name, stage=stage)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    return workflow


# --- notifications: whom to tell comes from documents.policy ---------------------------------


def _edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def _names(page) -> dict:
    return {"code": page.code, "title": page.title, "agency": page.agency.name}


def notify_stage_started(*, task_state, stage: str) -> list:
    """Ask the people who may act at ``stage`` (reviewers when submitted, approvers after review)."""
    from documents import policy
    from qms.people import person_name
    from qms.services.notifications import notify

    page = task_state.workflow_state.content_object.specific
    names = _names(page)
    requester = task_state.workflow_state.requested_by
    if stage == policy.REVIEW:
        title = _("Quy trình chờ xem xét: %(code)s %(title)s") % names
        body = _(
            "%(person)s đã trình dự thảo quy trình “%(title)s” (%(code)s) của %(agency)s. Đề "
            "nghị xem xét."
        ) % {**names, "person": person_name(requester)}
    else:
        reviewers = get_user_model().objects.filter(pk__in=policy.reviewers_in_run(page))
        title = _("Quy trình chờ phê duyệt: %(code)s %(title)s") % names
        body = _(
            "%(person)s đã xem xét dự thảo quy trình “%(title)s” (%(code)s) của %(agency)s. Đề "
            "nghị phê duyệt."
        ) % {**names, "person": ", ".join(person_name(u) for u in reviewers)}
    return notify(
        recipients=policy.stage_people(page, stage), title=title, body=body, url=_edit_url(page)
    )


def notify_rejected(*, task_state, user) -> list:
    """Tell the author the draft came back, with the reviewer's words."""
    from documents import policy
    from qms.people import person_name
    from qms.services.notifications import notify

    page = task_state.workflow_state.content_object.specific
    names = _names(page)
    return notify(
        recipients=[u for u in policy.authors(page) if u.pk != getattr(user, "pk", None)],
        title=_("Quy trình bị trả lại để sửa: %(code)s %(title)s") % names,
        body=_("%(person)s đề nghị sửa dự thảo: “%(comment)s”")
        % {
            "person": person_name(user),
            "comment": task_state.comment,
        },
        url=_edit_url(page),
    )


def _notify_approved(*, page, user, scheduled_for) -> list:
    from documents import policy
    from qms.people import person_name
    from qms.services.notifications import notify

    names = _names(page)
    if scheduled_for is not None:
        when = _("có hiệu lực từ ngày %(date)s") % {
            "date": timezone.localtime(scheduled_for).strftime("%d/%m/%Y")
        }
    else:
        when = _("có hiệu lực từ hôm nay")
    return notify(
        recipients=[u for u in policy.authors(page) if u.pk != getattr(user, "pk", None)],
        title=_("Quy trình đã được phê duyệt: %(code)s %(title)s") % names,
        body=_("%(person)s đã phê duyệt quy trình “%(title)s” (%(code)s); %(when)s.")
        % {**names, "person": person_name(user), "when": when},
        url=_edit_url(page),
    )


# --- the finish action ------------------------------------------------------------------------


def _signed_off(workflow_state, page, revision) -> bool:
    """Were review and approval both given on ``revision`` in this run, by different people the
    policy allows, none of whom wrote the draft?"""
    from wagtail.models import TaskState

    from documents import policy
    from documents.models.approval import ProcedureApprovalTask

    finishers = {}
    for stage in (policy.REVIEW, policy.APPROVE):
        states = TaskState.objects.filter(
            workflow_state=workflow_state,
            revision=revision,
            status=TaskState.STATUS_APPROVED,
            task__in=ProcedureApprovalTask.objects.filter(stage=stage),
        ).exclude(finished_by=None)
        finishers[stage] = {s.finished_by_id for s in states}
    reviewers, approvers = finishers[policy.REVIEW], finishers[policy.APPROVE]
    authors = policy.authors_in_run(page)
    return bool(reviewers and approvers) and not (
        (reviewers | approvers) & authors or (reviewers & approvers)
    )


def publish_approved(workflow_state, user=None):
    """Wagtail's finish action: publish the approved revision (or schedule it, when its
    ``go_live_at`` is in the future) with the permission checks skipped, since nobody holds the
    right to publish a procedure by hand; then tell the authors. Pages other than procedures
    keep Wagtail's behaviour."""
    from wagtail.workflows import publish_workflow_state

    from documents.models import ProcedurePage

    page = workflow_state.content_object.specific
    if not isinstance(page, ProcedurePage):
        return publish_workflow_state(workflow_state, user=user)
    revision = page.get_latest_revision()
    if not _signed_off(workflow_state, page, revision):
        raise PermissionDenied(
            _(
                "Quy trình chỉ được ban hành khi bản dự thảo đã được xem xét và phê duyệt bởi "
                "hai người khác nhau, không ai trong số họ soạn thảo nó."
            )
        )
    go_live_at = revision.as_object().go_live_at
    revision.publish(user=user, skip_permission_checks=True)
    scheduled_for = go_live_at if go_live_at and go_live_at > timezone.now() else None
    _notify_approved(page=page, user=user, scheduled_for=scheduled_for)
