"""Internal auditors' qualifications (đánh giá viên nội bộ): the training and certificate that let a
person join an audit team (ISO 9001 clause 7.2, competence)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import Agency


class AuditorQualificationQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date):
        return self.filter(
            Q(qualified_on__lte=day) & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        )


class AuditorQualification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("đánh giá viên"),
        on_delete=models.PROTECT,
        related_name="auditor_qualifications",
    )
    # The agency that keeps the record (the policy's owner of the row): where the person works.
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan, đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    training = models.CharField(_("khóa đào tạo"), max_length=300)
    trainer = models.CharField(_("đơn vị đào tạo"), max_length=300, blank=True)
    certificate_number = models.CharField(_("số chứng chỉ"), max_length=100, blank=True)
    certificate = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("bản scan chứng chỉ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    qualified_on = models.DateField(_("ngày cấp chứng chỉ"))
    valid_until = models.DateField(_("có giá trị đến"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    history = HistoricalRecords()

    objects = AuditorQualificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("chứng chỉ đánh giá viên nội bộ")
        verbose_name_plural = _("chứng chỉ đánh giá viên nội bộ")
        ordering = ["-qualified_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("qualified_on")),
                name="qualification_valid_after_issue",
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.training} ({self.qualified_on:%d/%m/%Y})"

    def get_owning_agency(self):
        return self.agency

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.qualified_on <= day and (self.valid_until is None or self.valid_until >= day)
