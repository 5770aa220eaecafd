"""The process-control step sheet of a generated dossier (issue [8]; nothing reads it yet): the
steps of the TTHC's internal procedure, each with its unit, its planned working days, and when the
dossier was handed in and out, placed on the calendar between receipt and result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np


@dataclass(slots=True)
class Step:
    """One step of the process-control sheet (issue [8]): its code, what is done, by which unit,
    its planned share of the limit (None: "Không tính thời gian") and when the dossier was
    handed in and out (None while it is there)."""

    code: str
    content: str
    unit: str
    planned_days: Decimal | None
    handed_in: dt.datetime
    handed_out: dt.datetime | None


STEP_CONTENT = (
    ("B1", "Tiếp nhận, kiểm tra hồ sơ, chuyển bộ phận giải quyết"),
    ("B2", "Thẩm định, xử lý hồ sơ"),
    ("B3", "Lãnh đạo xem xét, phê duyệt"),
    ("B4", "Vào sổ, đóng dấu, chuyển kết quả về bộ phận một cửa"),
    ("B5", "Trả kết quả cho tổ chức, cá nhân"),
)


@lru_cache(maxsize=4096)
def step_plan(limit: Decimal) -> tuple[Decimal | None, ...]:
    """Planned working days of steps B1-B5 summing to the limit, as provincial internal procedures
    write them (0,5 for receipt and for approval, 0,25 for filing, the rest to the handling unit;
    handing over the result not counted). Limits under two days: 1/8 for receipt and for approval,
    1/16 for filing, the rest to the handling unit."""
    limit = Decimal(limit)
    if limit >= 2:
        fixed = (Decimal("0.5"), Decimal("0.5"), Decimal("0.25"))
    else:
        fixed = (limit / 8, limit / 8, limit / 16)
    handling = limit - sum(fixed)
    return (fixed[0], handling, fixed[1], fixed[2], None)


def step_sheets(block, h, shares_draw, unit_draw, recv, start, end, requested, due, decimals,
                outcome, never):  # fmt: skip
    """The step sheet of each dossier: B1-B4 share the office time from the clock's start to
    the result (planned shares, jittered), B5 hands the result over; a withdrawn dossier stops
    in B2, a stuck one sits in B2, papers that never came end B1 at the request."""
    n = len(h)
    plan_end = np.where(end >= 0, end, block.add(due, np.full(n, 3.0)))
    jitter = 0.5 + shares_draw
    planned = np.array([[float(x) for x in step_plan(d)[:4]] for d in decimals])
    shares = planned * jitter
    shares = shares / shares.sum(axis=1, keepdims=True)
    cumulative = np.cumsum(shares, axis=1)
    total = np.maximum(block.office_between(start, plan_end), 0)
    bounds = [
        np.maximum(block.add(start, total * cumulative[:, j] / block.ds), recv) for j in range(3)
    ]
    moments = [block.aware(b) for b in (recv, *bounds, plan_end)]
    request_at = block.aware(requested)
    unit_draw = unit_draw.tolist()
    sheets = []
    for i in range(n):
        agency = block.catalogue[h[i]].agency
        plan = step_plan(decimals[i])
        handlers = agency.units or (agency.code,)
        unit = handlers[int(unit_draw[i] * len(handlers))]
        desk = agency.reception or agency.code
        units = (desk, unit, agency.code, desk, desk)
        marks = [m[i] for m in moments]

        def step(j, handed_in, handed_out, units=units, plan=plan):
            code, content = STEP_CONTENT[j]
            return Step(code, content, units[j], plan[j], handed_in, handed_out)

        if never[i]:
            sheet = [step(0, marks[0], request_at[i])]
            if outcome[i] == "refused":
                sheet.append(step(4, marks[4], marks[4]))
        elif outcome[i] == "withdrawn":
            sheet = [step(0, marks[0], min(marks[1], marks[4]))]
            if marks[1] < marks[4]:
                sheet.append(step(1, marks[1], marks[4]))
        elif outcome[i] == "":
            sheet = [step(0, marks[0], marks[1]), step(1, marks[1], None)]
        else:
            sheet = [step(j, marks[j], marks[j + 1]) for j in range(4)]
            sheet.append(step(4, marks[4], marks[4]))
        sheets.append(sheet)
    return sheets
