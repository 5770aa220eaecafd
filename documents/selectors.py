"""Reads of document control: the issue in force on a date, a procedure's issues, who may fetch a
form as issued."""

import datetime

from django.db.models import Q
from django.db.models.functions import Length

from documents.models import IssueForm, IssueService, IssueStatus, ProcedureIssue, ProcedurePage
from qms import permissions
from qms.models import AdministrativeProcedure, Agency, AgencyKind
from qms.text import fold


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


def own_levels(agency: Agency) -> list[int]:
    """The agency and, up to its body, the nodes whose procedures it follows without their being
    shared: a unit or one-stop desk works by its body's procedures (and its parent unit's), while a
    body (department, commune, province) follows a body above it only where that body issued the
    procedure for its subordinates (``ProcedureIssue.shared``)."""
    levels = [agency.pk]
    node = agency
    while node.kind in (AgencyKind.UNIT, AgencyKind.ONE_STOP) and node.parent_id:
        node = node.parent
        levels.append(node.pk)
    return levels


def applicable_q(agency: Agency, prefix: str = "") -> Q:
    """Issues that apply at ``agency``: its own levels' (``own_levels``), and the shared ones of
    every body above it. The one rule, used by ``procedure_in_force`` and the lists."""
    own = own_levels(agency)
    above = [pk for pk in agency.ancestor_ids() if pk not in own]
    return Q(**{f"{prefix}procedure__agency_id__in": own}) | Q(
        **{f"{prefix}procedure__agency_id__in": above, f"{prefix}shared": True}
    )


def _in_force_rows(agency: Agency, tthc_id: int, on_date: datetime.date):
    """Step tables of the TTHC in force at ``agency`` on ``on_date``, nearest level first."""
    return (
        IssueService.objects.filter(
            in_force_on_q(on_date, "issue__"), applicable_q(agency, "issue__"), tthc_id=tthc_id
        )
        .select_related("issue__procedure", "tthc")
        .annotate(_depth=Length("issue__procedure__agency__path"))
        .order_by("-_depth", "-issue__effective_date", "-issue__number", "position")
    )


def procedure_in_force(
    agency: Agency,
    tthc: AdministrativeProcedure,
    on_date: datetime.date,
    *,
    variant: str | None = None,
) -> IssueService | None:
    """The step table (``IssueService``) in force for ``tthc`` at ``agency`` on ``on_date``, as it
    was issued, for any past date. The nearest applicable procedure wins (``applicable_q``): the
    agency's own; else its body's (the one-stop desk of a department works by the department's
    procedure); else one that a body above issued for all its subordinates (the province's shared
    procedure), until the agency adopts its own. Among several variants of the TTHC, ``variant``
    picks one; otherwise the first as the procedure lists them."""
    rows = _in_force_rows(agency, tthc.pk, on_date)
    if variant is not None:
        rows = rows.filter(variant=variant)
    return rows.first()


def variants_in_force(
    agency: Agency, tthc_id: int, on_date: datetime.date, *, cache: dict | None = None
) -> list[IssueService]:
    """Every variant (``IssueService``) of the TTHC in force at ``agency`` on ``on_date`` at the
    nearest applicable level (the one ``procedure_in_force`` picks from), in its order (the first
    is ``procedure_in_force``'s); [] when none is in force. ``cache``: a dict kept by
    the caller for a batch, keyed by (agency, TTHC, day)."""
    key = (agency.pk, tthc_id, on_date)
    if cache is not None and key in cache:
        return cache[key]
    rows = list(_in_force_rows(agency, tthc_id, on_date))
    nearest = rows[0].issue.procedure.agency_id if rows else None
    result = [row for row in rows if row.issue.procedure.agency_id == nearest]
    if cache is not None:
        cache[key] = result
    return result


def variant_for_codes(variants: list[IssueService], codes) -> IssueService | None:
    """The variant whose step codes the sheet uses: most codes in common after folding case,
    spaces and diacritics (``qms.text.fold``); ties go to the first as listed."""
    wanted = {fold(code) for code in codes}
    best, best_count = None, -1
    for variant in variants:
        common = len(wanted & {fold(step.get("code")) for step in variant.steps or []})
        if common > best_count:
            best, best_count = variant, common
    return best


def shared_issues_in_force(agency: Agency, on_date: datetime.date | None = None):
    """Issues in force that bodies above ``agency`` issued for it (shared), with whether the
    agency has adopted its own procedure for each of their TTHC (then its own takes precedence)."""
    from django.utils import timezone

    on_date = on_date or timezone.localdate()
    own = own_levels(agency)
    above = [pk for pk in agency.ancestor_ids() if pk not in own]
    if not above:
        return []
    issues = list(
        ProcedureIssue.objects.filter(
            in_force_on_q(on_date), procedure__agency_id__in=above, shared=True
        )
        .select_related("procedure__agency")
        .prefetch_related("services__tthc")
        .order_by("code")
    )
    covered = set(
        IssueService.objects.filter(
            in_force_on_q(on_date, "issue__"), issue__procedure__agency_id__in=own
        ).values_list("tthc_id", flat=True)
    )
    for issue in issues:
        tthc_ids = {service.tthc_id for service in issue.services.all()}
        issue.adopted_locally = bool(tthc_ids) and tthc_ids <= covered
    return issues


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
