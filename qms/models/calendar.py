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


def _t(h, m):
    return datetime.time(h, m)


@register_setting(icon="date")
class WorkingCalendarSettings(BaseGenericSetting):
    """Office hours: one working day is the sum of the morning and afternoon periods."""

    morning_start = models.TimeField(_("sáng bắt đầu"), default=_t(7, 30))
    morning_end = models.TimeField(_("sáng kết thúc"), default=_t(11, 30))
    afternoon_start = models.TimeField(_("chiều bắt đầu"), default=_t(13, 0))
    afternoon_end = models.TimeField(_("chiều kết thúc"), default=_t(17, 0))
    receipt_cutoff = models.TimeField(
        _("giờ chốt tiếp nhận"),
        null=True,
        blank=True,
        help_text=_(
            "Hồ sơ tiếp nhận sau giờ này được tính từ buổi làm việc tiếp theo (ví dụ 15:00). "
            "Để trống nếu không áp dụng."
        ),
    )

    class Meta:
        verbose_name = _("giờ làm việc")

    def clean(self):
        times = [self.morning_start, self.morning_end, self.afternoon_start, self.afternoon_end]
        if any(t is None for t in times) or not all(
            a < b for a, b in zip(times, times[1:], strict=False)
        ):
            raise ValidationError(
                _(
                    "Giờ làm việc phải tăng dần: sáng bắt đầu < sáng kết thúc ≤ chiều bắt đầu < chiều kết thúc."
                )
            )
