"""The read-only view of an auditee's procedure for an open audit's team: the latest revision
(a draft included) with its step tables and diagrams. Wagtail has no read-only page permission,
so the team reads here, never in the page editor."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from audits.models import Audit
from audits.selectors_audits import may_read_procedure
from documents.models import ProcedurePage
from documents.public import public_procedure
from documents.selectors import issue_in_force


def audit_procedure(request, audit_id, page_id):
    """Team members of the open audit only (404 for anyone else, before start and after close)."""
    audit = get_object_or_404(Audit.objects.select_related("agency"), pk=audit_id)
    page = get_object_or_404(ProcedurePage.objects.select_related("agency"), pk=page_id)
    if not may_read_procedure(request.user, audit, page):
        raise Http404
    draft = page.get_latest_revision_as_object()
    procedure = public_procedure(draft, request, None)
    issue = issue_in_force(page)
    return TemplateResponse(
        request,
        "audits/audit_procedure.html",
        {
            "audit": audit,
            "page": draft,
            "procedure": procedure,
            "issue": issue,
            "has_draft": page.has_unpublished_changes or not page.live,
            "header_title": f"{draft.code} – {draft.title}",
            "header_subtitle": _("Cuộc đánh giá %(code)s (chỉ xem)") % {"code": audit.code},
        },
    )
