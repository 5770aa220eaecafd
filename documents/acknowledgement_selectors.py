"""Reads of acknowledgements (đã đọc, nắm được quy trình): where an issue applies, who is expected
to read it, who has and who has not, what awaits one person, and whose reminder is due.

Who is expected to acknowledge an issue in force: the people holding an active staff, officer or
leader role where it applies (auditors read procedures to audit them, not to work by them), less
the issue's own drafter, reviewer and approver: their signatures on the issue already record that
they know it, and a reminder to the person who approved it would be noise. Anyone with an active
role (any role) where it applies may still acknowledge it.

Where an issue applies is the rule of ``documents.selectors`` (``own_levels``) read the other way
round: at its agency and at the units and one-stop desks inside it (a department's offices work by
the department's procedures), and, when the issue is shared with the bodies below
(``ProcedureIssue.shared``), at every agency below the issuing body.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from documents.models import Acknowledgement, AcknowledgementReminder, ProcedureIssue
from documents.selectors import in_force_on_q
from qms.collation import vi_person_order, vi_sort_key
from qms.models import Agency, AgencyKind, Membership, Role
from qms.models.agencies import subtree_q
from qms.people import person_name

EXPECTED_ROLES = (Role.STAFF, Role.OFFICER, Role.LEADER)
UNIT_KINDS = (AgencyKind.UNIT, AgencyKind.ONE_STOP)
# Staff are reminded once when an issue has been in force this many working days (counted from
# the day they were first expected to read it) and they have not acknowledged it.
REMIND_AFTER_WORKING_DAYS = 5


def _today(on_date: datetime.date | None) -> datetime.date:
    return on_date or timezone.localdate()


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def issue_agency(issue: ProcedureIssue) -> Agency:
    """The issuing agency, without loading the procedure page when it was not selected."""
    cached = issue._state.fields_cache.get("procedure")
    if cached is not None:
        return cached.agency
    return Agency.objects.get(procedures__issues=issue)


def applying_agency_ids(issue: ProcedureIssue, agency: Agency | None = None) -> list[int]:
    """The agencies whose people work by ``issue`` (one query)."""
    agency = agency or issue_agency(issue)
    rows = list(Agency.objects.filter(subtree_q([agency.path])).values_list("pk", "path", "kind"))
    if issue.shared:
        return [pk for pk, _path, _kind in rows]
    kinds = {pk: kind for pk, _path, kind in rows}
    found = []
    for pk, path, _kind in rows:
        chain = _path_ids(path)
        below = chain[chain.index(agency.pk) + 1 :]
        if all(kinds.get(node) in UNIT_KINDS for node in below):
            found.append(pk)
    return found


def _expected_memberships(agency_ids, on_date: datetime.date):
    return Membership.objects.active(on_date).filter(
        role__in=EXPECTED_ROLES, agency_id__in=agency_ids
    )


def _signers(issue: ProcedureIssue) -> list[int]:
    return [pk for pk in (issue.drafted_by_id, issue.reviewed_by_id, issue.approved_by_id) if pk]


def expected_readers(
    issue: ProcedureIssue, on_date: datetime.date | None = None, *, agency_ids=None
):
    """The people expected to acknowledge ``issue`` on ``on_date``, each annotated with
    ``acknowledged_at`` (None when not yet) and ``expected_since`` (the start of their earliest
    active role where it applies). One query once ``agency_ids`` is known."""
    on_date = _today(on_date)
    if agency_ids is None:
        agency_ids = applying_agency_ids(issue)
    memberships = _expected_memberships(agency_ids, on_date)
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=memberships.values("user_id"))
        .exclude(pk__in=_signers(issue))
        .annotate(
            acknowledged_at=Subquery(
                Acknowledgement.objects.filter(issue=issue, user_id=OuterRef("pk")).values(
                    "acknowledged_at"
                )[:1]
            ),
            expected_since=Subquery(
                memberships.filter(user_id=OuterRef("pk"))
                .order_by("start_date")
                .values("start_date")[:1]
            ),
        )
    )


@dataclass
class ReaderRow:
    person: object
    name: str
    places: list[str]
    acknowledged_at: datetime.datetime | None
    reminded_at: datetime.datetime | None


@dataclass
class AcknowledgementStatus:
    """Who is expected to read an issue and who has: the people not yet first, by name."""

    issue: ProcedureIssue
    in_force: bool
    rows: list[ReaderRow] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return len(self.rows)

    @property
    def acknowledged(self) -> int:
        return sum(1 for row in self.rows if row.acknowledged_at is not None)

    @property
    def pending(self) -> list[ReaderRow]:
        return [row for row in self.rows if row.acknowledged_at is None]


def is_in_force(issue: ProcedureIssue, on_date: datetime.date | None = None) -> bool:
    return ProcedureIssue.objects.filter(in_force_on_q(_today(on_date)), pk=issue.pk).exists()


def acknowledgement_status(
    issue: ProcedureIssue, on_date: datetime.date | None = None
) -> AcknowledgementStatus:
    """The list the officer reads, in a constant number of queries (five) however many people.
    For an issue in force: everyone expected, with when they acknowledged and when they were
    reminded. For an issue no longer in force nobody is expected any more: the people who
    acknowledged it while it was, as recorded."""
    on_date = _today(on_date)
    in_force = is_in_force(issue, on_date)
    reminded = dict(
        AcknowledgementReminder.objects.filter(issue=issue).values_list("user_id", "sent_at")
    )
    if in_force:
        agency_ids = applying_agency_ids(issue)
        people = expected_readers(issue, on_date, agency_ids=agency_ids).prefetch_related(
            Prefetch(
                "memberships",
                queryset=_expected_memberships(agency_ids, on_date)
                .select_related("agency__parent")
                .order_by("agency__path", "role"),
                to_attr="expected_roles",
            )
        )
        rows = [
            ReaderRow(
                person=person,
                name=person_name(person),
                places=[
                    f"{m.get_role_display()} · {m.agency.display_name}"
                    for m in person.expected_roles
                ],
                acknowledged_at=person.acknowledged_at,
                reminded_at=reminded.get(person.pk),
            )
            for person in people.order_by(*vi_person_order())
        ]
    else:
        acknowledgements = Acknowledgement.objects.filter(issue=issue).select_related("user")
        rows = [
            ReaderRow(
                person=ack.user,
                name=person_name(ack.user),
                places=[],
                acknowledged_at=ack.acknowledged_at,
                reminded_at=reminded.get(ack.user_id),
            )
            for ack in acknowledgements
        ]
        rows.sort(key=lambda row: vi_sort_key(row.name))
    rows.sort(key=lambda row: row.acknowledged_at is not None)  # stable: by name within each
    return AcknowledgementStatus(issue=issue, in_force=in_force, rows=rows)


def acknowledgement_counts(
    issue: ProcedureIssue, on_date: datetime.date | None = None
) -> tuple[int, int]:
    """(acknowledged, expected) for an issue in force; for one no longer in force, (the number
    who acknowledged it, 0)."""
    on_date = _today(on_date)
    if not is_in_force(issue, on_date):
        return Acknowledgement.objects.filter(issue=issue).count(), 0
    totals = expected_readers(issue, on_date).aggregate(
        expected=Count("pk"), acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False))
    )
    return totals["acknowledged"], totals["expected"]


def _levels_for(user, on_date: datetime.date) -> tuple[set[int], set[int]]:
    """(own, above): the agencies whose issues apply to ``user``'s expected roles whatever their
    sharing (the agency and, up from a unit, its parents up to and including the first body),
    and those above them whose shared issues apply."""
    paths = list(
        _expected_memberships_of(user, on_date).values_list("agency__path", flat=True).distinct()
    )
    chains = [_path_ids(path) for path in paths]
    kinds = dict(
        Agency.objects.filter(pk__in={pk for chain in chains for pk in chain}).values_list(
            "pk", "kind"
        )
    )
    own, above = set(), set()
    for chain in chains:
        level = len(chain) - 1
        own.add(chain[level])
        while level > 0 and kinds.get(chain[level]) in UNIT_KINDS:
            level -= 1
            own.add(chain[level])
        above.update(chain[:level])
    return own, above - own


def _expected_memberships_of(user, on_date: datetime.date):
    return Membership.objects.active(on_date).filter(
        user=user, user__is_active=True, role__in=EXPECTED_ROLES
    )


def issues_awaiting(user, on_date: datetime.date | None = None) -> list[ProcedureIssue]:
    """The issues in force that ``user`` is expected to acknowledge and has not, newest first
    (three queries)."""
    on_date = _today(on_date)
    if not getattr(user, "is_authenticated", False):
        return []
    own, above = _levels_for(user, on_date)
    if not own:
        return []
    applies = Q(procedure__agency_id__in=own) | Q(procedure__agency_id__in=above, shared=True)
    return list(
        ProcedureIssue.objects.filter(in_force_on_q(on_date), applies)
        .exclude(acknowledgements__user=user)
        .exclude(Q(drafted_by=user) | Q(reviewed_by=user) | Q(approved_by=user))
        .select_related("procedure__agency__parent")
        .order_by("-effective_date", "code")
    )


def may_acknowledge(user, issue: ProcedureIssue, on_date: datetime.date | None = None) -> bool:
    """Does ``user`` hold an active role (any role) where ``issue`` applies?"""
    if not getattr(user, "is_active", False):
        return False
    return (
        Membership.objects.active(_today(on_date))
        .filter(user=user, agency_id__in=applying_agency_ids(issue))
        .exists()
    )


def acknowledgement_reminders_due(on_date: datetime.date | None = None) -> list[tuple]:
    """(person, [issues]) for everyone whose reminder is due on ``on_date``: expected to read an
    issue in force for at least ``REMIND_AFTER_WORKING_DAYS`` working days (from its effective
    date, or from the start of their role when that came later), not acknowledged, never
    reminded of it. Two queries per candidate issue (the agencies are read once per issuing
    agency)."""
    from qms.workcal import get_calendar

    on_date = _today(on_date)
    calendar = get_calendar()

    def start_of(day):
        return datetime.datetime.combine(day, datetime.time(), tzinfo=calendar.tz)

    # Five working days take at least five days: older issues only.
    earliest = on_date - datetime.timedelta(days=REMIND_AFTER_WORKING_DAYS)
    candidates = (
        ProcedureIssue.objects.filter(in_force_on_q(on_date), effective_date__lte=earliest)
        .select_related("procedure__agency")
        .order_by("effective_date", "pk")
    )
    scopes: dict = {}
    due: dict[int, tuple] = {}
    for issue in candidates:
        agency = issue.procedure.agency
        key = (agency.pk, issue.shared)
        if key not in scopes:
            scopes[key] = applying_agency_ids(issue, agency)
        people = (
            expected_readers(issue, on_date, agency_ids=scopes[key])
            .filter(acknowledged_at__isnull=True)
            .exclude(pk__in=AcknowledgementReminder.objects.filter(issue=issue).values("user_id"))
        )
        for person in people:
            since = max(issue.effective_date, person.expected_since)
            days = calendar.working_days_between(start_of(since), start_of(on_date))
            if days >= REMIND_AFTER_WORKING_DAYS:
                due.setdefault(person.pk, (person, []))[1].append(issue)
    return list(due.values())
