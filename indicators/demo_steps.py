"""Demo process-control sheets (issue 11), seeded after the demo dossiers (indicators/demo.py).

For the demo dossiers resolved without a supplement whose agency has an internal procedure in
force for their TTHC (documents/demo.py: Sở Tư pháp's notary procedures, Sở Tài chính's, Sở Nội
vụ's, the city's shared civil-status procedures for the wards), a sheet following the step table
of the variant in force on the receipt date, from receipt to result on the working calendar: the
counted steps take about four fifths of their allotted days, except the filing at Sở Tư pháp's
"Văn phòng Sở" (``LATE_UNIT``), which holds the file for what is left, at least half again its
allotted time whenever the dossier leaves room; the step "not counted" hands the result over at
the result's moment. So the page "Theo bước xử lý" shows that unit late, and a late dossier of Sở
Tư pháp blames it. Written through ``services.steps.record_sheets``. Idempotent: when a demo
dossier has a sheet, nothing is added.
"""

from __future__ import annotations

from decimal import Decimal

MAX_SHEETS = 400
PER_AGENCY = 40
LATE_AGENCY, LATE_UNIT = "STP", "Văn phòng Sở"
OTHERS_SHARE = Decimal("0.8")  # of their allotted time, taken by the steps of other units
LATE_AT_LEAST = Decimal("1.5")  # the late unit's least share of its allotted time
LATE_SHARE_MAX = Decimal("0.5")  # of the dossier's office time, when it is short


def _days(value) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value))


def sheet_for(calendar, steps: list[dict], received_at, resolved_at, *, late_unit=None):
    """The StepRows of one dossier following ``steps`` (a variant's step table); the steps of
    ``late_unit`` (folded) absorb what the others leave of the dossier's office time."""
    from qms.text import fold

    from .services.steps import StepRow

    day = Decimal(calendar.day_seconds)
    total = Decimal(max(calendar.office_seconds_between(received_at, resolved_at), 0))
    allotted = [_days(step.get("days")) for step in steps]
    late = [
        late_unit is not None and a is not None and fold(step.get("responsible")) == fold(late_unit)
        for step, a in zip(steps, allotted, strict=True)
    ]
    others = sum(
        (a for a, is_late in zip(allotted, late, strict=True) if a and not is_late), Decimal(0)
    )
    late_allotted = sum((a for a, is_late in zip(allotted, late, strict=True) if is_late),
                        Decimal(0))  # fmt: skip
    others_seconds = others * OTHERS_SHARE * day
    late_seconds = total - others_seconds if late_allotted else Decimal(0)
    if late_allotted and late_seconds < late_allotted * LATE_AT_LEAST * day:
        late_seconds = min(late_allotted * LATE_AT_LEAST * day, total * LATE_SHARE_MAX)
    others_seconds = max(total - late_seconds, Decimal(0))
    seconds = []
    for a, is_late in zip(allotted, late, strict=True):
        if not a:
            seconds.append(Decimal(0))
        elif is_late:
            seconds.append(late_seconds * a / late_allotted)
        else:
            seconds.append(others_seconds * a / others if others else Decimal(0))
    rows, moment = [], received_at
    for i, step in enumerate(steps):
        if allotted[i] is None:
            handed_in = handed_out = resolved_at
        else:
            handed_in = min(moment, resolved_at)
            handed_out = min(calendar.add_working_days(handed_in, seconds[i] / day), resolved_at)
            moment = handed_out
        rows.append(
            StepRow(
                code=step.get("code") or "",
                unit=step.get("responsible") or "",
                handed_in_at=handed_in,
                handed_out_at=handed_out,
            )
        )
    return rows


def seed() -> dict:
    from django.utils import timezone

    from documents.selectors import variants_in_force
    from qms.models import Agency
    from qms.workcal import get_calendar

    from .demo import DEMO_PREFIX
    from .models import Dossier, DossierStep
    from .services.steps import record_sheets

    demo = Dossier.objects.filter(code__startswith=DEMO_PREFIX)
    if DossierStep.objects.filter(dossier_id__in=demo.values("pk")).exists():
        return {}
    candidates = demo.filter(
        resolved_at__isnull=False, supplement_count=0, outcome__in=("issued", "refused")
    )
    pairs = set(candidates.values_list("agency_id", "procedure_id").distinct())
    agencies = Agency.objects.in_bulk({agency_id for agency_id, _p in pairs})
    calendar = get_calendar()
    cache: dict = {}
    today = timezone.localdate()
    # The (agency, TTHC) with a procedure in force today (their older dossiers may predate it).
    covered: dict[int, list[int]] = {}
    for agency_id, procedure_id in sorted(pairs):
        if variants_in_force(agencies[agency_id], procedure_id, today, cache=cache):
            covered.setdefault(agency_id, []).append(procedure_id)
    sheets = {}
    # Sở Tư pháp first, all its dossiers; the latest few of each other agency.
    order = sorted(covered, key=lambda pk: (agencies[pk].code != LATE_AGENCY, agencies[pk].code))
    for agency_id in order:
        code = agencies[agency_id].code
        rows = candidates.filter(agency_id=agency_id, procedure_id__in=covered[agency_id]).order_by(
            "-received_at", "pk"
        )
        if code != LATE_AGENCY:
            rows = rows[:PER_AGENCY]
        late_unit = LATE_UNIT if code == LATE_AGENCY else None
        for d in rows:
            variants = variants_in_force(agencies[agency_id], d.procedure_id, d.received_on,
                                         cache=cache)  # fmt: skip
            if variants and variants[0].steps:
                sheets[d.pk] = sheet_for(
                    calendar, variants[0].steps, d.received_at, d.resolved_at, late_unit=late_unit
                )
        if len(sheets) >= MAX_SHEETS:
            break
    record_sheets(sheets, calendar=calendar)
    return {"dossier_steps": sum(len(rows) for rows in sheets.values())}
