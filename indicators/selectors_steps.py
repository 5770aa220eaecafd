"""Reads of the process-control sheets (issue 11): per step and unit over a period, and the step
that made a late dossier late.

A step counts in the period of its dossier's receipt day. Measured steps are those with a class
(handed out, and an allotted time in the step table in force); the on-time share is (early + on
time) / measured, the mean overrun the mean of (used − allotted) over the measured steps, in
working days (negative: ahead of the allotted time). One grouped query whatever the rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, Q

from qms.collation import vi_sort_key
from qms.models import Agency
from qms.models.agencies import subtree_q

from .models import DossierStep
from .models.dossiers import Timing


@dataclass
class StepStat:
    code: str
    unit: str
    count: int = 0
    measured: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    mean_overrun: Decimal | None = None

    @property
    def on_time_share(self) -> Decimal | None:
        if not self.measured:
            return None
        return Decimal(self.early + self.on_time) / Decimal(self.measured)


def steps_q(agency: Agency, start: dt.date, end: dt.date, *, procedure_id=None, subtree=True) -> Q:
    query = Q(received_on__gte=start, received_on__lte=end)
    query &= subtree_q([agency.path], "agency__path") if subtree else Q(agency_id=agency.pk)
    if procedure_id is not None:
        query &= Q(procedure_id=procedure_id)
    return query


def step_stats(
    agency: Agency,
    start: dt.date,
    end: dt.date,
    *,
    procedure_id: int | None = None,
    subtree: bool = True,
) -> list[StepStat]:
    """Per (step code, unit) of the dossiers received from ``start`` to ``end`` at ``agency`` (with
    its subtree unless ``subtree`` is False), optionally of one TTHC: steps, measured, early, on
    time, late, mean overrun; ordered by code then unit (Vietnamese order)."""
    rows = (
        DossierStep.objects.filter(
            steps_q(agency, start, end, procedure_id=procedure_id, subtree=subtree)
        )
        .values("code", "unit")
        .annotate(
            count=Count("pk"),
            measured=Count("pk", filter=~Q(timing="")),
            early=Count("pk", filter=Q(timing=Timing.EARLY)),
            on_time=Count("pk", filter=Q(timing=Timing.ON_TIME)),
            late=Count("pk", filter=Q(timing=Timing.LATE)),
            mean_overrun=Avg("overrun_days", filter=~Q(timing="")),
        )
        .order_by()
    )
    stats = []
    for row in rows:
        mean = row["mean_overrun"]
        stats.append(
            StepStat(
                code=row["code"],
                unit=row["unit"],
                count=row["count"],
                measured=row["measured"],
                early=row["early"],
                on_time=row["on_time"],
                late=row["late"],
                mean_overrun=Decimal(str(mean)) if mean is not None else None,
            )
        )
    stats.sort(key=lambda s: (vi_sort_key(s.code), vi_sort_key(s.unit)))
    return stats


def sheet(dossier_id: int) -> list[DossierStep]:
    """A dossier's sheet in order."""
    return list(DossierStep.objects.filter(dossier_id=dossier_id).order_by("position"))


def late_step(dossier, steps: list[DossierStep] | None = None) -> DossierStep | None:
    """The step that made a late dossier late: its late step with the largest overrun (the first
    in the sheet on a tie); None when the dossier is not late, has no sheet or no late step.
    ``steps``: the sheet when already read."""
    if dossier.timing != Timing.LATE:
        return None
    if steps is None:
        steps = sheet(dossier.pk)
    late = [s for s in steps if s.timing == Timing.LATE and s.overrun_days is not None]
    if not late:
        return None
    return max(late, key=lambda s: (s.overrun_days, -s.position))
