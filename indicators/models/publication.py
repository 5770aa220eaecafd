"""Published statistics (transparency): an agency's monthly on-time figures, published on the
5th of the next month (or the next working day) as a snapshot that never changes; a correction is
published beside it as a dated erratum, itself never changed. No personal data: counts and
rates per TTHC and in total."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from qms.models import Agency


class _Immutable(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("Số liệu đã công bố không được sửa; hãy công bố đính chính."))
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Số liệu đã công bố không được xóa; hãy công bố đính chính."))


class PublishedStatistic(_Immutable):
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        related_name="published_statistics",
    )
    month = models.DateField(_("tháng"))  # the first day of the month published
    published_on = models.DateField(_("ngày công bố"))
    published_at = models.DateTimeField(_("công bố lúc"), auto_now_add=True)
    # {"total": {...counts, "on_time_rate"}, "procedures": [{"code", "name", ...counts}]}
    figures = models.JSONField(_("số liệu"))

    class Meta:
        verbose_name = _("số liệu công bố")
        verbose_name_plural = _("số liệu công bố")
        ordering = ["-month", "agency__path"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "month"], name="published_statistic_unique")
        ]

    def __str__(self):
        return f"{self.agency} {self.month:%m/%Y}"

    def get_owning_agency(self):
        return self.agency


class StatisticErratum(_Immutable):
    statistic = models.ForeignKey(
        PublishedStatistic,
        verbose_name=_("số liệu công bố"),
        on_delete=models.PROTECT,
        related_name="errata",
    )
    published_on = models.DateField(_("ngày đính chính"))
    figures = models.JSONField(_("số liệu đính chính"))
    reason = models.TextField(_("lý do đính chính"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đính chính"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("đính chính số liệu")
        verbose_name_plural = _("đính chính số liệu")
        ordering = ["statistic", "created_at"]

    def __str__(self):
        return f"{self.statistic} · {self.published_on:%d/%m/%Y}"

    def get_owning_agency(self):
        return self.statistic.agency
