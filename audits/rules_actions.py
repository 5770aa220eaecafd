"""Rows of the permission policy for corrective actions (imported when the app is ready).

By role: officers and leaders of the finding's agency (or a body above it) read and change its
actions; officers, leaders and auditors may open the add form (the service then lets only the
finding's keepers and the lead auditor of its open audit open one). Internal auditors read actions
only by relation (DESIGN.md §6), as their verifier or as the team of an open audit.

By relation:
- the owner reads their actions (and acts on them through the transitions, which ask the
  services' refusals): nothing else, neither the finding nor another action;
- the named verifier reads the action until it is verified (``AWAITING_VERIFICATION``), even
  after the audit has closed;
- the team of an open audit reads the actions of the findings of the auditee and its units.
"""

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import StartsWith

from audits.models import AWAITING_VERIFICATION, OPEN_STATES, Audit, CorrectiveAction
from qms import permissions
from qms.models import Role

ACTION = "correctiveaction"
KEEPERS = frozenset({Role.OFFICER, Role.LEADER})

permissions.register_rules(
    ACTION,
    {
        permissions.VIEW: KEEPERS,
        permissions.ADD: KEEPERS | {Role.AUDITOR},
        permissions.CHANGE: KEEPERS,
    },
)


def _authenticated(user) -> bool:
    return getattr(user, "is_authenticated", False)


def _owned(user, action):
    return Q(owner=user) if _authenticated(user) else None


def _to_verify(user, action):
    if not _authenticated(user):
        return None
    return Q(verifier=user, state__in=AWAITING_VERIFICATION)


def _open_audit_actions(user, action):
    """As ``subtree_q(open_audit_paths(user), "finding__agency__path")``, but as a subquery:
    asking costs no query of its own (a list asks about each row)."""
    if not _authenticated(user):
        return None
    audits = Audit.objects.filter(state__in=OPEN_STATES, team__user=user).filter(
        StartsWith(OuterRef("finding__agency__path"), F("agency__path"))
    )
    return Q(Exists(audits))


permissions.register_relation(
    ACTION,
    model=CorrectiveAction,
    actions={permissions.VIEW},
    rows=_owned,
    name="the owner's corrective actions",
)
permissions.register_relation(
    ACTION,
    model=CorrectiveAction,
    actions={permissions.VIEW},
    rows=_to_verify,
    name="the actions a verifier is to verify, until verified",
)
permissions.register_relation(
    ACTION,
    model=CorrectiveAction,
    actions={permissions.VIEW},
    rows=_open_audit_actions,
    name="the auditee's actions, for the team of an open audit",
)
