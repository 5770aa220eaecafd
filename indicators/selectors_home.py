"""Reads of the admin home panels of indicators (issue [9] item 6).

``officer_todo(user, today)``: for each agency where the person is an officer today (with the
units inside it), what waits for them: procedures with a draft not yet published, periodic reviews
due within 30 days and overdue, corrective actions not yet implemented (of which overdue), the
month's imports with rejected rows or that failed, and their unread messages. A fixed number of
queries whatever the number of agencies (one per kind of record, grouped by agency path)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from qms import permissions, selectors
from qms.models import Agency, Role
from qms.models.agencies import path_within, subtree_q

DAYS_OF_IMPORTS = 31


@dataclass
class AgencyTodo:
    agency: Agency
    drafts: list = field(default_factory=list)  # ProcedurePage with a draft
    reviews_due: int = 0
    reviews_overdue: int = 0
    actions_open: int = 0
    actions_overdue: int = 0
    imports_with_errors: int = 0

    @property
    def is_empty(self) -> bool:
        return not (
            self.drafts
            or self.reviews_due
            or self.reviews_overdue
            or self.actions_open
            or self.imports_with_errors
        )


@dataclass
class OfficerTodo:
    agencies: list[AgencyTodo]
    unread: int = 0


def _outer_agencies(user, role) -> list[Agency]:
    """The agencies where ``user`` holds ``role`` today, the outer ones only (a unit inside
    another of them is already in its subtree)."""
    ids = [m.agency_id for m in permissions.active_memberships(user) if m.role == role]
    agencies = list(Agency.objects.filter(pk__in=ids).select_related("parent").order_by("path"))
    outer = []
    for agency in agencies:
        if not any(path_within(agency.path, other.path) for other in outer):
            outer.append(agency)
    return outer


def leader_agencies(user) -> list[Agency]:
    """The agencies ``user`` leads today (the outer ones)."""
    return _outer_agencies(user, Role.LEADER)


def _owner(rows, agencies, path_of):
    """Map each row to the agency of ``agencies`` whose subtree holds it."""
    for row in rows:
        for todo in agencies:
            if path_within(path_of(row), todo.agency.path):
                yield todo, row
                break


def officer_todo(user, today: dt.date | None = None) -> OfficerTodo | None:
    from audits.models import CorrectiveAction
    from audits.models.actions import UNDONE_STATES
    from documents.models import ProcedurePage
    from documents.selectors_review import DUE_SOON_DAYS, open_reviews

    from .models import DossierImport, ImportState

    today = today or timezone.localdate()
    agencies = _outer_agencies(user, Role.OFFICER)
    if not agencies:
        return None
    todos = [AgencyTodo(agency=a) for a in agencies]
    scope = [a.path for a in agencies]

    drafts = (
        ProcedurePage.objects.filter(subtree_q(scope, "agency__path"), has_unpublished_changes=True)
        .select_related("agency")
        .order_by("-latest_revision_created_at")
    )
    for todo, page in _owner(drafts[:50], todos, lambda p: p.agency.path):
        if len(todo.drafts) < 5:
            todo.drafts.append(page)

    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    reviews = (
        open_reviews(on_date=today)
        .filter(subtree_q(scope, "procedure__agency__path"), due_on__lte=soon)
        .values("procedure__agency__path")
        .annotate(
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            due=Count("pk", filter=Q(due_on__gte=today)),
        )
        .order_by()
    )
    for todo, row in _owner(reviews, todos, lambda r: r["procedure__agency__path"]):
        todo.reviews_due += row["due"]
        todo.reviews_overdue += row["overdue"]

    actions = (
        CorrectiveAction.objects.filter(
            subtree_q(scope, "finding__agency__path"), state__in=UNDONE_STATES
        )
        .values("finding__agency__path")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
        .order_by()
    )
    for todo, row in _owner(actions, todos, lambda r: r["finding__agency__path"]):
        todo.actions_open += row["n"]
        todo.actions_overdue += row["overdue"]

    since = timezone.now() - dt.timedelta(days=DAYS_OF_IMPORTS)
    imports = (
        DossierImport.objects.filter(subtree_q(scope, "agency__path"), uploaded_at__gte=since)
        .filter(
            Q(state__in=(ImportState.FAILED, ImportState.REJECTED))
            | Q(rejected_count__gt=0, state__in=(ImportState.CHECKED, ImportState.APPLIED))
        )
        .values("agency__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for todo, row in _owner(imports, todos, lambda r: r["agency__path"]):
        todo.imports_with_errors += row["n"]

    return OfficerTodo(agencies=todos, unread=selectors.unread_notification_count(user))
