"""The legal register and the periodic review of procedures (ISO 9001 clause 7.5.2, Decision
101/2018: legal changes folded into the procedures within 3 months of their effect).

A procedure in force is reviewed every ``review_interval_months`` from its effective date (or from
its last review without change); a legal document that amends or replaces one its issue in force
cites, a change of a TTHC's time limit, or the TTHC's abolition make it due earlier. Each cause is
one ``ProcedureReview`` row; the reminders sent for it are rows too, so each is sent at most once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import AdministrativeProcedure, Agency


class LegalDocument(models.Model):
    """A legal document (văn bản quy phạm pháp luật, văn bản hành chính) in the one register that
    procedures cite; which documents it amends or replaces."""

    number = models.CharField(_("số, ký hiệu"), max_length=100)
    # The number folded (qms.text.fold, spaces removed): one register row per document however
    # the officers typed it ("Nghị định 118/2025/NĐ-CP" and "118/2025/nđ-cp" match).
    number_key = models.CharField(max_length=100, unique=True, editable=False)
    title = models.CharField(_("trích yếu"), max_length=500, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    effective_on = models.DateField(_("ngày có hiệu lực"), null=True, blank=True)
    amends = models.ManyToManyField(
        "self",
        verbose_name=_("sửa đổi, bổ sung văn bản"),
        symmetrical=False,
        related_name="amended_by",
        blank=True,
    )
    replaces = models.ManyToManyField(
        "self",
        verbose_name=_("thay thế văn bản"),
        symmetrical=False,
        related_name="replaced_by",
        blank=True,
    )
    # The agency whose officer recorded it (the policy's owner of the row); None when it came in
    # with a procedure's legal basis or from an administrator.
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[amends, replaces])

    class Meta:
        verbose_name = _("văn bản pháp lý")
        verbose_name_plural = _("văn bản pháp lý")
        ordering = ["-issued_on", "number"]

    def __str__(self):
        return self.number

    def get_owning_agency(self):
        return self.agency


class LegalCitation(models.Model):
    """An issue cites a legal document (its legal basis, as issued)."""

    agency_path_lookup = "issue__procedure__agency__path"

    issue = models.ForeignKey(
        "documents.ProcedureIssue", on_delete=models.CASCADE, related_name="citations"
    )
    legal_document = models.ForeignKey(
        LegalDocument, on_delete=models.PROTECT, related_name="citations"
    )

    class Meta:
        verbose_name = _("trích dẫn văn bản pháp lý")
        verbose_name_plural = _("trích dẫn văn bản pháp lý")
        constraints = [
            models.UniqueConstraint(fields=["issue", "legal_document"], name="citation_unique")
        ]

    def __str__(self):
        return f"{self.issue_id} → {self.legal_document_id}"


class ReviewReason(models.TextChoices):
    PERIODIC = "periodic", _("Rà soát định kỳ")
    LEGAL_CHANGE = "legal_change", _("Văn bản căn cứ được sửa đổi, thay thế")
    TIME_LIMIT_CHANGE = "time_limit_change", _("Thời hạn giải quyết TTHC thay đổi")
    TTHC_ABOLISHED = "tthc_abolished", _("TTHC bị bãi bỏ")


class ReviewOutcome(models.TextChoices):
    OPEN = "", _("Chưa rà soát")
    NO_CHANGE = "no_change", _("Không cần sửa đổi")
    NEEDS_REVISION = "needs_revision", _("Cần sửa đổi")
    SUPERSEDED = "superseded", _("Đã có lần ban hành mới")


class ProcedureReview(models.Model):
    """One reason a procedure in force is due for review, with its due date and how it ended."""

    agency_path_lookup = "procedure__agency__path"

    procedure = models.ForeignKey(
        "documents.ProcedurePage",
        verbose_name=_("quy trình"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    issue = models.ForeignKey(
        "documents.ProcedureIssue",
        verbose_name=_("lần ban hành được rà soát"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviews",
    )
    reason = models.CharField(_("lý do"), max_length=30, choices=ReviewReason.choices)
    due_on = models.DateField(_("hạn rà soát"))
    legal_document = models.ForeignKey(
        LegalDocument,
        verbose_name=_("văn bản mới"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    tthc = models.ForeignKey(
        AdministrativeProcedure,
        verbose_name=_("thủ tục hành chính"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    over_limit = models.BooleanField(_("vượt thời hạn mới"), default=False)
    detail = models.TextField(_("nội dung"), blank=True)
    outcome = models.CharField(
        _("kết quả"), max_length=20, choices=ReviewOutcome.choices, default="", blank=True
    )
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người rà soát"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rà soát quy trình")
        verbose_name_plural = _("rà soát quy trình")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(outcome="", reason="periodic"),
                name="review_one_open_periodic",
            ),
            models.UniqueConstraint(
                fields=["procedure", "legal_document"],
                condition=Q(outcome="", reason="legal_change"),
                name="review_one_open_per_legal_document",
            ),
            models.UniqueConstraint(
                fields=["procedure", "tthc", "reason"],
                condition=Q(outcome="", reason__in=["time_limit_change", "tthc_abolished"]),
                name="review_one_open_per_tthc_change",
            ),
        ]
        indexes = [models.Index(fields=["outcome", "due_on"], name="review_open_due")]

    def __str__(self):
        return f"{self.procedure} – {self.get_reason_display()} ({self.due_on:%d/%m/%Y})"

    def get_owning_agency(self):
        return self.procedure.agency

    @property
    def is_open(self) -> bool:
        return self.outcome == ReviewOutcome.OPEN


class ReminderThreshold(models.TextChoices):
    DAYS_30 = "30", _("Còn 30 ngày")
    DAYS_7 = "7", _("Còn 7 ngày")
    OVERDUE = "overdue", _("Quá hạn")


class ReviewReminder(models.Model):
    """A reminder sent for a review at one threshold: written in the transaction that queues the
    notification, so a threshold is reminded at most once, also across a worker crash."""

    review = models.ForeignKey(ProcedureReview, on_delete=models.CASCADE, related_name="reminders")
    threshold = models.CharField(_("mốc"), max_length=10, choices=ReminderThreshold.choices)
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("nhắc rà soát")
        verbose_name_plural = _("nhắc rà soát")
        constraints = [
            models.UniqueConstraint(fields=["review", "threshold"], name="review_reminder_once")
        ]

    def __str__(self):
        return f"{self.review_id}: {self.threshold}"
