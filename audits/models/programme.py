"""The yearly audit programme (chương trình đánh giá nội bộ, ISO 9001 clause 9.2.2; Decision
101/2018: the whole system audited at least once a year): per year and scope (a body and its
subtree), prepared by an officer or an auditor and approved by a leader; its entries are the
audits planned per quarter, with a priority and its reasons, linked to the audit once scheduled."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import AdministrativeProcedure, Agency

from .audits import Audit
from .clauses import Clause


class ProgrammeState(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    APPROVED = "approved", _("Đã phê duyệt")


class AuditProgramme(models.Model):
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("phạm vi (cơ quan và các đơn vị trực thuộc)"),
        on_delete=models.PROTECT,
        related_name="audit_programmes",
    )
    year = models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    objectives = models.TextField(_("mục tiêu của chương trình"), blank=True)
    state = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=ProgrammeState.choices,
        default=ProgrammeState.DRAFT,
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người lập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phê duyệt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    approved_at = models.DateTimeField(_("phê duyệt lúc"), null=True, blank=True, editable=False)
    approval_note = models.TextField(_("ý kiến phê duyệt"), blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chương trình đánh giá nội bộ")
        verbose_name_plural = _("chương trình đánh giá nội bộ")
        ordering = ["-year", "agency__path"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="programme_agency_year"),
        ]

    def __str__(self):
        return _("Chương trình đánh giá năm %(year)d – %(agency)s") % {
            "year": self.year,
            "agency": self.agency,
        }

    def get_owning_agency(self):
        return self.agency


class EntryPriority(models.TextChoices):
    HIGH = "high", _("Cao")
    MEDIUM = "medium", _("Trung bình")
    NORMAL = "normal", _("Bình thường")


QUARTER_CHOICES = [(1, _("Quý I")), (2, _("Quý II")), (3, _("Quý III")), (4, _("Quý IV"))]


class ProgrammeEntry(models.Model):
    """An audit planned in the programme: which unit, which quarter, which clauses and TTHC."""

    # The policy's owner of the row: the programme's scope body (not the auditee).
    agency_path_lookup = "programme__agency__path"

    programme = models.ForeignKey(
        AuditProgramme,
        verbose_name=_("chương trình"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    auditee = models.ForeignKey(
        Agency,
        verbose_name=_("đơn vị được đánh giá"),
        on_delete=models.PROTECT,
        related_name="programme_entries",
    )
    quarter = models.PositiveSmallIntegerField(_("quý"), choices=QUARTER_CHOICES)
    clauses = models.ManyToManyField(
        Clause, verbose_name=_("điều khoản"), blank=True, related_name="programme_entries"
    )
    administrative_procedures = models.ManyToManyField(
        AdministrativeProcedure,
        verbose_name=_("thủ tục hành chính"),
        blank=True,
        related_name="programme_entries",
    )
    note = models.TextField(_("ghi chú"), blank=True)
    # Set by the services from importance and past results; the reasons are shown beside it.
    priority = models.CharField(
        _("mức ưu tiên"),
        max_length=10,
        choices=EntryPriority.choices,
        default=EntryPriority.NORMAL,
        editable=False,
    )
    priority_reasons = models.JSONField(_("lý do ưu tiên"), default=list, editable=False)
    audit = models.OneToOneField(
        Audit,
        verbose_name=_("cuộc đánh giá đã lập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programme_entry",
        editable=False,
    )
    history = HistoricalRecords(m2m_fields=[clauses, administrative_procedures])

    class Meta:
        verbose_name = _("cuộc đánh giá dự kiến")
        verbose_name_plural = _("cuộc đánh giá dự kiến")
        ordering = ["programme", "quarter", "auditee__path", "pk"]

    def __str__(self):
        return _("%(auditee)s – quý %(quarter)d/%(year)d") % {
            "auditee": self.auditee,
            "quarter": self.quarter,
            "year": self.programme.year,
        }

    def get_owning_agency(self):
        return self.programme.agency
