"""The scorecard's figures counted the naive way, straight from dossiers, reviews, programme
entries, findings, actions and complaints (no selector, no summary table), for the scorecard
tests (tests/indicators/test_scorecard*.py)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from audits.models import Complaint, CorrectiveAction, Finding, ProgrammeEntry


def _percent(part: int, whole: int):
    return Decimal(part) * 100 / Decimal(whole) if whole else None


def naive_row(members: set[int], flt, *, now, today) -> dict:
    """The figures of a row whose records are those of the agencies ``members``."""
    from documents.models import ProcedureIssue, ProcedureReview
    from indicators.models import Dossier

    dossiers = Dossier.objects.filter(agency_id__in=members)
    if flt.field:
        dossiers = dossiers.filter(procedure__field=flt.field)
    if flt.channel:
        dossiers = dossiers.filter(channel=flt.channel)
    results = dossiers.filter(state__in=("resolved", "refused"))

    def on_time(first, last):
        done = results.filter(resolved_on__gte=first, resolved_on__lte=last)
        ok = done.filter(timing__in=("early", "on_time")).count()
        return ok, done.count()

    ok, resolved = on_time(flt.start, flt.end)
    ok_year, resolved_year = on_time(flt.end.replace(month=1, day=1), flt.end)
    pending_overdue = dossiers.filter(
        state__in=("received", "in_progress", "waiting"),
        received_on__lte=flt.end,
        due_at__lt=now,
    ).count()
    # Procedures in force today (an issue effective, not superseded or withdrawn) with an open
    # review due before today.
    overdue_reviews = ProcedureReview.objects.filter(
        procedure__agency_id__in=members, outcome="", due_on__lt=today
    )
    procedures = set()
    for review in overdue_reviews:
        issues = ProcedureIssue.objects.filter(procedure_id=review.procedure_id)
        if any(_in_force(issue, today) for issue in issues):
            procedures.add(review.procedure_id)
    entries = ProgrammeEntry.objects.filter(
        programme__agency_id__in=members, programme__year=flt.end.year
    ).select_related("audit")
    planned = len(entries)
    done = sum(1 for e in entries if e.audit and e.audit.state in ("reported", "closed"))
    open_ncs = Finding.objects.filter(agency_id__in=members).exclude(state="closed")
    return {
        "on_time_month": _percent(ok, resolved),
        "on_time_year": _percent(ok_year, resolved_year),
        "pending_overdue": pending_overdue,
        "reviews_overdue": len(procedures),
        "audits_done": _percent(done, planned),
        "major_nc": open_ncs.filter(kind="major_nc").count(),
        "minor_nc": open_ncs.filter(kind="minor_nc").count(),
        "actions_overdue": CorrectiveAction.objects.filter(
            finding__agency_id__in=members,
            state__in=("open", "cause_analysed", "action_planned"),
            due_date__lt=today,
        ).count(),
        "complaints_open": Complaint.objects.filter(
            agency_id__in=members, state="received"
        ).count(),
        "counts": (ok, resolved, ok_year, resolved_year),
    }


def _in_force(issue, today) -> bool:
    if issue.effective_date is None or issue.effective_date > today:
        return False
    if issue.superseded_on is not None and issue.superseded_on <= today:
        return False
    return issue.withdrawn_at is None or issue.withdrawn_at.date() > today


def subtree_members(agency) -> set[int]:
    """An agency and every agency below it (by path), naively."""
    from qms.models import Agency

    return set(
        Agency.objects.filter(Q(path=agency.path) | Q(path__startswith=agency.path)).values_list(
            "pk", flat=True
        )
    )


def values_of(row) -> dict:
    """The scorecard row's values by measure (as the naive dict names them); the service index
    aside (its parts are checked against naive queries in test_service_index, and its cell
    against the index of the body in test_scorecard)."""
    return {
        str(measure): cell.value
        for measure, cell in row.cells.items()
        if measure != "service_index"
    }


def assert_row_matches(row, expected: dict) -> None:
    got = values_of(row)
    wanted = {k: v for k, v in expected.items() if k != "counts"}
    assert got == wanted, (row.body.label, got, wanted)
