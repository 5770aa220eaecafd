"""Rows of the permission policy for management reviews (imported when the app is ready).

By role only: members of the review's agency or of a body above it (officers, leaders, staff)
read it; officers and leaders plan, change and record it. Internal auditors have no right by role
and no relation grants one: the review is the leadership's meeting, not an audit's evidence.
"""

from qms import permissions
from qms.models import Role

REVIEW = "management_review"
KEEPERS = frozenset({Role.OFFICER, Role.LEADER})
READERS = frozenset({Role.OFFICER, Role.LEADER, Role.STAFF})

permissions.register_rules(
    REVIEW,
    {permissions.VIEW: READERS, permissions.ADD: KEEPERS, permissions.CHANGE: KEEPERS},
)
