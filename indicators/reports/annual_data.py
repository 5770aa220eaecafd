"""The figures of the annual QMS report of an agency (issue [9] item 7; Decision 101/2018/QĐ-TTg:
the yearly maintenance and improvement of the system), read for the agency's subtree across the
2025 reform (``selectors_bodies``: former bodies merged or renamed into it count in it).

What each figure means (the year is 01/01 to 31/12; "now" is when the report is made):
- **documents**: the issues of procedures that took effect in the year (number 1: issued, a
  higher number: revised) and those withdrawn in the year;
- **audits**: internal audits planned or started in the year, with their findings; external
  inspections held in the year, with theirs; findings raised in the year by kind;
- **corrective actions**: opened in the year, closed in the year, and as of now those not closed
  and those overdue (not implemented and past their due date, ``audits.selectors_actions``);
- **complaints**: received in the year; answered in the year, of which on time (answered by the
  due day); received by the year's end and not answered now, of which past their due day;
- **quality objectives** in force in the year with each month evaluated;
- **management reviews** held in the year with their conclusions;
- **on-time figures**: ``indicators.selectors.metrics`` for the year, by month and by TTHC
  (Σ/Σ; pending overdue: received by the year's end, past the due time now).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone

from qms.models import Agency

from ..models.objectives import ObjectiveEvaluation, ObjectiveMetric, QualityObjective
from ..selectors import MONTH, PROCEDURE, MetricRow, metrics
from ..selectors_bodies import Bodies, reporting_bodies


@dataclass
class ActionFigures:
    opened: int = 0
    closed: int = 0
    not_closed: int = 0
    overdue: int = 0


@dataclass
class ComplaintFigures:
    received: int = 0
    answered: int = 0
    answered_on_time: int = 0
    pending: int = 0
    pending_overdue: int = 0

    @property
    def on_time_rate(self):
        from decimal import Decimal

        return Decimal(self.answered_on_time) / self.answered if self.answered else None


@dataclass
class AnnualFigures:
    agency: Agency
    year: int
    start: dt.date
    end: dt.date
    now: dt.datetime
    bodies: Bodies
    issues: list = field(default_factory=list)  # ProcedureIssue, effective in the year
    withdrawn: list = field(default_factory=list)  # ProcedureIssue, withdrawn in the year
    audits: list = field(default_factory=list)  # Audit (+ n_major, n_minor, n_other)
    inspections: list = field(default_factory=list)  # ExternalInspection (+ the same counts)
    findings_by_kind: dict = field(default_factory=dict)  # kind -> raised in the year
    nonconformities: list = field(default_factory=list)  # Finding, major/minor of the year
    actions: ActionFigures = field(default_factory=ActionFigures)
    complaints: ComplaintFigures = field(default_factory=ComplaintFigures)
    objectives: list = field(default_factory=list)  # (QualityObjective, [ObjectiveEvaluation])
    reviews: list = field(default_factory=list)  # ManagementReview held in the year
    total: MetricRow | None = None
    months: list = field(default_factory=list)  # MetricRow per month
    procedures: list = field(default_factory=list)  # MetricRow per TTHC
    on_time_target: object = None  # the node's on-time objective (percent) in force at the end

    @property
    def issued(self) -> int:
        return sum(1 for issue in self.issues if issue.number == 1)

    @property
    def revised(self) -> int:
        return sum(1 for issue in self.issues if issue.number > 1)

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)


def _finding_counts(prefix: str = "findings__") -> dict:
    from audits.models import FindingKind

    return {
        "n_major": Count("findings", filter=Q(**{f"{prefix}kind": FindingKind.MAJOR_NC})),
        "n_minor": Count("findings", filter=Q(**{f"{prefix}kind": FindingKind.MINOR_NC})),
        "n_other": Count(
            "findings",
            filter=Q(**{f"{prefix}kind__in": [FindingKind.OBSERVATION, FindingKind.OPPORTUNITY]}),
        ),
    }


def annual_figures(agency: Agency, year: int, *, now: dt.datetime | None = None) -> AnnualFigures:
    """Every figure of the annual report of ``agency`` for ``year`` (a fixed number of queries)."""
    from audits.models import (
        ActionState,
        Audit,
        ComplaintState,
        CorrectiveAction,
        ExternalInspection,
        Finding,
        FindingKind,
        ManagementReview,
        ReviewState,
    )
    from audits.models import Complaint as ComplaintModel
    from audits.selectors_actions import overdue_q
    from documents.models import ProcedureIssue

    now = now or timezone.now()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    bodies = reporting_bodies(agency, start, end)
    figures = AnnualFigures(agency=agency, year=year, start=start, end=end, now=now, bodies=bodies)
    today = figures.today
    scope = bodies.scope_q()

    issues = ProcedureIssue.objects.filter(
        bodies.scope_q("procedure__agency__path")
    ).select_related("procedure__agency__parent")
    figures.issues = list(
        issues.filter(effective_date__range=(start, end)).order_by(
            "effective_date", "code", "number"
        )
    )
    figures.withdrawn = list(
        issues.filter(withdrawn_at__date__range=(start, end)).order_by("withdrawn_at", "code")
    )

    figures.audits = list(
        Audit.objects.filter(scope)
        .filter(Q(planned_start__range=(start, end)) | Q(actual_start__range=(start, end)))
        .select_related("agency__parent")
        .annotate(**_finding_counts())
        .order_by("planned_start", "code")
    )
    figures.inspections = list(
        ExternalInspection.objects.filter(scope, inspected_on__range=(start, end))
        .select_related("agency__parent")
        .annotate(**_finding_counts())
        .order_by("inspected_on", "pk")
    )
    findings = Finding.objects.filter(scope, raised_on__range=(start, end))
    figures.findings_by_kind = {
        row["kind"]: row["n"] for row in findings.order_by().values("kind").annotate(n=Count("pk"))
    }
    figures.nonconformities = list(
        findings.filter(kind__in=[FindingKind.MAJOR_NC, FindingKind.MINOR_NC])
        .select_related("agency__parent", "clause")
        .order_by("raised_on", "code")
    )

    actions = CorrectiveAction.objects.filter(bodies.scope_q("finding__agency__path"))
    figures.actions = ActionFigures(
        **actions.aggregate(
            opened=Count("pk", filter=Q(created_at__date__range=(start, end))),
            closed=Count("pk", filter=Q(closed_at__date__range=(start, end))),
            not_closed=Count("pk", filter=~Q(state=ActionState.CLOSED)),
            overdue=Count("pk", filter=overdue_q(today)),
        )
    )

    complaints = ComplaintModel.objects.filter(scope)
    answered = Q(state=ComplaintState.ANSWERED, answered_on__range=(start, end))
    pending = Q(state=ComplaintState.RECEIVED, received_on__lte=end)
    figures.complaints = ComplaintFigures(
        **complaints.aggregate(
            received=Count("pk", filter=Q(received_on__range=(start, end))),
            answered=Count("pk", filter=answered),
            answered_on_time=Count("pk", filter=answered & Q(answered_on__lte=F("due_on"))),
            pending=Count("pk", filter=pending),
            pending_overdue=Count("pk", filter=pending & Q(due_on__lt=today)),
        )
    )

    objectives = list(
        QualityObjective.objects.filter(scope, valid_from__lte=end)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
        .select_related("agency__parent", "procedure")
        .order_by("agency__path", "name", "pk")
    )
    evaluations: dict[int, list] = {}
    for evaluation in ObjectiveEvaluation.objects.filter(
        objective__in=objectives, period_start__range=(start, end)
    ).order_by("period_start"):
        evaluations.setdefault(evaluation.objective_id, []).append(evaluation)
    figures.objectives = [(o, evaluations.get(o.pk, [])) for o in objectives]
    for objective in objectives:
        if (
            objective.agency_id == agency.pk
            and objective.metric == ObjectiveMetric.ON_TIME_RATE
            and objective.procedure_id is None
            and (objective.valid_until is None or objective.valid_until >= end)
        ):
            figures.on_time_target = objective.target

    figures.reviews = list(
        ManagementReview.objects.filter(scope, state=ReviewState.HELD, held_on__range=(start, end))
        .select_related("agency__parent")
        .order_by("held_on", "pk")
    )

    # ``metrics`` reads the node across the reform too (the bodies merged into it count in it).
    [figures.total] = metrics(agency, start, end, now=now)
    figures.months = metrics(agency, start, end, group_by=MONTH, now=now)
    figures.procedures = [
        row for row in metrics(agency, start, end, group_by=PROCEDURE, now=now) if not row.is_empty
    ]
    return figures
