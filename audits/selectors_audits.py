"""Reads about internal audits: who may be on a team (independence), double-booked auditors,
the procedures an audit may cover, the open audits a person is on."""

import datetime

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import OPEN_STATES, Audit, AuditState, AuditTeamMember
from documents.models import ProcedureIssue, ProcedurePage
from documents.selectors import applicable_q, in_force_on_q
from qms.models import Agency, Membership, Role
from qms.people import person_name

# The roles in which a person works in a node (the auditor role is not one).
WORKING_ROLES = (Role.OFFICER, Role.LEADER, Role.STAFF)


def working_memberships(user, on_date: datetime.date | None = None) -> QuerySet:
    return (
        Membership.objects.active(on_date or timezone.localdate())
        .filter(user=user, role__in=WORKING_ROLES)
        .select_related("agency")
    )


def independence_refusal(user, auditee: Agency, on_date: datetime.date | None = None) -> str | None:
    """Why ``user`` may not audit ``auditee`` (DESIGN.md §6), or None when they may: the audit's
    scope (the auditee and every unit inside it) must contain no node where the person holds a
    working role (officer, leader, staff) nor any node below one. So a person working in unit U
    audits neither U nor the body containing U (U lies inside it), nor a unit inside U; they may
    audit a sibling unit of U."""
    for membership in working_memberships(user, on_date):
        node = membership.agency
        if node.is_within(auditee) or auditee.is_within(node):
            return _(
                "%(name)s không độc lập với “%(auditee)s”: đang giữ vai trò “%(role)s” tại "
                "“%(node)s”, nằm trong phạm vi đánh giá hoặc chứa đơn vị được đánh giá."
            ) % {
                "name": person_name(user),
                "auditee": auditee.name,
                "role": Role(membership.role).label,
                "node": node.name,
            }
    return None


def _overlapping(start_ref, end_ref):
    return Q(audit__planned_start__lte=end_ref, audit__planned_end__gte=start_ref)


def double_bookings(audit: Audit, users=None, start=None, end=None) -> list[tuple]:
    """(person, other audit) pairs: a team member (or one of ``users``) who is on another
    audit, not cancelled, whose planned dates overlap ``audit``'s (or ``start``–``end``)."""
    start = start or audit.planned_start
    end = end or audit.planned_end
    if users is None:
        users = [m.user for m in audit.team.select_related("user")]
    rows = (
        AuditTeamMember.objects.filter(
            user__in=list(users),
            audit__planned_start__lte=end,
            audit__planned_end__gte=start,
        )
        .exclude(audit__state=AuditState.CANCELLED)
        .select_related("user", "audit")
        .order_by("audit__planned_start", "pk")
    )
    if audit.pk is not None:
        rows = rows.exclude(audit_id=audit.pk)
    return [(row.user, row.audit) for row in rows]


def double_booking_messages(audit: Audit, users=None, start=None, end=None) -> list[str]:
    return [
        _("%(name)s đã tham gia cuộc đánh giá %(code)s (%(start)s–%(end)s) trùng thời gian.")
        % {
            "name": person_name(user),
            "code": other.code,
            "start": other.planned_start.strftime("%d/%m/%Y"),
            "end": other.planned_end.strftime("%d/%m/%Y"),
        }
        for user, other in double_bookings(audit, users, start, end)
    ]


def with_double_booked(queryset: QuerySet) -> QuerySet:
    """Audits annotated with ``double_booked``: the audit is not cancelled and a team member is
    on another non-cancelled audit with overlapping planned dates (one subquery, whatever the
    number of rows)."""
    clash = (
        AuditTeamMember.objects.filter(
            user_id=OuterRef("user_id"),
            audit__planned_start__lte=OuterRef(OuterRef("planned_end")),
            audit__planned_end__gte=OuterRef(OuterRef("planned_start")),
        )
        .exclude(audit_id=OuterRef(OuterRef("pk")))
        .exclude(audit__state=AuditState.CANCELLED)
    )
    members = AuditTeamMember.objects.filter(audit_id=OuterRef("pk")).filter(Exists(clash))
    return queryset.annotate(
        double_booked=Case(
            When(state=AuditState.CANCELLED, then=Value(False)),
            default=Exists(members),
            output_field=BooleanField(),
        )
    )


def procedures_for_scope(auditee: Agency, on_date: datetime.date | None = None) -> QuerySet:
    """The procedures an audit of ``auditee`` may cover: those with an issue in force at the
    auditee or a unit inside it, or applicable to it (its body's, a body above's shared ones)."""
    on_date = on_date or timezone.localdate()
    issues = ProcedureIssue.objects.filter(in_force_on_q(on_date)).filter(
        applicable_q(auditee) | Q(procedure__agency__path__startswith=auditee.path)
    )
    return ProcedurePage.objects.filter(pk__in=issues.values("procedure_id")).order_by("code")


def open_audits_of(user) -> QuerySet:
    """The open audits (in progress or reported) whose team ``user`` is on."""
    if not getattr(user, "is_authenticated", False):
        return Audit.objects.none()
    return Audit.objects.filter(state__in=OPEN_STATES, team__user=user).select_related("agency")


def open_audit_paths(user) -> list[str]:
    """The auditees' paths of the open audits ``user`` is on (the policy's relation rows)."""
    return sorted(set(open_audits_of(user).values_list("agency__path", flat=True)))


def on_open_team(user, audit: Audit) -> bool:
    """Is ``user`` on the team of ``audit`` while it is open (in progress or reported)?"""
    return audit.is_open and audit.team.filter(user=user).exists()


def auditee_procedure(audit: Audit, page) -> bool:
    """Does ``page`` belong to the auditee or a unit inside it (the subtree the policy's relation
    grant covers)? A body above's shared procedure in the scope does not: its drafts are that
    body's, and the team reads its published issue like anyone else."""
    return page.agency.is_within(audit.agency)


def may_read_procedure(user, audit: Audit, page) -> bool:
    """May ``user`` read ``page``'s latest draft through ``audit``: a team member of the open
    audit, and the page belongs to the auditee or a unit inside it (whether or not it is listed in
    the audit's scope)."""
    return on_open_team(user, audit) and auditee_procedure(audit, page)


def team_of(audit: Audit) -> list:
    return [m.user for m in audit.team.select_related("user").order_by("role", "pk")]
