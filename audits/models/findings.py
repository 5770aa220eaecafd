"""Findings (phát hiện, ISO 9001 clause 10.2): nonconformities (major, minor), observations and
opportunities for improvement, from an internal audit or another source, with their clause and
procedure issue references. A nonconformity needs corrective actions and closes when they are
closed; an observation or an opportunity closes with a response (DESIGN.md §4)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import Agency

from .audits import Audit
from .checklists import ChecklistItem
from .clauses import Clause


class FindingKind(models.TextChoices):
    MAJOR_NC = "major_nc", _("Không phù hợp nặng")
    MINOR_NC = "minor_nc", _("Không phù hợp nhẹ")
    OBSERVATION = "observation", _("Khuyến nghị")
    OPPORTUNITY = "opportunity", _("Cơ hội cải tiến")


NONCONFORMITY_KINDS = (FindingKind.MAJOR_NC, FindingKind.MINOR_NC)


class FindingSource(models.TextChoices):
    INTERNAL_AUDIT = "internal_audit", _("Đánh giá nội bộ")
    OBJECTIVE_BREACH = "objective_breach", _("Không đạt mục tiêu chất lượng")
    COMPLAINT = "complaint", _("Khiếu nại, phản ánh")
    EXTERNAL_INSPECTION = "external_inspection", _("Kiểm tra của cơ quan có thẩm quyền")
    MANAGEMENT_REVIEW = "management_review", _("Xem xét của lãnh đạo")


class FindingState(models.TextChoices):
    OPEN = "open", _("Mới ghi nhận")
    ACTION_REQUIRED = "action_required", _("Cần hành động khắc phục")
    CLOSED = "closed", _("Đã đóng")


class Finding(models.Model):
    # The agency where the finding was made (the policy's owner of the row).
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        related_name="findings",
    )
    code = models.CharField(_("số hiệu"), max_length=40, unique=True, editable=False)
    audit = models.ForeignKey(
        Audit,
        verbose_name=_("cuộc đánh giá"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    checklist_item = models.ForeignKey(
        ChecklistItem,
        verbose_name=_("câu hỏi trong phiếu đánh giá"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    kind = models.CharField(_("loại phát hiện"), max_length=20, choices=FindingKind.choices)
    source = models.CharField(
        _("nguồn"),
        max_length=30,
        choices=FindingSource.choices,
        default=FindingSource.INTERNAL_AUDIT,
    )
    clause = models.ForeignKey(
        Clause,
        verbose_name=_("điều khoản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    procedure = models.ForeignKey(
        "documents.ProcedurePage",
        verbose_name=_("quy trình"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    procedure_issue = models.ForeignKey(
        "documents.ProcedureIssue",
        verbose_name=_("lần ban hành"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    external_inspection = models.ForeignKey(
        "audits.ExternalInspection",
        verbose_name=_("đợt kiểm tra"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
        editable=False,
    )
    management_review = models.ForeignKey(
        "audits.ManagementReview",
        verbose_name=_("cuộc họp xem xét của lãnh đạo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
        editable=False,
    )
    description = models.TextField(_("mô tả"))
    evidence = models.TextField(_("bằng chứng"), blank=True)
    state = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=FindingState.choices,
        default=FindingState.OPEN,
        editable=False,
    )
    # A nonconformity on the same clause and procedure as one closed in the last 12 months.
    recurrence_of = models.ForeignKey(
        "self",
        verbose_name=_("lặp lại phát hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recurrences",
        editable=False,
    )
    response = models.TextField(_("ý kiến phản hồi"), blank=True, editable=False)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    raised_on = models.DateField(_("ngày ghi nhận"))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phát hiện")
        verbose_name_plural = _("phát hiện")
        ordering = ["-raised_on", "-pk"]
        indexes = [
            models.Index(fields=["agency", "state"], name="finding_agency_state"),
            models.Index(fields=["clause", "procedure", "closed_at"], name="finding_recurrence"),
        ]

    def __str__(self):
        return f"{self.code} – {self.get_kind_display()}"

    def get_owning_agency(self):
        return self.agency

    @property
    def is_nonconformity(self) -> bool:
        return self.kind in NONCONFORMITY_KINDS

    @property
    def is_recurrence(self) -> bool:
        return self.recurrence_of_id is not None
