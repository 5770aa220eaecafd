"""Settings and records of the leadership dashboard (issue [9]).

- ``ScorecardThreshold``: where a scorecard cell turns green, amber or red, one row per measure,
  kept by administrators (a state body may hold itself to more than the defaults).
- ``MonthlyReport``: the monthly report of an agency, sent to its leaders once (the row is the
  claim: unique per agency and month, so a second run of the task never sends it again).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import Agency


class ScorecardMeasure(models.TextChoices):
    """The cells of a scorecard row. Rates are percentages (higher is better); the other
    measures are counts (lower is better), except the audits done, a percentage of the
    programme."""

    ON_TIME_MONTH = "on_time_month", _("Tỷ lệ đúng hạn trong tháng (%)")
    ON_TIME_YEAR = "on_time_year", _("Tỷ lệ đúng hạn từ đầu năm (%)")
    PENDING_OVERDUE = "pending_overdue", _("Hồ sơ quá hạn chưa giải quyết")
    REVIEWS_OVERDUE = "reviews_overdue", _("Quy trình quá hạn rà soát")
    AUDITS_DONE = "audits_done", _("Đánh giá nội bộ đã thực hiện so với chương trình (%)")
    MAJOR_NC = "major_nc", _("Điểm không phù hợp nặng đang mở")
    MINOR_NC = "minor_nc", _("Điểm không phù hợp nhẹ đang mở")
    ACTIONS_OVERDUE = "actions_overdue", _("Hành động khắc phục quá hạn")
    COMPLAINTS_OPEN = "complaints_open", _("Phản ánh, kiến nghị chưa trả lời")
    SERVICE_INDEX = "service_index", _("Chỉ số phục vụ (điểm/100)")


# Measures where more is better (green at or above the green threshold); the rest are counts
# where less is better (green at or below it).
HIGHER_IS_BETTER = frozenset(
    {
        ScorecardMeasure.ON_TIME_MONTH,
        ScorecardMeasure.ON_TIME_YEAR,
        ScorecardMeasure.AUDITS_DONE,
        ScorecardMeasure.SERVICE_INDEX,
    }
)

# (green, amber) by measure: the values the first migration writes. For a "higher is better"
# measure: green when value >= green, amber when value >= amber, red below. For a count: green
# when value <= green, amber when value <= amber, red above.
DEFAULT_THRESHOLDS = {
    ScorecardMeasure.ON_TIME_MONTH: (95, 90),
    ScorecardMeasure.ON_TIME_YEAR: (95, 90),
    ScorecardMeasure.PENDING_OVERDUE: (0, 5),
    ScorecardMeasure.REVIEWS_OVERDUE: (0, 2),
    ScorecardMeasure.AUDITS_DONE: (100, 50),
    ScorecardMeasure.MAJOR_NC: (0, 0),
    ScorecardMeasure.MINOR_NC: (0, 3),
    ScorecardMeasure.ACTIONS_OVERDUE: (0, 2),
    ScorecardMeasure.COMPLAINTS_OPEN: (0, 3),
    ScorecardMeasure.SERVICE_INDEX: (80, 65),
}


class ScorecardThreshold(models.Model):
    measure = models.CharField(
        _("chỉ tiêu"), max_length=30, choices=ScorecardMeasure.choices, unique=True
    )
    green = models.DecimalField(_("ngưỡng xanh"), max_digits=7, decimal_places=2)
    amber = models.DecimalField(_("ngưỡng vàng"), max_digits=7, decimal_places=2)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ngưỡng đánh giá bảng điểm")
        verbose_name_plural = _("ngưỡng đánh giá bảng điểm")
        ordering = ["measure"]

    def __str__(self):
        return str(self.get_measure_display())

    @property
    def higher_is_better(self) -> bool:
        return self.measure in HIGHER_IS_BETTER


class MonthlyReport(models.Model):
    """The monthly report of an agency for a month, e-mailed to its leaders through the outbox:
    created (unique) before sending, so it is sent at most once."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan, đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("tháng"))  # the first day of the month reported
    recipients = models.PositiveIntegerField(_("số người nhận"), default=0)
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("báo cáo tháng đã gửi")
        verbose_name_plural = _("báo cáo tháng đã gửi")
        ordering = ["-month", "agency__path"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "month"], name="monthly_report_unique")
        ]

    def __str__(self):
        return f"{self.agency_id} {self.month:%m/%Y}"

    def get_owning_agency(self):
        return self.agency


__all__ = [
    "DEFAULT_THRESHOLDS",
    "HIGHER_IS_BETTER",
    "MonthlyReport",
    "ScorecardMeasure",
    "ScorecardThreshold",
]
