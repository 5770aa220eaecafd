"""Who may review, approve and publish a procedure (DESIGN.md §6, separation of duties).

A procedure revision is drafted by an officer, reviewed by a leader of the responsible unit (or
another officer of the agency) and approved by a leader of the approving body: three different
people, none of whom wrote any of the draft. Only memberships in force count (acting ones too);
superusers get no special right here. "Leaders approve for their agency": the approver holds the
leader role on the approving body itself (the page's agency, or the ancestor the procedure names),
not on a body above it; the reviewer holds the leader or officer role on the responsible unit or a
body between it and the page's agency.

The values that decide (responsible unit, approving body) are read from the draft under approval
(the page's latest revision), not from the live page: what is approved is the draft.

No one makes a procedure live by hand: ``ProcedurePermissionTester`` answers no to publish,
unpublish and copy for everyone; only the approval workflow's finish action publishes
(``documents.workflow.publish_approved``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from wagtail.models import Page, PagePermissionTester, Revision, TaskState

from qms.models import Agency, Membership, Role
from qms.permissions import active_memberships

REVIEW, APPROVE = "review", "approve"


def _specific(page):
    return page.specific if type(page) is Page else page


def _latest_revision(page) -> Revision | None:
    if page.pk is None:
        return None
    return (
        Revision.page_revisions.filter(object_id=str(page.pk))
        .order_by("-created_at", "-id")
        .only("id", "content", "user_id", "created_at")
        .first()
    )


def approval_agencies(page) -> tuple[Agency, Agency, Agency]:
    """(agency, responsible unit, approving body) of the draft under approval."""
    page = _specific(page)
    revision = _latest_revision(page)
    content = revision.content if revision is not None else {}
    agency_id = content.get("agency") or page.agency_id
    unit_id = content.get("responsible_unit", page.responsible_unit_id) or agency_id
    approving_id = content.get("approving_agency", page.approving_agency_id) or agency_id
    agencies = Agency.objects.in_bulk({agency_id, unit_id, approving_id})
    return agencies[agency_id], agencies[unit_id], agencies[approving_id]


def authors_in_run(page) -> set[int]:
    """Ids of the people who wrote the draft under approval: the authors of every revision saved
    since the live one (every revision when the procedure never went live). None of them may
    review or approve it."""
    if page.pk is None:
        return set()
    live_id = Page.objects.filter(pk=page.pk).values_list("live_revision_id", flat=True).first()
    revisions = Revision.page_revisions.filter(object_id=str(page.pk)).exclude(user=None)
    if live_id:
        revisions = revisions.filter(id__gt=live_id)
    return set(revisions.values_list("user_id", flat=True))


def reviewers_in_run(page) -> set[int]:
    """Ids of the people who approved the review stage of the draft under approval (its latest
    revision, in the workflow run in progress): the approver must be someone else."""
    page = _specific(page)
    state = page.current_workflow_state
    revision = _latest_revision(page)
    if state is None or revision is None:
        return set()
    return set(
        TaskState.objects.filter(
            workflow_state=state,
            revision=revision,
            status=TaskState.STATUS_APPROVED,
            task__in=_stage_tasks(REVIEW),
        )
        .exclude(finished_by=None)
        .values_list("finished_by_id", flat=True)
    )


def _stage_tasks(stage: str):
    from documents.models import ProcedureApprovalTask

    return ProcedureApprovalTask.objects.filter(stage=stage)


def _is_person(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def review_chain(agency: Agency, unit: Agency) -> list[int]:
    """Ids of the bodies whose leaders and officers may review: the responsible unit and those
    above it up to the page's agency, nearest to the unit first."""
    ids = unit.ancestor_ids()
    if agency.pk not in ids:
        return [agency.pk]
    return list(reversed(ids[ids.index(agency.pk) :]))


def _holds(user, roles, agency_ids) -> bool:
    return any(m.role in roles and m.agency.pk in agency_ids for m in active_memberships(user))


REVIEWER_ROLES = frozenset({Role.LEADER, Role.OFFICER})


def may_review(user, page) -> bool:
    """A leader or officer of the responsible unit (or of a body between it and the page's
    agency) who wrote none of the draft."""
    if not _is_person(user) or user.pk in authors_in_run(page):
        return False
    agency, unit, _approving = approval_agencies(page)
    return _holds(user, REVIEWER_ROLES, set(review_chain(agency, unit)))


def may_approve(user, page) -> bool:
    """A leader of the approving body who neither wrote nor reviewed the draft."""
    if not _is_person(user) or user.pk in authors_in_run(page) | reviewers_in_run(page):
        return False
    _agency, _unit, approving = approval_agencies(page)
    return _holds(user, {Role.LEADER}, {approving.pk})


def may_act(user, page, stage: str) -> bool:
    return may_approve(user, page) if stage == APPROVE else may_review(user, page)


def may_unschedule(user, page) -> bool:
    """A leader of the approving body may cancel a scheduled (approved, not yet effective) issue."""
    if not _is_person(user):
        return False
    _agency, _unit, approving = approval_agencies(page)
    return _holds(user, {Role.LEADER}, {approving.pk})


def _nearest_holders(levels, roles, *, exclude: set[int]) -> list:
    """Holders of ``roles`` on the first of ``levels`` (agency ids) that has any."""
    for level in levels:
        memberships = (
            Membership.objects.active()
            .filter(agency_id=level, role__in=roles, user__is_active=True)
            .exclude(user_id__in=exclude)
            .select_related("user")
        )
        users = list({m.user_id: m.user for m in memberships}.values())
        if users:
            return users
    return []


def _may(stage: str, page):
    def check(user):
        return may_act(user, page, stage)

    return check


def stage_people(page, stage: str) -> list:
    """Whom to ask at ``stage``, among the people the policy lets act: review: the leaders and
    officers of the responsible unit (or, when it has none but the authors, of the nearest body
    above it within the agency); approve: the approving body's leaders. Used for notifications;
    the rights themselves are ``may_review`` and ``may_approve``."""
    agency, unit, approving = approval_agencies(page)
    exclude = authors_in_run(page)
    if stage == REVIEW:
        people = _nearest_holders(review_chain(agency, unit), REVIEWER_ROLES, exclude=exclude)
    else:
        exclude |= reviewers_in_run(page)
        people = _nearest_holders([approving.pk], {Role.LEADER}, exclude=exclude)
    check = _may(stage, page)
    return [u for u in people if check(u)]


def authors(page) -> list:
    """The people to tell of a decision: who submitted the draft and who wrote it."""
    page = _specific(page)
    ids = set(authors_in_run(page))
    state = page.current_workflow_state or page.workflow_states.order_by("-created_at").first()
    if state is not None and state.requested_by_id:
        ids.add(state.requested_by_id)
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True))


class ProcedurePermissionTester(PagePermissionTester):
    """Wagtail's page rights on a procedure, with every way to make it live by hand closed:
    publishing (edit, create, bulk, revert, admin API), unpublishing and copying (copy with
    publish, alias) are refused to everyone, superusers included; the approval workflow
    publishes. The approving body's leaders may cancel a scheduled issue."""

    def can_publish(self):
        return False

    def can_unpublish(self):
        return False

    def can_publish_subpage(self):
        return False

    def can_copy(self):
        return False

    def can_copy_to(self, destination, recursive=False):
        return False

    def can_set_view_restrictions(self):
        return False

    def can_reorder_children(self):
        return False

    def can_unschedule(self):
        return may_unschedule(self.user, self.page)

    def can_delete(self, ignore_bulk=False):
        # An issued procedure is withdrawn, never deleted: its issues are the record (and their
        # revisions are protected); a draft that never went live may go.
        if self.page.issues.exists():
            return False
        return super().can_delete(ignore_bulk=ignore_bulk)


class AgencyPagePermissionTester(PagePermissionTester):
    """An agency page's children are agency pages (created by the agency services) and
    procedures (made live by their approval workflow only): nobody creates one live. An agency
    page follows its agency (one each), so it is never copied or aliased either: a copy of its
    subtree would carry live procedures along."""

    def can_publish_subpage(self):
        return False

    def can_copy(self):
        return False

    def can_copy_to(self, destination, recursive=False):
        return False
