"""Dossiers (hồ sơ): one citizen's application for one TTHC at one agency, timed on the working
calendar (DESIGN.md §5), with their append-only event table.

Keys are ready for partitioning by time in PostgreSQL: the (agency, code) key of the one-stop
system lives in ``DossierKey``, an unpartitioned table the upsert uses; a dossier's primary key is
its key's id (a partitioned table may point a foreign key at an unpartitioned one, not the other
way round), and events refer to the dossier's id without a database foreign key. Nothing else has
a unique index on the dossier table, so it can become ``PARTITION BY RANGE (received_at)`` with
the primary key (id, received_at) without touching the code.

No personal data is stored (Decree 13/2023/NĐ-CP): names, ID numbers, addresses and phone numbers
of a source file are dropped at import.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import AdministrativeProcedure, Agency


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    IN_PERSON = "in_person", _("Trực tiếp")
    POSTAL = "postal", _("Bưu chính")
    PUBLIC_POSTAL = "public_postal", _("Dịch vụ bưu chính công ích")


class DossierState(models.TextChoices):
    RECEIVED = "received", _("Mới tiếp nhận")
    IN_PROGRESS = "in_progress", _("Đang giải quyết")
    WAITING = "waiting", _("Chờ bổ sung")
    RESOLVED = "resolved", _("Đã trả kết quả")
    REFUSED = "refused", _("Từ chối giải quyết")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")


PENDING_STATES = (DossierState.RECEIVED, DossierState.IN_PROGRESS, DossierState.WAITING)
RESOLVED_STATES = (DossierState.RESOLVED, DossierState.REFUSED)


class Outcome(models.TextChoices):
    ISSUED = "issued", _("Trả kết quả")
    REFUSED = "refused", _("Từ chối")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")


class Timing(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class SupplementRule(models.TextChoices):
    # Decree 61/2018 art. ... and Decree 118/2025: the limit restarts once the full dossier arrives.
    RESTART = "restart", _("Tính lại từ đầu khi nhận đủ hồ sơ")
    PAUSE = "pause", _("Tạm dừng và tính tiếp")


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Tiếp nhận")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung")
    RESUBMITTED = "resubmitted", _("Nhận đủ hồ sơ bổ sung")
    EXTENDED = "extended", _("Gia hạn, có thư xin lỗi")
    RESOLVED = "resolved", _("Trả kết quả")
    REFUSED = "refused", _("Từ chối giải quyết")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")
    CHANGED = "changed", _("Cập nhật từ nguồn")
    RECOMPUTED = "recomputed", _("Tính lại hạn")


class ClockRule(models.Model):
    """How a TTHC's clock treats a supplement request: restart from zero (the default, by the
    one-stop rules) or pause and resume. A TTHC without a row restarts."""

    procedure = models.OneToOneField(
        AdministrativeProcedure,
        verbose_name=_("thủ tục hành chính"),
        on_delete=models.CASCADE,
        related_name="clock_rule",
    )
    supplement_rule = models.CharField(
        _("khi yêu cầu bổ sung"),
        max_length=20,
        choices=SupplementRule.choices,
        default=SupplementRule.RESTART,
    )
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cách tính thời hạn của TTHC")
        verbose_name_plural = _("cách tính thời hạn của TTHC")

    def __str__(self):
        return f"{self.procedure.code} · {self.get_supplement_rule_display()}"


class DossierKey(models.Model):
    """The one-stop system's key of a dossier, (agency, code), unpartitioned: the upsert finds or
    creates the key, and the dossier's primary key is the key's id."""

    id = models.BigAutoField(primary_key=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("mã hồ sơ"), max_length=64)

    class Meta:
        verbose_name = _("mã hồ sơ")
        verbose_name_plural = _("mã hồ sơ")
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="dossier_key_unique"),
        ]

    def __str__(self):
        return self.code


class Dossier(models.Model):
    # The key's id: a foreign key from the (future) partitioned table to the unpartitioned one.
    key = models.OneToOneField(
        DossierKey,
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="dossier",
        db_column="id",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="dossiers"
    )
    procedure = models.ForeignKey(
        AdministrativeProcedure,
        verbose_name=_("thủ tục hành chính"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    code = models.CharField(_("mã hồ sơ"), max_length=64, db_index=True)
    channel = models.CharField(_("kênh nộp"), max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(_("tiếp nhận lúc"))
    # Local dates of receipt and result: the days of the summaries.
    received_on = models.DateField(_("ngày tiếp nhận"))
    state = models.CharField(
        _("trạng thái"), max_length=20, choices=DossierState.choices, default=DossierState.RECEIVED
    )
    outcome = models.CharField(_("kết quả"), max_length=20, choices=Outcome.choices, blank=True)
    # The clock (DESIGN.md §5), stored with the calendar version and the limit used.
    limit_days = models.DecimalField(_("thời hạn (ngày làm việc)"), max_digits=6, decimal_places=2)
    supplement_rule = models.CharField(
        _("cách tính khi bổ sung"),
        max_length=20,
        choices=SupplementRule.choices,
        default=SupplementRule.RESTART,
    )
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    supplement_requested_at = models.DateTimeField(_("yêu cầu bổ sung lúc"), null=True, blank=True)
    resubmitted_at = models.DateTimeField(_("nhận đủ hồ sơ lúc"), null=True, blank=True)
    # The receipt or the complete dossier's arrival, as reported; the clock counts from the next
    # office moment after it (the calendar's rule), which the dossier's page explains.
    clock_started_at = models.DateTimeField(_("mốc tính thời hạn (tiếp nhận, nhận đủ bổ sung)"))
    # Office seconds used before the clock's current run (pause-and-resume only; 0 on restart).
    clock_credit_seconds = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(_("hạn giải quyết"), null=True, blank=True)
    appointment_at = models.DateTimeField(_("ngày hẹn trả (theo nguồn)"), null=True, blank=True)
    due_mismatch = models.BooleanField(_("hẹn trả khác hạn tính được"), default=False)
    extended_at = models.DateTimeField(_("gửi thư xin lỗi lúc"), null=True, blank=True)
    extended_due_at = models.DateTimeField(_("hẹn trả lại"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    resolved_on = models.DateField(_("ngày trả kết quả"), null=True, blank=True)
    timing = models.CharField(_("đánh giá"), max_length=10, choices=Timing.choices, blank=True)
    processing_days = models.DecimalField(
        _("thời gian xử lý (ngày làm việc)"),
        max_digits=9,
        decimal_places=4,
        null=True,
        blank=True,
    )
    digitised = models.BooleanField(_("đã số hóa"), default=False)
    e_result = models.BooleanField(_("trả kết quả điện tử"), default=False)
    online_payment = models.BooleanField(_("thanh toán trực tuyến"), default=False)
    rating = models.PositiveSmallIntegerField(
        _("đánh giá của người dân"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    calendar_version = models.CharField(_("phiên bản lịch"), max_length=12)
    # The latest event time the source reported: a later one wins, an older one is ignored.
    source_updated_at = models.DateTimeField(_("cập nhật ở nguồn lúc"))
    last_import = models.ForeignKey(
        "indicators.DossierImport",
        verbose_name=_("lần nhập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("ghi nhận lúc"), auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-received_at", "pk"]
        indexes = [
            models.Index(fields=["agency", "received_on"], name="dossier_agency_received"),
            models.Index(fields=["agency", "resolved_on"], name="dossier_agency_resolved"),
            models.Index(fields=["state", "due_at"], name="dossier_state_due"),
            models.Index(fields=["procedure", "received_on"], name="dossier_procedure_received"),
        ]

    def __str__(self):
        return self.code

    @property
    def pending(self) -> bool:
        return self.state in PENDING_STATES


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("Lịch sử hồ sơ chỉ được ghi thêm, không được sửa."))

    def delete(self):
        raise ValidationError(_("Lịch sử hồ sơ chỉ được ghi thêm, không được xóa."))


class DossierEvent(models.Model):
    """One thing that happened to a dossier (append-only): its history. ``dossier_id`` is the
    dossier's id without a database foreign key (the dossier table will be partitioned)."""

    id = models.BigAutoField(primary_key=True)
    dossier_id = models.BigIntegerField(db_index=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("sự kiện"), max_length=30, choices=EventKind.choices)
    at = models.DateTimeField(_("lúc"))
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)
    dossier_import = models.ForeignKey(
        "indicators.DossierImport",
        verbose_name=_("lần nhập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What changed: {field: [before, after]} as text, and for a recomputation its request.
    data = models.JSONField(default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("sự kiện của hồ sơ")
        verbose_name_plural = _("lịch sử hồ sơ")
        ordering = ["dossier_id", "at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {timezone.localtime(self.at):%d/%m/%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("Lịch sử hồ sơ chỉ được ghi thêm, không được sửa."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Lịch sử hồ sơ chỉ được ghi thêm, không được xóa."))


class RecomputationState(models.TextChoices):
    PREVIEWED = "previewed", _("Đã xem trước")
    APPLIED = "applied", _("Đã áp dụng")


class Recomputation(models.Model):
    """An explicit, logged request to recompute stored due times and classes after a calendar or
    limit change: what it examined, what changed (shown before it is applied), who and when."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("tiếp nhận từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    reason = models.TextField(_("lý do"))
    state = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=RecomputationState.choices,
        default=RecomputationState.PREVIEWED,
        editable=False,
    )
    calendar_version = models.CharField(_("phiên bản lịch mới"), max_length=12, editable=False)
    examined = models.PositiveIntegerField(_("số hồ sơ xem xét"), default=0, editable=False)
    changed = models.PositiveIntegerField(_("số hồ sơ thay đổi"), default=0, editable=False)
    # The changes, up to a few hundred shown: [{"code", "field", "before", "after"}].
    changes = models.JSONField(default=list, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    requested_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người áp dụng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    applied_at = models.DateTimeField(_("áp dụng lúc"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("tính lại hạn giải quyết")
        verbose_name_plural = _("tính lại hạn giải quyết")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.agency} · {timezone.localtime(self.requested_at):%d/%m/%Y %H:%M}"
