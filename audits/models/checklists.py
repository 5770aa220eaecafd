"""An audit's checklist (phiếu đánh giá, ISO 9001 clause 9.2.2): items generated from the scope
(clauses × procedures, questions from the bank) and edited by the team; each records a result,
evidence notes and evidence files (kept in the auditee's private collection)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .audits import Audit
from .clauses import Clause, Question


class ItemResult(models.TextChoices):
    PENDING = "", _("Chưa đánh giá")
    CONFORMS = "conforms", _("Phù hợp")
    NONCONFORMITY = "nonconformity", _("Không phù hợp")
    OBSERVATION = "observation", _("Khuyến nghị")
    NOT_APPLICABLE = "not_applicable", _("Không áp dụng")


class ChecklistItem(models.Model):
    agency_path_lookup = "audit__agency__path"

    audit = models.ForeignKey(
        Audit, verbose_name=_("cuộc đánh giá"), on_delete=models.CASCADE, related_name="checklist"
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    clause = models.ForeignKey(
        Clause, verbose_name=_("điều khoản"), on_delete=models.PROTECT, related_name="+"
    )
    procedure = models.ForeignKey(
        "documents.ProcedurePage",
        verbose_name=_("quy trình"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The bank's question the item was generated from (None: written for this checklist).
    question = models.ForeignKey(
        Question,
        verbose_name=_("câu hỏi gốc"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("câu hỏi"))
    result = models.CharField(
        _("kết quả"),
        max_length=20,
        choices=ItemResult.choices,
        default=ItemResult.PENDING,
        blank=True,
    )
    notes = models.TextField(_("ghi chép bằng chứng"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đánh giá"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    answered_at = models.DateTimeField(_("đánh giá lúc"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("câu hỏi trong phiếu đánh giá")
        verbose_name_plural = _("phiếu đánh giá")
        ordering = ["audit", "position", "pk"]
        indexes = [models.Index(fields=["audit", "position"], name="checklist_audit_position")]

    def __str__(self):
        return f"{self.audit.code} #{self.position}: {self.text[:60]}"

    def get_owning_agency(self):
        return self.audit.agency


class ChecklistEvidence(models.Model):
    """A file of evidence for a checklist item (a Wagtail document in the auditee's collection)."""

    agency_path_lookup = "item__audit__agency__path"

    item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("câu hỏi"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("tệp bằng chứng"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thêm"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("thêm lúc"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tệp bằng chứng")
        verbose_name_plural = _("tệp bằng chứng")
        ordering = ["item", "pk"]

    def __str__(self):
        return str(self.document)

    def get_owning_agency(self):
        return self.item.audit.agency
