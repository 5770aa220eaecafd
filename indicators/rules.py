"""Rows of the permission policy for dossiers, imports and metrics (imported when the app is ready).

DESIGN.md §6: officers write their agency's dossiers and imports (through imports; nobody edits a
dossier by hand); leaders read their agency's whole subtree; staff read their agency's dossiers and
metrics; the team of an open audit reads the auditee's dossiers (relation). Other agencies'
dossiers, imports and metrics are invisible. The column mappings of sources are the officers'.
How a TTHC's clock treats supplements is reference data: everyone reads it, administrators change
it. A recomputation of stored due times is requested and applied by the agency's officers and
leaders (never silently)."""

from qms import permissions
from qms.models import Role
from qms.models.agencies import subtree_q

from .models import Dossier

DOSSIER = "dossier"
IMPORT = "dossierimport"
SOURCE = "importsource"
METRICS = "dossiermetrics"
CLOCK_RULE = "clockrule"
RECOMPUTATION = "recomputation"
# Events a one-stop system sends through the API (its service account holds an officer's role).
EVENTS = "dossierevent"
OBJECTIVE = "qualityobjective"
# The leadership dashboard (issue [9]): the scorecard, charts, drill-down and their exports are
# read with METRICS. The values of the service index qms cannot compute are entered by the
# agency's officers and leaders; the index schemes and the scorecard thresholds are reference
# data (everyone reads, administrators change). The annual QMS report (findings, actions,
# reviews) is the keepers'. A published statistic is public; its erratum is published by a
# leader of the agency (or above).
INDEX_ENTRY = "indexentry"
INDEX_SCHEME = "indexscheme"
THRESHOLD = "scorecardthreshold"
QMS_REPORT = "qmsreport"
ERRATUM = "statisticerratum"

KEEPERS = frozenset({Role.OFFICER, Role.LEADER})
READERS = KEEPERS | {Role.STAFF}

permissions.register_rules(DOSSIER, {permissions.VIEW: READERS})
permissions.register_rules(
    IMPORT,
    {
        permissions.VIEW: KEEPERS,
        permissions.ADD: {Role.OFFICER},
        permissions.CHANGE: {Role.OFFICER},
    },
)
permissions.register_rules(
    SOURCE,
    {
        permissions.VIEW: {Role.OFFICER},
        permissions.ADD: {Role.OFFICER},
        permissions.CHANGE: {Role.OFFICER},
    },
)
permissions.register_rules(METRICS, {permissions.VIEW: READERS})
permissions.register_rules(CLOCK_RULE, {permissions.VIEW: permissions.ALL_ROLES}, scoped=False)
permissions.register_rules(
    RECOMPUTATION,
    {permissions.VIEW: KEEPERS, permissions.ADD: KEEPERS, permissions.CHANGE: KEEPERS},
)


permissions.register_rules(EVENTS, {permissions.VIEW: KEEPERS, permissions.ADD: {Role.OFFICER}})
# Quality objectives: leaders set them for their agency and below; members read them and their
# evaluations; a leader (or the monthly task) runs the evaluation.
permissions.register_rules(
    OBJECTIVE,
    {
        permissions.VIEW: READERS,
        permissions.ADD: {Role.LEADER},
        permissions.CHANGE: {Role.LEADER},
    },
)

permissions.register_rules(
    INDEX_ENTRY,
    {permissions.VIEW: READERS, permissions.ADD: KEEPERS, permissions.CHANGE: KEEPERS},
)
permissions.register_rules(INDEX_SCHEME, {permissions.VIEW: permissions.ALL_ROLES}, scoped=False)
permissions.register_rules(THRESHOLD, {permissions.VIEW: permissions.ALL_ROLES}, scoped=False)
permissions.register_rules(QMS_REPORT, {permissions.VIEW: KEEPERS})
permissions.register_rules(ERRATUM, {permissions.VIEW: KEEPERS, permissions.ADD: {Role.LEADER}})


def _open_audit_dossiers(user, action):
    if not getattr(user, "is_authenticated", False):
        return None
    from audits.selectors_audits import open_audit_paths

    paths = open_audit_paths(user)
    return subtree_q(paths, "agency__path") if paths else None


permissions.register_relation(
    DOSSIER,
    model=Dossier,
    actions={permissions.VIEW},
    rows=_open_audit_dossiers,
    name="the auditee's dossiers, for the team of an open audit",
)
