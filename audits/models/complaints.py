"""Citizens' complaints and feedback (khiếu nại, phản ánh, kiến nghị) about a TTHC, a procedure or
a dossier (issue 9 point 3): received, due for an answer on the core's working calendar, answered
(on time or late), outcome; a nonconformity may be raised from one. The complainant's contact is
kept only until the answer plus a retention period (Decree 13/2023/NĐ-CP on personal data), then
erased; the history never keeps it (``excluded_fields``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import Agency

from .findings import Finding

# The complainant's personal data: kept until answered_on + the retention days, never in history.
CONTACT_FIELDS = (
    "complainant_name",
    "complainant_phone",
    "complainant_email",
    "complainant_address",
)


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("Khiếu nại")
    FEEDBACK = "feedback", _("Phản ánh, kiến nghị")


class ComplaintChannel(models.TextChoices):
    HOTLINE = "hotline", _("Đường dây nóng")
    IN_PERSON = "in_person", _("Trực tiếp")
    PORTAL = "portal", _("Cổng dịch vụ công trực tuyến")
    LETTER = "letter", _("Văn bản, thư")
    OTHER = "other", _("Khác")


class ComplaintOutcome(models.TextChoices):
    JUSTIFIED = "justified", _("Đúng")
    PARTLY = "partly", _("Đúng một phần")
    NOT_JUSTIFIED = "not_justified", _("Không đúng")
    WITHDRAWN = "withdrawn", _("Rút đơn")


class ComplaintState(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    ANSWERED = "answered", _("Đã trả lời")
    WITHDRAWN = "withdrawn", _("Đã rút")


class Complaint(models.Model):
    # The agency that received it and must answer (the policy's owner of the row).
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    code = models.CharField(_("số hiệu"), max_length=40, unique=True, editable=False)
    kind = models.CharField(_("loại"), max_length=20, choices=ComplaintKind.choices)
    channel = models.CharField(
        _("kênh tiếp nhận"),
        max_length=20,
        choices=ComplaintChannel.choices,
        default=ComplaintChannel.PORTAL,
    )
    received_on = models.DateField(_("ngày tiếp nhận"))
    administrative_procedure = models.ForeignKey(
        "qms.AdministrativeProcedure",
        verbose_name=_("thủ tục hành chính"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    procedure = models.ForeignKey(
        "documents.ProcedurePage",
        verbose_name=_("quy trình"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=60, blank=True)
    content = models.TextField(_("nội dung"))
    answer_days = models.PositiveSmallIntegerField(
        _("thời hạn trả lời (ngày làm việc)"),
        null=True,
        blank=True,
        help_text=_("Để trống để dùng thời hạn mặc định."),
    )
    # received_on + answer_days working days on the core calendar (set by the services).
    due_on = models.DateField(_("hạn trả lời"), editable=False)
    answered_on = models.DateField(_("ngày trả lời"), null=True, blank=True, editable=False)
    answer = models.TextField(_("nội dung trả lời"), blank=True, editable=False)
    outcome = models.CharField(
        _("kết quả"),
        max_length=20,
        choices=ComplaintOutcome.choices,
        blank=True,
        editable=False,
    )
    state = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=ComplaintState.choices,
        default=ComplaintState.RECEIVED,
        editable=False,
    )
    finding = models.ForeignKey(
        Finding,
        verbose_name=_("điểm không phù hợp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        editable=False,
    )
    complainant_name = models.CharField(_("họ tên người gửi"), max_length=200, blank=True)
    complainant_phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    complainant_email = models.EmailField(_("thư điện tử"), blank=True)
    complainant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    contact_erased_at = models.DateTimeField(
        _("xóa thông tin liên hệ lúc"), null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tiếp nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=list(CONTACT_FIELDS))

    class Meta:
        verbose_name = _("khiếu nại, phản ánh")
        verbose_name_plural = _("khiếu nại, phản ánh")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["agency", "state", "due_on"], name="complaint_agency_state"),
            models.Index(fields=["answered_on", "contact_erased_at"], name="complaint_erasure"),
        ]

    def __str__(self):
        return f"{self.code} – {self.get_kind_display()}"

    def get_owning_agency(self):
        return self.agency

    @property
    def answered_on_time(self) -> bool | None:
        """On time when answered on or before the due day; None while not answered."""
        if self.state != ComplaintState.ANSWERED or self.answered_on is None:
            return None
        return self.answered_on <= self.due_on


class ComplaintReminder(models.Model):
    """The answer-due reminder of a complaint, sent once per due day: the row is written in the
    transaction that queues the notification (as ``AuditReminder``)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="reminders")
    key = models.CharField(max_length=40, default="")
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("nhắc trả lời khiếu nại, phản ánh")
        verbose_name_plural = _("nhắc trả lời khiếu nại, phản ánh")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "key"], name="complaint_reminder_once"),
        ]

    def __str__(self):
        return f"{self.complaint_id} {self.key}"
