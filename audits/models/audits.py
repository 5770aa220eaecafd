"""Internal audits (đánh giá nội bộ, ISO 9001 clause 9.2): the auditee, the scope (clauses and
procedures in force), the dates, the lead auditor and the team, and the audit's state."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import Agency

from .clauses import Clause


class AuditState(models.TextChoices):
    PLANNED = "planned", _("Đã lập kế hoạch")
    IN_PROGRESS = "in_progress", _("Đang đánh giá")
    REPORTED = "reported", _("Đã báo cáo")
    CLOSED = "closed", _("Đã kết thúc")
    CANCELLED = "cancelled", _("Đã hủy")


# An open audit: its team reads the auditee's records (audits/rules_audits.py).
OPEN_STATES = (AuditState.IN_PROGRESS, AuditState.REPORTED)


class Audit(models.Model):
    # The auditee (a body or a unit): the policy's owner of the row.
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("đơn vị được đánh giá"),
        on_delete=models.PROTECT,
        related_name="audits",
    )
    code = models.CharField(_("số hiệu"), max_length=40, unique=True)
    title = models.CharField(_("tên cuộc đánh giá"), max_length=300)
    objectives = models.TextField(_("mục tiêu"))
    criteria = models.TextField(_("chuẩn mực đánh giá"))
    planned_start = models.DateField(_("ngày bắt đầu dự kiến"))
    planned_end = models.DateField(_("ngày kết thúc dự kiến"))
    actual_start = models.DateField(
        _("ngày bắt đầu thực tế"), null=True, blank=True, editable=False
    )
    actual_end = models.DateField(_("ngày kết thúc thực tế"), null=True, blank=True, editable=False)
    state = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=AuditState.choices,
        default=AuditState.PLANNED,
        editable=False,
    )
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trưởng đoàn đánh giá"),
        on_delete=models.PROTECT,
        related_name="audits_led",
    )
    clauses = models.ManyToManyField(
        Clause, verbose_name=_("điều khoản được đánh giá"), blank=True, related_name="audits"
    )
    procedures = models.ManyToManyField(
        "documents.ProcedurePage",
        verbose_name=_("quy trình được đánh giá"),
        blank=True,
        related_name="audits",
    )
    conclusion = models.TextField(
        _("kết luận"),
        blank=True,
        help_text=_("Kết luận của đoàn đánh giá, in trong báo cáo đánh giá."),
    )
    cancel_reason = models.TextField(_("lý do hủy"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người lập kế hoạch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[clauses, procedures])

    class Meta:
        verbose_name = _("cuộc đánh giá")
        verbose_name_plural = _("cuộc đánh giá nội bộ")
        ordering = ["-planned_start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")),
                name="audit_planned_end_after_start",
            )
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"

    def get_owning_agency(self):
        return self.agency

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class TeamRole(models.TextChoices):
    LEAD = "lead", _("Trưởng đoàn")
    MEMBER = "member", _("Thành viên")


class AuditTeamMember(models.Model):
    """A person on an audit's team; the lead auditor is one too (role "lead")."""

    agency_path_lookup = "audit__agency__path"

    audit = models.ForeignKey(
        Audit, verbose_name=_("cuộc đánh giá"), on_delete=models.CASCADE, related_name="team"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("đánh giá viên"),
        on_delete=models.PROTECT,
        related_name="audit_team_memberships",
    )
    role = models.CharField(
        _("vai trò trong đoàn"), max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thành viên đoàn đánh giá")
        verbose_name_plural = _("đoàn đánh giá")
        ordering = ["audit", "role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "user"], name="audit_team_member_once")
        ]

    def __str__(self):
        return f"{self.audit.code}: {self.user}"

    def get_owning_agency(self):
        return self.audit.agency
