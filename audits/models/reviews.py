"""Management review (xem xét của lãnh đạo, ISO 9001 clause 9.3; Decision 101/2018: at least
yearly): per agency and period, its inputs of 9.3.2 compiled from the data and frozen when the
review is held, the attendees, the decisions (outputs of 9.3.3) and the nonconformities raised
(``Finding`` rows with source "management review")."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import Agency


class ReviewState(models.TextChoices):
    PLANNED = "planned", _("Dự kiến")
    HELD = "held", _("Đã họp")


class ManagementReview(models.Model):
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        related_name="management_reviews",
    )
    title = models.CharField(_("tên cuộc họp"), max_length=300)
    period_start = models.DateField(_("kỳ xem xét từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    planned_on = models.DateField(_("ngày họp dự kiến"))
    held_on = models.DateField(_("ngày họp"), null=True, blank=True, editable=False)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chủ trì"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("thành phần tham dự"),
        blank=True,
        related_name="management_reviews",
    )
    other_attendees = models.TextField(_("thành phần khác"), blank=True)
    # The inputs of 9.3.2 as compiled the day the review was held (services), never edited after.
    inputs = models.JSONField(_("đầu vào xem xét"), default=dict, editable=False)
    inputs_compiled_at = models.DateTimeField(
        _("tổng hợp đầu vào lúc"), null=True, blank=True, editable=False
    )
    decisions = models.TextField(
        _("kết luận, quyết định"),
        blank=True,
        help_text=_("Cơ hội cải tiến, thay đổi hệ thống, nhu cầu nguồn lực (điều 9.3.3)."),
    )
    resource_needs = models.TextField(_("nhu cầu nguồn lực"), blank=True)
    state = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=ReviewState.choices,
        default=ReviewState.PLANNED,
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
    history = HistoricalRecords(m2m_fields=[attendees])

    class Meta:
        verbose_name = _("xem xét của lãnh đạo")
        verbose_name_plural = _("xem xét của lãnh đạo")
        ordering = ["-planned_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="review_period_end_after_start",
            )
        ]

    def __str__(self):
        return self.title

    def get_owning_agency(self):
        return self.agency
