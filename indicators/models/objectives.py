"""Quality objectives (mục tiêu chất lượng, TCVN ISO 9001 clause 6.2) and their monthly evaluations.

A leader sets an objective on a node (or one TTHC of it): a measurable target such as "≥ 95 % of
dossiers resolved on time each month" or "no pending dossier overdue". Each month's evaluation marks
it met or missed; a miss opens one nonconformity with source "objective breach" (audits), unique per
objective and period."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import AdministrativeProcedure, Agency


class ObjectiveMetric(models.TextChoices):
    # (met when actual >= target)
    ON_TIME_RATE = "on_time_rate", _("Tỷ lệ hồ sơ giải quyết đúng hạn (%)")
    ONLINE_SHARE = "online_share", _("Tỷ lệ hồ sơ nộp trực tuyến (%)")
    # (met when actual <= target)
    LATE_COUNT = "late_count", _("Số hồ sơ giải quyết quá hạn")
    PENDING_OVERDUE = "pending_overdue", _("Số hồ sơ chưa giải quyết đã quá hạn (cuối kỳ)")


# Metrics whose target is a ceiling (the others are a floor).
CEILING_METRICS = frozenset({ObjectiveMetric.LATE_COUNT, ObjectiveMetric.PENDING_OVERDUE})
PERCENT_METRICS = frozenset({ObjectiveMetric.ON_TIME_RATE, ObjectiveMetric.ONLINE_SHARE})


class QualityObjective(models.Model):
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        related_name="quality_objectives",
    )
    # One TTHC of the agency, or every TTHC (blank).
    procedure = models.ForeignKey(
        AdministrativeProcedure,
        verbose_name=_("thủ tục hành chính"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Để trống: mọi thủ tục hành chính của cơ quan, đơn vị và các đơn vị trực thuộc."
        ),
    )
    name = models.CharField(_("tên mục tiêu"), max_length=255)
    metric = models.CharField(_("chỉ số"), max_length=30, choices=ObjectiveMetric.choices)
    target = models.DecimalField(_("chỉ tiêu"), max_digits=7, decimal_places=2)
    valid_from = models.DateField(_("áp dụng từ ngày"))
    valid_until = models.DateField(_("đến ngày"), null=True, blank=True)
    note = models.TextField(_("căn cứ, ghi chú"), blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đặt mục tiêu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mục tiêu chất lượng")
        verbose_name_plural = _("mục tiêu chất lượng")
        ordering = ["agency__path", "name", "pk"]

    def __str__(self):
        return self.name

    def get_owning_agency(self):
        return self.agency

    @property
    def is_ceiling(self) -> bool:
        return self.metric in CEILING_METRICS


class ObjectiveEvaluation(models.Model):
    """One period's result of an objective; a miss links the nonconformity it raised."""

    objective = models.ForeignKey(
        QualityObjective,
        verbose_name=_("mục tiêu chất lượng"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    # None: no data in the period (nothing resolved), neither met nor missed.
    actual = models.DecimalField(
        _("thực hiện"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    basis = models.PositiveIntegerField(_("số hồ sơ làm căn cứ"), default=0)
    met = models.BooleanField(_("đạt"), null=True, blank=True)
    finding = models.OneToOneField(
        "audits.Finding",
        verbose_name=_("điểm không phù hợp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objective_evaluation",
    )
    evaluated_at = models.DateTimeField(_("đánh giá lúc"), auto_now_add=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đánh giá"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("kết quả thực hiện mục tiêu")
        verbose_name_plural = _("kết quả thực hiện mục tiêu")
        ordering = ["-period_start", "objective"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "period_start"], name="objective_evaluation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.objective} · {self.period_start:%m/%Y}"

    def get_owning_agency(self):
        return self.objective.agency
