"""Management reviews (xem xét của lãnh đạo, ISO 9001 clause 9.3; Decision 101/2018: at least
yearly): plan and change a review, hold it (the inputs of 9.3.2 compiled and frozen that moment),
raise nonconformities or opportunities from it, remind agencies whose last review is more than
12 months old.

Who: officers and leaders of the review's agency or of a body above it (or an administrator)
plan, change and record it; the chair is a leader of the agency or above. A held review is not
changed: its inputs are what the leadership saw that day, and the decisions are the minutes'.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import (
    Finding,
    FindingKind,
    FindingSource,
    ManagementReview,
    QualitySystem,
    ReviewState,
    SystemReminder,
    SystemReminderKind,
)
from audits.selectors_reviews import review_inputs
from audits.services.findings import finding_record
from audits.services.register import _keepers_of, keeper_refusal
from qms.display import format_day
from qms.models import Membership, Role
from qms.services.notifications import notify

# Decision 101/2018/QĐ-TTg: a management review at least once every 12 months.
REVIEW_EVERY_MONTHS = 12


def _check(reason, exc=PermissionDenied):
    if reason:
        raise exc(reason)


def _what() -> str:
    return _("xem xét của lãnh đạo")


def edit_refusal(actor, review: ManagementReview) -> str | None:
    """Why ``actor`` may not plan or change ``review``, or None."""
    if review.pk and review.state == ReviewState.HELD:
        return _("“%(title)s” đã họp ngày %(day)s: biên bản không sửa được nữa.") % {
            "title": review.title,
            "day": format_day(review.held_on),
        }
    return keeper_refusal(actor, review.agency if review.agency_id else None, _what())


def hold_refusal(actor, review: ManagementReview) -> str | None:
    if review.state == ReviewState.HELD:
        return _("“%(title)s” đã được ghi nhận họp ngày %(day)s.") % {
            "title": review.title,
            "day": format_day(review.held_on),
        }
    return keeper_refusal(actor, review.agency, _what())


def raise_refusal(actor, review: ManagementReview) -> str | None:
    if review.state != ReviewState.HELD:
        return _("“%(title)s” chưa họp: ghi nhận cuộc họp trước khi nêu vấn đề.") % {
            "title": review.title
        }
    return keeper_refusal(actor, review.agency, _what())


def _memberships(user, day):
    return Membership.objects.active(day).filter(user=user).select_related("agency")


def _is_leader_of(user, agency, day) -> bool:
    """A leader, that day, of ``agency`` or of a body above it."""
    return any(
        m.role == Role.LEADER and agency.is_within(m.agency) for m in _memberships(user, day)
    )


def _belongs(user, agency, day) -> bool:
    """A member, that day, of ``agency``, of a unit inside it or of a body above it."""
    return any(
        m.agency.is_within(agency) or agency.is_within(m.agency) for m in _memberships(user, day)
    )


def _validate(review: ManagementReview, attendees=None) -> None:
    errors: dict[str, list[str]] = {}
    if not review.agency_id:
        errors["agency"] = [_("Hãy chọn cơ quan, đơn vị.")]
    for name, message in (
        ("period_start", _("Hãy nhập ngày bắt đầu kỳ xem xét.")),
        ("period_end", _("Hãy nhập ngày kết thúc kỳ xem xét.")),
        ("planned_on", _("Hãy nhập ngày họp dự kiến.")),
    ):
        if getattr(review, name) is None:
            errors[name] = [message]
    if review.period_start and review.period_end and review.period_end < review.period_start:
        errors["period_end"] = [
            _("Kỳ xem xét kết thúc ngày %(end)s, trước ngày bắt đầu %(start)s.")
            % {"end": format_day(review.period_end), "start": format_day(review.period_start)}
        ]
    if review.planned_on and review.period_start and review.planned_on < review.period_start:
        errors["planned_on"] = [
            _("Ngày họp %(day)s trước khi kỳ xem xét bắt đầu (%(start)s).")
            % {"day": format_day(review.planned_on), "start": format_day(review.period_start)}
        ]
    day = review.planned_on or timezone.localdate()
    if review.agency_id and review.chair_id and not _is_leader_of(review.chair, review.agency, day):
        errors["chair"] = [
            _("%(person)s không phải lãnh đạo của “%(agency)s” hoặc cấp trên.")
            % {
                "person": review.chair.get_full_name() or review.chair.username,
                "agency": review.agency.name,
            }
        ]
    if review.agency_id and attendees is not None:
        outsiders = [
            u.get_full_name() or u.username
            for u in attendees
            if not _belongs(u, review.agency, day)
        ]
        if outsiders:
            errors["attendees"] = [
                _("Không thuộc “%(agency)s” hoặc cấp trên: %(names)s. Ghi họ vào thành phần khác.")
                % {"agency": review.agency.name, "names": ", ".join(sorted(outsiders))}
            ]
    if errors:
        raise ValidationError(errors)


def _locked(review: ManagementReview) -> ManagementReview:
    return (
        ManagementReview.objects.select_for_update(of=("self",))
        .select_related("agency", "chair")
        .get(pk=review.pk)
    )


@transaction.atomic
def review_save(*, actor, instance: ManagementReview, attendees=None) -> ManagementReview:
    """Plan a review or change a planned one; ``attendees`` (users) replace the list when given."""
    if instance.pk:
        before = _locked(instance)
        _check(edit_refusal(actor, before))
        if instance.agency_id != before.agency_id:
            _check(keeper_refusal(actor, before.agency, _what()))
    _check(edit_refusal(actor, instance))
    attendees = list(attendees) if attendees is not None else None
    _validate(instance, attendees)
    if not instance.pk:
        instance.created_by = actor
    instance.state = ReviewState.PLANNED
    instance.held_on = None
    instance.inputs = {}
    instance.inputs_compiled_at = None
    instance._history_user = actor
    instance.save()
    if attendees is not None:
        instance.attendees.set(attendees)
    return instance


@transaction.atomic
def review_hold(
    *,
    actor,
    instance: ManagementReview,
    held_on: datetime.date,
    decisions: str,
    resource_needs: str = "",
    attendees=None,
) -> ManagementReview:
    """Record the meeting: the day it was held, the attendees, the decisions; the inputs of 9.3.2
    are compiled as of that day and frozen (never compiled again)."""
    review = _locked(instance)
    _check(hold_refusal(actor, review))
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if held_on is None:
        errors["held_on"] = [_("Hãy nhập ngày họp.")]
    elif held_on > today:
        errors["held_on"] = [
            _("Ngày họp %(day)s ở tương lai: ghi nhận sau khi đã họp.")
            % {"day": format_day(held_on)}
        ]
    elif held_on < review.period_start:
        errors["held_on"] = [
            _("Ngày họp %(day)s trước khi kỳ xem xét bắt đầu (%(start)s).")
            % {"day": format_day(held_on), "start": format_day(review.period_start)}
        ]
    if not (decisions or "").strip():
        errors["decisions"] = [_("Hãy ghi kết luận, quyết định của cuộc họp.")]
    if not review.chair_id:
        errors["chair"] = [_("Hãy chọn lãnh đạo chủ trì trước khi ghi nhận cuộc họp.")]
    people = list(attendees) if attendees is not None else list(review.attendees.all())
    if not people:
        errors["attendees"] = [_("Hãy chọn ít nhất một người tham dự.")]
    if errors:
        raise ValidationError(errors)
    review.planned_on = review.planned_on or held_on
    _validate(review, people)
    if review.chair_id and not _is_leader_of(review.chair, review.agency, held_on):
        raise ValidationError(
            {
                "chair": [
                    _("Người chủ trì không là lãnh đạo vào ngày họp %(day)s.")
                    % {"day": format_day(held_on)}
                ]
            }
        )
    review.inputs = review_inputs(review.agency, review.period_start, review.period_end, held_on)
    review.inputs_compiled_at = timezone.now()
    review.held_on = held_on
    review.decisions = decisions.strip()
    review.resource_needs = (resource_needs or "").strip()
    review.state = ReviewState.HELD
    review._history_user = actor
    review.save()
    if attendees is not None:
        review.attendees.set(people)
    instance.refresh_from_db()
    return review


@transaction.atomic
def review_raise_finding(
    *,
    actor,
    instance: ManagementReview,
    kind: str,
    description: str,
    clause=None,
    procedure=None,
) -> Finding:
    """A nonconformity or an opportunity decided at the review (source "management review")."""
    review = _locked(instance)
    _check(raise_refusal(actor, review))
    if kind not in FindingKind.values:
        raise ValidationError({"kind": [_("Hãy chọn loại phát hiện.")]})
    if not (description or "").strip():
        raise ValidationError({"description": [_("Hãy mô tả vấn đề cần xử lý.")]})
    return finding_record(
        actor=actor,
        instance=Finding(
            agency=review.agency,
            kind=kind,
            source=FindingSource.MANAGEMENT_REVIEW,
            management_review=review,
            clause=clause,
            procedure=procedure,
            description=description.strip(),
            evidence=_("Kết luận cuộc họp “%(title)s” ngày %(day)s.")
            % {"title": review.title, "day": format_day(review.held_on)},
            raised_on=review.held_on,
        ),
    )


def _index_url() -> str:
    try:
        return reverse("management_reviews:index")
    except NoReverseMatch:  # the admin's URLs are not loaded (a bare worker)
        return ""


def _months_before(day: datetime.date, months: int) -> datetime.date:
    import calendar

    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reviews_overdue(today: datetime.date | None = None) -> list[tuple]:
    """(agency, last held day or None) of agencies with a QMS register whose last review was
    held more than 12 months ago, or never while the register is more than 12 months old."""
    from django.db.models import Max, Q

    today = today or timezone.localdate()
    limit = _months_before(today, REVIEW_EVERY_MONTHS)
    systems = (
        QualitySystem.objects.select_related("agency")
        .annotate(
            last_held=Max(
                "agency__management_reviews__held_on",
                filter=Q(agency__management_reviews__state=ReviewState.HELD),
            )
        )
        .order_by("agency__path")
    )
    overdue = []
    for system in systems:
        if system.last_held is not None:
            if system.last_held < limit:
                overdue.append((system.agency, system.last_held))
        else:
            first = system.history.order_by("history_date").values_list("history_date", flat=True)
            started = first[0].date() if first else timezone.localdate(system.updated_at)
            if started < limit:
                overdue.append((system.agency, None))
    return overdue


def review_reminders_send(today: datetime.date | None = None) -> int:
    """Remind the officers and leaders of each agency whose management review is overdue, once
    per last review (the reminder row and the notification in one transaction)."""
    today = today or timezone.localdate()
    sent = 0
    for agency, last in reviews_overdue(today):
        key = last.isoformat() if last else "never"
        subject = f"agency:{agency.pk}"
        if SystemReminder.objects.filter(
            kind=SystemReminderKind.REVIEW_OVERDUE, subject=subject, key=key
        ).exists():
            continue
        recipients = _keepers_of(agency)
        if not recipients:
            continue
        if last:
            body = _(
                "Lần xem xét của lãnh đạo gần nhất của “%(agency)s” họp ngày %(day)s, đã quá 12 "
                "tháng (Quyết định 101/2018/QĐ-TTg: ít nhất mỗi năm một lần)."
            ) % {"agency": agency.name, "day": format_day(last)}
        else:
            body = _(
                "“%(agency)s” chưa ghi nhận cuộc họp xem xét của lãnh đạo nào trong 12 tháng qua "
                "(Quyết định 101/2018/QĐ-TTg: ít nhất mỗi năm một lần)."
            ) % {"agency": agency.name}
        try:
            with transaction.atomic():
                SystemReminder.objects.create(
                    kind=SystemReminderKind.REVIEW_OVERDUE, subject=subject, key=key
                )
                notify(
                    recipients=recipients,
                    title=_("Đến hạn xem xét của lãnh đạo: %(agency)s") % {"agency": agency.name},
                    body=body,
                    url=_index_url(),
                )
        except IntegrityError:  # another run sent it
            continue
        sent += 1
    return sent
