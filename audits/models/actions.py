"""Corrective actions (hành động khắc phục, ISO 9001 clause 10.2): each belongs to a
nonconformity and moves open → cause analysed → action planned → implemented → verified
effective → closed; verified ineffective sends it back to action planned (DESIGN.md §4). Every
move is a ``CorrectiveActionStep`` row (who, when, from, to, note) beside simple-history's values."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import Agency

from .audits import Audit
from .findings import Finding


class ActionState(models.TextChoices):
    OPEN = "open", _("Mới mở")
    CAUSE_ANALYSED = "cause_analysed", _("Đã phân tích nguyên nhân")
    ACTION_PLANNED = "action_planned", _("Đã lập kế hoạch khắc phục")
    IMPLEMENTED = "implemented", _("Đã thực hiện")
    VERIFIED_EFFECTIVE = "verified_effective", _("Đã xác nhận hiệu lực")
    CLOSED = "closed", _("Đã đóng")


# Not yet done: the due date applies (overdue is derived from it, never stored).
UNDONE_STATES = (ActionState.OPEN, ActionState.CAUSE_ANALYSED, ActionState.ACTION_PLANNED)
# The verifier's relation grant lasts until verification.
AWAITING_VERIFICATION = (*UNDONE_STATES, ActionState.IMPLEMENTED)


class CauseCategory(models.TextChoices):
    """The branches of the cause-and-effect (fishbone, Ishikawa) diagram, as used in public
    administration: people, method, equipment, materials (records, forms), measurement,
    environment."""

    PEOPLE = "people", _("Con người")
    METHOD = "method", _("Phương pháp, quy trình")
    EQUIPMENT = "equipment", _("Máy móc, thiết bị")
    MATERIALS = "materials", _("Hồ sơ, biểu mẫu")
    MEASUREMENT = "measurement", _("Đo lường, theo dõi")
    ENVIRONMENT = "environment", _("Môi trường làm việc")


class CorrectiveAction(models.Model):
    agency_path_lookup = "finding__agency__path"

    finding = models.ForeignKey(
        Finding,
        verbose_name=_("điểm không phù hợp"),
        on_delete=models.PROTECT,
        related_name="actions",
    )
    code = models.CharField(_("số hiệu"), max_length=40, unique=True, editable=False)
    state = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=ActionState.choices,
        default=ActionState.OPEN,
        editable=False,
    )
    correction = models.TextField(_("khắc phục tức thời"), blank=True)
    # Five whys: a list of answers, the last being the root cause.
    whys = models.JSONField(_("5 câu hỏi tại sao"), default=list, blank=True)
    # Fishbone: {category: [cause, …]} with the keys of CauseCategory.
    fishbone = models.JSONField(_("biểu đồ xương cá"), default=dict, blank=True)
    root_cause = models.TextField(_("nguyên nhân gốc rễ"), blank=True)
    plan = models.TextField(_("kế hoạch hành động"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.PROTECT,
        related_name="corrective_actions",
    )
    # The owner's unit when assigned (the verifier is never from it).
    owner_unit = models.ForeignKey(
        Agency,
        verbose_name=_("đơn vị của người thực hiện"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    due_date = models.DateField(_("hạn hoàn thành"))
    implementation = models.TextField(_("kết quả thực hiện"), blank=True)
    evidence_documents = models.ManyToManyField(
        "wagtaildocs.Document",
        verbose_name=_("tệp bằng chứng thực hiện"),
        blank=True,
        related_name="+",
    )
    implemented_at = models.DateTimeField(
        _("thực hiện xong lúc"), null=True, blank=True, editable=False
    )
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận hiệu lực"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrective_actions_to_verify",
    )
    verification_wait_days = models.PositiveSmallIntegerField(
        _("số ngày chờ trước khi xác nhận"),
        default=30,
        help_text=_(
            "Hiệu lực chỉ được xác nhận sau khi hành động đã thực hiện ít nhất chừng ấy ngày."
        ),
    )
    verified_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True, editable=False)
    verification_note = models.TextField(_("ý kiến xác nhận"), blank=True, editable=False)
    closed_at = models.DateTimeField(_("đóng lúc"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[evidence_documents])

    class Meta:
        verbose_name = _("hành động khắc phục")
        verbose_name_plural = _("hành động khắc phục")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["state", "due_date"], name="action_state_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(verifier=models.F("owner")), name="action_verifier_not_owner"
            )
        ]

    def __str__(self):
        return f"{self.code}"

    def get_owning_agency(self):
        return self.finding.agency

    @property
    def audit(self) -> Audit | None:
        return self.finding.audit


class CorrectiveActionStep(models.Model):
    """One move of a corrective action: who moved it from which state to which, when, and why."""

    agency_path_lookup = "action__finding__agency__path"

    action = models.ForeignKey(
        CorrectiveAction,
        verbose_name=_("hành động khắc phục"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    from_state = models.CharField(
        _("từ trạng thái"), max_length=20, choices=ActionState.choices, blank=True
    )
    to_state = models.CharField(_("sang trạng thái"), max_length=20, choices=ActionState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện bước"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("bước xử lý hành động khắc phục")
        verbose_name_plural = _("các bước xử lý hành động khắc phục")
        ordering = ["action", "at", "pk"]

    def __str__(self):
        return f"{self.action_id}: {self.from_state} → {self.to_state}"


class ReminderThreshold(models.TextChoices):
    AUDIT_STARTS = "audit_starts", _("Cuộc đánh giá bắt đầu sau 7 ngày")
    DUE_SOON = "due_7", _("Còn 7 ngày đến hạn")
    OVERDUE = "overdue", _("Quá hạn")
    OVERDUE_LEADER = "overdue_leader", _("Quá hạn 7 ngày (báo lãnh đạo)")
    VERIFICATION_DUE = "verification_due", _("Đến hạn xác nhận hiệu lực")


class AuditReminder(models.Model):
    """A reminder sent once per threshold, for an audit or a corrective action: the row is written
    in the transaction that queues the notification, so it is sent at most once, also across a
    worker crash. A threshold that may recur (an action due again after an ineffective
    verification) carries the cycle in ``key`` (e.g. the due date)."""

    audit = models.ForeignKey(
        Audit, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    action = models.ForeignKey(
        CorrectiveAction,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    threshold = models.CharField(_("mốc"), max_length=20, choices=ReminderThreshold.choices)
    key = models.CharField(max_length=40, blank=True, default="")
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("nhắc việc đánh giá")
        verbose_name_plural = _("nhắc việc đánh giá")
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "threshold", "key"],
                condition=Q(audit__isnull=False),
                name="audit_reminder_once",
            ),
            models.UniqueConstraint(
                fields=["action", "threshold", "key"],
                condition=Q(action__isnull=False),
                name="action_reminder_once",
            ),
            models.CheckConstraint(
                condition=Q(audit__isnull=False) ^ Q(action__isnull=False),
                name="audit_reminder_one_subject",
            ),
        ]

    def __str__(self):
        return f"{self.audit_id or self.action_id}: {self.threshold}"
