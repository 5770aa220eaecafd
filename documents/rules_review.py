"""Rows of the permission policy for the legal register and the review of procedures (imported
when the app is ready, so services, tasks and views alike find them)."""

from django.db.models import Q

from documents.models import LegalDocument
from qms import permissions
from qms.models import Role

VIEW, ADD, CHANGE = permissions.VIEW, permissions.ADD, permissions.CHANGE
LEGAL_DOCUMENT, REVIEW = "legaldocument", "procedurereview"
CLOSE = "close"
KEEPERS = frozenset({Role.OFFICER, Role.LEADER})

# Every member reads the reviews of their agency (and its units); the people who keep the
# documents end a review (no change / needs revision). Separation of duties does not bite here:
# ending a review changes no document.
permissions.register_rules(REVIEW, {VIEW: Role.values, CLOSE: KEEPERS})

# The register of legal documents is one for everybody: every member reads all of it (by the
# relation below); officers and leaders record documents for their agency and change their
# agency's rows.
permissions.register_rules(LEGAL_DOCUMENT, {VIEW: Role.values, ADD: KEEPERS, CHANGE: KEEPERS})


def _register_readers(user, action):
    """Anyone holding a role somewhere reads the whole register (public legal documents)."""
    return Q(pk__isnull=False) if permissions.active_memberships(user) else None


def _unowned_rows(user, action):
    """Rows that came in with a procedure's legal basis (no agency recorded them): any officer or
    leader completes them (its effective date, what it amends or replaces)."""
    if any(m.role in KEEPERS for m in permissions.active_memberships(user)):
        return Q(agency__isnull=True)
    return None


permissions.register_relation(
    LEGAL_DOCUMENT,
    model=LegalDocument,
    actions={VIEW},
    rows=_register_readers,
    name="the legal register, read by every member",
)
permissions.register_relation(
    LEGAL_DOCUMENT,
    model=LegalDocument,
    actions={CHANGE},
    rows=_unowned_rows,
    name="register rows nobody recorded, completed by any officer or leader",
)
