"""Reads of document control: the issue in force on a date, a procedure's issues, who may fetch a
form as issued."""

import datetime

from django.db.models import Q
from django.db.models.functions import Length

from documents.models import IssueForm, IssueService, IssueStatus, ProcedureIssue, ProcedurePage
from qms import permissions
from qms.models import AdministrativeProcedure, Agency


def in_force_on_q(on_date: datetime.date, prefix: str = "") -> Q:
    """Issues in force on ``on_date``: effective by then, not yet superseded (an issue superseded
    on a day is no longer in force that day: its successor is) and not yet withdrawn."""
    return (
        Q(**{f"{prefix}effective_date__lte": on_date})
        & (
            Q(**{f"{prefix}superseded_on__isnull": True})
            | Q(**{f"{prefix}superseded_on__gt": on_date})
        )
        & (
            Q(**{f"{prefix}withdrawn_at__isnull": True})
            | Q(**{f"{prefix}withdrawn_at__date__gt": on_date})
        )
    )


def procedure_in_force(
    agency: Agency,
    tthc: AdministrativeProcedure,
    on_date: datetime.date,
    *,
    variant: str | None = None,
) -> IssueService | None:
    """The step table (``IssueService``) in force for ``tthc`` at ``agency`` on ``on_date``, as it
    was issued, for any past date. A unit without a procedure of its own for the TTHC follows the
    nearest body above it that has one (the one-stop desk of a department works by the
    department's procedure). Among several variants of the TTHC, ``variant`` picks one; otherwise
    the first as the procedure lists them."""
    rows = IssueService.objects.filter(
        in_force_on_q(on_date, "issue__"),
        tthc=tthc,
        issue__procedure__agency_id__in=agency.ancestor_ids(),
    )
    if variant is not None:
        rows = rows.filter(variant=variant)
    return (
        rows.select_related("issue__procedure", "tthc")
        .annotate(_depth=Length("issue__procedure__agency__path"))
        .order_by("-_depth", "-issue__effective_date", "-issue__number", "position")
        .first()
    )


def issue_in_force(procedure: ProcedurePage, on_date: datetime.date | None = None):
    """The procedure's issue in force on ``on_date`` (today by default), or None."""
    from django.utils import timezone

    on_date = on_date or timezone.localdate()
    return (
        ProcedureIssue.objects.filter(in_force_on_q(on_date), procedure=procedure)
        .order_by("-effective_date", "-number")
        .first()
    )


def issue_history(procedure: ProcedurePage) -> list[ProcedureIssue]:
    """Every issue of the procedure, newest first, with the people who signed it."""
    return list(
        ProcedureIssue.objects.filter(procedure=procedure)
        .select_related("drafted_by", "reviewed_by", "approved_by", "withdrawn_by", "decision")
        .order_by("-number")
    )


def form_for_download(user, issue_form: IssueForm) -> bool:
    """May ``user`` download a form as issued? A form of an issue that was not withdrawn is
    public (it was the procedure citizens were served by); a withdrawn issue's forms are for the
    members of the agency (and the bodies above it) only."""
    issue = issue_form.issue
    if issue.status != IssueStatus.WITHDRAWN:
        return True
    return permissions.has_permission(user, "procedureissue", permissions.VIEW, issue)
