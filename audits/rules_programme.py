"""Rows of the permission policy for the yearly audit programme and its entries (imported when
the app is ready).

By role only, no relation: officers, leaders and internal auditors of the programme's scope body
(or of a body above it) read the programme and its entries; officers and internal auditors prepare
them (add, change while a draft, schedule an entry's audit); leaders approve ("approve"). Returning
an approved programme to draft ("reopen") is for a leader of the scope or above, or the person who
prepared it (``audits.services.programme.reopen_refusal``). Staff and other agencies see nothing.
Nothing is deleted but a draft's entry (by its preparers) and, otherwise, by an administrator.
"""

from qms import permissions
from qms.models import Role

PROGRAMME = "auditprogramme"
ENTRY = "programmeentry"
APPROVE, REOPEN = "approve", "reopen"

PREPARERS = frozenset({Role.OFFICER, Role.AUDITOR})
APPROVERS = frozenset({Role.LEADER})
READERS = PREPARERS | APPROVERS

permissions.register_rules(
    PROGRAMME,
    {
        permissions.VIEW: READERS,
        permissions.ADD: PREPARERS,
        permissions.CHANGE: PREPARERS,
        APPROVE: APPROVERS,
        REOPEN: READERS,
    },
)
permissions.register_rules(
    ENTRY,
    {
        permissions.VIEW: READERS,
        permissions.ADD: PREPARERS,
        permissions.CHANGE: PREPARERS,
        permissions.DELETE: PREPARERS,
    },
)
