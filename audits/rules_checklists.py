"""Rows of the permission policy for audit checklists (imported when the app is ready).

By role: officers, leaders and internal auditors of the auditee (or of a body above it) read the
checklists of its audits and their evidence files, as they read the audits themselves. Nobody
writes a checklist by role: the team does, through ``audits.services.checklists``, which checks
the team and the audit's state.

By relation: a team member reads (and, through the services, writes) the checklist of an audit
they are on, in every state; while the audit is open (in progress or reported) the team reads its
evidence files too. An officer of another agency sees nothing (404).
"""

from django.db.models import Q

from audits.models import OPEN_STATES, AuditTeamMember, ChecklistEvidence, ChecklistItem
from qms import permissions
from qms.models import Role

ITEM, EVIDENCE = "checklistitem", "checklistevidence"
READERS = frozenset({Role.OFFICER, Role.LEADER, Role.AUDITOR})

permissions.register_rules(ITEM, {permissions.VIEW: READERS})
permissions.register_rules(EVIDENCE, {permissions.VIEW: READERS})


def _team_items(user, action):
    if not getattr(user, "is_authenticated", False):
        return None
    return Q(audit_id__in=AuditTeamMember.objects.filter(user=user).values("audit_id"))


def _open_team_evidence(user, action):
    if not getattr(user, "is_authenticated", False):
        return None
    audits = AuditTeamMember.objects.filter(user=user, audit__state__in=OPEN_STATES)
    return Q(item__audit_id__in=audits.values("audit_id"))


permissions.register_relation(
    ITEM,
    model=ChecklistItem,
    actions={permissions.VIEW, permissions.CHANGE},
    rows=_team_items,
    name="the checklist of an audit one is on the team of",
)
permissions.register_relation(
    EVIDENCE,
    model=ChecklistEvidence,
    actions={permissions.VIEW},
    rows=_open_team_evidence,
    name="the evidence files of an open audit one is on the team of",
)
