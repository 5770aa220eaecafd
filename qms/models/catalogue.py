"""The TTHC catalogue: administrative procedures and their statutory time limits over time."""

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
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


def days_number(days: Decimal | None) -> str:
    """A number of working days as officers write it: "15", "0,5", "10,25" (the locale's decimal
    mark, no trailing zeros); empty when there is none."""
    if days is None:
        return ""
    days = Decimal(days)
    days = days.quantize(Decimal(1)) if days == days.to_integral_value() else days.normalize()
    return formats.number_format(days)


def working_days_label(days: Decimal | None) -> str:
    """A time limit as officers write it: "15 ngày làm việc", "0,5 ngày làm việc"."""
    if days is None:
        return ""
    return ngettext(
        "%(days)s ngày làm việc", "%(days)s ngày làm việc", 1 if Decimal(days) == 1 else 2
    ) % {"days": days_number(days)}


class TimeLimitQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date):
        """Newest first among the limits that took effect by ``day``: the first one is in force."""
        return self.filter(effective_from__lte=day).order_by("-effective_from")


class AdministrativeProcedureQuerySet(models.QuerySet):
    def with_working_days_on(self, day: datetime.date):
        """Each TTHC with ``working_days_on``: the working days of the limit in force on ``day``
        (None when none has taken effect), in the same query as the list."""
        in_force = TimeLimit.objects.filter(procedure=models.OuterRef("pk")).in_force_on(day)
        return self.annotate(working_days_on=models.Subquery(in_force.values("working_days")[:1]))


# An edit form of the catalogue is a cluster (the procedure with its time limits and handling
# agencies as inline rows), so the TTHC and its children are saved together.
class AdministrativeProcedure(ClusterableModel):
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
        through="HandlingAgency",
    )
    is_active = models.BooleanField(_("còn hiệu lực"), default=True)
    # The handling agencies keep their history on their own rows (HandlingAgency), as time limits do.
    history = HistoricalRecords()

    objects = AdministrativeProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} · {self.name}"

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        self.field = nfc(self.field)
        self.name_folded = fold(self.name, self._meta.get_field("name_folded").max_length)
        super().save(*args, **kwargs)

    def time_limit_on(self, day: datetime.date) -> "TimeLimit | None":
        """The statutory limit in force on ``day`` (the latest one that took effect by then)."""
        return TimeLimit.objects.filter(procedure=self).in_force_on(day).first()


class InlineRowHistory(HistoricalRecords):
    """simple-history for an inline row of a cluster: its history table copies the row's
    ParentalKey as a plain ForeignKey, since a history table's reverse name is hidden ("+") and
    modelcluster refuses that on a ParentalKey."""

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for field in fields.values():
            if isinstance(field, ParentalKey):
                field.__class__ = models.ForeignKey
        return fields


class HandlingAgency(models.Model):
    """An agency that handles a TTHC: a row of its own so the admin edits the list with the agency
    chooser (an inline of the procedure) and every addition or removal keeps its history."""

    # The table and columns of the former implicit many-to-many table, kept as they were.
    procedure = ParentalKey(
        AdministrativeProcedure,
        on_delete=models.CASCADE,
        related_name="handling_agency_links",
        db_column="administrativeprocedure_id",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan giải quyết"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    history = InlineRowHistory()

    class Meta:
        db_table = "qms_administrativeprocedure_handling_agencies"
        verbose_name = _("cơ quan giải quyết")
        verbose_name_plural = _("cơ quan giải quyết")
        unique_together = [("procedure", "agency")]

    def __str__(self):
        return str(self.agency)


class TimeLimit(models.Model):
    procedure = ParentalKey(
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
    history = InlineRowHistory()

    objects = TimeLimitQuerySet.as_manager()

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
        return f"{working_days_label(self.working_days)} ({self.effective_from:%d/%m/%Y})"
