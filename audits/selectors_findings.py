"""Reads about findings: recurrence (a new nonconformity on the same clause and procedure as one
of the agency closed in the last 12 months), an audit's nonconformities still without a corrective
action (the audit may not close then), the prefill of a finding from a checklist item, the open
audits whose team records findings, and an audit's findings grouped by clause for its report."""

import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import (
    NONCONFORMITY_KINDS,
    OPEN_STATES,
    Audit,
    ChecklistItem,
    Finding,
    FindingState,
)

RECURRENCE_WINDOW = relativedelta(months=12)


def recurrence_candidate(finding: Finding) -> Finding | None:
    """The latest nonconformity of ``finding``'s agency on the same clause and procedure closed
    within the 12 months before it was raised (on or after ``raised_on`` less 12 months, on or
    before ``raised_on``: one closed after it was raised is no earlier occurrence), never
    ``finding`` itself, when ``finding`` is a nonconformity with a clause."""
    if finding.kind not in NONCONFORMITY_KINDS or not finding.clause_id or not finding.agency_id:
        return None
    raised_on = finding.raised_on or timezone.localdate()
    since = raised_on - RECURRENCE_WINDOW
    since_at = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    until_at = timezone.make_aware(
        datetime.datetime.combine(raised_on + datetime.timedelta(days=1), datetime.time.min)
    )
    rows = Finding.objects.filter(
        agency_id=finding.agency_id,
        kind__in=NONCONFORMITY_KINDS,
        clause_id=finding.clause_id,
        state=FindingState.CLOSED,
        closed_at__gte=since_at,
        closed_at__lt=until_at,
    )
    if finding.procedure_id:
        rows = rows.filter(procedure_id=finding.procedure_id)
    else:
        rows = rows.filter(procedure__isnull=True)
    if finding.pk:
        rows = rows.exclude(pk=finding.pk)
    return rows.order_by("-closed_at", "-pk").first()


def recurrence_message(finding: Finding) -> str | None:
    """The warning shown when ``finding`` repeats an earlier closed nonconformity."""
    earlier = finding.recurrence_of
    if earlier is None:
        return None
    closed = timezone.localtime(earlier.closed_at).strftime("%d/%m/%Y") if earlier.closed_at else ""
    return _(
        "Phát hiện %(code)s lặp lại điểm không phù hợp %(earlier)s (cùng điều khoản và quy trình, "
        "đã đóng ngày %(closed)s)."
    ) % {"code": finding.code, "earlier": earlier.code, "closed": closed}


def nonconformities_without_action(audit: Audit) -> QuerySet:
    """The audit's nonconformities (major, minor) that have no corrective action yet."""
    return (
        Finding.objects.filter(audit=audit, kind__in=NONCONFORMITY_KINDS, actions__isnull=True)
        .order_by("code")
        .distinct()
    )


def open_audits_on_team(user) -> QuerySet:
    """The open audits (in progress or reported) ``user`` is on the team of."""
    if not getattr(user, "is_authenticated", False):
        return Audit.objects.none()
    return Audit.objects.filter(state__in=OPEN_STATES, team__user=user).distinct()


def prefill_from_item(user, item_pk) -> dict:
    """The initial values of a new finding from a checklist item of an open audit the person is
    on the team of (the audit, its auditee, clause, procedure, the notes as description)."""
    try:
        pk = int(item_pk)
    except (TypeError, ValueError):
        return {}
    item = (
        ChecklistItem.objects.filter(pk=pk, audit__in=open_audits_on_team(user))
        .select_related("audit")
        .first()
    )
    if item is None:
        return {}
    return {
        "checklist_item": item.pk,
        "audit": item.audit_id,
        "agency": item.audit.agency_id,
        "clause": item.clause_id,
        "procedure": item.procedure_id,
        "description": item.notes or item.text,
    }


def findings_by_clause(audit: Audit) -> list[tuple[object, list[Finding]]]:
    """The audit's findings grouped by clause in the standard's order (those without a clause
    last, under None), each group in code order."""
    rows = (
        Finding.objects.filter(audit=audit)
        .select_related("clause", "procedure", "procedure_issue", "recurrence_of")
        .order_by("clause__sort_key", "code")
    )
    groups: dict = {}
    for finding in rows:
        groups.setdefault(finding.clause, []).append(finding)
    with_clause = [(c, f) for c, f in groups.items() if c is not None]
    without = [(None, groups[None])] if None in groups else []
    return with_clause + without


def team_findings_q(user) -> Q | None:
    """Findings of the audits ``user`` is on the team of (any state)."""
    from audits.models import AuditTeamMember

    if not getattr(user, "is_authenticated", False):
        return None
    return Q(audit_id__in=AuditTeamMember.objects.filter(user=user).values("audit_id"))
