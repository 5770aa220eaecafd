"""Reads for the audit reminders (issue 8 point 7): what has reached a threshold on a day, and
whom to tell. Each function reads with a fixed number of queries, whatever the number of rows."""

import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from audits.models import (
    UNDONE_STATES,
    ActionState,
    Audit,
    AuditState,
    AuditTeamMember,
    CorrectiveAction,
)
from qms.models import Membership

# How far ahead an audit's start and an action's due date are announced, and how long an action
# may be overdue before the agency's leaders are told.
DAYS_AHEAD = 7
DAYS_BEFORE_LEADERS = 7


def holders_by_agency(agencies, role: str, on_date: datetime.date | None = None) -> dict:
    """``{agency pk: [user, …]}``: the active holders of ``role`` in each agency or, when it has
    none, in the nearest body above it that has some. One query."""
    agencies = [a for a in agencies if a is not None]
    levels = {pk for a in agencies for pk in a.ancestor_ids()}
    held: dict[int, dict] = {}
    for membership in (
        Membership.objects.active(on_date)
        .filter(agency_id__in=levels, role=role, user__is_active=True)
        .select_related("user")
        .order_by("user__pk")
    ):
        held.setdefault(membership.agency_id, {})[membership.user_id] = membership.user
    found = {}
    for agency in agencies:
        for level in reversed(agency.ancestor_ids()):
            if held.get(level):
                found[agency.pk] = list(held[level].values())
                break
    return found


def audits_starting(today: datetime.date) -> QuerySet:
    """Planned audits starting within ``DAYS_AHEAD`` days from ``today`` (today included), with
    their team and the reminders already sent."""
    return (
        Audit.objects.filter(
            state=AuditState.PLANNED,
            planned_start__gte=today,
            planned_start__lte=today + datetime.timedelta(days=DAYS_AHEAD),
        )
        .select_related("agency")
        .prefetch_related(
            Prefetch("team", queryset=AuditTeamMember.objects.select_related("user")),
            "reminders",
        )
        .order_by("planned_start", "pk")
    )


def _actions() -> QuerySet:
    return CorrectiveAction.objects.select_related(
        "finding__agency", "owner", "verifier"
    ).prefetch_related("reminders")


def actions_due_soon(today: datetime.date) -> QuerySet:
    """Undone actions due within ``DAYS_AHEAD`` days (today included)."""
    return _actions().filter(
        state__in=UNDONE_STATES,
        due_date__gte=today,
        due_date__lte=today + datetime.timedelta(days=DAYS_AHEAD),
    )


def actions_overdue(today: datetime.date, days: int = 0) -> QuerySet:
    """Undone actions whose due date passed more than ``days`` days before ``today`` (0: any
    overdue action)."""
    return _actions().filter(
        state__in=UNDONE_STATES, due_date__lt=today - datetime.timedelta(days=days)
    )


def implemented_on(action: CorrectiveAction) -> datetime.date | None:
    if action.implemented_at is None:
        return None
    return timezone.localdate(action.implemented_at)


def verification_from(action: CorrectiveAction) -> datetime.date | None:
    """The first day the action's effectiveness may be verified."""
    day = implemented_on(action)
    if day is None:
        return None
    return day + datetime.timedelta(days=action.verification_wait_days)


def actions_verification_due(today: datetime.date) -> list[CorrectiveAction]:
    """Implemented actions whose wait before verification has passed (``today`` included)."""
    candidates = _actions().filter(state=ActionState.IMPLEMENTED, implemented_at__isnull=False)
    return [a for a in candidates if verification_from(a) <= today]
