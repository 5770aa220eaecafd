"""A dossier's clock explained: each decision of DESIGN.md §5 as a plain sentence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qms.display import format_day
from qms.models import TimeLimit
from qms.workcal import WorkingCalendar, get_calendar

from ..clock import compute
from ..models import Dossier
from ..models.dossiers import DossierState, SupplementRule, Timing
from .values import days_text, format_day_long, format_moment, local_moment


def clock_start(calendar: WorkingCalendar, moment: dt.datetime) -> dt.datetime:
    """The office moment from which the clock counts for something received at ``moment``: the
    moment itself inside office hours, else the start of the next working period (the next
    working morning after the cut-off or on a day off)."""
    one_second = Decimal(1) / Decimal(calendar.day_seconds)
    return calendar.add_working_days(moment, one_second) - dt.timedelta(seconds=1)


def _why_moved(calendar: WorkingCalendar, moment: dt.datetime) -> str:
    local = moment.astimezone(calendar.tz)
    info = calendar.day_info(local.date(), language=get_language() or "vi")
    if not info.working:
        if info.override is not None:
            return _("ngày nghỉ theo điều chỉnh lịch làm việc (%(reason)s)") % {
                "reason": info.override.reason or info.override.kind_label
            }
        if info.holiday:
            return _("ngày nghỉ lễ (%(name)s)") % {"name": info.holiday}
        return _("ngày nghỉ")
    if calendar.cutoff is not None and local.time().replace(microsecond=0) > calendar.cutoff:
        return _("sau giờ chốt tiếp nhận %(cutoff)s") % {"cutoff": f"{calendar.cutoff:%H:%M}"}
    return _("ngoài giờ làm việc")


def _moved_or_not(calendar, moment) -> tuple[dt.datetime, str | None]:
    start = clock_start(calendar, moment)
    if start == local_moment(moment).replace(microsecond=0):
        return start, None
    return start, _why_moved(calendar, moment)


def _limit_sentences(dossier: Dossier) -> list[str]:
    in_force = (
        TimeLimit.objects.filter(procedure_id=dossier.procedure_id)
        .in_force_on(dossier.received_on)
        .first()
    )
    day = format_day(dossier.received_on)
    if in_force is None:
        return [
            _(
                "Danh mục TTHC không có thời hạn giải quyết áp dụng ngày %(day)s; hạn đã lưu được "
                "tính với %(limit)s."
            )
            % {"day": day, "limit": days_text(dossier.limit_days)}
        ]
    sentence = _(
        "Thời hạn giải quyết áp dụng cho hồ sơ tiếp nhận ngày %(day)s: %(limit)s, áp dụng từ "
        "ngày %(since)s"
    ) % {
        "day": day,
        "limit": days_text(in_force.working_days),
        "since": format_day(in_force.effective_from),
    }
    if in_force.legal_basis:
        sentence += _(" (căn cứ: %(basis)s)") % {"basis": in_force.legal_basis}
    sentences = [sentence + "."]
    if Decimal(in_force.working_days) != Decimal(dossier.limit_days):
        sentences.append(
            _(
                "Hạn đã lưu được tính với %(stored)s; cần yêu cầu tính lại hạn giải quyết để áp "
                "dụng thời hạn hiện ghi trong danh mục."
            )
            % {"stored": days_text(dossier.limit_days)}
        )
    return sentences


def _receipt_sentence(calendar, dossier) -> str:
    start, why = _moved_or_not(calendar, dossier.received_at)
    at = format_moment(dossier.received_at, weekday=True)
    if why is None:
        return _("Tiếp nhận lúc %(at)s, trong giờ làm việc: thời hạn tính từ lúc tiếp nhận.") % {
            "at": at
        }
    return _(
        "Tiếp nhận lúc %(at)s, %(why)s: thời hạn tính từ buổi làm việc tiếp theo, %(start)s."
    ) % {"at": at, "why": why, "start": format_moment(start, weekday=True)}


def _supplement_sentences(calendar, dossier) -> list[str]:
    requested, resubmitted = dossier.supplement_requested_at, dossier.resubmitted_at
    if requested is None:
        return []
    limit = Decimal(dossier.limit_days)
    pause = dossier.supplement_rule == SupplementRule.PAUSE
    used = calendar.seconds_to_days(dossier.clock_credit_seconds) if pause else Decimal(0)
    left = max(limit - used, Decimal(0))
    asked = _("Yêu cầu bổ sung hồ sơ lúc %(at)s") % {"at": format_moment(requested, weekday=True)}
    if resubmitted is None:
        if pause:
            rule = _(
                "theo quy tắc tạm dừng và tính tiếp, đã dùng %(used)s trước khi tạm dừng, còn "
                "lại %(left)s tính tiếp khi nhận đủ hồ sơ"
            ) % {"used": days_text(used), "left": days_text(left)}
        else:
            rule = _(
                "theo quy tắc tính lại từ đầu, khi nhận đủ hồ sơ toàn bộ thời hạn %(limit)s "
                "được tính lại"
            ) % {"limit": days_text(limit)}
        return [
            _(
                "%(asked)s; đang chờ nhận đủ hồ sơ: thời hạn dừng, chưa có hạn giải quyết (%(rule)s)."
            )
            % {"asked": asked, "rule": rule}
        ]
    start, why = _moved_or_not(calendar, resubmitted)
    received = _("nhận đủ hồ sơ lúc %(at)s") % {"at": format_moment(resubmitted, weekday=True)}
    if why is not None:
        received += _(" (%(why)s)") % {"why": why}
    if pause:
        rule = _(
            "Theo quy tắc tạm dừng và tính tiếp: đã dùng %(used)s trước khi tạm dừng, còn lại "
            "%(left)s, tính tiếp từ %(start)s."
        ) % {
            "used": days_text(used),
            "left": days_text(left),
            "start": format_moment(start, weekday=True),
        }
    else:
        rule = _(
            "Theo quy tắc tính lại từ đầu, toàn bộ thời hạn %(limit)s được tính lại từ khi nhận "
            "đủ hồ sơ: từ %(start)s."
        ) % {"limit": days_text(limit), "start": format_moment(start, weekday=True)}
    return [f"{asked}; {received}.", rule]


def _running_spans(calendar, dossier) -> list[tuple[dt.date, dt.date]]:
    """The local days over which the clock ran up to the due time (waits left out)."""
    if dossier.due_at is None:
        return []
    due_day = local_moment(dossier.due_at).date()
    received = clock_start(calendar, dossier.received_at).date()
    if dossier.supplement_requested_at is None or dossier.resubmitted_at is None:
        return [(received, due_day)]
    resumed = clock_start(calendar, dossier.resubmitted_at).date()
    spans = [(resumed, due_day)]
    if dossier.supplement_rule == SupplementRule.PAUSE:
        spans.insert(0, (received, local_moment(dossier.supplement_requested_at).date()))
    return spans


def _calendar_sentences(calendar, dossier) -> list[str]:
    """The public holidays, official make-up days and overrides crossed while the clock ran."""
    language = get_language() or "vi"
    days = []
    for first, last in _running_spans(calendar, dossier):
        day = first
        while day <= last:
            if day not in days:
                days.append(day)
            day += dt.timedelta(days=1)
    holidays, make_up, overrides = [], [], []
    for day in days:
        info = calendar.day_info(day, language=language)
        if info.override is not None:
            overrides.append(info)
        elif info.holiday and not info.working:
            holidays.append(f"{format_day(day)} ({info.holiday})")
        elif info.make_up and info.working:
            make_up.append(format_day_long(day))
    sentences = []
    if (holidays or make_up or overrides) and dossier.calendar_version != calendar.version:
        sentences.append(
            _(
                "Lịch làm việc đã thay đổi sau khi tính hạn; các ngày nghỉ, ngày làm bù và điều "
                "chỉnh dưới đây theo lịch hiện hành."
            )
        )
    if holidays:
        sentences.append(
            _("Không tính các ngày nghỉ lễ: %(days)s.") % {"days": ", ".join(holidays)}
        )
    if make_up:
        sentences.append(_("Có tính ngày làm bù: %(days)s.") % {"days": ", ".join(make_up)})
    for info in overrides:
        override = info.override
        document = override.document_number
        if override.document_date:
            document = _("%(number)s ngày %(date)s") % {
                "number": document,
                "date": format_day(override.document_date),
            }
        sentence = (
            _("Theo điều chỉnh lịch làm việc, %(day)s là ngày làm việc, có tính")
            if override.worked
            else _("Theo điều chỉnh lịch làm việc, %(day)s là ngày nghỉ, không tính")
        ) % {"day": format_day_long(info.date)}
        details = [part for part in (override.reason, document) if part]
        if details:
            sentence += f" ({'; '.join(details)})"
        sentences.append(sentence + ".")
    return sentences


def _result_sentences(calendar, dossier, now) -> list[str]:
    due = dossier.due_at
    if dossier.state == DossierState.WITHDRAWN:
        return [
            _("Rút hồ sơ lúc %(at)s: không xếp loại, không tính vào tỷ lệ đúng hạn.")
            % {"at": format_moment(dossier.resolved_at, weekday=True)}
        ]
    if dossier.state in (DossierState.RESOLVED, DossierState.REFUSED):
        at = format_moment(dossier.resolved_at, weekday=True)
        if dossier.state == DossierState.REFUSED:
            head = _("Từ chối giải quyết lúc %(at)s (tính là đã giải quyết)") % {"at": at}
        else:
            head = _("Trả kết quả lúc %(at)s") % {"at": at}
        if due is None:
            verdict = _("%(head)s khi đang chờ bổ sung hồ sơ, thời hạn đang dừng: %(timing)s.") % {
                "head": head,
                "timing": str(Timing(dossier.timing).label).lower(),
            }
        elif dossier.timing == Timing.EARLY:
            verdict = _("%(head)s, trước ngày hạn %(day)s: trước hạn.") % {
                "head": head,
                "day": format_day(local_moment(due).date()),
            }
        elif dossier.timing == Timing.ON_TIME:
            verdict = _("%(head)s, trong ngày hạn, không muộn hơn %(due)s: đúng hạn.") % {
                "head": head,
                "due": format_moment(due, weekday=True),
            }
        else:
            verdict = _("%(head)s, sau hạn %(due)s: quá hạn.") % {
                "head": head,
                "due": format_moment(due, weekday=True),
            }
        sentences = [verdict]
        if dossier.processing_days is not None:
            sentences.append(
                _("Thời gian xử lý: %(days)s.") % {"days": days_text(dossier.processing_days)}
            )
        return sentences
    if due is None:
        return []  # waiting for the supplement: said above
    now = now or timezone.now()
    if now > due:
        return [
            _("Chưa trả kết quả: tính đến %(now)s đã quá hạn.")
            % {"now": format_moment(now, weekday=True)}
        ]
    left = calendar.working_days_between(now, due)
    return [
        _("Chưa trả kết quả: tính đến %(now)s còn %(left)s đến hạn.")
        % {"now": format_moment(now, weekday=True), "left": days_text(left)}
    ]


def _appointment_sentence(calendar, dossier) -> list[str]:
    if not dossier.due_mismatch or dossier.appointment_at is None:
        return []
    local = local_moment(dossier.appointment_at)
    appointment = (
        format_day(local.date())
        if local.time() == dt.time(0, 0)
        else format_moment(dossier.appointment_at, weekday=True)
    )
    return [
        _("Ngày hẹn trả ghi trong hệ thống một cửa (%(appointment)s) khác hạn tính được (%(due)s).")
        % {"appointment": appointment, "due": format_moment(dossier.due_at, weekday=True)}
    ]


def _version_sentences(calendar, dossier) -> list[str]:
    if dossier.calendar_version == calendar.version:
        return [
            _("Hạn được tính theo lịch làm việc hiện hành (phiên bản %(version)s).")
            % {"version": dossier.calendar_version}
        ]
    sentences = [
        _(
            "Hạn được tính theo lịch làm việc phiên bản %(version)s; lịch hiện hành là phiên bản "
            "%(current)s."
        )
        % {"version": dossier.calendar_version, "current": calendar.version}
    ]
    supplements = []
    if dossier.supplement_requested_at is not None:
        supplements = [(dossier.supplement_requested_at, dossier.resubmitted_at)]
    today = compute(
        calendar,
        received_at=dossier.received_at,
        limit_days=Decimal(dossier.limit_days),
        rule=dossier.supplement_rule,
        supplements=supplements,
        resolved_at=dossier.resolved_at,
        outcome=dossier.outcome,
    )
    if today.due_at != dossier.due_at or (today.timing or "") != dossier.timing:
        sentences.append(
            _(
                "Theo lịch hiện hành hạn sẽ là %(due)s; cần yêu cầu tính lại hạn giải quyết để "
                "áp dụng."
            )
            % {"due": format_moment(today.due_at, weekday=True)}
        )
    else:
        sentences.append(
            _(
                "Theo lịch hiện hành hạn không đổi; yêu cầu tính lại hạn giải quyết sẽ ghi nhận "
                "phiên bản mới."
            )
        )
    return sentences


def clock_explanation(
    dossier: Dossier, calendar: WorkingCalendar | None = None, *, now: dt.datetime | None = None
) -> list[str]:
    """Each clock decision of ``dossier`` as a plain sentence, in order: the limit in force on
    the receipt day; where the clock started (and why it moved); the supplement rule applied;
    the holidays, make-up days and overrides crossed while it ran; the due time; the extension;
    the result (or pending / overdue at ``now``); the source's differing appointment; the
    calendar version (and whether a recomputation is needed). ``calendar``: today's by default.
    """
    calendar = calendar or get_calendar()
    sentences = _limit_sentences(dossier)
    sentences.append(_receipt_sentence(calendar, dossier))
    sentences += _supplement_sentences(calendar, dossier)
    sentences += _calendar_sentences(calendar, dossier)
    if dossier.due_at is not None:
        sentences.append(
            _("Hạn giải quyết: %(due)s.") % {"due": format_moment(dossier.due_at, weekday=True)}
        )
    if dossier.extended_at is not None:
        sentences.append(
            _(
                "Đã gửi thư xin lỗi lúc %(at)s, hẹn trả lại %(new)s (chỉ được gia hạn một lần); "
                "hồ sơ vẫn được đánh giá theo hạn ban đầu %(due)s."
            )
            % {
                "at": format_moment(dossier.extended_at, weekday=True),
                "new": format_moment(dossier.extended_due_at, weekday=True),
                "due": format_moment(dossier.due_at, weekday=True),
            }
        )
    sentences += _result_sentences(calendar, dossier, now)
    sentences += _appointment_sentence(calendar, dossier)
    sentences += _version_sentences(calendar, dossier)
    return sentences
