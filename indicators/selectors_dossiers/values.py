"""Dossier values as people read them: moments, days, working days, a field's label and value
(from the model or from the text an event keeps)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from qms.display import EMPTY, format_day, yes_no
from qms.display import format_moment as display_moment
from qms.formats.numbers import format_number
from qms.models.catalogue import working_days_label
from qms.workcal import get_calendar

from ..models import Dossier

WEEKDAYS = (
    gettext_lazy("thứ Hai"),
    gettext_lazy("thứ Ba"),
    gettext_lazy("thứ Tư"),
    gettext_lazy("thứ Năm"),
    gettext_lazy("thứ Sáu"),
    gettext_lazy("thứ Bảy"),
    gettext_lazy("Chủ nhật"),
)
FOUR_PLACES = Decimal("0.0001")

# Labels of values that are not model fields of their own.
EXTRA_LABELS = {
    "clock_credit_seconds": gettext_lazy("thời gian đã tính trước khi tạm dừng"),
    "calendar_version": gettext_lazy("phiên bản lịch"),
}


def local_moment(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, timezone.get_default_timezone())


def format_moment(moment: dt.datetime | None, *, weekday: bool = False) -> str:
    """A moment in local time: "24/01/2025 15:00", or with ``weekday`` as a sentence says it,
    "15:00 thứ Sáu 24/01/2025"; the dash for none."""
    if moment is None:
        return EMPTY
    local = local_moment(moment)
    if weekday:
        return f"{local:%H:%M} {WEEKDAYS[local.weekday()]} {format_day(local.date())}"
    return display_moment(moment)


def format_day_long(day: dt.date) -> str:
    """A day with its weekday: "thứ Bảy 26/04/2025"."""
    return f"{WEEKDAYS[day.weekday()]} {format_day(day)}"


def days_text(days) -> str:
    """Working days as a sentence says them: "3 ngày làm việc", "1,625 ngày làm việc"."""
    value = Decimal(days)
    if value != value.quantize(FOUR_PLACES):
        value = value.quantize(FOUR_PLACES, ROUND_HALF_EVEN)
    return working_days_label(value)


def field_label(name: str) -> str:
    """A dossier field's label for people ("hạn giải quyết"), also for ``procedure_id``."""
    if name in EXTRA_LABELS:
        return str(EXTRA_LABELS[name])
    try:
        field = Dossier._meta.get_field(name.removesuffix("_id"))
    except FieldDoesNotExist:
        return name
    return str(field.verbose_name)


def _parse(field, value):
    """A value stored as text in an event (ISO datetimes, decimals, "True") back to its type."""
    if not isinstance(value, str) or value == "":
        return value
    try:
        if isinstance(field, models.DateTimeField):
            return dt.datetime.fromisoformat(value)
        if isinstance(field, models.DateField):
            return dt.date.fromisoformat(value)
        if isinstance(field, models.BooleanField):
            return value == "True"
        if isinstance(field, models.DecimalField):
            return Decimal(value)
        if isinstance(field, models.IntegerField):
            return int(value)
    except (ValueError, ArithmeticError):
        return value
    return value


def field_text(name: str, value, *, procedures: dict | None = None, calendar=None) -> str:
    """A dossier value as people read it, from the model or from the text an event keeps:
    moments "05/02/2025 15:00", choices by their label, limits in working days, yes/no."""
    if value is None or value == "":
        return EMPTY
    if name == "clock_credit_seconds":
        calendar = calendar or get_calendar()
        return days_text(calendar.seconds_to_days(int(value)))
    if name == "procedure_id":
        return (procedures or {}).get(int(value), str(value))
    try:
        field = Dossier._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    value = _parse(field, value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dt.datetime):
        return format_moment(value)
    if isinstance(value, dt.date):
        return format_day(value)
    if isinstance(value, bool):
        return yes_no(value)
    if name in ("limit_days", "processing_days"):
        return days_text(value)
    if isinstance(value, Decimal | float | int):
        return format_number(value)
    return str(value)
