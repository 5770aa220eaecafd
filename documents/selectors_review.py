"""Reads of the review of procedures: reviews of procedures in force, their state and next
reminder, whom to tell, and the gaps (a TTHC an agency handles with no procedure in force)."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import (
    IssueService,
    ProcedureIssue,
    ProcedureReview,
    ReminderThreshold,
    ReviewOutcome,
)
from documents.selectors import in_force_on_q, own_levels
from qms.models import Agency, HandlingAgency, Membership, Role

# How soon a review counts as due (the report's "due" tab, the first reminder).
DUE_SOON_DAYS = 30
# Reminder thresholds, least urgent first, with the days before the due date that reach them.
THRESHOLDS = (
    (ReminderThreshold.DAYS_30, 30),
    (ReminderThreshold.DAYS_7, 7),
    (ReminderThreshold.OVERDUE, -1),
)
_URGENCY = {threshold: rank for rank, (threshold, _days) in enumerate(THRESHOLDS)}


def reviews_in_force(queryset: QuerySet | None = None, on_date: datetime.date | None = None):
    """Reviews of procedures that have an issue in force on ``on_date`` (today): a withdrawn
    procedure needs no review."""
    on_date = on_date or timezone.localdate()
    queryset = ProcedureReview.objects.all() if queryset is None else queryset
    in_force = ProcedureIssue.objects.filter(
        in_force_on_q(on_date), procedure=OuterRef("procedure")
    )
    return queryset.filter(Exists(in_force))


def open_reviews(queryset: QuerySet | None = None, on_date: datetime.date | None = None):
    """Open reviews of procedures in force."""
    queryset = ProcedureReview.objects.all() if queryset is None else queryset
    return reviews_in_force(queryset.filter(outcome=ReviewOutcome.OPEN), on_date)


def due_q(today: datetime.date) -> Q:
    """Open reviews due within ``DUE_SOON_DAYS`` (not yet overdue)."""
    return Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))


def overdue_q(today: datetime.date) -> Q:
    return Q(due_on__lt=today)


def reminder_due(review: ProcedureReview, today: datetime.date, sent) -> str | None:
    """The reminder threshold to send for ``review`` today: the most urgent one reached, unless a
    reminder as urgent or more was already sent (``sent``: thresholds sent); None otherwise."""
    if not review.is_open:
        return None
    left = (review.due_on - today).days
    reached = None
    for threshold, days in THRESHOLDS:
        if left <= days:
            reached = threshold
    if reached is None:
        return None
    if any(_URGENCY.get(s, -1) >= _URGENCY[reached] for s in sent):
        return None
    return reached


def review_state(review: ProcedureReview, today: datetime.date | None = None) -> str:
    """The review's state in words: its outcome once closed, otherwise overdue by / days left."""
    if not review.is_open:
        return review.get_outcome_display()
    today = today or timezone.localdate()
    left = (review.due_on - today).days
    if left < 0:
        return _("Quá hạn %(days)d ngày") % {"days": -left}
    if left == 0:
        return _("Đến hạn hôm nay")
    return _("Còn %(days)d ngày") % {"days": left}


def officers_by_agency(agencies) -> dict[int, list]:
    """Whom to tell about a procedure of each agency: the active officers (cán bộ đầu mối ISO) of
    the agency, or, when it has none, of the nearest body above it that has some. One query."""
    agencies = [a for a in agencies if a is not None]
    levels = {pk for a in agencies for pk in a.ancestor_ids()}
    held: dict[int, dict] = {}
    for membership in (
        Membership.objects.active()
        .filter(agency_id__in=levels, role=Role.OFFICER, user__is_active=True)
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


def review_gaps(*, on_date: datetime.date | None = None, within: Q | None = None) -> list:
    """The (agency, TTHC) pairs, as ``HandlingAgency`` rows, of active TTHC handled by agencies
    valid on ``on_date`` (today) where no procedure applies (``procedure_in_force`` would find
    none): the agency's own, its body's for a unit, or a shared one of a body above
    (``documents.selectors.own_levels``, the rule ``applicable_q`` states). ``within`` narrows the
    rows (a person's scope). A few queries, whatever the number of pairs."""
    on_date = on_date or timezone.localdate()
    links = HandlingAgency.objects.filter(
        procedure__is_active=True, agency__in=Agency.objects.valid_on(on_date)
    )
    if within is not None:
        links = links.filter(within)
    links = list(
        links.select_related("procedure", "agency").order_by("agency__path", "procedure__code")
    )
    if not links:
        return []
    tree = {
        a.pk: a
        for a in Agency.objects.filter(
            pk__in={pk for link in links for pk in link.agency.ancestor_ids()}
        )
    }
    for agency in tree.values():
        if agency.parent_id in tree:
            agency.parent = tree[agency.parent_id]  # own_levels walks up without queries
    covered, shared = set(), set()
    for agency_id, tthc_id, is_shared in IssueService.objects.filter(
        in_force_on_q(on_date, "issue__"), tthc_id__in={link.procedure_id for link in links}
    ).values_list("issue__procedure__agency_id", "tthc_id", "issue__shared"):
        covered.add((agency_id, tthc_id))
        if is_shared:
            shared.add((agency_id, tthc_id))
    gaps = []
    for link in links:
        agency = tree[link.agency_id]
        own = own_levels(agency)
        above = [pk for pk in agency.ancestor_ids() if pk not in own]
        tthc = link.procedure_id
        if any((pk, tthc) in covered for pk in own) or any((pk, tthc) in shared for pk in above):
            continue
        link.agency = agency
        gaps.append(link)
    return gaps
