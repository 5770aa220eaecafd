"""The process-control sheet (phiếu kiểm soát quá trình) of a dossier: per step its code, the unit
that handled it, when it was handed in and out, measured against the time the procedure in force on
the dossier's receipt date allots to the step (Circular 01/2018/TT-VPCP art. 13 scores each unit's
step early, on time or late, as for the whole dossier)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qms.models import AdministrativeProcedure, Agency

from .dossiers import Timing


class DossierStep(models.Model):
    """One row of a dossier's sheet, with its measurement. ``dossier_id`` is the dossier's id
    without a database foreign key (the dossier table will be partitioned); a sheet sent again
    replaces the dossier's rows."""

    id = models.BigAutoField(primary_key=True)
    dossier_id = models.BigIntegerField(db_index=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+"
    )
    procedure = models.ForeignKey(
        AdministrativeProcedure,
        verbose_name=_("thủ tục hành chính"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The dossier's receipt day: the period a step counts in, and the day whose procedure applies.
    received_on = models.DateField(_("ngày tiếp nhận hồ sơ"))
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    code = models.CharField(_("bước"), max_length=40)
    unit = models.CharField(_("đơn vị, bộ phận xử lý"), max_length=200)
    handed_in_at = models.DateTimeField(_("nhận lúc"))
    handed_out_at = models.DateTimeField(_("chuyển lúc"), null=True, blank=True)
    # The step table row it was measured against (the variant whose step codes the sheet uses),
    # the time that row allots (None: not counted, or no procedure in force), the working days
    # the step took and the difference (negative: ahead).
    issue_service = models.ForeignKey(
        "documents.IssueService",
        verbose_name=_("quy trình áp dụng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    allotted_days = models.DecimalField(
        _("thời gian quy định (ngày làm việc)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )
    used_days = models.DecimalField(
        _("thời gian thực hiện (ngày làm việc)"),
        max_digits=9,
        decimal_places=4,
        null=True,
        blank=True,
    )
    overrun_days = models.DecimalField(
        _("vượt thời gian (ngày làm việc)"),
        max_digits=9,
        decimal_places=4,
        null=True,
        blank=True,
    )
    timing = models.CharField(_("đánh giá"), max_length=10, choices=Timing.choices, blank=True)

    class Meta:
        verbose_name = _("bước xử lý hồ sơ")
        verbose_name_plural = _("phiếu kiểm soát quá trình")
        ordering = ["dossier_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier_id", "position"], name="dossier_step_position_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "received_on"], name="dossier_step_agency_recv"),
            models.Index(fields=["procedure", "received_on"], name="dossier_step_tthc_received"),
        ]

    def __str__(self):
        return f"{self.code} · {self.unit}"
