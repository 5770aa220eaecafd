"""Acceptance tests of the dossier clock (DESIGN.md §5, issue [7] item 3).

Every expected datetime below is typed by hand and worked out in the comment beside it, never
computed by the engine. Unless a test says otherwise: office hours 07:30-11:30 and 13:00-17:00
(one working day = 8 office hours, so 1 hour = 0,125 day), no receipt cut-off, holidays from
``holidays.Vietnam`` 0.109 (Tết 2025: Mon 27/01 to Sat 01/02; 30/04, 01/05 and Fri 02/05 off,
Sat 26/04 worked in exchange), plus the official swaps shipped as calendar overrides.

Each case is checked twice: ``indicators.clock.compute`` (the one-by-one path) and the dossier
stored by ``indicators.services.dossiers.upsert`` (the array path the import uses); both must give
the typed values.
"""

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from indicators.clock import compute
from indicators.models import ClockRule, DailySummary, Dossier, DossierEvent
from indicators.models.dossiers import DossierState, EventKind, Outcome, SupplementRule, Timing
from indicators.services import summaries
from indicators.services.dossiers import DossierRecord, upsert
from qms.models import CalendarOverride, TimeLimit, WorkingCalendarSettings
from qms.models.calendar import OverrideKind
from qms.workcal import get_calendar
from tests import factories

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
RESTART, PAUSE = SupplementRule.RESTART, SupplementRule.PAUSE
EARLY, ON_TIME, LATE = Timing.EARLY, Timing.ON_TIME, Timing.LATE
_codes = itertools.count(1)


def t(year, month, day, hour=0, minute=0, second=0) -> dt.datetime:
    """A moment of Hà Nội's wall time."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=TZ)


@pytest.fixture
def agency(db):
    return factories.agency(code="SOTP")


def set_cutoff(cutoff):
    settings = WorkingCalendarSettings.load()
    settings.receipt_cutoff = cutoff
    settings.save()


def procedure_with(limit, *, rule=RESTART):
    procedure = factories.tthc(working_days=limit, effective_from=dt.date(2024, 1, 1))
    if rule == PAUSE:
        ClockRule.objects.create(procedure=procedure, supplement_rule=PAUSE)
    return procedure


def record_for(agency, procedure, *, line=2, code=None, **fields) -> DossierRecord:
    return DossierRecord(
        line=line,
        agency_id=agency.pk,
        code=code or f"H{next(_codes):05d}",
        procedure_id=procedure.pk,
        channel="in_person",
        **fields,
    )


def both_paths(
    agency,
    *,
    received,
    limit,
    rule=RESTART,
    requested=None,
    resubmitted=None,
    resolved=None,
    outcome="",
    procedure=None,
):
    """The clock by ``compute`` and the dossier stored by ``upsert`` for the same inputs; the
    fields both give must agree (scalar and array paths)."""
    calendar = get_calendar()
    clock = compute(
        calendar,
        received_at=received,
        limit_days=Decimal(str(limit)),
        rule=rule,
        supplements=[(requested, resubmitted)] if requested else [],
        resolved_at=resolved,
        outcome=outcome,
    )
    procedure = procedure or procedure_with(limit, rule=rule)
    record = record_for(
        agency,
        procedure,
        received_at=received,
        supplement_requested_at=requested,
        resubmitted_at=resubmitted,
        resolved_at=resolved,
        outcome=outcome,
    )
    result = upsert([record], calendar=calendar)
    assert result.problems == [] and result.new == [record.line]
    dossier = Dossier.objects.get(code=record.code)
    assert dossier.due_at == clock.due_at
    assert dossier.timing == (clock.timing or "")
    assert dossier.processing_days == clock.processing_days
    assert dossier.clock_started_at == clock.clock_started_at
    assert dossier.clock_credit_seconds == clock.clock_credit_seconds
    assert dossier.limit_days == Decimal(str(limit))
    assert dossier.supplement_rule == rule
    assert dossier.calendar_version == calendar.version
    return clock, dossier


# The worked example of the issue ------------------------------------------------------------


def test_worked_example_crosses_tet_2025(agency):
    # Fri 24/01/2025 15:00-17:00 = 2 h; Mon 27/01 to Sat 01/02 Tết, Sun 02/02 off;
    # Mon 03/02 8 h (10 h), Tue 04/02 8 h (18 h), Wed 05/02 07:30-11:30 4 h (22 h),
    # 13:00-15:00 2 h (24 h = 3 days) -> Wed 05/02/2025 15:00.
    clock, dossier = both_paths(agency, received=t(2025, 1, 24, 15), limit=3)
    assert clock.due_at == dossier.due_at == t(2025, 2, 5, 15)
    assert clock.clock_started_at == t(2025, 1, 24, 15)
    assert clock.timing == "" and clock.processing_days is None and not clock.waiting
    assert dossier.state == DossierState.IN_PROGRESS
    assert dossier.received_on == dt.date(2025, 1, 24)


# Early / on time / late ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resolved", "timing", "days"),
    [
        # During Tết, before the due day: only Fri 15:00-17:00 ran, 2 h = 0,25 day.
        (t(2025, 1, 31, 10), EARLY, Decimal("0.2500")),
        # The day before the due day: Fri 2 h + Mon 8 h + Tue 07:30-11:30 4 h + 13:00-16:59
        # 3 h 59 min = 17 h 59 min = 1079/480 day = 2,247916… -> 2,2479.
        (t(2025, 2, 4, 16, 59), EARLY, Decimal("2.2479")),
        # The due day at opening: not early (not a day before), on time. 2 + 8 + 8 = 18 h.
        (t(2025, 2, 5, 7, 30), ON_TIME, Decimal("2.2500")),
        # Exactly the due time: on time, 24 h = 3 days.
        (t(2025, 2, 5, 15), ON_TIME, Decimal("3.0000")),
        # The due day one minute after the due time: late. 24 h 1 min = 1441/480 = 3,00208…
        (t(2025, 2, 5, 15, 1), LATE, Decimal("3.0021")),
        # The next morning: late. Fri 2 + Mon 8 + Tue 8 + Wed 8 + Thu 07:30-08:00 0,5 = 26,5 h.
        (t(2025, 2, 6, 8), LATE, Decimal("3.3125")),
    ],
)
def test_early_on_time_late_boundaries(agency, resolved, timing, days):
    clock, dossier = both_paths(
        agency, received=t(2025, 1, 24, 15), limit=3, resolved=resolved, outcome=Outcome.ISSUED
    )
    assert clock.due_at == t(2025, 2, 5, 15)
    assert clock.timing == dossier.timing == timing
    assert clock.processing_days == dossier.processing_days == days
    assert dossier.state == DossierState.RESOLVED
    assert dossier.resolved_on == resolved.date()


def test_processing_time_in_working_days(agency):
    # Fri 24/01 15:00-17:00 2 h, Tết and the weekend nothing, Mon 03/02 8 h,
    # Tue 04/02 07:30-09:30 2 h: 12 h = 1,5 working days (not the 11 calendar days).
    clock, dossier = both_paths(
        agency,
        received=t(2025, 1, 24, 15),
        limit=3,
        resolved=t(2025, 2, 4, 9, 30),
        outcome=Outcome.ISSUED,
    )
    assert clock.processing_days == dossier.processing_days == Decimal("1.5")
    assert dossier.timing == EARLY


# Supplements ---------------------------------------------------------------------------------
# Received Mon 03/03/2025 08:00, 3-day limit, supplement requested Tue 04/03 10:00, the complete
# dossier back Mon 10/03 14:00. No holiday in March 2025.


def test_supplement_restart_runs_the_whole_limit_from_the_complete_dossier(agency):
    # Restart (the default, no ClockRule row): 3 days from Mon 10/03 14:00: Mon 14:00-17:00 3 h,
    # Tue 11/03 8 h (11 h), Wed 12/03 8 h (19 h), Thu 13/03 07:30-11:30 4 h (23 h),
    # 13:00-14:00 1 h (24 h) -> Thu 13/03/2025 14:00. Resolved Wed 12/03 09:30: the day before
    # the due day, early; ran Mon 3 h + Tue 8 h + Wed 07:30-09:30 2 h = 13 h = 1,625 days (the
    # time before the request is not counted).
    clock, dossier = both_paths(
        agency,
        received=t(2025, 3, 3, 8),
        limit=3,
        requested=t(2025, 3, 4, 10),
        resubmitted=t(2025, 3, 10, 14),
        resolved=t(2025, 3, 12, 9, 30),
        outcome=Outcome.ISSUED,
    )
    assert not ClockRule.objects.exists()
    assert clock.due_at == dossier.due_at == t(2025, 3, 13, 14)
    assert clock.clock_started_at == t(2025, 3, 10, 14)
    assert clock.clock_credit_seconds == 0
    assert clock.timing == EARLY
    assert clock.processing_days == Decimal("1.625")
    assert dossier.supplement_count == 1


def test_supplement_pause_resumes_with_what_was_left(agency):
    # Pause and resume (ClockRule row): used before the request Mon 08:00-11:30 3,5 h +
    # 13:00-17:00 4 h + Tue 07:30-10:00 2,5 h = 10 h (36 000 s); 14 h left from Mon 10/03 14:00:
    # Mon 3 h (11 h left), Tue 11/03 8 h (3 h left), Wed 12/03 07:30-10:30 -> Wed 12/03/2025
    # 10:30. Resolved Wed 12/03 09:30: the due day before the due time, on time; processing
    # 10 h + 13 h = 23 h = 2,875 days.
    clock, dossier = both_paths(
        agency,
        received=t(2025, 3, 3, 8),
        limit=3,
        rule=PAUSE,
        requested=t(2025, 3, 4, 10),
        resubmitted=t(2025, 3, 10, 14),
        resolved=t(2025, 3, 12, 9, 30),
        outcome=Outcome.ISSUED,
    )
    assert clock.due_at == dossier.due_at == t(2025, 3, 12, 10, 30)
    assert clock.clock_started_at == t(2025, 3, 10, 14)
    assert clock.clock_credit_seconds == dossier.clock_credit_seconds == 36_000
    assert clock.timing == ON_TIME
    assert clock.processing_days == Decimal("2.875")


@pytest.mark.parametrize(("rule", "credit"), [(RESTART, 0), (PAUSE, 36_000)])
def test_while_waiting_for_the_supplement_there_is_no_due_time(agency, rule, credit):
    clock, dossier = both_paths(
        agency, received=t(2025, 3, 3, 8), limit=3, rule=rule, requested=t(2025, 3, 4, 10)
    )
    assert clock.waiting and clock.due_at is None and dossier.due_at is None
    assert dossier.state == DossierState.WAITING
    assert clock.clock_credit_seconds == credit


def test_resubmission_after_the_cutoff_restarts_next_morning(agency):
    # Cut-off 15:00; the complete dossier arrives Fri 07/03/2025 16:00 -> counts from Mon 10/03
    # 07:30; 3 full days Mon, Tue, Wed -> Wed 12/03/2025 17:00.
    set_cutoff(dt.time(15))
    clock, dossier = both_paths(
        agency,
        received=t(2025, 3, 3, 8),
        limit=3,
        requested=t(2025, 3, 4, 10),
        resubmitted=t(2025, 3, 7, 16),
    )
    assert clock.due_at == dossier.due_at == t(2025, 3, 12, 17)


# Where the clock starts -----------------------------------------------------------------------


def test_half_day_limit_received_at_eleven(agency):
    # 0,5 day = 4 office hours: Tue 04/03/2025 11:00-11:30 0,5 h, lunch not counted,
    # 13:00-16:30 3,5 h -> Tue 04/03/2025 16:30. Resolved at 16:30 exactly: on time, 0,5 day.
    clock, dossier = both_paths(
        agency,
        received=t(2025, 3, 4, 11),
        limit="0.5",
        resolved=t(2025, 3, 4, 16, 30),
        outcome=Outcome.ISSUED,
    )
    assert clock.due_at == dossier.due_at == t(2025, 3, 4, 16, 30)
    assert clock.timing == ON_TIME
    assert clock.processing_days == Decimal("0.5")


def test_receipt_on_a_sunday_counts_from_monday_morning(agency):
    # Sun 09/03/2025 10:00 is a day off: the clock counts from Mon 10/03 07:30; one day fills
    # Monday and ends at 17:00 that day (not Tuesday 07:30). Resolved Mon 09:00: on time, the
    # due day; 07:30-09:00 1,5 h = 0,1875 day.
    clock, dossier = both_paths(
        agency,
        received=t(2025, 3, 9, 10),
        limit=1,
        resolved=t(2025, 3, 10, 9),
        outcome=Outcome.ISSUED,
    )
    assert clock.due_at == dossier.due_at == t(2025, 3, 10, 17)
    assert clock.timing == ON_TIME
    assert clock.processing_days == Decimal("0.1875")


def test_receipt_outside_office_hours_counts_from_the_next_period(agency):
    # Wed 05/03/2025 12:15 (lunch): counts from 13:00; 0,5 day = 13:00-17:00 -> Wed 17:00.
    clock, _dossier = both_paths(agency, received=t(2025, 3, 5, 12, 15), limit="0.5")
    assert clock.due_at == t(2025, 3, 5, 17)
    # Wed 05/03/2025 18:30: counts from Thu 07:30; 0,5 day -> Thu 06/03/2025 11:30.
    clock, _dossier = both_paths(agency, received=t(2025, 3, 5, 18, 30), limit="0.5")
    assert clock.due_at == t(2025, 3, 6, 11, 30)


def test_without_a_cutoff_a_late_afternoon_receipt_counts_at_once(agency):
    # No cut-off (the default): Tue 04/03/2025 15:30-17:00 1,5 h, Wed 05/03 07:30-11:30 4 h
    # (5,5 h), 13:00-15:30 2,5 h (8 h) -> Wed 05/03/2025 15:30.
    clock, _dossier = both_paths(agency, received=t(2025, 3, 4, 15, 30), limit=1)
    assert clock.due_at == t(2025, 3, 5, 15, 30)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Strictly after 15:00: counts from Wed 05/03 07:30, one full day -> Wed 17:00.
        (t(2025, 3, 4, 15, 30), t(2025, 3, 5, 17)),
        (t(2025, 3, 4, 15, 0, 1), t(2025, 3, 5, 17)),
        # Exactly 15:00 is not after the cut-off: Tue 15:00-17:00 2 h, Wed 07:30-11:30 4 h,
        # 13:00-15:00 2 h -> Wed 05/03/2025 15:00.
        (t(2025, 3, 4, 15), t(2025, 3, 5, 15)),
    ],
)
def test_receipt_after_the_cutoff_counts_from_the_next_working_morning(agency, received, due):
    set_cutoff(dt.time(15))
    clock, dossier = both_paths(agency, received=received, limit=1)
    assert clock.due_at == dossier.due_at == due


def test_a_result_the_evening_of_a_receipt_after_the_cutoff(agency):
    # Received Tue 04/03/2025 15:30 after the 15:00 cut-off, handed back at 16:00 the same day:
    # the clock had not started, 0 day; the due day is Wed 05/03, so early.
    set_cutoff(dt.time(15))
    clock, _dossier = both_paths(
        agency,
        received=t(2025, 3, 4, 15, 30),
        limit=1,
        resolved=t(2025, 3, 4, 16),
        outcome=Outcome.ISSUED,
    )
    assert clock.processing_days == Decimal("0") and clock.timing == EARLY


# Holidays, make-up days and overrides -----------------------------------------------------------


def test_official_make_up_saturday_is_worked(agency):
    # Fri 25/04/2025 13:00-17:00 4 h; Sat 26/04/2025 is the make-up day for Fri 02/05:
    # 07:30-11:30 4 h -> Sat 26/04/2025 11:30.
    clock, dossier = both_paths(agency, received=t(2025, 4, 25, 13), limit=1)
    assert clock.due_at == dossier.due_at == t(2025, 4, 26, 11, 30)


def test_reunification_and_labour_day_2025(agency):
    # Tue 29/04/2025 13:00-17:00 4 h; Wed 30/04 and Thu 01/05 holidays, Fri 02/05 swapped off,
    # weekend; Mon 05/05 8 h (12 h), Tue 06/05 07:30-11:30 4 h (16 h = 2 days)
    # -> Tue 06/05/2025 11:30.
    clock, dossier = both_paths(agency, received=t(2025, 4, 29, 13), limit=2)
    assert clock.due_at == dossier.due_at == t(2025, 5, 6, 11, 30)


def test_calendar_override_day_off_moves_the_due_time(agency):
    # The administrator declares Mon 03/02/2025 a day off: the worked example loses Monday.
    # Fri 2 h, Tue 04/02 8 h (10), Wed 05/02 8 h (18), Thu 06/02 07:30-11:30 4 h (22),
    # 13:00-15:00 (24) -> Thu 06/02/2025 15:00.
    CalendarOverride.objects.create(
        date=dt.date(2025, 2, 3),
        kind=OverrideKind.DAY_OFF,
        reason="Nghỉ thêm sau Tết (thử)",
        document_number="1/TB-UBND",
        document_date=dt.date(2025, 1, 10),
    )
    clock, dossier = both_paths(agency, received=t(2025, 1, 24, 15), limit=3)
    assert clock.due_at == dossier.due_at == t(2025, 2, 6, 15)


def test_calendar_override_working_saturday_moves_the_due_time(agency):
    # Fri 07/03/2025 13:00-17:00 4 h; normally Mon 10/03 07:30-11:30 -> Mon 11:30. With Sat
    # 08/03 declared a working day: Sat 07:30-11:30 -> Sat 08/03/2025 11:30.
    clock, _dossier = both_paths(agency, received=t(2025, 3, 7, 13), limit=1)
    assert clock.due_at == t(2025, 3, 10, 11, 30)
    CalendarOverride.objects.create(
        date=dt.date(2025, 3, 8),
        kind=OverrideKind.WORKING_DAY,
        reason="Làm bù (thử)",
        document_number="2/TB-UBND",
        document_date=dt.date(2025, 3, 1),
    )
    clock, dossier = both_paths(agency, received=t(2025, 3, 7, 13), limit=1)
    assert clock.due_at == dossier.due_at == t(2025, 3, 8, 11, 30)


# The limit in force on the receipt date ----------------------------------------------------------


def test_a_limit_that_changed_between_two_receipts(agency):
    # 5 days from 01/01/2020, 3 days from 01/07/2025 (two TimeLimit rows).
    procedure = factories.tthc(working_days=5, effective_from=dt.date(2020, 1, 1))
    TimeLimit.objects.create(
        procedure=procedure,
        working_days=Decimal(3),
        effective_from=dt.date(2025, 7, 1),
        legal_basis="Nghị định 118/2025/NĐ-CP",
    )
    before = record_for(agency, procedure, line=2, received_at=t(2025, 6, 30, 8))
    after = record_for(agency, procedure, line=3, received_at=t(2025, 7, 1, 8))
    assert upsert([before, after], calendar=get_calendar()).new == [2, 3]
    first = Dossier.objects.get(code=before.code)
    second = Dossier.objects.get(code=after.code)
    # Received Mon 30/06/2025 08:00 under the 5-day limit: Mon 7,5 h, Tue 01/07 8 (15,5),
    # Wed 8 (23,5), Thu 8 (31,5), Fri 8 (39,5), Mon 07/07 07:30-08:00 (40 h) -> Mon 07/07 08:00.
    assert first.limit_days == Decimal(5)
    assert first.due_at == t(2025, 7, 7, 8)
    # Received Tue 01/07/2025 08:00, the day the 3-day limit took effect: Tue 7,5 h, Wed 8
    # (15,5), Thu 8 (23,5), Fri 04/07 07:30-08:00 (24 h) -> Fri 04/07/2025 08:00.
    assert second.limit_days == Decimal(3)
    assert second.due_at == t(2025, 7, 4, 8)
    # The one-by-one path with the same limits gives the same.
    calendar = get_calendar()
    assert compute(calendar, received_at=t(2025, 6, 30, 8), limit_days=Decimal(5)).due_at == (
        t(2025, 7, 7, 8)
    )
    assert compute(calendar, received_at=t(2025, 7, 1, 8), limit_days=Decimal(3)).due_at == (
        t(2025, 7, 4, 8)
    )


def test_no_limit_in_force_on_the_receipt_day_is_a_row_problem(agency):
    procedure = factories.tthc(working_days=5, effective_from=dt.date(2025, 7, 1))
    record = record_for(agency, procedure, received_at=t(2025, 6, 30, 8))
    result = upsert([record], calendar=get_calendar())
    assert [(p.line, p.field, p.value) for p in result.problems] == [
        (2, "received_at", "30/06/2025")
    ]
    assert not Dossier.objects.exists()


# Extension (apology letter) -----------------------------------------------------------------


def test_extension_sets_a_new_appointment_once_and_the_dossier_is_still_late(agency):
    # Received Mon 03/03/2025 08:00, 3 days: Mon 7,5 h, Tue 8 (15,5), Wed 8 (23,5),
    # Thu 06/03 07:30-08:00 (24) -> Thu 06/03/2025 08:00. Apology letter Wed 05/03 16:00 with a
    # new appointment Mon 10/03/2025 17:00; the result on Fri 07/03 10:00 is before the new
    # appointment but after the original due time: late. Processing Mon 7,5 + Tue 8 + Wed 8 +
    # Thu 8 + Fri 07:30-10:00 2,5 = 34 h = 4,25 days.
    calendar = get_calendar()
    procedure = procedure_with(3)
    base = dict(received_at=t(2025, 3, 3, 8), code="GH-1")
    assert upsert([record_for(agency, procedure, **base)], calendar=calendar).new == [2]
    extended = dict(base, extended_at=t(2025, 3, 5, 16), extended_due_at=t(2025, 3, 10, 17))
    assert upsert([record_for(agency, procedure, **extended)], calendar=calendar).updated == [2]
    dossier = Dossier.objects.get(code="GH-1")
    assert dossier.due_at == t(2025, 3, 6, 8)
    assert dossier.extended_due_at == t(2025, 3, 10, 17)
    resolved = dict(extended, resolved_at=t(2025, 3, 7, 10), outcome=Outcome.ISSUED)
    assert upsert([record_for(agency, procedure, **resolved)], calendar=calendar).updated == [2]
    dossier.refresh_from_db()
    assert dossier.due_at == t(2025, 3, 6, 8)
    assert dossier.timing == LATE
    assert dossier.processing_days == Decimal("4.25")
    # The one-by-one path knows nothing of the letter and gives the same class.
    clock = compute(
        calendar,
        received_at=t(2025, 3, 3, 8),
        limit_days=Decimal(3),
        resolved_at=t(2025, 3, 7, 10),
        outcome=Outcome.ISSUED,
    )
    assert (clock.due_at, clock.timing, clock.processing_days) == (
        t(2025, 3, 6, 8),
        LATE,
        Decimal("4.25"),
    )
    kinds = list(DossierEvent.objects.filter(dossier_id=dossier.pk).values_list("kind", flat=True))
    assert kinds.count(EventKind.EXTENDED) == 1
    # A second letter (another date) is refused, naming the row and the field; nothing changes.
    second = dict(resolved, extended_at=t(2025, 3, 7, 9), source_updated_at=t(2025, 3, 8, 8))
    result = upsert([record_for(agency, procedure, **second)], calendar=calendar)
    assert [(p.line, p.field) for p in result.problems] == [(2, "extended_at")]
    assert "05/03/2025" in result.problems[0].message
    dossier.refresh_from_db()
    assert dossier.extended_at == t(2025, 3, 5, 16)
    assert summaries.drifts() == []


# Refused and withdrawn ----------------------------------------------------------------------


def test_a_refused_dossier_is_resolved_and_classed(agency):
    # Received Mon 03/03/2025 08:00, 3 days, due Thu 06/03 08:00 (as above). Refused Wed 05/03
    # 10:00: a day before the due day, early; Mon 7,5 + Tue 8 + Wed 07:30-10:00 2,5 = 18 h.
    clock, dossier = both_paths(
        agency,
        received=t(2025, 3, 3, 8),
        limit=3,
        resolved=t(2025, 3, 5, 10),
        outcome=Outcome.REFUSED,
    )
    assert dossier.state == DossierState.REFUSED
    assert clock.timing == dossier.timing == EARLY
    assert clock.processing_days == Decimal("2.25")
    row = DailySummary.objects.get(agency=agency, day=dt.date(2025, 3, 5))
    assert (row.resolved, row.early, row.refused, row.withdrawn) == (1, 1, 1, 0)
    assert summaries.drifts() == []


def test_a_withdrawn_dossier_has_no_class_and_leaves_the_rates(agency):
    clock, dossier = both_paths(
        agency,
        received=t(2025, 3, 3, 8),
        limit=3,
        resolved=t(2025, 3, 4, 9),
        outcome=Outcome.WITHDRAWN,
    )
    assert dossier.state == DossierState.WITHDRAWN
    assert clock.timing == dossier.timing == ""
    assert clock.processing_days is None and dossier.processing_days is None
    assert clock.due_at == t(2025, 3, 6, 8)
    row = DailySummary.objects.get(agency=agency, day=dt.date(2025, 3, 4))
    assert (row.withdrawn, row.resolved, row.early, row.on_time, row.late) == (1, 0, 0, 0, 0)
    assert summaries.drifts() == []
