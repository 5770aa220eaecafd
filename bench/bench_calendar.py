"""Times the working calendar's scalar and numpy paths on the same random cases."""

import datetime as dt
import os
import time

CASES = 100_000
SEED = 20250101


def _setup_django():
    # The calendar reads Django's time zone, so a bare `python -m bench...` must set it up.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _cases(calendar, count, seed):
    from bench.generate import random_day_counts, random_moments

    starts = random_moments(count, seed=seed, tz=calendar.tz)
    return starts, random_day_counts(count, seed=seed + 1)


def _timed(function):
    began = time.perf_counter()
    result = function()
    return result, time.perf_counter() - began


def run(cases: int = CASES) -> dict:
    """Time both paths of add_working_days and working_days_between; print and return figures."""
    _setup_django()
    import numpy as np

    from qms.workcal import WorkingCalendar

    # A calendar built without the database, so the figures measure arithmetic only.
    calendar = WorkingCalendar(cutoff=dt.time(15, 0), overrides={dt.date(2026, 1, 2): "off"})
    calendar.is_working_day(dt.date(2025, 1, 1))  # build the day tables outside the timings
    starts, days = _cases(calendar, cases, SEED)
    float_days = np.array([float(day) for day in days])

    single_due, single_add = _timed(
        lambda: [calendar.add_working_days(s, d) for s, d in zip(starts, days, strict=True)]
    )
    local_starts, to_array = _timed(lambda: calendar.to_local_array(starts))
    array_due, array_add = _timed(lambda: calendar.add_working_days_many(local_starts, float_days))
    back, from_array = _timed(lambda: calendar.from_local_array(array_due))

    single_between_values, single_between = _timed(
        lambda: [
            calendar.working_days_between(s, e) for s, e in zip(starts, single_due, strict=True)
        ]
    )
    array_between_values, array_between = _timed(
        lambda: calendar.working_days_between_many(local_starts, array_due)
    )
    _, array_seconds = _timed(lambda: calendar.office_seconds_between_many(local_starts, array_due))

    figures = {
        "cases": cases,
        "add_single_s": single_add,
        "add_array_s": array_add,
        "add_speedup": single_add / array_add,
        "to_local_array_s": to_array,
        "from_local_array_s": from_array,
        "between_single_s": single_between,
        "between_array_decimal_s": array_between,
        "between_array_seconds_s": array_seconds,
        "between_speedup_decimal": single_between / array_between,
        "identical": back == single_due and list(array_between_values) == single_between_values,
    }
    print(f"working calendar, {cases:,} random cases over 2024-2026 (cut-off 15:00)")
    print(
        f"  add_working_days        single {single_add:8.3f} s   array {array_add:8.4f} s"
        f"   x{figures['add_speedup']:.0f}"
    )
    print(f"    converting aware -> datetime64 {to_array:.3f} s, back {from_array:.3f} s")
    print(
        f"  working_days_between    single {single_between:8.3f} s   array {array_between:8.4f} s"
        f" (Decimal)   {array_seconds:.4f} s (int seconds)"
    )
    print(f"  identical results: {figures['identical']}")
    return figures


if __name__ == "__main__":
    run()
