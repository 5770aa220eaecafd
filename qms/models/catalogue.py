"""The TTHC catalogue: administrative procedures and their statutory time limits over time."""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.text import fold, nfc

from .agencies import Agency

NATIONAL_CODE = re.compile(r"^\d\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.[A-Z0-9]+)?$")


def validate_national_code(value: str):
    if not NATIONAL_CODE.match(value or ""):
        raise ValidationError(
            _("Mã TTHC “%(value)s” không đúng dạng mã quốc gia (ví dụ 1.001806)."),
            params={"value": value},
        )


def validate_quarter_days(value: Decimal):
    if value is None:
        return
    if value < 0 or (Decimal(value) * 4) % 1 != 0:
        raise ValidationError(
            _("Thời hạn %(value)s ngày không hợp lệ: phải là bội số của 0,25 ngày làm việc."),
            params={"value": value},
        )


class ProcedureLevel(models.TextChoices):
    CENTRAL = "central", _("Cấp trung ương")
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")
    DISTRICT = "district", _("Cấp huyện (trước 01/7/2025)")


class OnlineLevel(models.TextChoices):
    # Decree 42/2022/NĐ-CP: full ("toàn trình") or partial ("một phần") online public service.
    FULL = "full", _("Trực tuyến toàn trình")
    PARTIAL = "partial", _("Trực tuyến một phần")
    NONE = "none", _("Không trực tuyến")


class AdministrativeProcedure(models.Model):
    code = models.CharField(
        _("mã TTHC"), max_length=40, unique=True, validators=[validate_national_code]
    )
    name = models.CharField(_("tên thủ tục"), max_length=500)
    name_folded = models.CharField(max_length=500, editable=False, db_index=True)
    field = models.CharField(_("lĩnh vực"), max_length=200)
    level = models.CharField(_("cấp thực hiện"), max_length=20, choices=ProcedureLevel.choices)
    online_level = models.CharField(
        _("mức độ dịch vụ công trực tuyến"), max_length=20, choices=OnlineLevel.choices
    )
    handling_agencies = models.ManyToManyField(
        Agency,
        verbose_name=_("cơ quan giải quyết"),
        related_name="administrative_procedures",
        blank=True,
    )
    is_active = models.BooleanField(_("còn hiệu lực"), default=True)
    history = HistoricalRecords(m2m_fields=[handling_agencies])

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} · {self.name}"

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        self.field = nfc(self.field)
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)

    def time_limit_on(self, day: datetime.date) -> "TimeLimit | None":
        """The statutory limit in force on ``day`` (the latest one that took effect by then)."""
        return self.time_limits.filter(effective_from__lte=day).order_by("-effective_from").first()


class TimeLimit(models.Model):
    procedure = models.ForeignKey(
        AdministrativeProcedure, on_delete=models.CASCADE, related_name="time_limits"
    )
    working_days = models.DecimalField(
        _("thời hạn (ngày làm việc)"),
        max_digits=6,
        decimal_places=2,
        validators=[validate_quarter_days],
    )
    effective_from = models.DateField(_("áp dụng từ ngày"))
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thời hạn giải quyết")
        verbose_name_plural = _("thời hạn giải quyết")
        ordering = ["procedure", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "effective_from"], name="time_limit_unique"
            ),
            models.CheckConstraint(condition=Q(working_days__gte=0), name="time_limit_positive"),
        ]

    def __str__(self):
        return f"{self.working_days} ({self.effective_from:%d/%m/%Y})"
