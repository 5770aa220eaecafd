"""The working calendar: holidays, shipped swaps, office-hours arithmetic and the array path."""

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from qms.models import CalendarOverride, OverrideKind, WorkingCalendarSettings
from qms.workcal import WorkingCalendar, get_calendar

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CUTOFF = dt.time(15, 0)


def at(year, month, day, hour=0, minute=0, second=0):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=TZ)


@pytest.fixture
def calendar():
    """The library calendar alone: default office hours, no cut-off, no overrides."""
    return WorkingCalendar()


@pytest.fixture
def calendar_with_cutoff():
    return WorkingCalendar(cutoff=CUTOFF)


# Holidays from holidays.Vietnam ------------------------------------------------------------


def test_tet_2025_days_are_off_and_skipped(calendar):
    for day in range(27, 32):
        assert not calendar.is_working_day(dt.date(2025, 1, day))
    assert calendar.is_working_day(dt.date(2025, 1, 24))
    assert calendar.is_working_day(dt.date(2025, 2, 3))
    # Two office hours from Friday 24 Jan 16:00: one that day, one after the Tết break.
    assert calendar.add_working_days(at(2025, 1, 24, 16), Decimal("0.25")) == at(2025, 2, 3, 8, 30)
    assert calendar.add_working_days(at(2025, 1, 24, 7, 30), 2) == at(2025, 2, 3, 17)
    assert calendar.working_days_between(at(2025, 1, 24, 7, 30), at(2025, 2, 4, 7, 30)) == 2


def test_make_up_saturday_26_april_2025_is_worked(calendar):
    assert calendar.is_working_day(dt.date(2025, 4, 26))
    assert not calendar.is_working_day(dt.date(2025, 5, 2))
    assert not calendar.is_working_day(dt.date(2025, 4, 27))
    # Friday 25 Apr all day, then the make-up Saturday.
    assert calendar.add_working_days(at(2025, 4, 25, 7, 30), 2) == at(2025, 4, 26, 17)
    # From the Saturday evening: Mon 28, Tue 29, then 30/4, 1/5, 2/5 off, weekend, Mon 5 May.
    assert calendar.add_working_days(at(2025, 4, 26, 18), 3) == at(2025, 5, 5, 17)


def test_library_alone_lacks_the_2026_new_year_swap(calendar):
    assert calendar.is_working_day(dt.date(2026, 1, 2))
    assert not calendar.is_working_day(dt.date(2026, 1, 10))


# Overrides from the database ---------------------------------------------------------------


@pytest.mark.django_db
def test_shipped_overrides_move_the_2026_new_year_working_day():
    shipped = CalendarOverride.objects.get(date=dt.date(2026, 1, 2))
    assert shipped.kind == OverrideKind.DAY_OFF
    assert shipped.document_number == "12729/VPCP-KGVX"

    calendar = get_calendar()
    assert not calendar.is_working_day(dt.date(2026, 1, 2))
    assert calendar.is_working_day(dt.date(2026, 1, 10))
    # Wed 31 Dec 16:00: one hour, then 1 Jan (holiday), 2 Jan (swapped off) and the weekend.
    assert calendar.add_working_days(at(2025, 12, 31, 16), Decimal("0.25")) == at(2026, 1, 5, 8, 30)


@pytest.mark.django_db
def test_get_calendar_follows_a_new_override():
    before = get_calendar()
    assert get_calendar() is before  # unchanged inputs reuse the built calendar
    assert before.is_working_day(dt.date(2026, 3, 6))

    CalendarOverride.objects.create(
        date=dt.date(2026, 3, 6),
        kind=OverrideKind.DAY_OFF,
        reason="Nghỉ theo quyết định của tỉnh",
        document_number="1/QĐ-UBND",
        document_date=dt.date(2026, 3, 1),
    )
    after = get_calendar()
    assert after.version != before.version
    assert not after.is_working_day(dt.date(2026, 3, 6))
    assert after.add_working_days(at(2026, 3, 5, 7, 30), 2) == at(2026, 3, 9, 17)


@pytest.mark.django_db
def test_settings_change_changes_version_and_arithmetic():
    before = get_calendar()
    assert before.add_working_days(at(2025, 3, 3, 16), Decimal("0.25")) == at(2025, 3, 4, 8, 30)

    settings = WorkingCalendarSettings.load()
    settings.receipt_cutoff = CUTOFF
    settings.save()
    with_cutoff = get_calendar()
    assert with_cutoff.version != before.version
    assert with_cutoff.add_working_days(at(2025, 3, 3, 16), Decimal("0.25")) == at(
        2025, 3, 4, 9, 30
    )

    settings.afternoon_end = dt.time(16, 30)
    settings.save()
    shorter = get_calendar()
    assert shorter.version != with_cutoff.version
    assert shorter.day_seconds == int(7.5 * 3600)


def test_version_depends_on_each_input():
    base = WorkingCalendar()
    assert WorkingCalendar().version == base.version
    others = [
        WorkingCalendar(cutoff=CUTOFF),
        WorkingCalendar(overrides={dt.date(2026, 3, 6): "off"}),
        WorkingCalendar(overrides={dt.date(2026, 3, 6): "work"}),
        WorkingCalendar(periods=[(dt.time(8), dt.time(12)), (dt.time(13), dt.time(17))]),
    ]
    versions = {base.version, *(other.version for other in others)}
    assert len(versions) == 1 + len(others)


def test_override_wins_over_the_library(calendar):
    overridden = WorkingCalendar(
        overrides={dt.date(2025, 1, 27): "work", dt.date(2025, 3, 4): OverrideKind.DAY_OFF}
    )
    assert overridden.is_working_day(dt.date(2025, 1, 27))
    assert not overridden.is_working_day(dt.date(2025, 3, 4))
    assert not calendar.is_working_day(dt.date(2025, 1, 27))
    with pytest.raises(ValueError):
        WorkingCalendar(overrides={dt.date(2025, 1, 27): "holiday"})


# Office-hours arithmetic -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # A count that ends on a period's end stops there, not at the next period's start.
        (at(2025, 3, 3, 7, 30), 1, at(2025, 3, 3, 17)),
        (at(2025, 3, 3, 7, 30), Decimal("0.5"), at(2025, 3, 3, 11, 30)),
        (at(2025, 3, 3, 7, 30), 0.5, at(2025, 3, 3, 11, 30)),
        # Crossing lunch: an hour before 11:30, the rest from 13:00.
        (at(2025, 3, 3, 10, 30), Decimal("0.25"), at(2025, 3, 3, 14)),
        (at(2025, 3, 3, 11), Decimal("0.125"), at(2025, 3, 3, 13, 30)),
        # Received during lunch or before opening: counts from the next period.
        (at(2025, 3, 3, 12), Decimal("0.25"), at(2025, 3, 3, 15)),
        (at(2025, 3, 3, 6), Decimal("0.25"), at(2025, 3, 3, 9, 30)),
        (at(2025, 3, 7, 16), Decimal("0.25"), at(2025, 3, 10, 8, 30)),
        (at(2025, 3, 3, 20), Decimal("0.5"), at(2025, 3, 4, 11, 30)),
        (at(2025, 3, 8, 10), 1, at(2025, 3, 10, 17)),  # a Saturday
        (at(2025, 3, 3, 9, 15), 10, at(2025, 3, 17, 9, 15)),
        (at(2025, 3, 3, 9, 15), 0, at(2025, 3, 3, 9, 15)),
    ],
)
def test_add_working_days(calendar, start, days, due):
    assert calendar.add_working_days(start, days) == due


def test_result_is_in_local_time(calendar):
    utc_start = dt.datetime(2025, 3, 3, 0, 30, tzinfo=dt.UTC)  # 07:30 in Hà Nội
    due = calendar.add_working_days(utc_start, 1)
    assert due == at(2025, 3, 3, 17)
    assert due.utcoffset() == dt.timedelta(hours=7)
    assert (due.hour, due.minute) == (17, 0)


def test_naive_datetimes_are_refused(calendar):
    with pytest.raises(ValueError):
        calendar.add_working_days(dt.datetime(2025, 3, 3, 8), 1)
    with pytest.raises(ValueError):
        calendar.add_working_days(at(2025, 3, 3, 8), -1)


def test_receipt_cutoff_is_strictly_after(calendar_with_cutoff):
    cal = calendar_with_cutoff
    assert cal.add_working_days(at(2025, 3, 3, 15), Decimal("0.25")) == at(2025, 3, 3, 17)
    assert cal.add_working_days(at(2025, 3, 3, 15, 1), Decimal("0.25")) == at(2025, 3, 4, 9, 30)
    assert cal.add_working_days(at(2025, 3, 3, 15, 0, 1), 1) == at(2025, 3, 4, 17)
    # Friday after the cut-off goes to Monday morning.
    assert cal.add_working_days(at(2025, 3, 7, 15, 30), Decimal("0.5")) == at(2025, 3, 10, 11, 30)
    # The cut-off only applies to working days: Saturday 16:00 counts from Monday anyway.
    assert cal.add_working_days(at(2025, 3, 8, 16), Decimal("0.5")) == at(2025, 3, 10, 11, 30)


def test_working_days_between_inverts_adding(calendar, calendar_with_cutoff):
    assert calendar.working_days_between(at(2025, 3, 3, 7, 30), at(2025, 3, 3, 17)) == 1
    assert calendar.working_days_between(at(2025, 3, 3, 10, 30), at(2025, 3, 3, 14)) == Decimal(
        "0.25"
    )
    assert calendar.working_days_between(at(2025, 3, 7, 16), at(2025, 3, 10, 8, 30)) == Decimal(
        "0.25"
    )
    assert calendar.working_days_between(at(2025, 3, 3, 14), at(2025, 3, 3, 10, 30)) == Decimal(
        "-0.25"
    )
    assert calendar.working_days_between(at(2025, 3, 8, 9), at(2025, 3, 9, 18)) == 0
    cal = calendar_with_cutoff
    # Received after the cut-off and resolved the same evening: no time, never negative.
    assert cal.working_days_between(at(2025, 3, 3, 15, 30), at(2025, 3, 3, 16, 30)) == 0
    assert cal.working_days_between(at(2025, 3, 3, 15, 30), at(2025, 3, 4, 17)) == 1
    assert cal.working_days_between(at(2025, 3, 4, 17), at(2025, 3, 3, 15, 30)) == -1
    assert cal.working_days_between(at(2025, 3, 3, 15), at(2025, 3, 4, 17)) == Decimal("1.25")


def test_tables_extend_beyond_the_first_range(calendar):
    assert calendar.add_working_days(at(2025, 3, 3, 7, 30), 2000).year >= 2032
    assert calendar.is_working_day(dt.date(2010, 3, 3))
    assert not calendar.is_working_day(dt.date(2030, 9, 2))


# Array path agrees with the scalar path ----------------------------------------------------


def random_cases(count, seed):
    """Starts over 2024-2026 (nights, weekends, holidays, period edges) and quarter days."""
    rng = random.Random(seed)
    first = at(2024, 1, 1)
    span = int((at(2027, 1, 1) - first).total_seconds())
    edges = [(7, 30), (11, 30), (13, 0), (15, 0), (15, 1), (17, 0), (0, 0)]
    starts = []
    for _ in range(count):
        moment = first + dt.timedelta(seconds=rng.randrange(span))
        if rng.random() < 0.2:
            hour, minute = rng.choice(edges)
            moment = moment.replace(hour=hour, minute=minute, second=0)
        starts.append(moment)
    days = [Decimal(rng.randint(0, 120)) / 4 for _ in range(count)]
    return starts, days


@pytest.mark.parametrize("cutoff", [None, CUTOFF])
def test_array_path_matches_scalar_path(cutoff):
    cal = WorkingCalendar(cutoff=cutoff, overrides={dt.date(2026, 1, 2): "off"})
    starts, days = random_cases(10_000, seed=20250101)

    expected = [cal.add_working_days(start, day) for start, day in zip(starts, days, strict=True)]
    local_starts = cal.to_local_array(starts)
    float_days = np.array([float(day) for day in days])
    due = cal.add_working_days_many(local_starts, float_days)
    assert due.dtype == np.dtype("datetime64[s]")
    assert cal.from_local_array(due) == expected
    # Decimal days (object array) take the same path to the same answers.
    assert (cal.add_working_days_many(local_starts, np.array(days, dtype=object)) == due).all()

    ends = list(reversed(expected))  # a mix of forward and backward intervals
    elapsed = [cal.working_days_between(s, e) for s, e in zip(starts, ends, strict=True)]
    elapsed_many = cal.working_days_between_many(local_starts, cal.to_local_array(ends))
    assert list(elapsed_many) == elapsed
    assert [str(value) for value in elapsed_many] == [str(value) for value in elapsed]

    # And adding then measuring gives back exactly the days added.
    back = cal.working_days_between_many(local_starts, due)
    assert list(back) == days


def test_array_path_accepts_aware_datetimes_and_scalars(calendar):
    starts = [at(2025, 3, 3, 7, 30), at(2025, 3, 7, 16)]
    due = calendar.add_working_days_many(np.array(starts, dtype=object), 0.25)
    assert calendar.from_local_array(due) == [at(2025, 3, 3, 9, 30), at(2025, 3, 10, 8, 30)]
    assert calendar.add_working_days_many(np.array([], dtype="datetime64[s]"), 1).size == 0
    seconds = calendar.office_seconds_between_many(np.array(starts, dtype=object), due)
    assert seconds.tolist() == [7200, 7200]
