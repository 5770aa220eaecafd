"""The inputs of a management review (ISO 9001 clause 9.3.2), compiled for an agency and its
units over the review's period, as of a day: (a) the status of actions from previous reviews,
(b) internal audits and external inspections, (c) complaints and feedback, (d) nonconformities
and corrective actions, (e) the review of procedures, (f) risks and opportunities, (g) quality
objectives and on-time performance (asked of the apps that answer the core's questions).

The result is plain JSON (titles, facts as label/value pairs, items as lines) so that a held
review stores it as it was (``ManagementReview.inputs``) and the page and the minutes render it
without asking the data again. Records dated after the as-of day are left out."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import (
    Audit,
    AuditState,
    Complaint,
    CorrectiveAction,
    ExternalInspection,
    Finding,
    FindingKind,
    FindingSource,
    FindingState,
    InspectionState,
    ManagementReview,
    ReviewState,
    Risk,
    RiskState,
)
from audits.selectors_actions import overdue_q
from audits.selectors_complaints import subtree_on_time_counts
from audits.selectors_register import level_label
from qms import providers
from qms.display import format_day
from qms.formats.numbers import format_percent
from qms.models import Agency
from qms.models.agencies import subtree_q

TOP_RISKS = 5


def _pct(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return format_percent(part / whole, 1, ratio=True)


def _section(key: str, title: str, facts=(), items=(), empty: str = "") -> dict:
    return {
        "key": key,
        "title": title,
        "facts": [[str(label), str(value)] for label, value in facts],
        "items": [str(item) for item in items],
        "empty": empty,
    }


def _by(field: str, as_of) -> Q:
    """``field`` (a moment) fell on or before the day ``as_of``."""
    return Q(**{f"{field}__date__lte": as_of})


def _finding_state_as_of(finding: Finding, as_of) -> str:
    """The finding's state that day: closed only if it was closed by then (a finding closed
    later was still waiting for its actions or its response)."""
    if finding.closed_at is not None and timezone.localdate(finding.closed_at) <= as_of:
        return FindingState.CLOSED
    if finding.state != FindingState.CLOSED:
        return finding.state
    return (
        FindingState.ACTION_REQUIRED
        if finding.kind in (FindingKind.MAJOR_NC, FindingKind.MINOR_NC)
        else FindingState.OPEN
    )


def _finding_line(finding: Finding, as_of) -> str:
    return _("%(code)s – %(kind)s – %(state)s: %(text)s") % {
        "code": finding.code,
        "kind": FindingKind(finding.kind).label,
        "state": FindingState(_finding_state_as_of(finding, as_of)).label,
        "text": finding.description[:160],
    }


def _previous_reviews(agency: Agency, start, as_of) -> dict:
    findings = list(
        Finding.objects.filter(
            subtree_q([agency.path], "agency__path"),
            source=FindingSource.MANAGEMENT_REVIEW,
            raised_on__lt=start,
            raised_on__lte=as_of,
        )
        .select_related("management_review")
        .annotate(
            actions_total=Count("actions", filter=_by("actions__created_at", as_of), distinct=True),
            actions_closed=Count("actions", filter=_by("actions__closed_at", as_of), distinct=True),
        )
        .order_by("raised_on", "pk")
    )
    still_open = [f for f in findings if _finding_state_as_of(f, as_of) != FindingState.CLOSED]
    items = []
    for f in findings:
        line = _finding_line(f, as_of)
        if f.actions_total:
            line += " " + _("(hành động khắc phục: %(closed)d/%(total)d đã đóng)") % {
                "closed": f.actions_closed,
                "total": f.actions_total,
            }
        items.append(line)
    return _section(
        "previous_reviews",
        _("a) Tình trạng các hành động từ lần xem xét trước"),
        facts=[
            (_("Vấn đề đã nêu ở các lần xem xét trước"), len(findings)),
            (_("Chưa đóng"), len(still_open)),
        ],
        items=items,
        empty=_("Các lần xem xét trước không nêu vấn đề nào cần hành động."),
    )


def _audits(agency: Agency, start, end, as_of) -> dict:
    audits = list(
        Audit.objects.filter(
            subtree_q([agency.path], "agency__path"),
            planned_start__gte=start,
            planned_start__lte=min(end, as_of),
        )
        .annotate(
            majors=Count(
                "findings",
                filter=Q(findings__kind=FindingKind.MAJOR_NC, findings__raised_on__lte=as_of),
            ),
            minors=Count(
                "findings",
                filter=Q(findings__kind=FindingKind.MINOR_NC, findings__raised_on__lte=as_of),
            ),
            others=Count(
                "findings",
                filter=Q(
                    findings__kind__in=[FindingKind.OBSERVATION, FindingKind.OPPORTUNITY],
                    findings__raised_on__lte=as_of,
                ),
            ),
        )
        .select_related("agency")
        .order_by("planned_start", "pk")
    )
    done = [a for a in audits if a.state in (AuditState.REPORTED, AuditState.CLOSED)]
    items = [
        _(
            "%(code)s – %(auditee)s (%(day)s), %(state)s: %(majors)d không phù hợp nặng, "
            "%(minors)d không phù hợp nhẹ, %(others)d khuyến nghị và cơ hội cải tiến"
        )
        % {
            "code": a.code,
            "auditee": a.agency.name,
            "day": format_day(a.planned_start),
            "state": AuditState(a.state).label,
            "majors": a.majors,
            "minors": a.minors,
            "others": a.others,
        }
        for a in audits
    ]
    return _section(
        "audits",
        _("b) Kết quả đánh giá nội bộ"),
        facts=[
            (_("Cuộc đánh giá trong kỳ"), len(audits)),
            (_("Đã thực hiện (đã báo cáo hoặc đã đóng)"), len(done)),
            (_("Không phù hợp nặng"), sum(a.majors for a in audits)),
            (_("Không phù hợp nhẹ"), sum(a.minors for a in audits)),
        ],
        items=items,
        empty=_("Không có cuộc đánh giá nội bộ nào trong kỳ."),
    )


def _inspections(agency: Agency, start, end, as_of) -> dict:
    inspections = list(
        ExternalInspection.objects.filter(
            subtree_q([agency.path], "agency__path"),
            inspected_on__gte=start,
            inspected_on__lte=min(end, as_of),
        )
        .annotate(n_findings=Count("findings", filter=Q(findings__raised_on__lte=as_of)))
        .select_related("agency")
        .order_by("inspected_on", "pk")
    )
    items = []
    for i in inspections:
        if i.state == InspectionState.REPORTED and i.reported_on and i.reported_on <= as_of:
            status = _("đã gửi báo cáo khắc phục ngày %(day)s") % {"day": format_day(i.reported_on)}
        else:
            status = _("hạn báo cáo khắc phục %(day)s") % {"day": format_day(i.report_due_on)}
        items.append(
            _("%(body)s kiểm tra %(agency)s ngày %(day)s: %(n)d phát hiện, %(status)s")
            % {
                "body": i.inspecting_body,
                "agency": i.agency.name,
                "day": format_day(i.inspected_on),
                "n": i.n_findings,
                "status": status,
            }
        )
    return _section(
        "inspections",
        _("b) Kết quả kiểm tra của cơ quan có thẩm quyền"),
        facts=[(_("Đợt kiểm tra trong kỳ"), len(inspections))],
        items=items,
        empty=_("Không có đợt kiểm tra nào trong kỳ."),
    )


def _complaints(agency: Agency, start, end, as_of) -> dict:
    counts = subtree_on_time_counts(agency, start, min(end, as_of), today=as_of)
    answered = counts["on_time"] + counts["late"]
    # Received and still unanswered as of that day (answered or withdrawn later: still open).
    unanswered = Q(received_on__lte=as_of) & (
        Q(answered_on__isnull=True) | Q(answered_on__gt=as_of)
    )
    mine = Complaint.objects.filter(subtree_q([agency.path], "agency__path")).aggregate(
        received=Count("pk", filter=Q(received_on__gte=start, received_on__lte=min(end, as_of))),
        unanswered=Count("pk", filter=unanswered),
        overdue=Count("pk", filter=unanswered & Q(due_on__lt=as_of)),
    )
    return _section(
        "complaints",
        _("c) Khiếu nại, phản ánh và sự hài lòng của người dân"),
        facts=[
            (_("Tiếp nhận trong kỳ"), mine["received"]),
            (_("Đã trả lời trong kỳ"), answered),
            (_("Trả lời đúng hạn"), counts["on_time"]),
            (_("Trả lời trễ hạn"), counts["late"]),
            (_("Tỷ lệ trả lời đúng hạn"), _pct(counts["on_time"], answered)),
            (_("Chưa trả lời"), mine["unanswered"]),
            (_("Chưa trả lời, đã quá hạn"), mine["overdue"]),
        ],
    )


def _actions(agency: Agency, start, end, as_of) -> dict:
    findings = Finding.objects.filter(
        subtree_q([agency.path], "agency__path"), raised_on__lte=as_of
    )
    nc = findings.filter(kind__in=[FindingKind.MAJOR_NC, FindingKind.MINOR_NC])
    actions = CorrectiveAction.objects.filter(
        subtree_q([agency.path], "finding__agency__path"), finding__raised_on__lte=as_of
    )
    # As the actions' selectors derive it (``overdue_q``: not yet implemented and past the due
    # date), on that day: an action implemented or closed later was still undone then.
    closed_by = _by("closed_at", as_of)
    open_then = _by("created_at", as_of) & ~closed_by
    overdue_then = open_then & (
        overdue_q(as_of) | Q(due_date__lt=as_of, implemented_at__date__gt=as_of)
    )
    overdue = list(
        actions.filter(overdue_then)
        .select_related("finding", "owner")
        .order_by("due_date", "pk")[:20]
    )
    counts = actions.aggregate(
        open=Count("pk", filter=open_then),
        overdue=Count("pk", filter=overdue_then),
        closed=Count(
            "pk",
            filter=Q(closed_at__date__gte=start, closed_at__date__lte=min(end, as_of)),
        ),
    )
    items = [
        _("%(finding)s: %(plan)s – hạn %(day)s")
        % {
            "finding": a.finding.code,
            "plan": (a.plan or a.correction or "")[:120],
            "day": format_day(a.due_date),
        }
        for a in overdue
    ]
    return _section(
        "actions",
        _("d) Sự không phù hợp và hành động khắc phục"),
        facts=[
            (_("Không phù hợp ghi nhận trong kỳ"), nc.filter(raised_on__gte=start).count()),
            (
                _("Không phù hợp chưa đóng"),
                nc.filter(~Q(state=FindingState.CLOSED) | Q(closed_at__date__gt=as_of)).count(),
            ),
            (_("Hành động khắc phục đang thực hiện"), counts["open"]),
            (_("Hành động khắc phục quá hạn"), counts["overdue"]),
            (_("Hành động khắc phục đã đóng trong kỳ"), counts["closed"]),
        ],
        items=items,
        empty=_("Không có hành động khắc phục quá hạn."),
    )


def _documents(agency: Agency, as_of) -> dict:
    from documents.models import ProcedureReview, ReviewOutcome
    from documents.selectors_review import DUE_SOON_DAYS, reviews_in_force

    reviews = reviews_in_force(
        # Opened by that day and not yet concluded then.
        ProcedureReview.objects.filter(
            subtree_q([agency.path], "procedure__agency__path"),
            Q(outcome=ReviewOutcome.OPEN) | Q(closed_at__date__gt=as_of),
            created_at__date__lte=as_of,
        ),
        as_of,
    )
    soon = as_of + datetime.timedelta(days=DUE_SOON_DAYS)
    overdue = list(
        reviews.filter(due_on__lt=as_of).select_related("procedure").order_by("due_on", "pk")[:20]
    )
    return _section(
        "documents",
        _("e) Tình trạng rà soát quy trình"),
        facts=[
            (_("Quy trình đang chờ rà soát"), reviews.count()),
            (
                _("Đến hạn trong %(days)d ngày") % {"days": DUE_SOON_DAYS},
                reviews.filter(due_on__gte=as_of, due_on__lte=soon).count(),
            ),
            (_("Quá hạn rà soát"), reviews.filter(due_on__lt=as_of).count()),
        ],
        items=[
            _("%(code)s %(title)s – hạn rà soát %(day)s")
            % {
                "code": r.procedure.code,
                "title": r.procedure.title,
                "day": format_day(r.due_on),
            }
            for r in overdue
        ],
        empty=_("Không có quy trình quá hạn rà soát."),
    )


def _risks(agency: Agency, as_of) -> dict:
    risks = list(
        Risk.objects.filter(
            subtree_q([agency.path], "agency__path"),
            Q(state=RiskState.OPEN) | Q(closed_on__gt=as_of),
            created_at__date__lte=as_of,
        ).select_related("agency")
    )
    risks.sort(key=lambda r: (-r.score, r.pk))
    levels: dict[str, int] = {}
    for r in risks:
        label = level_label(r.score)
        levels[label] = levels.get(label, 0) + 1
    return _section(
        "risks",
        _("f) Rủi ro và cơ hội"),
        facts=[(_("Đang theo dõi"), len(risks))]
        + [(_("Mức %(level)s") % {"level": label}, n) for label, n in levels.items()],
        items=[
            _("%(title)s (%(kind)s, điểm %(score)d): %(treatment)s")
            % {
                "title": r.title,
                "kind": r.get_kind_display(),
                "score": r.score,
                "treatment": r.treatment[:160],
            }
            for r in risks[:TOP_RISKS]
        ],
        empty=_("Không có rủi ro, cơ hội nào đang theo dõi."),
    )


def _value(answer, key):
    if isinstance(answer, dict):
        return answer.get(key)
    return getattr(answer, key, None)


def _performance(agency: Agency, start, end, as_of) -> dict:
    no_data = _("Chưa có số liệu")
    facts = []
    performance = providers.ask_first(providers.ON_TIME_PERFORMANCE, agency, start, min(end, as_of))
    if performance is None:
        facts.append((_("Tỷ lệ giải quyết hồ sơ đúng hạn"), no_data))
    else:
        resolved = _value(performance, "resolved") or 0
        timely = (_value(performance, "early") or 0) + (_value(performance, "on_time") or 0)
        facts += [
            (_("Hồ sơ đã giải quyết"), resolved),
            (_("Sớm và đúng hạn"), timely),
            (_("Trễ hạn"), _value(performance, "late") or 0),
            (_("Tỷ lệ giải quyết hồ sơ đúng hạn"), _pct(timely, resolved)),
            (_("Chưa giải quyết, đã quá hạn"), _value(performance, "pending_overdue") or 0),
        ]
    objectives = providers.ask_first(providers.QUALITY_OBJECTIVES, agency, start, min(end, as_of))
    items = []
    if objectives is None:
        facts.append((_("Mục tiêu chất lượng"), no_data))
    else:
        met = {True: _("đạt"), False: _("không đạt"), None: _("chưa đánh giá")}
        for objective in objectives:
            unit = _value(objective, "unit") or ""
            actual = _value(objective, "actual")
            items.append(
                _("%(name)s: chỉ tiêu %(target)s, thực hiện %(actual)s – %(met)s")
                % {
                    "name": _value(objective, "name"),
                    "target": _value(objective, "target"),
                    "actual": f"{actual} {unit}" if unit else actual,
                    "met": met[_value(objective, "met")],
                }
            )
        facts.append((_("Mục tiêu chất lượng"), len(items)))
    return _section(
        "performance",
        _("g) Mục tiêu chất lượng và kết quả giải quyết thủ tục hành chính"),
        facts=facts,
        items=items,
    )


def review_inputs(
    agency: Agency, start: datetime.date, end: datetime.date, as_of: datetime.date
) -> dict:
    """The inputs of 9.3.2 for ``agency`` and its units over [start, end], as of ``as_of``."""
    return {
        "as_of": as_of.isoformat(),
        "sections": [
            _previous_reviews(agency, start, as_of),
            _audits(agency, start, end, as_of),
            _inspections(agency, start, end, as_of),
            _complaints(agency, start, end, as_of),
            _actions(agency, start, end, as_of),
            _documents(agency, as_of),
            _risks(agency, as_of),
            _performance(agency, start, end, as_of),
        ],
    }


def inputs_of(review: ManagementReview, today: datetime.date | None = None) -> dict:
    """The review's inputs: frozen as they were when it was held, else compiled now."""
    if review.state == ReviewState.HELD and review.inputs:
        return review.inputs
    today = today or timezone.localdate()
    return review_inputs(review.agency, review.period_start, review.period_end, today)


def last_held(agency: Agency) -> ManagementReview | None:
    return (
        ManagementReview.objects.filter(agency=agency, state=ReviewState.HELD)
        .order_by("-held_on", "-pk")
        .first()
    )
