"""Reads of audit checklists: the items of an audit in order, their progress, the scope's
questions a checklist is generated from, who is on the team, who may read an evidence file."""

from django.db.models import Prefetch, Q, QuerySet

from audits.models import (
    AuditState,
    ChecklistEvidence,
    ChecklistItem,
    Clause,
    ItemResult,
)
from audits.rules_checklists import EVIDENCE, ITEM
from audits.selectors import questions_for
from qms import permissions

# The states in which the team edits the checklist (adds, edits, orders, deletes unanswered items).
EDITABLE_STATES = (AuditState.PLANNED, AuditState.IN_PROGRESS)
# Findings worth recording from an item.
FINDING_RESULTS = (ItemResult.NONCONFORMITY, ItemResult.OBSERVATION)


def checklist_items(audit) -> QuerySet:
    """The audit's items in their order, with what a list shows (one query each, whatever the
    number of items)."""
    evidence = ChecklistEvidence.objects.select_related("document").order_by("pk")
    return (
        ChecklistItem.objects.filter(audit=audit)
        .select_related("clause", "procedure", "answered_by")
        .prefetch_related(Prefetch("evidence", queryset=evidence))
        .order_by("position", "pk")
    )


def checklist_progress(audit) -> tuple[int, int]:
    """(answered, total) items of the audit's checklist."""
    items = ChecklistItem.objects.filter(audit=audit)
    total = items.count()
    answered = items.exclude(result=ItemResult.PENDING).count()
    return answered, total


def scope_clauses(audit) -> QuerySet:
    """The clauses the audit's scope covers: each scope clause and every sub-clause below it
    ("8.5" covers 8.5.1 … 8.5.6), in the standard's order."""
    keys = list(audit.clauses.values_list("sort_key", flat=True))
    if not keys:
        return Clause.objects.none()
    covered = Q()
    for key in keys:
        covered |= Q(sort_key=key) | Q(sort_key__startswith=f"{key}.")
    return Clause.objects.filter(covered).order_by("sort_key")


def scope_questions(audit) -> QuerySet:
    """The questions a checklist of ``audit`` is generated from: the bank's and those of the
    auditee and the bodies above it (active), on the clauses the scope covers."""
    return questions_for(audit.agency, scope_clauses(audit))


def is_on_team(user, audit) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return audit.team.filter(user=user).exists()


def may_read_checklist(user, audit) -> bool:
    """Team members (any state), officers, leaders and auditors of the auditee or above."""
    if permissions.has_permission(user, ITEM, permissions.VIEW, _ItemOf(audit)):
        return True
    return is_on_team(user, audit)


def may_read_evidence(user, evidence) -> bool:
    return permissions.has_permission(user, EVIDENCE, permissions.VIEW, evidence)


def may_read_audit_evidence(user, audit) -> bool:
    """May ``user`` read the evidence files of ``audit``'s checklist (what ``may_read_evidence``
    answers for each of them, asked once for a list)."""
    if permissions.has_permission(user, EVIDENCE, permissions.VIEW, _ItemOf(audit)):
        return True
    return audit.is_open and is_on_team(user, audit)


class _ItemOf:
    """A stand-in item of ``audit`` for the role check (its agency is the auditee); it has no
    primary key, so no relation grants it."""

    pk = None

    def __init__(self, audit):
        self.audit = audit

    def get_owning_agency(self):
        return self.audit.agency


def checklist_history(audit, limit: int = 500) -> list:
    """Every recorded change of the audit's checklist items (django-simple-history), newest
    first: who, when, which item (its position then), what was done, the result and notes then.
    One query, whatever the number of rows (at most ``limit``)."""
    return list(
        ChecklistItem.history.filter(audit_id=audit.pk)
        .select_related("history_user", "clause")
        .order_by("-history_date", "-history_id")[:limit]
    )
