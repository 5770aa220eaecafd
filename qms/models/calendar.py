"""Data of the working calendar: administrator overrides and office hours."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


class OverrideKind(models.TextChoices):
    DAY_OFF = "off", _("Ngày nghỉ")
    WORKING_DAY = "work", _("Ngày làm việc")


class CalendarOverride(models.Model):
    """A day the official calendar differs from ``holidays.Vietnam`` (e.g. a swapped working day)."""

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=10, choices=OverrideKind.choices)
    reason = models.CharField(_("lý do"), max_length=255)
    document_number = models.CharField(_("số văn bản"), max_length=100)
    document_date = models.DateField(_("ngày văn bản"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("điều chỉnh lịch làm việc")
        verbose_name_plural = _("điều chỉnh lịch làm việc")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} · {self.get_kind_display()}"


# The default office hours of a state body (7:30-11:30 and 13:00-17:00, 8 hours a day): the model's
# field defaults and the calendar engine read them from here.
DEFAULT_MORNING = (datetime.time(7, 30), datetime.time(11, 30))
DEFAULT_AFTERNOON = (datetime.time(13, 0), datetime.time(17, 0))
DEFAULT_PERIODS: tuple[tuple[datetime.time, datetime.time], ...] = (
    DEFAULT_MORNING,
    DEFAULT_AFTERNOON,
)


def validate_office_periods(periods) -> None:
    """The one rule for office hours, used by the settings form and the calendar engine: at least
    one period, each starting before it ends and not before the previous one ends (a day without a
    lunch break may join them: morning end = afternoon start)."""
    periods = tuple(periods)
    ordered = bool(periods) and all(start < end for start, end in periods)
    ordered = ordered and all(
        previous_end <= start
        for (_start, previous_end), (start, _end) in zip(periods, periods[1:], strict=False)
    )
    if not ordered:
        shown = ", ".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in periods) or "—"
        raise ValidationError(
            _(
                "Giờ làm việc phải tăng dần: sáng bắt đầu < sáng kết thúc ≤ chiều bắt đầu < "
                "chiều kết thúc (đang nhập: %(periods)s)."
            ),
            code="office_hours",
            params={"periods": shown},
        )


@register_setting(icon="date")
class WorkingCalendarSettings(BaseGenericSetting):
    """Office hours: one working day is the sum of the morning and afternoon periods.

    Kept with history: a stored due time must be explainable by the hours in force when it was
    computed."""

    morning_start = models.TimeField(_("sáng bắt đầu"), default=DEFAULT_MORNING[0])
    morning_end = models.TimeField(_("sáng kết thúc"), default=DEFAULT_MORNING[1])
    afternoon_start = models.TimeField(_("chiều bắt đầu"), default=DEFAULT_AFTERNOON[0])
    afternoon_end = models.TimeField(_("chiều kết thúc"), default=DEFAULT_AFTERNOON[1])
    receipt_cutoff = models.TimeField(
        _("giờ chốt tiếp nhận"),
        null=True,
        blank=True,
        help_text=_(
            "Hồ sơ tiếp nhận sau giờ này được tính từ buổi làm việc tiếp theo (ví dụ 15:00). "
            "Để trống nếu không áp dụng."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("giờ làm việc")

    @property
    def periods(self) -> tuple[tuple[datetime.time, datetime.time], ...]:
        return (
            (self.morning_start, self.morning_end),
            (self.afternoon_start, self.afternoon_end),
        )

    def clean(self):
        if any(t is None for period in self.periods for t in period):
            return  # the empty field carries its own error
        validate_office_periods(self.periods)
