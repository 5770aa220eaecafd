"""The leadership scorecard and its TTHC drill-down (issue [9] items 1 and 4).

``scorecard(filter)`` gives one row per body below the filter's node (``selectors_bodies``: the
node's own records, then each child with its subtree, across the 2025 reform), worst first, and a
total row. Each row has a cell per measure (``ScorecardMeasure``), coloured green / amber / red by ``ScorecardThreshold`` (defaults in
``models.dashboard.DEFAULT_THRESHOLDS``), "" when there is no data. Definitions:

- **on-time rate of the period** (``on_time_month``): Σ(early + on time) / Σ resolved of the
  summary day rows from ``filter.start`` to ``filter.end`` (the field and channel of the filter
  applied), as a percentage; **from the year's start** (``on_time_year``): the same from the 1st
  of January of the year of ``filter.end`` to ``filter.end``. Never an average of rates. The
  target is the body's quality objective (metric "on-time rate", every TTHC, of the body's own
  agency, valid on ``filter.end``; the latest set when several): with one, green needs
  value >= its target, below it amber or red by the thresholds; without one, the thresholds alone.
- **pending overdue** (``pending_overdue``): dossiers in a pending state received by
  ``filter.end`` whose due time is before ``now`` (field and channel applied).
- **procedures overdue for review** (``reviews_overdue``): procedures in force on ``today`` with
  an open review due before ``today`` (``documents.selectors_review``), counted once each.
- **audits done vs the programme** (``audits_done``): of the entries of the audit programmes of
  the year of ``filter.end`` (``audits.selectors_programme``: every entry is planned; done when
  its audit is reported or closed), the share done, as a percentage, by the programme's body; no
  programme (or an empty one): no data.
- **open major / minor NCs** (``major_nc``, ``minor_nc``): findings of those kinds not closed.
- **overdue corrective actions** (``actions_overdue``): actions not yet implemented whose due
  date is before ``today`` (``audits.selectors_actions.overdue_q``), by their finding's agency.
- **open complaints** (``complaints_open``): complaints received and not yet answered.
- **the service index** (``service_index``): the body's points out of 100 for the period
  (``selectors_index``, Decision 766/QĐ-TTg as data), higher is better; the index is the body's
  whole (the field and channel do not narrow it).

Records that are not dossiers count whatever the field and channel. Each measure is one query
grouped by agency over ``bodies.scope_q()``, placed with ``bodies.row_of()``: a fixed number of
queries whatever the number of bodies. The total is the sum of the rows (rates Σ/Σ), against
the node's own objective. The node's own-records row, and an ended body, show only with data.

``procedure_rows(filter)`` is the drill-down: one row per TTHC of the node's subtree with
resolved, late, the on-time rate, pending overdue and the step (code and unit) with most late
steps among the dossiers received in the period, most late first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from qms.models import AdministrativeProcedure

from .dashboard_filter import DashboardFilter
from .models import DailySummary, Dossier, DossierStep, QualityObjective
from .models.dashboard import (
    DEFAULT_THRESHOLDS,
    HIGHER_IS_BETTER,
    ScorecardMeasure,
    ScorecardThreshold,
)
from .models.dossiers import PENDING_STATES, Timing
from .models.objectives import ObjectiveMetric
from .selectors_bodies import Bodies, Body, reporting_bodies

GREEN, AMBER, RED, NO_DATA = "green", "amber", "red", ""
RATES = (ScorecardMeasure.ON_TIME_MONTH, ScorecardMeasure.ON_TIME_YEAR)
PERCENTS = (*RATES, ScorecardMeasure.AUDITS_DONE)
# The columns of the scorecard, in order.
MEASURES = (
    ScorecardMeasure.ON_TIME_MONTH,
    ScorecardMeasure.ON_TIME_YEAR,
    ScorecardMeasure.PENDING_OVERDUE,
    ScorecardMeasure.REVIEWS_OVERDUE,
    ScorecardMeasure.AUDITS_DONE,
    ScorecardMeasure.MAJOR_NC,
    ScorecardMeasure.MINOR_NC,
    ScorecardMeasure.ACTIONS_OVERDUE,
    ScorecardMeasure.COMPLAINTS_OPEN,
    ScorecardMeasure.SERVICE_INDEX,
)
HUNDRED = Decimal(100)


@dataclass
class Cell:
    """One measure of a row: ``value`` a count (int) or a percentage (Decimal, 0-100) with its
    ``numerator`` / ``denominator``; ``target`` what green needs (the objective's target or the
    green threshold); ``objective`` the quality objective behind the target, if any."""

    measure: str
    value: int | Decimal | None
    numerator: int | None = None
    denominator: int | None = None
    target: Decimal | None = None
    colour: str = NO_DATA
    objective: QualityObjective | None = None

    @property
    def is_percent(self) -> bool:
        return self.measure in PERCENTS


@dataclass
class ScoreRow:
    body: Body
    cells: dict[str, Cell] = field(default_factory=dict)
    has_data: bool = False

    def colours(self, colour: str) -> int:
        return sum(1 for cell in self.cells.values() if cell.colour == colour)

    @property
    def on_time(self) -> Decimal | None:
        return self.cells[ScorecardMeasure.ON_TIME_MONTH].value


@dataclass
class Scorecard:
    filter: DashboardFilter
    rows: list[ScoreRow]
    total: ScoreRow
    bodies: Bodies | None = None
    now: dt.datetime | None = None
    today: dt.date | None = None
    thresholds: dict = field(default_factory=dict)


# --- Thresholds and colours --------------------------------------------------------------------


def thresholds() -> dict[str, tuple[Decimal, Decimal]]:
    """(green, amber) by measure: the administrators' rows, else the defaults."""
    found = {m: (Decimal(g), Decimal(a)) for m, (g, a) in DEFAULT_THRESHOLDS.items()}
    for row in ScorecardThreshold.objects.all():
        found[row.measure] = (row.green, row.amber)
    return found


def colour_of(measure: str, value, bounds: tuple, target: Decimal | None = None) -> str:
    """The colour of ``value`` for ``measure``; ``target`` (an objective's) replaces the green
    threshold of a rate."""
    if value is None:
        return NO_DATA
    green, amber = bounds
    if measure in HIGHER_IS_BETTER:
        if value >= (green if target is None else target):
            return GREEN
        return AMBER if value >= amber else RED
    if value <= green:
        return GREEN
    return AMBER if value <= amber else RED


def _percent(numerator: int, denominator: int) -> Decimal | None:
    return Decimal(numerator) * HUNDRED / Decimal(denominator) if denominator else None


# --- The grouped reads -------------------------------------------------------------------------


def _counts(bodies: Bodies, queryset, agency_field: str, **aggregates) -> dict[int, dict]:
    """``aggregates`` of ``queryset`` per row of ``bodies`` (keyed by ``id(body)``)."""
    found: dict[int, dict] = {}
    rows = queryset.order_by().values(agency_field).annotate(**aggregates)
    for values in rows:
        body = bodies.row_of(values[agency_field])
        if body is None:
            continue
        sums = found.setdefault(id(body), dict.fromkeys(aggregates, 0))
        for name in aggregates:
            sums[name] += values[name] or 0
    return found


def on_time_objectives(agency_ids, on: dt.date) -> dict[int, QualityObjective]:
    """The on-time objective (every TTHC) of each agency valid on ``on``: the latest set."""
    found: dict[int, QualityObjective] = {}
    rows = QualityObjective.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on),
        agency_id__in=set(agency_ids),
        metric=ObjectiveMetric.ON_TIME_RATE,
        procedure__isnull=True,
        valid_from__lte=on,
    ).order_by("agency_id", "-valid_from", "-pk")
    for objective in rows:
        found.setdefault(objective.agency_id, objective)
    return found


def _read(filter: DashboardFilter, bodies: Bodies, now, today) -> dict[str, dict[int, dict]]:
    from audits.models import Complaint, CorrectiveAction, Finding, ProgrammeEntry
    from audits.models.complaints import ComplaintState
    from audits.models.findings import FindingKind, FindingState
    from audits.selectors_actions import overdue_q as action_overdue_q
    from audits.selectors_programme import DONE_STATES
    from documents.models import ProcedureReview
    from documents.selectors_review import open_reviews
    from documents.selectors_review import overdue_q as review_overdue_q

    start, end, year_start = filter.start, filter.end, filter.year_start
    period, year = Q(day__gte=start), Q(day__gte=year_start)
    reads = {
        "summary": _counts(
            bodies,
            DailySummary.objects.filter(
                bodies.scope_q(), filter.dossier_q(), day__gte=min(start, year_start), day__lte=end
            ),
            "agency_id",
            n_ok=Sum("early", filter=period) + Sum("on_time", filter=period),
            n_resolved=Sum("resolved", filter=period),
            n_received=Sum("received", filter=period),
            n_ok_year=Sum("early", filter=year) + Sum("on_time", filter=year),
            n_resolved_year=Sum("resolved", filter=year),
        ),
        "pending": _counts(
            bodies,
            Dossier.objects.filter(
                bodies.scope_q(),
                filter.dossier_q(),
                state__in=PENDING_STATES,
                received_on__lte=end,
                due_at__lt=now,
            ),
            "agency_id",
            n=Count("pk"),
        ),
        "reviews": _counts(
            bodies,
            open_reviews(
                ProcedureReview.objects.filter(
                    bodies.scope_q("procedure__agency__path"), review_overdue_q(today)
                ),
                today,
            ),
            "procedure__agency_id",
            n=Count("procedure", distinct=True),
        ),
        "programme": _counts(
            bodies,
            ProgrammeEntry.objects.filter(
                bodies.scope_q("programme__agency__path"), programme__year=end.year
            ),
            "programme__agency_id",
            planned=Count("pk"),
            done=Count("pk", filter=Q(audit__state__in=DONE_STATES)),
        ),
        "findings": _counts(
            bodies,
            Finding.objects.filter(
                bodies.scope_q(), kind__in=(FindingKind.MAJOR_NC, FindingKind.MINOR_NC)
            ).exclude(state=FindingState.CLOSED),
            "agency_id",
            major=Count("pk", filter=Q(kind=FindingKind.MAJOR_NC)),
            minor=Count("pk", filter=Q(kind=FindingKind.MINOR_NC)),
        ),
        "actions": _counts(
            bodies,
            CorrectiveAction.objects.filter(
                bodies.scope_q("finding__agency__path"), action_overdue_q(today)
            ),
            "finding__agency_id",
            n=Count("pk"),
        ),
        "complaints": _counts(
            bodies,
            Complaint.objects.filter(bodies.scope_q(), state=ComplaintState.RECEIVED),
            "agency_id",
            n=Count("pk"),
        ),
    }
    return reads


def _figures(reads: dict, key: int) -> dict:
    """The raw figures of one row from the grouped reads."""

    def got(name, field_name="n"):
        return reads[name].get(key, {}).get(field_name, 0)

    return {
        "ok": got("summary", "n_ok"),
        "resolved": got("summary", "n_resolved"),
        "received": got("summary", "n_received"),
        "ok_year": got("summary", "n_ok_year"),
        "resolved_year": got("summary", "n_resolved_year"),
        "pending_overdue": got("pending"),
        "reviews_overdue": got("reviews"),
        "planned": got("programme", "planned"),
        "done": got("programme", "done"),
        "major_nc": got("findings", "major"),
        "minor_nc": got("findings", "minor"),
        "actions_overdue": got("actions"),
        "complaints_open": got("complaints"),
    }


def _add(total: dict, figures: dict) -> None:
    for name, value in figures.items():
        total[name] = total.get(name, 0) + value


def _row(
    body: Body,
    figures: dict,
    bounds: dict,
    objective: QualityObjective | None,
    index=None,
) -> ScoreRow:
    row = ScoreRow(body=body)
    target = objective.target if objective is not None else None
    for measure, numerator, denominator in (
        (ScorecardMeasure.ON_TIME_MONTH, figures["ok"], figures["resolved"]),
        (ScorecardMeasure.ON_TIME_YEAR, figures["ok_year"], figures["resolved_year"]),
    ):
        value = _percent(numerator, denominator)
        row.cells[measure] = Cell(
            measure=measure,
            value=value,
            numerator=numerator,
            denominator=denominator,
            target=target if target is not None else bounds[measure][0],
            colour=colour_of(measure, value, bounds[measure], target),
            objective=objective,
        )
    for measure in (ScorecardMeasure.PENDING_OVERDUE, ScorecardMeasure.REVIEWS_OVERDUE):
        row.cells[measure] = _count_cell(measure, figures[measure.value], bounds)
    audits = ScorecardMeasure.AUDITS_DONE
    value = _percent(figures["done"], figures["planned"])
    row.cells[audits] = Cell(
        measure=audits,
        value=value,
        numerator=figures["done"],
        denominator=figures["planned"],
        target=bounds[audits][0],
        colour=colour_of(audits, value, bounds[audits]),
    )
    for measure in (
        ScorecardMeasure.MAJOR_NC,
        ScorecardMeasure.MINOR_NC,
        ScorecardMeasure.ACTIONS_OVERDUE,
        ScorecardMeasure.COMPLAINTS_OPEN,
    ):
        row.cells[measure] = _count_cell(measure, figures[measure.value], bounds)
    measure = ScorecardMeasure.SERVICE_INDEX
    points = index.total if index is not None else None
    row.cells[measure] = Cell(
        measure=measure,
        value=points,
        target=bounds[measure][0],
        colour=colour_of(measure, points, bounds[measure]),
    )
    row.has_data = any(
        figures[name]
        for name in ("received", "resolved", "resolved_year", "planned", *MEASURE_COUNTS)
    )
    return row


MEASURE_COUNTS = (
    "pending_overdue",
    "reviews_overdue",
    "major_nc",
    "minor_nc",
    "actions_overdue",
    "complaints_open",
)


def _count_cell(measure: str, value: int, bounds: dict) -> Cell:
    return Cell(
        measure=measure,
        value=value,
        target=bounds[measure][0],
        colour=colour_of(measure, value, bounds[measure]),
    )


def _worst_first(row: ScoreRow):
    rate = row.on_time
    return (-row.colours(RED), -row.colours(AMBER), rate is None, rate if rate is not None else 0)


def scorecard(
    filter: DashboardFilter, *, now: dt.datetime | None = None, today: dt.date | None = None
) -> Scorecard:
    """The scorecard of ``filter`` (see the module's docstring): rows worst first, and the
    total. ``now`` (pending overdue) and ``today`` (reviews, actions) default to the present."""
    now = now or timezone.now()
    today = today or timezone.localdate()
    bodies = reporting_bodies(filter.agency, filter.start, filter.end)
    bounds = thresholds()
    reads = _read(filter, bodies, now, today)
    objectives = on_time_objectives(
        [b.agency.pk for b in bodies.rows] + [filter.agency.pk], filter.end
    )
    from .selectors_index import index_by_body, service_index

    indexes = {body.key: result for body, result in index_by_body(filter, today=today)}
    rows, total = [], {}
    for index, body in enumerate(bodies.rows):
        figures = _figures(reads, id(body))
        _add(total, figures)
        row = _row(body, figures, bounds, objectives.get(body.agency.pk), indexes.get(body.key))
        if (body.own or body.ended) and not row.has_data:
            continue
        rows.append((index, row))
    rows.sort(key=lambda item: (_worst_first(item[1]), item[0]))
    if not total:
        total = _figures({name: {} for name in reads}, 0)
    total_row = _row(
        Body(agency=filter.agency),
        total,
        bounds,
        objectives.get(filter.agency.pk),
        service_index(filter.agency, filter.start, filter.end, today=today),
    )
    return Scorecard(
        filter=filter,
        rows=[row for _index, row in rows],
        total=total_row,
        bodies=bodies,
        now=now,
        today=today,
        thresholds=bounds,
    )


# --- The drill-down: TTHC of a node ------------------------------------------------------------


@dataclass
class ProcedureRow:
    procedure: AdministrativeProcedure
    received: int = 0
    resolved: int = 0
    on_time: int = 0  # early + on time
    late: int = 0
    pending_overdue: int = 0
    late_step_code: str = ""
    late_step_unit: str = ""
    late_steps: int = 0

    @property
    def on_time_rate(self) -> Decimal | None:
        return _percent(self.on_time, self.resolved)


def procedure_rows(
    filter: DashboardFilter, *, now: dt.datetime | None = None
) -> list[ProcedureRow]:
    """One row per TTHC of the filter's node (its subtree across the reform) with dossiers in the
    period: resolved, late, the on-time rate (Σ/Σ), pending overdue now (received by the end),
    and the step with most late steps among the dossiers received in the period; most late
    first, then most pending overdue, then by code. Four queries whatever the rows."""
    now = now or timezone.now()
    bodies = reporting_bodies(filter.agency, filter.start, filter.end)
    scope = bodies.scope_q()
    found: dict[int, dict] = {}
    summary = (
        DailySummary.objects.filter(
            scope, filter.dossier_q(), day__gte=filter.start, day__lte=filter.end
        )
        .order_by()
        .values("procedure_id")
        .annotate(
            n_received=Sum("received"),
            n_resolved=Sum("resolved"),
            n_ok=Sum("early") + Sum("on_time"),
            n_late=Sum("late"),
        )
    )
    for values in summary:
        found[values["procedure_id"]] = {
            "received": values["n_received"] or 0,
            "resolved": values["n_resolved"] or 0,
            "on_time": values["n_ok"] or 0,
            "late": values["n_late"] or 0,
        }
    pending = (
        Dossier.objects.filter(
            scope,
            filter.dossier_q(),
            state__in=PENDING_STATES,
            received_on__lte=filter.end,
            due_at__lt=now,
        )
        .order_by()
        .values("procedure_id")
        .annotate(n=Count("pk"))
    )
    for values in pending:
        found.setdefault(values["procedure_id"], {})["pending_overdue"] = values["n"]
    steps = DossierStep.objects.filter(
        scope,
        timing=Timing.LATE,
        received_on__gte=filter.start,
        received_on__lte=filter.end,
    )
    if filter.field:
        steps = steps.filter(procedure__field=filter.field)
    if filter.channel:
        steps = steps.filter(
            dossier_id__in=Dossier.objects.filter(scope, channel=filter.channel).values("pk")
        )
    worst: dict[int, tuple] = {}
    grouped = steps.order_by().values("procedure_id", "code", "unit").annotate(n=Count("pk"))
    # Most late steps; on a tie the first code, then unit, in order.
    for values in sorted(grouped, key=lambda v: (-v["n"], v["code"], v["unit"])):
        worst.setdefault(values["procedure_id"], (values["n"], values["code"], values["unit"]))
    procedures = AdministrativeProcedure.objects.in_bulk(list(found))
    rows = []
    for pk, values in found.items():
        row = ProcedureRow(procedure=procedures[pk], **values)
        if pk in worst:
            row.late_steps, row.late_step_code, row.late_step_unit = worst[pk]
        rows.append(row)
    rows.sort(key=lambda r: (-r.late, -r.pending_overdue, r.procedure.code))
    return rows
