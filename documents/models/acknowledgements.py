"""Staff acknowledge that they have read the issue in force (đã đọc, nắm được quy trình); a new
issue starts a new list, since an acknowledgement belongs to one issue."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Acknowledgement(models.Model):
    agency_path_lookup = "issue__procedure__agency__path"

    issue = models.ForeignKey(
        "documents.ProcedureIssue",
        verbose_name=_("lần ban hành"),
        on_delete=models.CASCADE,
        related_name="acknowledgements",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận"),
        on_delete=models.CASCADE,
        related_name="procedure_acknowledgements",
    )
    acknowledged_at = models.DateTimeField(_("xác nhận lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("xác nhận đã đọc")
        verbose_name_plural = _("xác nhận đã đọc")
        ordering = ["issue", "acknowledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "user"], name="acknowledgement_once")
        ]

    def __str__(self):
        return f"{self.issue} – {self.user}"

    def get_owning_agency(self):
        return self.issue.procedure.agency


class AcknowledgementReminder(models.Model):
    """The one reminder a person gets for an issue they have not acknowledged."""

    issue = models.ForeignKey(
        "documents.ProcedureIssue", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("nhắc xác nhận đã đọc")
        verbose_name_plural = _("nhắc xác nhận đã đọc")
        constraints = [
            models.UniqueConstraint(fields=["issue", "user"], name="acknowledgement_reminder_once")
        ]

    def __str__(self):
        return f"{self.issue_id}: {self.user_id}"
