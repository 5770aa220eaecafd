"""Rows of the permission policy for the issue records of documents (registered when the app is
ready, so services and views alike find them)."""

from django.db.models import Q

from documents.models import ApprovalDecision, ProcedurePage
from qms import permissions
from qms.models import Role

VIEW, ADD, CHANGE = permissions.VIEW, permissions.ADD, permissions.CHANGE
WITHDRAW, RECORD_DECISION = "withdraw", "record_decision"

# Every member reads the issues of their agency (and its units); a leader withdraws one; the
# people who keep the documents link the decision that issued it.
permissions.register_rules(
    "procedureissue",
    {
        VIEW: Role.values,
        WITHDRAW: {Role.LEADER},
        RECORD_DECISION: {Role.OFFICER, Role.LEADER},
    },
)
# Decisions (quyết định ban hành) are recorded by officers and leaders of the issuing body; deleting
# one is for administrators (issues keep a protected link to it).
permissions.register_rules(
    "approvaldecision",
    {VIEW: Role.values, ADD: {Role.OFFICER, Role.LEADER}, CHANGE: {Role.OFFICER, Role.LEADER}},
)


def _decisions_above(user, action):
    """Members of a unit also read the decisions of the bodies above it, which may have issued
    its procedures (public administrative documents)."""
    ids = {pk for m in permissions.active_memberships(user) for pk in m.agency.ancestor_ids()}
    return Q(agency_id__in=ids) if ids else None


permissions.register_relation(
    "approvaldecision",
    model=ApprovalDecision,
    actions={VIEW},
    rows=_decisions_above,
    name="decisions of the bodies above one's agency",
)


def _shared_from_above(user, action):
    """Officers, leaders and staff of the bodies below a body read the procedures it shares with
    them (they follow them until they adopt their own): they appear in their document list."""
    ids = {
        pk
        for m in permissions.active_memberships(user)
        if m.role in (Role.OFFICER, Role.LEADER, Role.STAFF)
        for pk in m.agency.ancestor_ids()
        if pk != m.agency_id
    }
    return Q(agency_id__in=ids, shared=True, live=True) if ids else None


permissions.register_relation(
    "procedurepage",
    model=ProcedurePage,
    actions={VIEW},
    rows=_shared_from_above,
    name="procedures shared by the bodies above one's agency",
)
