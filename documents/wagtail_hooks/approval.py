"""Admin wiring of documents: approval (the workflow is documents.workflow, the rights
documents.policy). A draft sent back shows who asked for what, on its edit page; no subtree
holding procedures is copied (a copy could carry them live past the workflow)."""

from django.contrib import messages
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.auth import permission_denied
from wagtail.models import TaskState, WorkflowState

from documents.models import ProcedurePage
from qms.people import person_name


def rejection(page) -> TaskState | None:
    """The task state that sent the draft back, while it waits for the author's changes."""
    state = page.current_workflow_state
    if state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:
        return None
    return state.current_task_state


@hooks.register("before_edit_page")
def show_rejection_comment(request, page):
    if request.method != "GET" or not isinstance(page, ProcedurePage):
        return None
    task_state = rejection(page)
    if task_state is not None and task_state.status == TaskState.STATUS_REJECTED:
        messages.warning(
            request,
            _("Dự thảo bị trả lại ngày %(date)s: %(person)s đề nghị sửa: “%(comment)s”.")
            % {
                "date": timezone.localtime(task_state.finished_at).strftime("%d/%m/%Y"),
                "person": person_name(task_state.finished_by),
                "comment": task_state.comment,
            },
        )
    return None


@hooks.register("before_copy_page")
def refuse_copying_procedures(request, page):
    """Procedures and the agency pages above them refuse copies themselves (documents.policy);
    this also covers any other page whose subtree holds a procedure."""
    if ProcedurePage.objects.descendant_of(page, inclusive=True).exists():
        return permission_denied(request)
    return None
