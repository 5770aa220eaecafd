"""Rows of the permission policy for internal auditors' qualifications (imported when the app is
ready, so services, selectors and views alike find them)."""

from qms import permissions
from qms.models import Role

QUALIFICATION = "auditorqualification"

# The people who keep the quality system (officers, leaders) record and correct the certificates
# of their agency's internal auditors; the auditors read them too (theirs and their colleagues').
# Deleting one is for administrators only (the history keeps every version).
permissions.register_rules(
    QUALIFICATION,
    {
        permissions.VIEW: {Role.OFFICER, Role.LEADER, Role.AUDITOR},
        permissions.ADD: {Role.OFFICER, Role.LEADER},
        permissions.CHANGE: {Role.OFFICER, Role.LEADER},
    },
)
