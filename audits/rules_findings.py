"""Rows of the permission policy for findings (imported when the app is ready).

By role: officers and leaders of the finding's agency (or a body above it) read its findings and
change them (the services add who exactly: an audit's findings are changed by its team, the others
by officers and leaders). Internal auditors read findings only by relation (DESIGN.md §6: while an
audit is open its team reads the auditee's findings); they reach the add form (the service lets
them record only the findings of an open audit they are on the team of).

By relation: the team of an open audit (in progress or reported) reads the findings of the
auditee and every unit inside it; the team of a finding's audit reads that finding in every state
of the audit (its report); while the audit is open the team changes its audit's findings. The owner
of a corrective action gets nothing here: the action's own page shows what the owner needs.
"""

from django.db.models import Q

from audits.models import OPEN_STATES, AuditTeamMember, Finding
from audits.selectors_audits import open_audit_paths
from audits.selectors_findings import team_findings_q
from qms import permissions
from qms.models import Role
from qms.models.agencies import subtree_q

FINDING = "finding"
RESPOND_CLOSE = "respond_close"
KEEPERS = frozenset({Role.OFFICER, Role.LEADER})
RECORDERS = KEEPERS | {Role.AUDITOR}

permissions.register_rules(
    FINDING,
    {permissions.VIEW: KEEPERS, permissions.ADD: RECORDERS, permissions.CHANGE: KEEPERS},
)


def _open_auditee_findings(user, action):
    if not getattr(user, "is_authenticated", False):
        return None
    paths = open_audit_paths(user)
    return subtree_q(paths, "agency__path") if paths else None


def _team_findings(user, action):
    return team_findings_q(user)


def _open_team_findings(user, action):
    if not getattr(user, "is_authenticated", False):
        return None
    return Q(
        audit_id__in=AuditTeamMember.objects.filter(user=user, audit__state__in=OPEN_STATES).values(
            "audit_id"
        )
    )


permissions.register_relation(
    FINDING,
    model=Finding,
    actions={permissions.VIEW},
    rows=_open_auditee_findings,
    name="the auditee's findings, for the team of an open audit",
)
permissions.register_relation(
    FINDING,
    model=Finding,
    actions={permissions.VIEW},
    rows=_team_findings,
    name="the findings of the audits one is on the team of",
)
permissions.register_relation(
    FINDING,
    model=Finding,
    actions={permissions.CHANGE},
    rows=_open_team_findings,
    name="the findings of an open audit, for its team",
)
