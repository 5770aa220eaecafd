"""Rows of the permission policy for complaints and feedback (imported when the app is ready).

By role only: officers and leaders of the complaint's agency or of a body above it read, record
and change its complaints; nobody else (internal auditors, staff, other agencies) sees them, and
no relation grants anything. The complainant's contact is narrower still: only officers and
leaders of the agency itself (``audits.services.complaints.may_see_contact``, Decree 13/2023).
"""

from qms import permissions
from qms.models import Role

COMPLAINT = "complaint"
KEEPERS = frozenset({Role.OFFICER, Role.LEADER})

permissions.register_rules(
    COMPLAINT,
    {permissions.VIEW: KEEPERS, permissions.ADD: KEEPERS, permissions.CHANGE: KEEPERS},
)
