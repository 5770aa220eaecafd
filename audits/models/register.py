"""The agency's quality management system as a whole (issue 9 point 1; ISO 9001 clauses 4.3, 5.2,
6.1; Decision 101/2018/QĐ-TTg): its register (scope of TTHC and units, quality policy), risks and
opportunities, the conformity announcement (công bố) and the external inspections by the
Department of Science and Technology, whose corrective report is due within 2 months."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import AdministrativeProcedure, Agency


class QualitySystem(models.Model):
    """One register per agency: what its ISO 9001 system covers and its quality policy."""

    agency = models.OneToOneField(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        related_name="quality_system",
    )
    scope = models.TextField(
        _("phạm vi áp dụng"),
        help_text=_("Các lĩnh vực, hoạt động giải quyết thủ tục hành chính thuộc hệ thống."),
    )
    units = models.ManyToManyField(
        Agency,
        verbose_name=_("đơn vị trong phạm vi"),
        blank=True,
        related_name="+",
    )
    administrative_procedures = models.ManyToManyField(
        AdministrativeProcedure,
        verbose_name=_("thủ tục hành chính trong phạm vi"),
        blank=True,
        related_name="quality_systems",
    )
    exclusions = models.TextField(
        _("yêu cầu không áp dụng và lý do"),
        blank=True,
        help_text=_("Ví dụ: điều 8.3 Thiết kế và phát triển – không áp dụng vì …"),
    )
    quality_policy = models.TextField(_("chính sách chất lượng"))
    policy_issued_on = models.DateField(_("ngày ban hành chính sách"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cập nhật"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[units, administrative_procedures])

    class Meta:
        verbose_name = _("hệ thống quản lý chất lượng")
        verbose_name_plural = _("hệ thống quản lý chất lượng")
        ordering = ["agency__path"]

    def __str__(self):
        return str(self.agency)

    def get_owning_agency(self):
        return self.agency


class RiskKind(models.TextChoices):
    RISK = "risk", _("Rủi ro")
    OPPORTUNITY = "opportunity", _("Cơ hội")


class RiskState(models.TextChoices):
    OPEN = "open", _("Đang theo dõi")
    CLOSED = "closed", _("Đã kết thúc")


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Risk(models.Model):
    """A risk or an opportunity of clause 6.1, scored likelihood × impact (1–5 each)."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        related_name="risks",
    )
    kind = models.CharField(_("loại"), max_length=20, choices=RiskKind.choices)
    title = models.CharField(_("tên"), max_length=300)
    description = models.TextField(_("mô tả"), blank=True)
    procedure = models.ForeignKey(
        "documents.ProcedurePage",
        verbose_name=_("quy trình liên quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risks",
    )
    likelihood = models.PositiveSmallIntegerField(
        _("khả năng xảy ra (1–5)"), validators=SCORE_VALIDATORS
    )
    impact = models.PositiveSmallIntegerField(
        _("mức độ tác động (1–5)"), validators=SCORE_VALIDATORS
    )
    treatment = models.TextField(_("biện pháp xử lý"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phụ trách"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_on = models.DateField(_("ngày xem xét lại"), null=True, blank=True)
    state = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=RiskState.choices,
        default=RiskState.OPEN,
        editable=False,
    )
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True, editable=False)
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
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rủi ro, cơ hội")
        verbose_name_plural = _("rủi ro và cơ hội")
        ordering = ["agency__path", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5)
                & models.Q(impact__gte=1, impact__lte=5),
                name="risk_scores_1_to_5",
            )
        ]

    def __str__(self):
        return self.title

    def get_owning_agency(self):
        return self.agency

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class ConformityAnnouncement(models.Model):
    """The agency's announcement that its system conforms to TCVN ISO 9001 (công bố, Decision
    101/2018 art. 4): the signed document and where it was posted."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        related_name="conformity_announcements",
    )
    announced_on = models.DateField(_("ngày công bố"))
    number = models.CharField(_("số quyết định công bố"), max_length=80)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("văn bản đã ký"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    posted_at = models.CharField(
        _("nơi niêm yết, đăng tải"),
        max_length=500,
        help_text=_("Ví dụ: trụ sở cơ quan và cổng thông tin điện tử (địa chỉ trang)."),
    )
    note = models.TextField(_("ghi chú"), blank=True)
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
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("công bố hệ thống phù hợp")
        verbose_name_plural = _("công bố hệ thống phù hợp")
        ordering = ["-announced_on", "-pk"]

    def __str__(self):
        return f"{self.number} ({self.announced_on:%d/%m/%Y})"

    def get_owning_agency(self):
        return self.agency


class InspectionState(models.TextChoices):
    REPORT_DUE = "report_due", _("Chờ báo cáo khắc phục")
    REPORTED = "reported", _("Đã báo cáo khắc phục")


class ExternalInspection(models.Model):
    """An inspection of the agency's ISO system by the Department of Science and Technology
    (Decision 101/2018 art. 9): its findings are ``Finding`` rows with source "external
    inspection"; the corrective report is due 2 months after the conclusion is received."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan được kiểm tra"),
        on_delete=models.PROTECT,
        related_name="external_inspections",
    )
    inspecting_body = models.CharField(
        _("cơ quan kiểm tra"), max_length=200, default="Sở Khoa học và Công nghệ"
    )
    inspected_on = models.DateField(_("ngày kiểm tra"))
    conclusion_number = models.CharField(_("số văn bản kết luận"), max_length=80, blank=True)
    concluded_on = models.DateField(_("ngày nhận kết luận"))
    summary = models.TextField(_("tóm tắt kết luận"), blank=True)
    conclusion_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("văn bản kết luận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # concluded_on + 2 months (set by the services).
    report_due_on = models.DateField(_("hạn báo cáo khắc phục"), editable=False)
    reported_on = models.DateField(_("ngày gửi báo cáo"), null=True, blank=True, editable=False)
    report_document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("báo cáo khắc phục"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    state = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=InspectionState.choices,
        default=InspectionState.REPORT_DUE,
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
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kiểm tra của cơ quan có thẩm quyền")
        verbose_name_plural = _("kiểm tra việc áp dụng ISO")
        ordering = ["-inspected_on", "-pk"]
        indexes = [
            models.Index(fields=["state", "report_due_on"], name="inspection_report_due"),
        ]

    def __str__(self):
        return _("%(body)s kiểm tra ngày %(day)s") % {
            "body": self.inspecting_body,
            "day": self.inspected_on.strftime("%d/%m/%Y"),
        }

    def get_owning_agency(self):
        return self.agency


class SystemReminderKind(models.TextChoices):
    INSPECTION_REPORT_DUE = "inspection_report", _("Sắp đến hạn báo cáo khắc phục sau kiểm tra")
    PROGRAMME_UNSCHEDULED = "programme_unscheduled", _("Cuộc đánh giá trong chương trình chưa lập")
    REVIEW_OVERDUE = "review_overdue", _("Quá 12 tháng chưa xem xét của lãnh đạo")


class SystemReminder(models.Model):
    """A reminder about the system as a whole, sent once per subject, kind and cycle: the row is
    written in the transaction that queues the notification (as ``AuditReminder``). ``subject``
    names the record ("inspection:12", "entry:7", "agency:3"); ``key`` the cycle (a due day)."""

    kind = models.CharField(_("loại nhắc việc"), max_length=30, choices=SystemReminderKind.choices)
    subject = models.CharField(max_length=60)
    key = models.CharField(max_length=40, blank=True, default="")
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("nhắc việc hệ thống chất lượng")
        verbose_name_plural = _("nhắc việc hệ thống chất lượng")
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject", "key"], name="system_reminder_once"),
        ]

    def __str__(self):
        return f"{self.kind} {self.subject} {self.key}"
