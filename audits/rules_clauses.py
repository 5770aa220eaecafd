"""Rows of the permission policy for the ISO 9001 clause catalogue and the question bank (imported
when the app is ready, so services, selectors and views alike find them)."""

from django.db.models import Q

from audits.models import Question
from qms import permissions
from qms.models import Role

CLAUSE, QUESTION = "clause", "question"
DEACTIVATE = "deactivate"
KEEPERS = frozenset({Role.OFFICER, Role.LEADER})

# The clauses of the standard are reference data (loaded by a migration, edited by nobody): a role
# held anywhere lets one read all of them.
permissions.register_rules(CLAUSE, {permissions.VIEW: Role.values}, scoped=False)

# Every member reads their agency's questions (and its units'); officers and leaders add and
# change them. The bank's own questions (no agency) are changed by administrators only; deleting
# a question is for administrators (a question is taken out of use instead: checklists will
# reference it).
permissions.register_rules(
    QUESTION,
    {permissions.VIEW: Role.values, permissions.ADD: KEEPERS, permissions.CHANGE: KEEPERS},
)


def _bank_and_bodies_above(user, action):
    """Anyone holding a role reads the bank's own questions, and those of the bodies above their
    agency (which its checklists reuse, ``audits.selectors.questions_for``)."""
    memberships = permissions.active_memberships(user)
    if not memberships:
        return None
    above = {pk for m in memberships for pk in m.agency.ancestor_ids() if pk != m.agency.pk}
    return Q(agency__isnull=True) | Q(agency_id__in=above)


permissions.register_relation(
    QUESTION,
    model=Question,
    actions={permissions.VIEW},
    rows=_bank_and_bodies_above,
    name="the bank's own questions and those of the bodies above one's agency",
)
