"""Quality objectives (mục tiêu chất lượng, TCVN ISO 9001 clause 6.2): set them, evaluate them.

Who: the leaders of the agency or of a body above it (and administrators) set an objective and
ask for a month's evaluation; the monthly task evaluates the previous month without an actor.

``evaluate(objective, period_start)`` measures one calendar month from the summary tables
(``indicators.selectors.metrics``: Σ early + on time / Σ resolved, Σ online / Σ received, Σ late)
and, for the dossiers still pending at the month's end and past their due time then, from the
dossiers. A result is met, missed or "no data" (nothing to measure: nothing resolved, received or
pending). A miss raises one minor nonconformity with source "objective breach" through the audits'
``finding_record`` (its numbering, recurrence and notification of the agency's officers and
leaders), linked to the evaluation. Exactly once per objective and period: the objective's row is
locked while it is evaluated (a second evaluation waits, then finds the first one's result) and
the unique (objective, period_start) constraint is the backstop. Evaluating a month again updates
its figures but never raises a second nonconformity.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import Dossier
from indicators.models.dossiers import RESOLVED_STATES, DossierState
from indicators.models.objectives import (
    PERCENT_METRICS,
    ObjectiveEvaluation,
    ObjectiveMetric,
    QualityObjective,
)
from indicators.periods import month_end, month_label, month_start, previous_month  # noqa: F401
from indicators.rules import OBJECTIVE
from indicators.selectors import PROCEDURE, MetricRow, metrics
from qms import permissions
from qms.display import format_day
from qms.formats.numbers import format_number, format_percent
from qms.models import AdministrativeProcedure, HandlingAgency
from qms.models.agencies import subtree_q

logger = logging.getLogger(__name__)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
BREACH_CLAUSE = "6.2"


# --- Words -------------------------------------------------------------------------------------


def format_measure(metric: str, value) -> str:
    """A target or an actual as people read it: "95 %", "90,5 %", "3 hồ sơ"; "" for none."""
    if value is None:
        return ""
    if metric in PERCENT_METRICS:
        number = Decimal(value)
        decimals = 0 if number == number.to_integral_value() else 1
        if number.quantize(Decimal("0.1")) != number.quantize(CENT):
            decimals = 2
        return format_percent(number, decimals)
    return _("%(n)s hồ sơ") % {"n": format_number(Decimal(value).to_integral_value())}


def target_label(objective: QualityObjective) -> str:
    sign = "≤" if objective.is_ceiling else "≥"
    return f"{sign} {format_measure(objective.metric, objective.target)}"


# --- Setting an objective ----------------------------------------------------------------------


def set_refusal(actor, agency) -> str | None:
    """Why ``actor`` may not set an objective of ``agency``, or None (a leader of it or above;
    no actor: the system, e.g. the demo data)."""
    if agency is None or actor is None:
        return None
    probe = QualityObjective(agency=agency)
    if permissions.has_permission(actor, OBJECTIVE, permissions.ADD, probe):
        return None
    return _("Chỉ lãnh đạo của “%(agency)s” hoặc cấp trên đặt mục tiêu chất lượng.") % {
        "agency": agency.name
    }


def handled_in_subtree(procedure: AdministrativeProcedure, agency) -> bool:
    """Is the TTHC handled by the agency or a unit inside it (the catalogue names it, or its
    dossiers are there)?"""
    scope = subtree_q([agency.path], "agency__path")
    return (
        HandlingAgency.objects.filter(scope, procedure=procedure).exists()
        or Dossier.objects.filter(scope, procedure=procedure).exists()
    )


def _validate(instance: QualityObjective) -> None:
    instance.name = (instance.name or "").strip()
    instance.note = (instance.note or "").strip()
    errors: dict[str, list[str]] = {}
    if not instance.name:
        errors["name"] = [_("Hãy đặt tên mục tiêu.")]
    if instance.metric not in ObjectiveMetric.values:
        errors["metric"] = [_("Hãy chọn chỉ số của mục tiêu.")]
    target = instance.target
    if target is None:
        errors["target"] = [_("Hãy nhập chỉ tiêu.")]
    elif instance.metric in PERCENT_METRICS and not (0 <= target <= 100):
        errors["target"] = [
            _("Chỉ tiêu %(value)s không hợp lệ: tỷ lệ phần trăm từ 0 đến 100.")
            % {"value": format_number(target)}
        ]
    elif instance.metric not in PERCENT_METRICS and (
        target < 0 or target != target.to_integral_value()
    ):
        errors["target"] = [
            _("Chỉ tiêu %(value)s không hợp lệ: số hồ sơ là số nguyên không âm.")
            % {"value": format_number(target)}
        ]
    if not instance.valid_from:
        errors["valid_from"] = [_("Hãy nhập ngày áp dụng.")]
    elif instance.valid_until and instance.valid_until < instance.valid_from:
        errors["valid_until"] = [
            _("Ngày kết thúc %(until)s trước ngày áp dụng %(start)s.")
            % {"until": format_day(instance.valid_until), "start": format_day(instance.valid_from)}
        ]
    if instance.agency_id is None:
        errors["agency"] = [_("Hãy chọn cơ quan, đơn vị.")]
    elif instance.procedure_id and not handled_in_subtree(instance.procedure, instance.agency):
        errors["procedure"] = [
            _("Thủ tục %(code)s không do “%(agency)s” hoặc đơn vị trực thuộc giải quyết.")
            % {"code": instance.procedure.code, "agency": instance.agency.name}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def objective_save(*, actor, instance: QualityObjective) -> QualityObjective:
    """Create or change an objective (the admin's save service). Its evaluations stay as they
    were measured; a changed target applies to the months evaluated afterwards."""
    if instance.pk:
        before = QualityObjective.objects.select_for_update().get(pk=instance.pk)
        reason = set_refusal(actor, before.agency)
        if reason:
            raise PermissionDenied(reason)
        instance.set_by_id = before.set_by_id
    else:
        instance.set_by = actor
    if instance.agency_id is not None:
        reason = set_refusal(actor, instance.agency)
        if reason:
            raise PermissionDenied(reason)
    _validate(instance)
    instance._history_user = actor
    instance.save()
    return instance


# --- Measuring ---------------------------------------------------------------------------------


def _end_moment(last_day: dt.date) -> dt.datetime:
    """The first moment after ``last_day`` (local midnight)."""
    return timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time()))


def pending_overdue_at_end(agency, procedure_id, start: dt.date, end: dt.date) -> tuple[int, int]:
    """(pending, of which overdue) at the end of ``end``: dossiers of the agency's subtree (and
    TTHC) received by then, with no result (nor withdrawal) by then, due before then."""
    moment = _end_moment(end)
    dossiers = Dossier.objects.filter(
        subtree_q([agency.path], "agency__path"), received_on__lte=end
    ).filter(
        Q(state__in=(DossierState.RECEIVED, DossierState.IN_PROGRESS, DossierState.WAITING))
        | Q(resolved_at__gte=moment, state__in=(*RESOLVED_STATES, DossierState.WITHDRAWN))
    )
    if procedure_id:
        dossiers = dossiers.filter(procedure_id=procedure_id)
    pending = dossiers.count()
    overdue = dossiers.filter(due_at__lt=moment).count() if pending else 0
    return pending, overdue


def _row(objective: QualityObjective, start: dt.date, end: dt.date) -> MetricRow:
    if objective.procedure_id is None:
        return metrics(objective.agency, start, end)[0]
    for row in metrics(objective.agency, start, end, group_by=PROCEDURE):
        if row.key == objective.procedure_id:
            return row
    return MetricRow(key=objective.procedure_id, label="")


def measure(objective: QualityObjective, start: dt.date, end: dt.date):
    """(actual or None for no data, basis: the number of dossiers it was measured on)."""
    metric = objective.metric
    if metric == ObjectiveMetric.PENDING_OVERDUE:
        pending, overdue = pending_overdue_at_end(
            objective.agency, objective.procedure_id, start, end
        )
        if not pending and _row(objective, start, end).is_empty:
            return None, 0
        return Decimal(overdue), pending
    row = _row(objective, start, end)
    if metric == ObjectiveMetric.ON_TIME_RATE:
        if not row.resolved:
            return None, 0
        return Decimal(row.early + row.on_time) * HUNDRED / row.resolved, row.resolved
    if metric == ObjectiveMetric.ONLINE_SHARE:
        if not row.received:
            return None, 0
        return Decimal(row.online) * HUNDRED / row.received, row.received
    if not row.resolved:
        return None, 0
    return Decimal(row.late), row.resolved


def judge(objective: QualityObjective, actual: Decimal | None) -> bool | None:
    if actual is None:
        return None
    if objective.is_ceiling:
        return actual <= objective.target
    return actual >= objective.target


# --- Evaluating --------------------------------------------------------------------------------


def applies_in(objective: QualityObjective, start: dt.date, end: dt.date) -> bool:
    return objective.valid_from <= end and (
        objective.valid_until is None or objective.valid_until >= start
    )


def evaluate_refusal(actor, objective: QualityObjective) -> str | None:
    if actor is None or permissions.has_permission(actor, OBJECTIVE, permissions.CHANGE, objective):
        return None
    return _("Chỉ lãnh đạo của “%(agency)s” hoặc cấp trên đánh giá mục tiêu chất lượng.") % {
        "agency": objective.agency.name
    }


def _breach_description(objective, evaluation) -> str:
    scope = (
        _("thủ tục %(code)s – %(name)s")
        % {"code": objective.procedure.code, "name": objective.procedure.name}
        if objective.procedure_id
        else _("mọi thủ tục hành chính của “%(agency)s”") % {"agency": objective.agency.name}
    )
    return _(
        "Không đạt mục tiêu chất lượng “%(name)s” (%(metric)s, %(scope)s) tháng %(month)s "
        "(%(start)s – %(end)s): chỉ tiêu %(target)s, thực hiện %(actual)s, trên %(basis)s hồ sơ."
    ) % {
        "name": objective.name,
        "metric": ObjectiveMetric(objective.metric).label,
        "scope": scope,
        "month": month_label(evaluation.period_start),
        "start": format_day(evaluation.period_start),
        "end": format_day(evaluation.period_end),
        "target": target_label(objective),
        "actual": format_measure(objective.metric, evaluation.actual),
        "basis": format_number(evaluation.basis),
    }


def _raise_breach(actor, objective, evaluation):
    from audits.models import Clause, Finding, FindingKind, FindingSource
    from audits.services.findings import finding_record

    finding = Finding(
        agency=objective.agency,
        kind=FindingKind.MINOR_NC,
        source=FindingSource.OBJECTIVE_BREACH,
        clause=Clause.objects.filter(number=BREACH_CLAUSE).first(),
        description=_breach_description(objective, evaluation),
        raised_on=timezone.localdate(),
    )
    return finding_record(actor=actor, instance=finding)


@transaction.atomic
def evaluate(
    objective: QualityObjective, period_start: dt.date, *, actor=None
) -> ObjectiveEvaluation:
    """Evaluate ``objective`` for the calendar month of ``period_start`` (a finished month); a
    miss raises its nonconformity once. Returns the month's evaluation."""
    start = month_start(period_start)
    end = month_end(start)
    reason = evaluate_refusal(actor, objective)
    if reason:
        raise PermissionDenied(reason)
    if end >= timezone.localdate():
        raise ValidationError(
            _("Tháng %(month)s chưa kết thúc: chỉ đánh giá tháng đã qua.")
            % {"month": month_label(start)}
        )
    # The lock: a concurrent evaluation of the same objective waits here, then sees this one's row.
    objective = (
        QualityObjective.objects.select_for_update(of=("self",))
        .select_related("agency", "procedure")
        .get(pk=objective.pk)
    )
    if not applies_in(objective, start, end):
        raise ValidationError(
            _("Mục tiêu “%(name)s” không áp dụng trong tháng %(month)s.")
            % {"name": objective.name, "month": month_label(start)}
        )
    actual, basis = measure(objective, start, end)
    if actual is not None:
        actual = actual.quantize(CENT, ROUND_HALF_UP)
    met = judge(objective, actual)
    evaluation = ObjectiveEvaluation.objects.filter(objective=objective, period_start=start).first()
    if evaluation is None:
        try:
            with transaction.atomic():
                evaluation = ObjectiveEvaluation.objects.create(
                    objective=objective,
                    period_start=start,
                    period_end=end,
                    actual=actual,
                    basis=basis,
                    met=met,
                    evaluated_by=actor,
                )
        except IntegrityError:
            # The backstop: another evaluation of this month got there first; keep its result.
            return ObjectiveEvaluation.objects.get(objective=objective, period_start=start)
    else:
        evaluation.actual, evaluation.basis, evaluation.met = actual, basis, met
        evaluation.evaluated_by = actor
        evaluation.save(update_fields=["actual", "basis", "met", "evaluated_by"])
    if met is False and evaluation.finding_id is None:
        evaluation.finding = _raise_breach(actor, objective, evaluation)
        evaluation.save(update_fields=["finding"])
    return evaluation


def objectives_of_month(start: dt.date, *, agency=None):
    end = month_end(start)
    objectives = QualityObjective.objects.filter(valid_from__lte=end).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=start)
    )
    if agency is not None:
        objectives = objectives.filter(subtree_q([agency.path], "agency__path"))
    return objectives.order_by("pk")


def evaluate_month(month: dt.date, *, actor=None, agency=None) -> list[ObjectiveEvaluation]:
    """Evaluate every objective in force during the month of ``month`` (of ``agency``'s subtree
    when given), each in its own transaction. Returns the evaluations."""
    start = month_start(month)
    results = []
    for objective in objectives_of_month(start, agency=agency):
        if evaluate_refusal(actor, objective):
            continue
        try:
            results.append(evaluate(objective, start, actor=actor))
        except ValidationError as exc:
            # One objective that cannot be evaluated does not stop the others.
            logger.error("objective %s, month %s: %s", objective.pk, start, " ".join(exc.messages))
    return results


def evaluate_transition(*, actor, instance: QualityObjective, month: dt.date):
    """The admin's "Đánh giá tháng …" on one objective."""
    return evaluate(instance, month, actor=actor)
