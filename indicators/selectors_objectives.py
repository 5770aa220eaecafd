"""Reads of quality objectives and their evaluations."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from qms.models.agencies import subtree_q

from .models.objectives import ObjectiveEvaluation, QualityObjective


def with_last_result(queryset: QuerySet) -> QuerySet:
    """Objectives with their latest evaluation's month, actual, met and finding (one query)."""
    last = ObjectiveEvaluation.objects.filter(objective=OuterRef("pk")).order_by("-period_start")
    return queryset.annotate(
        last_period=Subquery(last.values("period_start")[:1]),
        last_actual=Subquery(last.values("actual")[:1]),
        last_met=Subquery(last.values("met")[:1]),
        last_finding=Subquery(last.values("finding")[:1]),
    )


def result_label(met: bool | None, evaluated: bool = True) -> str:
    if not evaluated:
        return _("Chưa đánh giá")
    if met is None:
        return _("Không có số liệu")
    return _("Đạt") if met else _("Không đạt")


def objectives_in(agency, start: dt.date, end: dt.date) -> QuerySet:
    """The objectives of ``agency`` and its units in force at some day of [start, end]."""
    return (
        QualityObjective.objects.filter(subtree_q([agency.path], "agency__path"))
        .filter(valid_from__lte=end)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
    )


def quality_objectives(agency, start, end):
    """``qms.providers.QUALITY_OBJECTIVES``: the agency's objectives of the period with their
    results, or None when the agency has none.

    One item per objective (of the agency and its units): its target, the latest month evaluated
    in the period with its actual, and met (True: every evaluated month met; False: a month
    missed, and how many; None: not evaluated in the period, or no data)."""
    from .services.objectives import format_measure, month_label, target_label

    objectives = list(
        objectives_in(agency, start, end)
        .select_related("agency__parent", "procedure")
        .order_by("agency__path", "name", "pk")
    )
    if not objectives:
        return None
    evaluations: dict[int, list[ObjectiveEvaluation]] = {}
    for evaluation in ObjectiveEvaluation.objects.filter(
        objective__in=objectives, period_start__gte=start, period_start__lte=end
    ).order_by("period_start"):
        evaluations.setdefault(evaluation.objective_id, []).append(evaluation)
    answer = []
    for objective in objectives:
        rows = evaluations.get(objective.pk, [])
        judged = [e for e in rows if e.met is not None]
        missed = [e for e in judged if e.met is False]
        name = objective.name
        if objective.agency_id != agency.pk:
            name = f"{name} ({objective.agency.display_name})"
        if judged:
            latest = judged[-1]
            actual = _("%(value)s tháng %(month)s") % {
                "value": format_measure(objective.metric, latest.actual),
                "month": month_label(latest.period_start),
            }
            if missed:
                actual += _("; không đạt %(missed)d/%(count)d tháng") % {
                    "missed": len(missed),
                    "count": len(judged),
                }
            met = not missed
        else:
            actual, met = _("chưa có"), None
        answer.append(
            {
                "name": name,
                "target": target_label(objective),
                "actual": actual,
                "unit": "",
                "met": met,
                "findings": [e.finding_id for e in missed if e.finding_id],
            }
        )
    return answer
