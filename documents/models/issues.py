"""Issues (lần ban hành) of a procedure: what was approved, numbered when it went live, frozen.

An issue is created when an approved revision actually goes live; it keeps the revision (protected
from purging), the people who drafted, reviewed and approved it, the decision that issued it, the
TTHC it carries out with their step tables as issued (queried by ``procedure_in_force``), and a copy
of every form with its SHA-256, so later changes to the agency's files change nothing in the past.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import AdministrativeProcedure, Agency


class ApprovalDecision(models.Model):
    """The decision (quyết định) that issued one or more procedures: recorded once, linked by
    every issue it approved."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan ban hành"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("số quyết định"), max_length=100)
    signed_on = models.DateField(_("ngày ký"))
    signer = models.CharField(_("người ký"), max_length=200)
    scan = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("bản scan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quyết định ban hành")
        verbose_name_plural = _("quyết định ban hành")
        ordering = ["-signed_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="decision_number_unique")
        ]

    def __str__(self):
        return f"{self.number} ({self.signed_on:%d/%m/%Y})"

    def get_owning_agency(self):
        return self.agency


class IssueCounter(models.Model):
    """The last issue number of a procedure, locked (SELECT … FOR UPDATE) while the next is given."""

    procedure = models.OneToOneField(
        "documents.ProcedurePage", on_delete=models.CASCADE, related_name="issue_counter"
    )
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.procedure_id}: {self.last_number}"


class IssueStatus(models.TextChoices):
    IN_FORCE = "in_force", _("Đang áp dụng")
    SUPERSEDED = "superseded", _("Đã được thay thế")
    WITHDRAWN = "withdrawn", _("Đã bãi bỏ")


class ProcedureIssue(models.Model):
    # The permission policy reaches the owning agency through the procedure.
    agency_path_lookup = "procedure__agency__path"

    procedure = models.ForeignKey(
        "documents.ProcedurePage",
        verbose_name=_("quy trình"),
        on_delete=models.PROTECT,
        related_name="issues",
    )
    number = models.PositiveIntegerField(_("lần ban hành"))
    # The revision that went live; PROTECT keeps it from Wagtail's purge_revisions.
    revision = models.OneToOneField(
        "wagtailcore.Revision", on_delete=models.PROTECT, related_name="procedure_issue"
    )
    code = models.CharField(_("mã tài liệu"), max_length=40)
    title = models.CharField(_("tên quy trình"), max_length=255)
    effective_date = models.DateField(_("ngày hiệu lực"))
    # As issued: whether the bodies below follow it (ProcedurePage.shared at go-live).
    shared = models.BooleanField(_("áp dụng chung cho các cơ quan trực thuộc"), default=False)
    change_summary = models.TextField(_("tóm tắt nội dung sửa đổi"))
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người soạn thảo"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    drafted_at = models.DateTimeField(_("ngày soạn thảo"), null=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xem xét"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("ngày xem xét"), null=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phê duyệt"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("ngày phê duyệt"), null=True)
    decision = models.ForeignKey(
        ApprovalDecision,
        verbose_name=_("quyết định ban hành"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues",
    )
    status = models.CharField(
        _("tình trạng"), max_length=20, choices=IssueStatus.choices, default=IssueStatus.IN_FORCE
    )
    superseded_on = models.DateField(_("ngày bị thay thế"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("ngày bãi bỏ"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người bãi bỏ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawal_reason = models.TextField(_("lý do bãi bỏ"), blank=True)
    created_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lần ban hành")
        verbose_name_plural = _("lần ban hành")
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="issue_number_unique"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="issue_number_positive"),
        ]

    def __str__(self):
        return _("%(code)s – lần ban hành %(number)d") % {"code": self.code, "number": self.number}

    def get_owning_agency(self):
        return self.procedure.agency


class IssueService(models.Model):
    """A TTHC (or a variant of it) the issue carries out, with its step table as issued."""

    agency_path_lookup = "issue__procedure__agency__path"

    issue = models.ForeignKey(ProcedureIssue, on_delete=models.CASCADE, related_name="services")
    position = models.PositiveSmallIntegerField(default=0)
    tthc = models.ForeignKey(
        AdministrativeProcedure,
        verbose_name=_("thủ tục hành chính"),
        on_delete=models.PROTECT,
        related_name="procedure_issues",
    )
    variant = models.CharField(_("trường hợp"), max_length=200, blank=True)
    total_days = models.DecimalField(
        _("tổng thời gian (ngày làm việc)"), max_digits=6, decimal_places=2
    )
    # [{"code", "content", "responsible", "days": "0.50" | None, "output", "form": IssueForm id}]
    steps = models.JSONField(_("các bước"), default=list)

    class Meta:
        verbose_name = _("thủ tục trong lần ban hành")
        verbose_name_plural = _("thủ tục trong lần ban hành")
        ordering = ["issue", "position"]

    def __str__(self):
        return f"{self.tthc.code} {self.variant}".strip()


def _issue_form_path(instance, filename):
    return f"issue-forms/{instance.issue.procedure_id}/{instance.issue.number}/{filename}"


class IssueForm(models.Model):
    """A form as issued: a copy of the agency's document taken at go-live, with its hash."""

    agency_path_lookup = "issue__procedure__agency__path"

    issue = models.ForeignKey(ProcedureIssue, on_delete=models.CASCADE, related_name="forms")
    title = models.CharField(_("tên biểu mẫu"), max_length=255)
    file = models.FileField(_("tệp"), upload_to=_issue_form_path, max_length=500)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    source_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("tài liệu gốc"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("biểu mẫu đã ban hành")
        verbose_name_plural = _("biểu mẫu đã ban hành")
        ordering = ["issue", "pk"]

    def __str__(self):
        return self.title

    def get_owning_agency(self):
        return self.issue.procedure.agency
