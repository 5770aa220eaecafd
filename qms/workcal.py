"""Working calendar: which days are worked and how office time adds up to due and processing times."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import threading
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal

import holidays
import numpy as np
from django.utils import timezone

from qms.models.calendar import (
    DEFAULT_PERIODS,
    CalendarOverride,
    OverrideKind,
    WorkingCalendarSettings,
    validate_office_periods,
)

__all__ = [
    "DEFAULT_PERIODS",
    "DayInfo",
    "Override",
    "WorkingCalendar",
    "calendar_version",
    "get_calendar",
]

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_SECONDS_PER_DAY = 86_400
# A fixed context so that the caller's decimal precision cannot change stored results.
_DECIMAL = Context(prec=28, rounding=ROUND_HALF_EVEN)
# Fewest working days a year can have; used to guess how far to extend the tables.
_MIN_WORKING_DAYS_PER_YEAR = 200


def _seconds_of(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _year_of(day_number: int) -> int:
    return dt.date.fromordinal(day_number + _EPOCH_ORDINAL).year


@dataclass(frozen=True)
class Override:
    """An administrator's override of one day, with the document that decided it."""

    kind: str
    reason: str = ""
    document_number: str = ""
    document_date: dt.date | None = None

    @property
    def worked(self) -> bool:
        return self.kind == OverrideKind.WORKING_DAY

    @property
    def kind_label(self) -> str:
        return OverrideKind(self.kind).label


@dataclass(frozen=True)
class DayInfo:
    """Whether a day is worked, and why: public holiday, official make-up day, override."""

    date: dt.date
    working: bool
    holiday: str | None
    make_up: bool
    override: Override | None


def _kind_of(value: str | Override) -> str:
    return value.kind if isinstance(value, Override) else value


def _normalise_overrides(overrides: Mapping[dt.date, str | Override] | None) -> dict[dt.date, bool]:
    """Map each overridden date to True (worked) or False (off)."""
    normalised = {}
    for day, value in (overrides or {}).items():
        kind = _kind_of(value)
        if kind not in (OverrideKind.DAY_OFF, OverrideKind.WORKING_DAY):
            raise ValueError(f"unknown override kind {kind!r} for {day}")
        normalised[day] = kind == OverrideKind.WORKING_DAY
    return normalised


def calendar_version(
    periods: Sequence[tuple[dt.time, dt.time]],
    cutoff: dt.time | None,
    overrides: Mapping[dt.date, str | Override] | None,
    tz: dt.tzinfo | None = None,
) -> str:
    """A short fingerprint of everything that can move a due time.

    Stored on dossiers so that a later change of the calendar can be detected; the holidays
    library version is part of it because an upgrade can add or move public holidays.
    """
    tz = tz or timezone.get_default_timezone()
    parts = [
        f"holidays={holidays.__version__}",
        f"tz={tz}",
        "periods=" + ",".join(f"{a.isoformat()}-{b.isoformat()}" for a, b in periods),
        f"cutoff={cutoff.isoformat() if cutoff else ''}",
        "overrides="
        + ",".join(
            f"{day.isoformat()}:{'work' if worked else 'off'}"
            for day, worked in sorted(_normalise_overrides(overrides).items())
        ),
    ]
    return hashlib.sha256(";".join(parts).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class _Tables:
    """Per-day lookup tables for whole years ``first_year``..``last_year``.

    ``cum[i]`` is the number of working days before day ``i`` (so ``cum`` has one entry more
    than there are days) and ``work_days[k]`` is the day index of the k-th working day.
    Day indices count from ``first_day``, itself a number of days since 1970-01-01.
    """

    first_year: int
    last_year: int
    first_day: int
    is_work: np.ndarray
    cum: np.ndarray
    work_days: np.ndarray

    def covers(self, first_year: int, last_year: int) -> bool:
        return self.first_year <= first_year and last_year <= self.last_year


class WorkingCalendar:
    """Office-time arithmetic on the Vietnamese public-sector calendar.

    A day is worked when an override says so; otherwise when it is not a public holiday in
    ``holidays.Vietnam`` and is a weekday or an official make-up Saturday. One working day is
    the sum of the office periods, so fractions of a day are office hours.

    All arithmetic is done on the local wall time truncated to whole seconds: moments are
    first converted to ``tz`` and their microseconds dropped. The ``*_many`` methods take
    ``datetime64`` arrays of that local wall time (see :meth:`to_local_array`) and give
    exactly the results of the one-at-a-time methods.
    """

    def __init__(
        self,
        periods: Sequence[tuple[dt.time, dt.time]] = DEFAULT_PERIODS,
        cutoff: dt.time | None = None,
        overrides: Mapping[dt.date, str | Override] | None = None,
        tz: dt.tzinfo | None = None,
    ):
        self.periods = tuple((a, b) for a, b in periods)
        validate_office_periods(self.periods)  # the same rule as the settings form
        self.cutoff = cutoff
        self.tz = tz or timezone.get_default_timezone()
        self._overrides = _normalise_overrides(overrides)
        # Each override with its document, when the caller gave one (get_calendar does).
        self.override_notes = {
            day: value if isinstance(value, Override) else Override(kind=value)
            for day, value in (overrides or {}).items()
        }
        self.overrides = {
            day: OverrideKind.WORKING_DAY if worked else OverrideKind.DAY_OFF
            for day, worked in self._overrides.items()
        }
        self._holiday_names: dict[str, holidays.HolidayBase] = {}

        bounds = [(_seconds_of(a), _seconds_of(b)) for a, b in self.periods]
        self._period_starts = [start for start, _ in bounds]
        self._period_lengths = [end - start for start, end in bounds]
        self._period_ends_cum = list(np.cumsum(self._period_lengths).tolist())
        self.day_seconds = self._period_ends_cum[-1]
        self._cutoff_seconds = _seconds_of(cutoff) if cutoff is not None else None

        self._np_starts = np.array(self._period_starts, dtype=np.int64)
        self._np_lengths = np.array(self._period_lengths, dtype=np.int64)
        self._np_ends_cum = np.array(self._period_ends_cum, dtype=np.int64)

        self._tables: _Tables | None = None
        self._lock = threading.Lock()
        self._version = calendar_version(self.periods, cutoff, self.overrides, self.tz)

    def __repr__(self):
        return f"<WorkingCalendar {self._version}>"

    @property
    def version(self) -> str:
        return self._version

    # Day tables ---------------------------------------------------------------------------

    def _build_tables(self, first_year: int, last_year: int) -> _Tables:
        first = np.datetime64(dt.date(first_year, 1, 1), "D")
        end = np.datetime64(dt.date(last_year + 1, 1, 1), "D")
        dates = np.arange(first, end, dtype="datetime64[D]")
        day_numbers = dates.astype(np.int64)
        # 1970-01-01 was a Thursday; this gives Python's weekday() numbering (Monday = 0).
        weekday = (day_numbers + 3) % 7

        vietnam = holidays.Vietnam(years=range(first_year, last_year + 1))
        is_work = ~np.isin(weekday, sorted(vietnam.weekend))
        make_up = np.array(sorted(vietnam.weekend_workdays), dtype="datetime64[D]")
        is_work |= np.isin(dates, make_up)
        public_holidays = np.array(sorted(vietnam.keys()), dtype="datetime64[D]")
        is_work &= ~np.isin(dates, public_holidays)

        first_day = int(day_numbers[0])
        for day, worked in self._overrides.items():
            index = day.toordinal() - _EPOCH_ORDINAL - first_day
            if 0 <= index < len(is_work):
                is_work[index] = worked

        cum = np.zeros(len(is_work) + 1, dtype=np.int64)
        np.cumsum(is_work, out=cum[1:])
        return _Tables(
            first_year=first_year,
            last_year=last_year,
            first_day=first_day,
            is_work=is_work,
            cum=cum,
            work_days=np.flatnonzero(is_work).astype(np.int64),
        )

    def _tables_for(self, first_year: int, last_year: int) -> _Tables:
        """Tables covering the given years, rebuilt (with a year of margin) when they do not."""
        tables = self._tables
        if tables is not None and tables.covers(first_year, last_year):
            return tables
        with self._lock:
            tables = self._tables
            if tables is None or not tables.covers(first_year, last_year):
                low, high = first_year - 1, last_year + 1
                if tables is not None:
                    low, high = min(low, tables.first_year), max(high, tables.last_year)
                tables = self._build_tables(max(low, 1), min(high, 9998))
                self._tables = tables
            return tables

    # Scalar path ------------------------------------------------------------------------

    def _wall(self, moment: dt.datetime) -> tuple[int, int]:
        """(days since 1970-01-01, seconds since midnight) of ``moment``'s local wall time."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("the working calendar needs timezone-aware datetimes")
        local = moment.astimezone(self.tz)
        return (
            local.toordinal() - _EPOCH_ORDINAL,
            local.hour * 3600 + local.minute * 60 + local.second,
        )

    def _from_wall(self, day_number: int, seconds: int) -> dt.datetime:
        midnight = dt.datetime.fromordinal(day_number + _EPOCH_ORDINAL).replace(tzinfo=self.tz)
        return midnight + dt.timedelta(seconds=seconds)

    def _position(self, tables: _Tables, day_number: int, seconds: int, cutoff: bool) -> int:
        """Office seconds from the start of the tables to this moment.

        Off-duty moments sit at the next office moment, which is the same position as the
        end of the previous office period.
        """
        index = day_number - tables.first_day
        before = int(tables.cum[index]) * self.day_seconds
        if not tables.is_work[index]:
            return before
        if cutoff and self._cutoff_seconds is not None and seconds > self._cutoff_seconds:
            return before + self.day_seconds
        into_day = 0
        for start, length in zip(self._period_starts, self._period_lengths, strict=True):
            into_day += min(max(seconds - start, 0), length)
        return before + into_day

    def _days_to_seconds(self, days: Decimal | float | int) -> int:
        if isinstance(days, Decimal):
            if not days.is_finite():
                raise ValueError(f"invalid number of working days: {days}")
            seconds = int(
                _DECIMAL.multiply(days, Decimal(self.day_seconds)).to_integral_value(
                    ROUND_HALF_EVEN
                )
            )
        elif isinstance(days, int | np.integer):
            seconds = int(days) * self.day_seconds
        elif isinstance(days, float | np.floating):
            if not math.isfinite(days):
                raise ValueError(f"invalid number of working days: {days}")
            # Same float product and half-even rounding as numpy's rint in the array path.
            seconds = round(float(days) * self.day_seconds)
        else:
            raise TypeError(f"working days must be Decimal, float or int, not {type(days)}")
        if seconds < 0:
            raise ValueError("cannot add a negative number of working days")
        return seconds

    def is_working_day(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            day = day.astimezone(self.tz).date() if day.tzinfo else day.date()
        day_number = day.toordinal() - _EPOCH_ORDINAL
        tables = self._tables_for(day.year, day.year)
        return bool(tables.is_work[day_number - tables.first_day])

    def day_info(self, day: dt.date, *, language: str = "vi") -> DayInfo:
        """Whether ``day`` is worked and why, for people: the public holiday's name (in
        ``language``, Vietnamese or English), an official make-up working day, or the
        administrator's override with its document (which wins over the other two)."""
        code = "vi" if language.startswith("vi") else "en_US"
        with self._lock:
            names = self._holiday_names.get(code)
            if names is None:
                names = self._holiday_names[code] = holidays.Vietnam(language=code)
            holiday = names.get(day)  # loads the year, and with it its make-up days
            make_up = day in names.weekend_workdays
        return DayInfo(
            date=day,
            working=self.is_working_day(day),
            holiday=holiday,
            make_up=make_up,
            override=self.override_notes.get(day),
        )

    def add_working_days(self, start: dt.datetime, days: Decimal | float | int) -> dt.datetime:
        """The moment ``days`` working days of office time after ``start`` (local time).

        Counting starts at the next office moment (or the next working day when ``start`` is
        after the receipt cut-off) and a count that ends on the end of a period stops there,
        so Monday 07:30 + 1 is Monday 17:00. Adding nothing returns ``start`` unchanged.
        """
        seconds = self._days_to_seconds(days)
        day_number, time_of_day = self._wall(start)
        if seconds == 0:
            return self._from_wall(day_number, time_of_day)
        year = high_year = _year_of(day_number)
        while True:
            tables = self._tables_for(year, high_year)
            target = self._position(tables, day_number, time_of_day, cutoff=True) + seconds
            # Positions in (k*D, (k+1)*D] fall on the k-th working day; the closed upper end
            # is what makes a count that fills a day end at 17:00 rather than next morning.
            nth = (target - 1) // self.day_seconds
            if nth < len(tables.work_days):
                break
            missing = nth - len(tables.work_days)
            high_year = tables.last_year + 1 + missing // _MIN_WORKING_DAYS_PER_YEAR
        into_day = target - nth * self.day_seconds
        period = bisect_left(self._period_ends_cum, into_day)
        time_of_day = (
            self._period_starts[period]
            + into_day
            - (self._period_ends_cum[period] - self._period_lengths[period])
        )
        return self._from_wall(tables.first_day + int(tables.work_days[nth]), time_of_day)

    def office_seconds_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Office seconds elapsed from ``start`` to ``end``; negative when ``end`` is earlier.

        The receipt cut-off applies to the earlier of the two moments, so swapping the
        arguments only flips the sign, and a receipt after the cut-off resolved the same
        evening counts as zero rather than negative time.
        """
        start_day, start_time = self._wall(start)
        end_day, end_time = self._wall(end)
        earlier, later, sign = (start_day, start_time), (end_day, end_time), 1
        if (end_day, end_time) < (start_day, start_time):
            earlier, later, sign = later, earlier, -1
        tables = self._tables_for(_year_of(earlier[0]), _year_of(later[0]))
        elapsed = self._position(tables, *later, cutoff=False) - self._position(
            tables, *earlier, cutoff=True
        )
        return sign * max(elapsed, 0)

    def working_days_between(self, start: dt.datetime, end: dt.datetime) -> Decimal:
        """Office time from ``start`` to ``end`` in working days (see office_seconds_between)."""
        return self.seconds_to_days(self.office_seconds_between(start, end))

    def seconds_to_days(self, seconds: int) -> Decimal:
        return _DECIMAL.divide(Decimal(int(seconds)), Decimal(self.day_seconds))

    # Vectorized path --------------------------------------------------------------------

    def to_local_array(self, moments: Iterable[dt.datetime]) -> np.ndarray:
        """Aware datetimes to a ``datetime64[s]`` array of local wall time (the array input)."""
        walls = [day * _SECONDS_PER_DAY + seconds for day, seconds in map(self._wall, moments)]
        return np.array(walls, dtype=np.int64).astype("datetime64[s]")

    def from_local_array(self, values: np.ndarray) -> list[dt.datetime]:
        """A ``datetime64`` array of local wall time back to aware datetimes in ``tz``."""
        naive = np.asarray(values).astype("datetime64[s]").astype(object)
        return [value.replace(tzinfo=self.tz) for value in naive]

    def _as_wall(self, values) -> tuple[np.ndarray, np.ndarray]:
        array = np.asarray(values)
        if array.dtype.kind == "O":
            array = self.to_local_array(array.ravel()).reshape(array.shape)
        elif array.dtype.kind != "M":
            raise TypeError("expected datetime64 local wall times or aware datetimes")
        seconds = array.astype("datetime64[s]").astype(np.int64)
        return seconds // _SECONDS_PER_DAY, seconds % _SECONDS_PER_DAY

    @staticmethod
    def _year_span(*day_arrays: np.ndarray) -> tuple[int, int]:
        low = min(int(days.min()) for days in day_arrays)
        high = max(int(days.max()) for days in day_arrays)
        return _year_of(low), _year_of(high)

    def _positions(
        self, tables: _Tables, day_numbers: np.ndarray, seconds: np.ndarray, cutoff: bool
    ) -> np.ndarray:
        index = day_numbers - tables.first_day
        into_day = np.zeros_like(seconds)
        for start, length in zip(self._np_starts, self._np_lengths, strict=True):
            into_day += np.clip(seconds - start, 0, length)
        if cutoff and self._cutoff_seconds is not None:
            into_day = np.where(seconds > self._cutoff_seconds, self.day_seconds, into_day)
        into_day = np.where(tables.is_work[index], into_day, 0)
        return tables.cum[index] * self.day_seconds + into_day

    def _days_to_seconds_many(self, days) -> np.ndarray:
        array = np.asarray(days)
        if array.dtype.kind in "iub":
            seconds = array.astype(np.int64) * self.day_seconds
        elif array.dtype.kind == "f":
            if not np.isfinite(array).all():
                raise ValueError("invalid number of working days")
            seconds = np.rint(array.astype(np.float64) * self.day_seconds).astype(np.int64)
        elif array.dtype.kind == "O":
            # Decimals: convert one by one so rounding matches the scalar path exactly.
            flat = [self._days_to_seconds(value) for value in array.ravel()]
            seconds = np.array(flat, dtype=np.int64).reshape(array.shape)
        else:
            raise TypeError(f"working days must be numeric, not {array.dtype}")
        if (seconds < 0).any():
            raise ValueError("cannot add a negative number of working days")
        return seconds

    def add_working_days_many(self, starts, days) -> np.ndarray:
        """Vectorized :meth:`add_working_days`.

        ``starts``: ``datetime64`` array of local wall time (e.g. from :meth:`to_local_array`)
        or an array of aware datetimes; ``days``: int, float or Decimal (object) array, or a
        scalar, broadcast against ``starts``. Returns ``datetime64[s]`` local wall times;
        :meth:`from_local_array` turns them back into aware datetimes.
        """
        day_numbers, time_of_day = self._as_wall(starts)
        seconds = self._days_to_seconds_many(days)
        day_numbers, time_of_day, seconds = np.broadcast_arrays(day_numbers, time_of_day, seconds)
        if day_numbers.size == 0:
            return np.empty(day_numbers.shape, dtype="datetime64[s]")
        first_year, last_year = self._year_span(day_numbers)
        while True:
            tables = self._tables_for(first_year, last_year)
            target = self._positions(tables, day_numbers, time_of_day, cutoff=True) + seconds
            # Zero-day rows (target may be 0) are replaced by their start below.
            nth = np.maximum(target - 1, 0) // self.day_seconds
            furthest = int(nth.max())
            if furthest < len(tables.work_days):
                break
            missing = furthest - len(tables.work_days)
            last_year = tables.last_year + 1 + missing // _MIN_WORKING_DAYS_PER_YEAR
        into_day = target - nth * self.day_seconds
        period = np.searchsorted(self._np_ends_cum, into_day, side="left")
        result_time = (
            self._np_starts[period]
            + into_day
            - (self._np_ends_cum[period] - self._np_lengths[period])
        )
        result_day = tables.first_day + tables.work_days[nth]
        result = result_day * _SECONDS_PER_DAY + result_time
        unchanged = day_numbers * _SECONDS_PER_DAY + time_of_day
        return np.where(seconds == 0, unchanged, result).astype("datetime64[s]")

    def office_seconds_between_many(self, starts, ends) -> np.ndarray:
        """Vectorized :meth:`office_seconds_between` (inputs as in add_working_days_many)."""
        start_days, start_times = self._as_wall(starts)
        end_days, end_times = self._as_wall(ends)
        start_days, start_times, end_days, end_times = np.broadcast_arrays(
            start_days, start_times, end_days, end_times
        )
        if start_days.size == 0:
            return np.zeros(start_days.shape, dtype=np.int64)
        tables = self._tables_for(*self._year_span(start_days, end_days))
        backwards = (end_days * _SECONDS_PER_DAY + end_times) < (
            start_days * _SECONDS_PER_DAY + start_times
        )
        earlier_days = np.where(backwards, end_days, start_days)
        earlier_times = np.where(backwards, end_times, start_times)
        later_days = np.where(backwards, start_days, end_days)
        later_times = np.where(backwards, start_times, end_times)
        elapsed = self._positions(tables, later_days, later_times, cutoff=False) - self._positions(
            tables, earlier_days, earlier_times, cutoff=True
        )
        return np.where(backwards, -1, 1) * np.maximum(elapsed, 0)

    def working_days_between_many(self, starts, ends) -> np.ndarray:
        """Vectorized :meth:`working_days_between`: an object array of ``Decimal``.

        Building Decimals is the slow part; use :meth:`office_seconds_between_many` when
        integer office seconds (``/ day_seconds`` for days) will do.
        """
        seconds = self.office_seconds_between_many(starts, ends)
        day = Decimal(self.day_seconds)
        result = np.empty(seconds.shape, dtype=object)
        result.ravel()[:] = [_DECIMAL.divide(Decimal(s), day) for s in seconds.ravel().tolist()]
        return result


# The calendar used by the application -------------------------------------------------------

_cache_lock = threading.Lock()
_cached_calendar: WorkingCalendar | None = None


def get_calendar() -> WorkingCalendar:
    """The calendar from the database: the administrator's overrides and office hours.

    Each call reads the overrides (a few rows a year) and the settings, and reuses the
    previous calendar, with its built tables, when their fingerprint is unchanged. Reading
    them every time keeps every process (web workers, Celery) in step without signals;
    call it once per batch rather than once per dossier.
    """
    global _cached_calendar
    settings = WorkingCalendarSettings.load()
    overrides = {
        row.date: Override(row.kind, row.reason, row.document_number, row.document_date)
        for row in CalendarOverride.objects.all()
    }
    version = calendar_version(settings.periods, settings.receipt_cutoff, overrides)
    with _cache_lock:
        cached = _cached_calendar
        # A corrected reason or document does not move a due time (same version) but is shown.
        if cached is None or cached.version != version or cached.override_notes != overrides:
            cached = WorkingCalendar(settings.periods, settings.receipt_cutoff, overrides)
            _cached_calendar = cached
        return cached
