"""Events the one-stop systems send through the API, kept by their id: a replay is answered with
the first answer, never applied twice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qms.models import Agency


class ApiEventKind(models.TextChoices):
    RECEIVED = "received", _("Tiếp nhận")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung")
    RESUBMITTED = "resubmitted", _("Nhận đủ hồ sơ bổ sung")
    EXTENDED = "extended", _("Gia hạn, có thư xin lỗi")
    RESOLVED = "resolved", _("Trả kết quả")
    REFUSED = "refused", _("Từ chối giải quyết")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")
    STEPS = "steps", _("Phiếu kiểm soát quá trình")


class ApiEventOutcome(models.TextChoices):
    APPLIED = "applied", _("Đã áp dụng")
    # The dossier already knows a later event of the source: the later source time wins.
    STALE = "stale", _("Bỏ qua (nguồn đã có sự kiện mới hơn)")


class ApiEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+"
    )
    event_id = models.CharField(_("mã sự kiện"), max_length=100)
    kind = models.CharField(_("sự kiện"), max_length=30, choices=ApiEventKind.choices)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=64)
    occurred_at = models.DateTimeField(_("xảy ra lúc"))
    outcome = models.CharField(_("kết quả"), max_length=20, choices=ApiEventOutcome.choices)
    # The event as sent (no personal data: the schema has no field for it).
    payload = models.JSONField(default=dict)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản gửi"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("sự kiện nhận qua API")
        verbose_name_plural = _("sự kiện nhận qua API")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "event_id"], name="api_event_unique"),
        ]

    def __str__(self):
        return f"{self.event_id} · {self.get_kind_display()}"
