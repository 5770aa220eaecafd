"""The process-control sheet (phiếu kiểm soát quá trình) of dossiers: check it, record it and
measure each step (issue 11).

Each step is measured against the step table of the procedure in force on the dossier's receipt
date (``documents.selectors.variants_in_force``): among the TTHC's variants, the one whose step
codes the sheet uses (``variant_for_codes``). The step of that table with the same code (folded)
allots its days (None when the table says "Không tính thời gian", when no procedure is in force or
no step has the code). Used = working days on the calendar from handed in to handed out; overrun =
used − allotted; the class (early, on time, late) by the dossier's rule (``clock.classify``)
against the step's own due time, handed in + allotted on the calendar.

The one write path of sheets: the import (``services.imports``) and the API call
``record_sheets``; a sheet sent again replaces the dossier's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.selectors import variant_for_codes, variants_in_force
from qms.models import Agency
from qms.text import fold, nfc
from qms.workcal import WorkingCalendar

from ..clock import FOUR_PLACES, classify
from ..models import Dossier, DossierStep

CODE_MAX, UNIT_MAX = 40, 200


@dataclass
class StepRow:
    """One row of a sheet as sent: the step's code, the unit that handled it, when it was handed
    in and out (None while the unit holds the dossier); aware datetimes."""

    code: str
    unit: str
    handed_in_at: dt.datetime
    handed_out_at: dt.datetime | None


def validate_sheet(rows) -> list[tuple[int, str, str]]:
    """The problems of one dossier's sheet: (row index from 0, field, message naming the value).
    An empty list when it can be recorded."""
    problems = []
    if not rows:
        problems.append((0, "code", _("phiếu kiểm soát quá trình không có bước nào")))
    for index, row in enumerate(rows):
        code, unit = nfc(row.code), nfc(row.unit)
        if not code:
            problems.append((index, "code", _("thiếu mã bước")))
        elif len(code) > CODE_MAX:
            problems.append(
                (index, "code", _("mã bước «%(code)s» dài quá %(max)d ký tự") % {
                    "code": code, "max": CODE_MAX})
            )  # fmt: skip
        if not unit:
            problems.append((index, "unit", _("thiếu đơn vị, bộ phận xử lý")))
        elif len(unit) > UNIT_MAX:
            problems.append(
                (index, "unit", _("tên đơn vị «%(unit)s» dài quá %(max)d ký tự") % {
                    "unit": unit[:50], "max": UNIT_MAX})
            )  # fmt: skip
        moments_ok = True
        for name in ("handed_in_at", "handed_out_at"):
            value = getattr(row, name)
            if value is None:
                if name == "handed_in_at":
                    problems.append((index, name, _("thiếu thời điểm nhận hồ sơ")))
                    moments_ok = False
                continue
            if not isinstance(value, dt.datetime):
                problems.append(
                    (index, name, _("«%(value)s» không phải ngày giờ") % {"value": value})
                )
                moments_ok = False
            elif timezone.is_naive(value):
                problems.append(
                    (index, name,
                     _("ngày giờ «%(value)s» không có múi giờ") % {"value": value.isoformat()})
                )  # fmt: skip
                moments_ok = False
        if moments_ok and row.handed_out_at is not None and row.handed_out_at < row.handed_in_at:
            problems.append(
                (
                    index,
                    "handed_out_at",
                    _("chuyển lúc %(out)s trước khi nhận lúc %(in)s")
                    % {
                        "out": _local(row.handed_out_at),
                        "in": _local(row.handed_in_at),
                    },
                )
            )
    return problems


def _local(moment: dt.datetime) -> str:
    from qms.display import format_moment

    return format_moment(moment)


def _days(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        return None


def measure(calendar: WorkingCalendar, row: StepRow, allotted: Decimal | None):
    """(used, overrun, timing) of one step."""
    if row.handed_out_at is None:
        return None, None, ""
    used = calendar.working_days_between(row.handed_in_at, row.handed_out_at)
    used = used.quantize(FOUR_PLACES, ROUND_HALF_EVEN)
    if allotted is None:
        return used, None, ""
    due = calendar.add_working_days(row.handed_in_at, allotted)
    return used, used - allotted, classify(calendar, due, row.handed_out_at)


def record_sheets(sheets: dict[int, list[StepRow]], *, calendar: WorkingCalendar) -> None:
    """Record the sheet of each dossier (dossier id → its rows, in order), replacing its rows, and
    measure every step. Rows must have passed ``validate_sheet``; an unknown dossier id is a
    ValueError naming it. One read of the dossiers and agencies, the procedure lookups cached per
    (agency, TTHC, day), one delete and one bulk insert."""
    if not sheets:
        return
    dossiers = {
        d["pk"]: d
        for d in Dossier.objects.filter(pk__in=list(sheets)).values(
            "pk", "agency_id", "procedure_id", "received_on"
        )
    }
    missing = sorted(set(sheets) - set(dossiers))
    if missing:
        raise ValueError(
            _("không có hồ sơ mang mã số %(ids)s") % {"ids": ", ".join(map(str, missing))}
        )
    agencies = Agency.objects.in_bulk({d["agency_id"] for d in dossiers.values()})
    cache: dict = {}
    objects = []
    for dossier_id, rows in sheets.items():
        dossier = dossiers[dossier_id]
        variants = variants_in_force(
            agencies[dossier["agency_id"]],
            dossier["procedure_id"],
            dossier["received_on"],
            cache=cache,
        )
        chosen = variant_for_codes(variants, [row.code for row in rows])
        table = {}
        for step in chosen.steps if chosen else ():
            table.setdefault(fold(step.get("code")), step)
        for position, row in enumerate(rows, start=1):
            step = table.get(fold(row.code))
            allotted = _days(step.get("days")) if step else None
            used, overrun, timing = measure(calendar, row, allotted)
            objects.append(
                DossierStep(
                    dossier_id=dossier_id,
                    agency_id=dossier["agency_id"],
                    procedure_id=dossier["procedure_id"],
                    received_on=dossier["received_on"],
                    position=position,
                    code=nfc(row.code),
                    unit=nfc(row.unit),
                    handed_in_at=row.handed_in_at,
                    handed_out_at=row.handed_out_at,
                    issue_service=chosen,
                    allotted_days=allotted,
                    used_days=used,
                    overrun_days=overrun,
                    timing=timing,
                )
            )
    with transaction.atomic():
        DossierStep.objects.filter(dossier_id__in=list(sheets)).delete()
        DossierStep.objects.bulk_create(objects, batch_size=1000)


def sheets_compared(sheets: dict[int, list]) -> tuple[list[int], list[int], list[int]]:
    """(new, updated, unchanged) dossier ids of ``sheets`` ({dossier id: [(line, StepRow)]}): a
    dossier without recorded rows, with other rows, or with the same rows (code, unit, in, out,
    in order). One query."""
    recorded: dict[int, list] = {}
    rows = (
        DossierStep.objects.filter(dossier_id__in=list(sheets))
        .order_by("dossier_id", "position")
        .values_list("dossier_id", "code", "unit", "handed_in_at", "handed_out_at")
    )
    for dossier_id, *values in rows:
        recorded.setdefault(dossier_id, []).append(tuple(values))
    new, updated, unchanged = [], [], []
    for dossier_id, sheet in sheets.items():
        sent = [
            (nfc(step.code), nfc(step.unit), step.handed_in_at, step.handed_out_at)
            for _line, step in sheet
        ]
        before = recorded.get(dossier_id)
        if before is None:
            new.append(dossier_id)
        elif before == sent:
            unchanged.append(dossier_id)
        else:
            updated.append(dossier_id)
    return new, updated, unchanged
