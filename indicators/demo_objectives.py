"""Demo quality objectives (run by indicators/demo.py after the demo dossiers, and after the audits'
demo as ``seed_demo`` runs the apps in order): objectives of the city (Hà Nội) and of Sở Tư pháp,
evaluated for last month by the same service as the monthly task, with exactly one breach that
raised its nonconformity ("Không đạt mục tiêu chất lượng" in the audits admin).

The dossiers are generated up to today, so last month's figures move with the day the demo is
seeded: the targets are chosen from them so the outcome is fixed. The city's on-time rate target
is 95 % (lowered to the whole percent it reached, when it reached less) and Sở Tư pháp's ceiling
of pending overdue dossiers at the month's end is what it had (at least 0): both met. The breach:
100 % on time for the TTHC of Sở Tư pháp (or else of the city) with the most dossiers resolved
last month among those with a late one; if no TTHC had a late dossier, an online share ten points
above what Sở Tư pháp reached. The demo audit programmes' priorities are then refreshed, so they
show the on-time rates and the breach. Idempotent: when the city has objectives it adds nothing."""

from __future__ import annotations

import logging
from decimal import ROUND_FLOOR, Decimal

logger = logging.getLogger(__name__)


def _whole(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_FLOOR)


def seed() -> dict:
    from django.db import transaction

    from qms.models import AdministrativeProcedure, Agency

    from .models import ObjectiveMetric, QualityObjective
    from .selectors import PROCEDURE, metrics
    from .services.objectives import (
        evaluate_month,
        measure,
        month_end,
        objective_save,
        previous_month,
    )

    city = Agency.objects.filter(code="HN").first()
    justice = Agency.objects.filter(code="STP").first()
    if city is None or justice is None:
        return {}
    if QualityObjective.objects.filter(agency=city).exists():
        return {}
    start = previous_month()
    end = month_end(start)
    valid_from = start.replace(month=1, day=1)

    def draft(agency, name, metric, target, procedure=None, note=""):
        return QualityObjective(
            agency=agency,
            procedure=procedure,
            name=name,
            metric=metric,
            target=Decimal(target),
            valid_from=valid_from,
            note=note,
        )

    with transaction.atomic():
        on_time = draft(
            city,
            "Tỷ lệ hồ sơ giải quyết đúng hạn hằng tháng",
            ObjectiveMetric.ON_TIME_RATE,
            95,
            note="Chính sách chất lượng của UBND Thành phố; Quyết định 101/2018/QĐ-TTg.",
        )
        actual, _basis = measure(on_time, start, end)
        if actual is not None and actual < on_time.target:
            on_time.target = _whole(actual)
        overdue = draft(
            justice,
            "Hồ sơ chưa giải quyết quá hạn cuối tháng",
            ObjectiveMetric.PENDING_OVERDUE,
            0,
        )
        actual, _basis = measure(overdue, start, end)
        overdue.target = actual or Decimal(0)
        objectives = [on_time, overdue]

        breach = None
        for agency in (justice, city):
            rows = [
                r for r in metrics(agency, start, end, group_by=PROCEDURE) if r.late and r.resolved
            ]
            if rows:
                row = max(rows, key=lambda r: (r.resolved, -r.key))
                procedure = AdministrativeProcedure.objects.get(pk=row.key)
                breach = draft(
                    agency,
                    f"100 % hồ sơ {procedure.code} giải quyết đúng hạn",
                    ObjectiveMetric.ON_TIME_RATE,
                    100,
                    procedure=procedure,
                    note="Thủ tục trọng tâm cải cách hành chính năm nay.",
                )
                break
        if breach is None:
            breach = draft(justice, "Tỷ lệ hồ sơ nộp trực tuyến", ObjectiveMetric.ONLINE_SHARE, 50)
            actual, _basis = measure(breach, start, end)
            if actual is not None:
                breach.target = min(Decimal(100), _whole(actual) + 10)
        objectives.append(breach)
        for objective in objectives:
            # Set by the agency's demo leader, as a leader does in the admin.
            objective_save(actor=_leader(objective.agency), instance=objective)
        evaluations = evaluate_month(start, agency=city)
        refreshed = _refresh_programmes(city)
    missed = [e for e in evaluations if e.met is False]
    if len(missed) != 1:
        logger.warning("demo objectives: %d breaches last month (expected 1)", len(missed))
    return {
        "quality_objectives": len(objectives),
        "objective_evaluations": len(evaluations),
        "objective_breaches": sum(1 for e in missed if e.finding_id),
        "programme_priorities_refreshed": refreshed,
    }


def _leader(agency):
    from django.contrib.auth import get_user_model

    from qms.management.commands.seed_demo import demo_username
    from qms.models import Role

    return get_user_model().objects.filter(username=demo_username(agency.code, Role.LEADER)).first()


def _refresh_programmes(city) -> int:
    """The audits' demo programmes were planned before these results existed: their priorities
    are refreshed (on-time rates and the breach now count), as a preparer's "refresh" does."""
    from audits.models import AuditProgramme
    from audits.services.programme import programme_refresh_priorities
    from qms.models.agencies import subtree_q

    changed = 0
    for programme in AuditProgramme.objects.filter(subtree_q([city.path], "agency__path")):
        changed += programme_refresh_priorities(actor=None, instance=programme)
    return changed
