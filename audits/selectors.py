"""Reads of audits for views, services and (later) checklists."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from audits.models import Clause, Question
from qms.models import Agency

# --- The clause catalogue and the question bank ----------------------------------------------


def clause_tree() -> QuerySet:
    """Every clause in the standard's order (4, 4.1 … 7.1.5, 7.1.5.1, 7.1.6 … 9, 10), each with
    its ``depth`` (1 for 4 … 10) for indenting."""
    return Clause.objects.select_related("parent").order_by("sort_key")


def clause_by_number(number: str) -> Clause | None:
    """The clause numbered ``number`` (spaces and a trailing dot ignored: "8.5.1." is 8.5.1)."""
    return Clause.objects.filter(number=number.strip().rstrip(".")).first()


def questions_for(agency: Agency | None, clauses: Iterable[Clause] | None = None) -> QuerySet:
    """The questions a checklist for ``agency`` may use, on ``clauses`` (every clause when None):
    the bank's own active questions and the active questions of the agency and the bodies above
    it (never those of a sibling or of a unit below). In the standard's order."""
    owners = Q(agency__isnull=True)
    if agency is not None:
        owners |= Q(agency_id__in=agency.ancestor_ids())
    questions = Question.objects.filter(owners, is_active=True)
    if clauses is not None:
        questions = questions.filter(clause__in=list(clauses))
    return questions.select_related("clause", "agency").order_by("clause__sort_key", "pk")
