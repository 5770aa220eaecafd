"""The reporting periods a person picks on the metrics, steps and dashboard pages: a year, a
quarter, a month (values "y-2025", "q-2025-2", "m-2025-06"), or a range of days ("range" with
from–to dates). One way to offer and read them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from .selectors import period_end

MONTHS_OFFERED, QUARTERS_OFFERED, YEARS_OFFERED = 24, 8, 5
RANGE = "range"


def _month_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_choices(today: dt.date) -> list:
    months = []
    for back in range(MONTHS_OFFERED):
        first = _month_back(today, back)
        months.append(
            (
                f"m-{first:%Y-%m}",
                _("Tháng %(month)02d/%(year)d") % {"month": first.month, "year": first.year},
            )
        )
    quarters = []
    quarter, year = (today.month - 1) // 3 + 1, today.year
    for _back in range(QUARTERS_OFFERED):
        quarters.append((f"q-{year}-{quarter}", _("Quý %(q)d/%(y)d") % {"q": quarter, "y": year}))
        quarter, year = (quarter - 1, year) if quarter > 1 else (4, year - 1)
    years = [
        (f"y-{year}", _("Năm %(year)d") % {"year": year})
        for year in range(today.year, today.year - YEARS_OFFERED, -1)
    ]
    return [
        (_("Năm"), years),
        (_("Quý"), quarters),
        (_("Tháng"), months),
        (RANGE, _("Khoảng ngày tự chọn (từ ngày – đến ngày)")),
    ]


def period_bounds(value: str) -> tuple[dt.date, dt.date] | None:
    """(first day, last day) of a period value "m-2025-06", "q-2025-2", "y-2025"."""
    try:
        kind, *parts = value.split("-")
        numbers = [int(p) for p in parts]
        if kind == "m":
            first = dt.date(numbers[0], numbers[1], 1)
            return first, period_end("month", first)
        if kind == "q":
            first = dt.date(numbers[0], (numbers[1] - 1) * 3 + 1, 1)
            return first, period_end("quarter", first)
        if kind == "y":
            first = dt.date(numbers[0], 1, 1)
            return first, period_end("year", first)
    except (ValueError, IndexError):
        return None
    return None


def clean_period(form, data: dict) -> None:
    """A period form's check (``period``, and ``start`` / ``end`` for a range): sets
    ``data["bounds"]`` (first day, last day) or adds the errors to ``form``."""
    period = data.get("period")
    if period == RANGE:
        start, end = data.get("start"), data.get("end")
        if start is None:
            form.add_error("start", _("Hãy nhập ngày bắt đầu của khoảng ngày."))
        if end is None:
            form.add_error("end", _("Hãy nhập ngày kết thúc của khoảng ngày."))
        if start and end and start > end:
            form.add_error("end", _("Ngày kết thúc phải từ ngày bắt đầu trở đi."))
        if start and end and start <= end:
            data["bounds"] = (start, end)
    elif period:
        bounds = period_bounds(period)
        if bounds is None:
            form.add_error("period", _("Kỳ báo cáo không hợp lệ."))
        else:
            data["bounds"] = bounds


# --- Months -------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(first: dt.date) -> dt.date:
    """The last day of the month of ``first``."""
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def previous_month(today: dt.date | None = None) -> dt.date:
    """The first day of the month before the month of ``today`` (the present by default)."""
    today = today or timezone.localdate()
    return month_start(month_start(today) - dt.timedelta(days=1))


def month_label(first: dt.date) -> str:
    return first.strftime("%m/%Y")
