"""The dossier clock of DESIGN.md §5 on the core working calendar (``qms.workcal``), one-by-one
and on arrays (the import), giving exactly the same results.

- The clock starts at receipt; receipt outside office hours, on a day off or strictly after the
  cut-off counts from the next working period (the calendar does this).
- Due time: the start plus the TTHC's limit in force on the receipt date, in office time.
- A supplement request stops the clock. Under ``restart`` (the one-stop rules, the default) the
  whole limit runs again from the moment the complete dossier arrives; under ``pause`` the clock
  resumes with what was left. While the agency waits there is no due time.
- Class of a result (refusals included): early when returned on a day before the due day, on time
  on the due day up to the due time, late otherwise. A withdrawn dossier has no class. An apology
  letter's new appointment does not move the due time the dossier is judged by.
- Processing time: the office time the clock ran, in working days (from its last restart under
  ``restart``; the runs before each pause added under ``pause``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from qms.workcal import WorkingCalendar

from .models.dossiers import Outcome, SupplementRule, Timing

FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Clock:
    clock_started_at: dt.datetime
    clock_credit_seconds: int
    due_at: dt.datetime | None
    timing: str
    processing_days: Decimal | None
    waiting: bool


def limit_seconds(calendar: WorkingCalendar, limit_days: Decimal) -> int:
    return calendar._days_to_seconds(Decimal(limit_days))


def local_date(calendar: WorkingCalendar, moment: dt.datetime) -> dt.date:
    return moment.astimezone(calendar.tz).date()


def classify(
    calendar: WorkingCalendar, due_at: dt.datetime | None, resolved_at: dt.datetime | None
) -> str:
    """Early, on time or late of a result returned at ``resolved_at`` against ``due_at``."""
    if resolved_at is None or due_at is None:
        return ""
    resolved_day, due_day = local_date(calendar, resolved_at), local_date(calendar, due_at)
    if resolved_day < due_day:
        return Timing.EARLY
    if resolved_day == due_day and resolved_at <= due_at:
        return Timing.ON_TIME
    return Timing.LATE


def compute(
    calendar: WorkingCalendar,
    *,
    received_at: dt.datetime,
    limit_days: Decimal,
    rule: str = SupplementRule.RESTART,
    supplements: Sequence[tuple[dt.datetime, dt.datetime | None]] = (),
    resolved_at: dt.datetime | None = None,
    outcome: str = "",
) -> Clock:
    """The clock of one dossier. ``supplements``: (requested, resubmitted or None) in order."""
    limit = limit_seconds(calendar, limit_days)
    start, credit, waiting = received_at, 0, False
    for requested_at, resubmitted_at in supplements:
        if rule == SupplementRule.PAUSE:
            credit += max(calendar.office_seconds_between(start, requested_at), 0)
        if resubmitted_at is None:
            waiting = True
            break
        start = resubmitted_at
    if rule != SupplementRule.PAUSE:
        credit = 0
    due_at = None
    if not waiting:
        due_at = calendar.add_working_days(start, calendar.seconds_to_days(max(limit - credit, 0)))
    processing = None
    timing = ""
    if resolved_at is not None and outcome != Outcome.WITHDRAWN:
        ran = 0 if waiting else max(calendar.office_seconds_between(start, resolved_at), 0)
        seconds = credit + ran
        processing = calendar.seconds_to_days(seconds).quantize(FOUR_PLACES, ROUND_HALF_EVEN)
        if waiting:
            # Returned (usually refused) while the agency waited for papers: the clock stood
            # still, so the result is late only when the time used already passed the limit.
            timing = Timing.LATE if credit > limit else Timing.ON_TIME
        else:
            timing = classify(calendar, due_at, resolved_at)
    return Clock(
        clock_started_at=start,
        clock_credit_seconds=credit,
        due_at=due_at,
        timing=timing,
        processing_days=processing,
        waiting=waiting,
    )


@dataclass
class ClockArrays:
    """The array path's results, one entry per input row (None where there is none)."""

    clock_started_at: list[dt.datetime]
    clock_credit_seconds: list[int]
    due_at: list[dt.datetime | None]
    timing: list[str]
    processing_days: list[Decimal | None]
    waiting: list[bool]


def _wall(calendar: WorkingCalendar, moments: Sequence[dt.datetime | None], fill) -> np.ndarray:
    return calendar.to_local_array([m if m is not None else fill for m in moments])


def compute_many(
    calendar: WorkingCalendar,
    *,
    received_at: Sequence[dt.datetime],
    limit_days: Sequence[Decimal],
    rule: Sequence[str],
    requested_at: Sequence[dt.datetime | None],
    resubmitted_at: Sequence[dt.datetime | None],
    resolved_at: Sequence[dt.datetime | None],
    outcome: Sequence[str],
) -> ClockArrays:
    """``compute`` for many dossiers with at most one supplement each (an export's row), on the
    calendar's array path."""
    n = len(received_at)
    if n == 0:
        return ClockArrays([], [], [], [], [], [])
    received = calendar.to_local_array(received_at)
    has_request = np.array([r is not None for r in requested_at])
    has_resubmit = np.array([r is not None for r in resubmitted_at]) & has_request
    waiting = has_request & ~has_resubmit
    pause = np.array([r == SupplementRule.PAUSE for r in rule]) & has_request
    requested = _wall(calendar, requested_at, received_at[0])
    resubmitted = _wall(calendar, resubmitted_at, received_at[0])
    start = np.where(has_resubmit, resubmitted, received)
    used = np.maximum(calendar.office_seconds_between_many(received, requested), 0)
    credit = np.where(pause, used, 0).astype(np.int64)
    limits = np.array([limit_seconds(calendar, d) for d in limit_days], dtype=np.int64)
    remaining = np.maximum(limits - credit, 0)
    # Whole office seconds expressed in days: the calendar rounds days × day back to the seconds.
    due = calendar.add_working_days_many(start, remaining / calendar.day_seconds)
    has_result = np.array(
        [
            r is not None and o != Outcome.WITHDRAWN
            for r, o in zip(resolved_at, outcome, strict=True)
        ]
    )
    resolved = _wall(calendar, resolved_at, received_at[0])
    ran = np.where(waiting, 0, np.maximum(calendar.office_seconds_between_many(start, resolved), 0))
    seconds = credit + ran

    starts = calendar.from_local_array(start)
    dues = calendar.from_local_array(due)
    day = Decimal(calendar.day_seconds)
    result = ClockArrays(
        clock_started_at=starts,
        clock_credit_seconds=[int(c) for c in credit.tolist()],
        due_at=[None if w else d for w, d in zip(waiting.tolist(), dues, strict=True)],
        timing=[""] * n,
        processing_days=[None] * n,
        waiting=waiting.tolist(),
    )
    due_day = due.astype("datetime64[D]")
    resolved_day = resolved.astype("datetime64[D]")
    early = resolved_day < due_day
    on_time = (resolved_day == due_day) & (resolved <= due)
    for i in np.flatnonzero(has_result).tolist():
        result.processing_days[i] = (Decimal(int(seconds[i])) / day).quantize(
            FOUR_PLACES, ROUND_HALF_EVEN
        )
        if waiting[i]:
            result.timing[i] = Timing.LATE if credit[i] > limits[i] else Timing.ON_TIME
        elif early[i]:
            result.timing[i] = Timing.EARLY
        elif on_time[i]:
            result.timing[i] = Timing.ON_TIME
        else:
            result.timing[i] = Timing.LATE
    return result
