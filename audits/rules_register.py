"""Rows of the permission policy for the QMS register (scope, policy), risks and opportunities,
conformity announcements and external inspections (imported when the app is ready).

By role only, no relation: the register, the risks and opportunities and the conformity
announcements are read by the members of the agency or of a body above it (officers, leaders,
staff; internal auditors not); officers and leaders of the agency or above add and change them.
External inspections carry their findings (nonconformities are read by officers and leaders only,
audits/rules_findings.py): officers and leaders of the agency or above read, record and handle
them. Nothing is deleted except by an administrator (a risk is closed, an inspection reported).
"""

from qms import permissions
from qms.models import Role

QUALITY_SYSTEM = "qualitysystem"
RISK = "risk"
ANNOUNCEMENT = "conformityannouncement"
INSPECTION = "externalinspection"

KEEPERS = frozenset({Role.OFFICER, Role.LEADER})
READERS = KEEPERS | {Role.STAFF}

for _resource in (QUALITY_SYSTEM, RISK, ANNOUNCEMENT):
    permissions.register_rules(
        _resource,
        {permissions.VIEW: READERS, permissions.ADD: KEEPERS, permissions.CHANGE: KEEPERS},
    )
permissions.register_rules(
    INSPECTION,
    {permissions.VIEW: KEEPERS, permissions.ADD: KEEPERS, permissions.CHANGE: KEEPERS},
)
