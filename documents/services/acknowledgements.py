"""Acknowledgements (đã đọc, nắm được quy trình): a person records that they have read the issue in
force; those who have not are reminded once, five working days on.

An acknowledgement belongs to one issue: a new issue starts with nobody, and what was acknowledged
of the old one stays with it. Who is expected, and where an issue applies, is
``documents.acknowledgement_selectors``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import acknowledgement_selectors as selectors
from documents.models import Acknowledgement, AcknowledgementReminder, ProcedureIssue
from qms.services.notifications import notify


@transaction.atomic
def acknowledgement_record(*, actor, issue: ProcedureIssue) -> Acknowledgement:
    """``actor`` has read ``issue`` and knows it. Only an issue in force today, only by someone
    holding a role where it applies; a second call returns the first acknowledgement."""
    issue = ProcedureIssue.objects.select_related("procedure__agency").get(pk=issue.pk)
    agency = issue.procedure.agency
    if actor is None or not selectors.may_acknowledge(actor, issue):
        if issue.shared:
            message = _(
                "Chỉ người đang giữ vai trò tại “%(agency)s” hoặc một cơ quan, đơn vị trực thuộc "
                "mới xác nhận đã đọc quy trình dùng chung này."
            )
        else:
            message = _(
                "Chỉ người đang giữ vai trò tại “%(agency)s” hoặc một đơn vị thuộc cơ quan này "
                "mới xác nhận đã đọc quy trình này."
            )
        raise PermissionDenied(message % {"agency": agency.name})
    today = timezone.localdate()
    if not selectors.is_in_force(issue, today):
        if issue.effective_date > today:
            reason = _("chưa có hiệu lực (hiệu lực từ %(date)s)") % {
                "date": issue.effective_date.strftime("%d/%m/%Y")
            }
        else:
            reason = _("không còn áp dụng (%(status)s)") % {"status": issue.get_status_display()}
        raise ValidationError(
            _(
                "“%(issue)s” %(reason)s: chỉ xác nhận đã đọc được lần ban hành đang áp dụng của "
                "quy trình."
            )
            % {"issue": issue, "reason": reason}
        )
    acknowledgement, _created = Acknowledgement.objects.get_or_create(issue=issue, user=actor)
    return acknowledgement


def _reminder_body(issues) -> str:
    lines = [
        _(
            "Các quy trình sau đã có hiệu lực từ %(days)d ngày làm việc trở lên nhưng bạn chưa "
            "xác nhận đã đọc:"
        )
        % {"days": selectors.REMIND_AFTER_WORKING_DAYS}
    ]
    for issue in issues:
        lines.append(
            _("– %(issue)s: %(title)s (hiệu lực từ %(date)s)")
            % {
                "issue": issue,
                "title": issue.title,
                "date": issue.effective_date.strftime("%d/%m/%Y"),
            }
        )
    lines.append(
        _(
            "Hãy đọc quy trình rồi bấm “Tôi đã đọc và nắm được quy trình” ở mục “Quy trình mới "
            "cần đọc” trên trang tổng quan."
        )
    )
    return "\n".join(lines)


def acknowledgement_reminders_send(*, on_date=None) -> int:
    """Remind, once per issue and person, everyone whose reminder is due (see
    ``acknowledgement_reminders_due``): one notification per person listing their issues, each
    reminder row written in the transaction that queues it, so a rerun (or a task delivered
    twice) sends nothing more. Returns the number of people notified."""
    sent = 0
    for person, issues in selectors.acknowledgement_reminders_due(on_date):
        with transaction.atomic():
            fresh = [
                issue
                for issue in issues
                if AcknowledgementReminder.objects.get_or_create(issue=issue, user=person)[1]
            ]
            if fresh:
                notify(
                    recipients=[person],
                    title=_("Nhắc xác nhận đã đọc quy trình mới"),
                    body=_reminder_body(fresh),
                    url=reverse("wagtailadmin_home"),
                )
                sent += 1
    return sent
