"""Rows of the permission policy for internal audits (imported when the app is ready).

By role: officers and leaders of the auditee (or a body above it) and the internal auditors of
those bodies read its audits; they plan and change them too, within the limits the services add
(an auditor plans only audits of nodes below their own, ``audits.services.audits``).

By relation: a team member reads the audits they are on, in every state. While an audit is open
(in progress or reported: the team still writes its report and follows its findings) its team reads
the auditee's procedures (drafts included, through the read-only view ``audits/views.py``: Wagtail
has no read-only page permission) and their issues; closing or cancelling ends it.
"""

from django.db.models import Q

from audits.models import Audit, AuditTeamMember
from audits.selectors_audits import open_audit_paths
from documents.models import ProcedureIssue, ProcedurePage
from qms import permissions
from qms.models import Role
from qms.models.agencies import subtree_q

AUDIT = "audit"
START, REPORT, CLOSE, CANCEL = "start", "report", "close", "cancel"
PLANNERS = frozenset({Role.OFFICER, Role.LEADER, Role.AUDITOR})

permissions.register_rules(
    AUDIT,
    {permissions.VIEW: PLANNERS, permissions.ADD: PLANNERS, permissions.CHANGE: PLANNERS},
)


def _team_audits(user, action):
    if not getattr(user, "is_authenticated", False):
        return None
    return Q(pk__in=AuditTeamMember.objects.filter(user=user).values("audit_id"))


def _open_audit_rows(lookup):
    def rows(user, action):
        if not getattr(user, "is_authenticated", False):
            return None
        paths = open_audit_paths(user)
        return subtree_q(paths, lookup) if paths else None

    return rows


permissions.register_relation(
    AUDIT,
    model=Audit,
    actions={permissions.VIEW},
    rows=_team_audits,
    name="the audits one is on the team of",
)
permissions.register_relation(
    "procedurepage",
    model=ProcedurePage,
    actions={permissions.VIEW},
    rows=_open_audit_rows("agency__path"),
    name="the auditee's procedures, for the team of an open audit",
)
permissions.register_relation(
    "procedureissue",
    model=ProcedureIssue,
    actions={permissions.VIEW},
    rows=_open_audit_rows("procedure__agency__path"),
    name="the auditee's issues, for the team of an open audit",
)
