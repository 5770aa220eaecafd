"""The data tables of the dashboard's charts (reads only), one function per chart:
``(filter: DashboardFilter, now: datetime) -> ChartTable``.

Every figure is read for the filter's node and its subtree across the 2025 reform
(``reporting_bodies(...).scope_q()``: merged and renamed bodies' records count in their
successor, nothing twice). Dossier figures come from the day summaries (``DailySummary``) with
the filter's field and channel (``filter.dossier_q()``); rates divide once (Σ/Σ). Records that are
not dossiers (steps of the process-control sheets, findings, corrective actions, procedures) are
counted for the node whatever the channel (the steps also by field and channel, through their
dossier). A fixed number of queries per chart, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qms.collation import vi_sort_key
from qms.display import format_day
from qms.models import AdministrativeProcedure, Agency

from ..models import DailySummary, Dossier, DossierStep
from ..models.dashboard import DEFAULT_THRESHOLDS, ScorecardMeasure, ScorecardThreshold
from ..models.dossiers import Timing
from ..models.objectives import ObjectiveMetric, QualityObjective
from ..selectors import period_end
from ..selectors_bodies import Bodies, reporting_bodies
from .table import ChartTable

TREND_MONTHS = 12
PARETO_TOP = 15
BOTTLENECK_TOP = 15
AGE_BANDS = ((0, 30), (31, 60), (61, 90), (91, None))


def _ratio(part, whole) -> Decimal | None:
    return Decimal(part) / Decimal(whole) if whole else None


def month_label(first: dt.date) -> str:
    return f"{first:%m/%Y}"


def trend_months(end: dt.date, count: int = TREND_MONTHS) -> list[dt.date]:
    """The first days of the ``count`` months ending with the month of ``end``."""
    index = end.year * 12 + end.month - 1
    return [
        dt.date((index - back) // 12, (index - back) % 12 + 1, 1)
        for back in range(count - 1, -1, -1)
    ]


def _summaries(f, bodies: Bodies, start: dt.date, end: dt.date):
    return DailySummary.objects.filter(
        bodies.scope_q(), f.dossier_q(), day__gte=start, day__lte=end
    )


def _today(now: dt.datetime) -> dt.date:
    return timezone.localdate(now)


# --- Dossiers --------------------------------------------------------------------------------


def _objective_on(objectives, day: dt.date):
    for objective in objectives:
        if objective.valid_from <= day and (
            objective.valid_until is None or objective.valid_until >= day
        ):
            return objective
    return None


def _threshold_target() -> Decimal:
    threshold = ScorecardThreshold.objects.filter(measure=ScorecardMeasure.ON_TIME_MONTH).first()
    if threshold is not None:
        return Decimal(threshold.green) / 100
    return Decimal(DEFAULT_THRESHOLDS[ScorecardMeasure.ON_TIME_MONTH][0]) / 100


def on_time_target(agency: Agency, day: dt.date) -> tuple[Decimal, str]:
    """The on-time target of ``agency`` on ``day`` as a fraction, and where it comes from
    ("objective" or "threshold"): the node's quality objective on the on-time rate (every TTHC)
    in force that day, else the green threshold of the scorecard's monthly on-time rate."""
    objective = _objective_on(_objectives(agency, day), day)
    if objective is not None:
        return objective.target / 100, "objective"
    return _threshold_target(), "threshold"


def _objectives(agency: Agency, until: dt.date) -> list[QualityObjective]:
    return list(
        QualityObjective.objects.filter(
            agency=agency,
            metric=ObjectiveMetric.ON_TIME_RATE,
            procedure__isnull=True,
            valid_from__lte=until,
        ).order_by("-valid_from", "-pk")
    )


def on_time_trend(f, now) -> ChartTable:
    months = trend_months(f.end)
    first = months[0]
    bodies = reporting_bodies(f.agency, first, f.end)
    found = {
        row["month"]: row
        for row in _summaries(f, bodies, first, f.end)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(resolved=Sum("resolved"), good=Sum(F("early") + F("on_time")), late=Sum("late"))
        .order_by()
    }
    found = {(m.date() if isinstance(m, dt.datetime) else m): row for m, row in found.items()}
    objectives = _objectives(f.agency, f.end)
    threshold = None
    rows, sources = [], set()
    for month in months:
        objective = _objective_on(objectives, min(period_end("month", month), f.end))
        if objective is not None:
            target, source = objective.target / 100, "objective"
        else:
            if threshold is None:
                threshold = _threshold_target()
            target, source = threshold, "threshold"
        sources.add(source)
        row = found.get(month, {})
        resolved = row.get("resolved") or 0
        good = row.get("good") or 0
        rows.append(
            [
                month_label(month),
                resolved,
                good,
                row.get("late") or 0,
                _ratio(good, resolved),
                target,
            ]
        )
    note = _(
        "Tỷ lệ đúng hạn = (trước hạn + đúng hạn) / đã giải quyết trong tháng, cộng các đơn vị "
        "rồi mới chia. Mục tiêu: %(source)s."
    ) % {
        "source": _("mục tiêu chất lượng của cơ quan về tỷ lệ đúng hạn")
        if sources == {"objective"}
        else _(
            "mục tiêu chất lượng của cơ quan, tháng không có mục tiêu lấy ngưỡng xanh của bảng điểm"
        )
        if "objective" in sources
        else _("ngưỡng xanh của bảng điểm (cơ quan chưa đặt mục tiêu chất lượng)")
    }
    return ChartTable(
        key="on_time_trend",
        title=_("Tỷ lệ giải quyết đúng hạn theo tháng"),
        headings=[
            _("Tháng"),
            _("Đã giải quyết"),
            _("Trước hạn và đúng hạn"),
            _("Quá hạn"),
            _("Tỷ lệ đúng hạn"),
            _("Mục tiêu"),
        ],
        kinds=["text", "count", "count", "count", "rate", "rate"],
        rows=rows,
        note=note,
    )


def ranking(f, now) -> ChartTable:
    bodies = reporting_bodies(f.agency, f.start, f.end)
    sums: dict = {}
    for row in (
        _summaries(f, bodies, f.start, f.end)
        .values("agency_id")
        .annotate(resolved=Sum("resolved"), good=Sum(F("early") + F("on_time")))
        .order_by()
    ):
        body = bodies.row_of(row["agency_id"])
        if body is None:
            continue
        totals = sums.setdefault(body.key, [0, 0])
        totals[0] += row["resolved"] or 0
        totals[1] += row["good"] or 0
    ranked = []
    for body in bodies.rows:
        resolved, good = sums.get(body.key, (0, 0))
        if resolved:
            ranked.append((body, resolved, good, _ratio(good, resolved)))
    ranked.sort(key=lambda r: (-r[3], vi_sort_key(r[0].label)))
    page = reverse("indicators_charts")
    return ChartTable(
        key="ranking",
        title=_("Xếp hạng đơn vị theo tỷ lệ giải quyết đúng hạn"),
        headings=[
            _("Cơ quan, đơn vị"),
            _("Đã giải quyết"),
            _("Trước hạn và đúng hạn"),
            _("Tỷ lệ đúng hạn"),
        ],
        kinds=["text", "count", "count", "rate"],
        rows=[[body.label, resolved, good, rate] for body, resolved, good, rate in ranked],
        note=_(
            "Mỗi đơn vị gồm các đơn vị trực thuộc; cơ quan, đơn vị đã sáp nhập hoặc đổi tên tính "
            "vào đơn vị kế thừa. Chỉ các đơn vị có hồ sơ giải quyết trong kỳ."
        ),
        links=["" if body.own else f"{page}?{f.query(agency=body.agency)}" for body, *_r in ranked],
    )


def late_pareto(f, now) -> ChartTable:
    bodies = reporting_bodies(f.agency, f.start, f.end)
    counts = {
        row["procedure_id"]: row["late"]
        for row in _summaries(f, bodies, f.start, f.end)
        .values("procedure_id")
        .annotate(late=Sum("late"))
        .filter(late__gt=0)
        .order_by()
    }
    names = {
        p.pk: f"{p.code} – {p.name}"
        for p in AdministrativeProcedure.objects.filter(pk__in=counts).only("code", "name")
    }
    ordered = sorted(counts.items(), key=lambda item: (-item[1], vi_sort_key(names[item[0]])))
    total = sum(counts.values())
    shown = ordered[:PARETO_TOP]
    entries = [(names[pk], late) for pk, late in shown]
    rest = ordered[PARETO_TOP:]
    if rest:
        entries.append(
            (
                _("Các thủ tục khác (%(count)d thủ tục)") % {"count": len(rest)},
                sum(late for _pk, late in rest),
            )
        )
    rows, running = [], 0
    for label, late in entries:
        running += late
        rows.append([label, late, _ratio(late, total), _ratio(running, total)])
    return ChartTable(
        key="late_pareto",
        title=_("Thủ tục hành chính có nhiều hồ sơ quá hạn nhất"),
        headings=[
            _("Thủ tục hành chính"),
            _("Hồ sơ quá hạn"),
            _("Tỷ trọng"),
            _("Tỷ trọng cộng dồn"),
        ],
        kinds=["text", "count", "rate", "rate"],
        rows=rows,
        note=_("Hồ sơ giải quyết quá hạn trong kỳ (theo ngày trả kết quả), nhiều nhất trước."),
    )


def bottleneck(f, now) -> ChartTable:
    bodies = reporting_bodies(f.agency, f.start, f.end)
    steps = DossierStep.objects.filter(
        bodies.scope_q(), received_on__gte=f.start, received_on__lte=f.end
    )
    if f.field:
        steps = steps.filter(procedure__field=f.field)
    if f.channel:
        steps = steps.filter(dossier_id__in=Dossier.objects.filter(channel=f.channel).values("pk"))
    found = list(
        steps.values("agency_id", "unit")
        .annotate(
            measured=Count("pk", filter=~Q(timing="")),
            late=Count("pk", filter=Q(timing=Timing.LATE)),
            overrun=Sum("overrun_days", filter=Q(timing=Timing.LATE)),
        )
        .filter(late__gt=0)
        .order_by()
    )
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in={r["agency_id"] for r in found})}
    entries = []
    for row in found:
        agency = agencies[row["agency_id"]]
        label = f"{row['unit']} ({agency.name})"
        overrun = Decimal(str(row["overrun"] or 0))
        entries.append(
            [label, row["measured"], row["late"], overrun, _ratio(row["late"], row["measured"])]
        )
    entries.sort(key=lambda r: (-r[2], -r[3], vi_sort_key(r[0])))
    return ChartTable(
        key="bottleneck",
        title=_("Đơn vị, bộ phận làm hồ sơ bị chậm (phiếu kiểm soát quá trình)"),
        headings=[
            _("Đơn vị, bộ phận xử lý"),
            _("Bước đã đánh giá"),
            _("Bước quá hạn"),
            _("Số ngày làm việc vượt (cộng)"),
            _("Tỷ lệ bước quá hạn"),
        ],
        kinds=["text", "count", "count", "days", "rate"],
        rows=entries[:BOTTLENECK_TOP],
        note=_(
            "Các bước xử lý của hồ sơ tiếp nhận trong kỳ, theo đơn vị, bộ phận nhận hồ sơ ở "
            "bước đó; số ngày vượt là thời gian đã dùng trừ thời gian được giao của các bước "
            "quá hạn. Nhiều bước quá hạn nhất trước (tối đa %(top)d dòng)."
        )
        % {"top": BOTTLENECK_TOP},
    )


def online_digitised(f, now) -> ChartTable:
    months = trend_months(f.end)
    first = months[0]
    bodies = reporting_bodies(f.agency, first, f.end)
    found = {}
    for row in (
        _summaries(f, bodies, first, f.end)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(received=Sum("received"), online=Sum("online"), digitised=Sum("digitised"))
        .order_by()
    ):
        month = row["month"]
        found[month.date() if isinstance(month, dt.datetime) else month] = row
    rows = []
    for month in months:
        row = found.get(month, {})
        received = row.get("received") or 0
        online = row.get("online") or 0
        digitised = row.get("digitised") or 0
        rows.append(
            [
                month_label(month),
                received,
                online,
                digitised,
                _ratio(online, received),
                _ratio(digitised, received),
            ]
        )
    return ChartTable(
        key="online_digitised",
        title=_("Tỷ lệ hồ sơ nộp trực tuyến và được số hóa theo tháng"),
        headings=[
            _("Tháng"),
            _("Tiếp nhận"),
            _("Nộp trực tuyến"),
            _("Được số hóa"),
            _("Tỷ lệ nộp trực tuyến"),
            _("Tỷ lệ số hóa"),
        ],
        kinds=["text", "count", "count", "count", "rate", "rate"],
        rows=rows,
        note=_("Hồ sơ tiếp nhận trong tháng (theo ngày tiếp nhận)."),
    )


# --- Quality records -----------------------------------------------------------------------


def findings_by_clause(f, now) -> ChartTable:
    from audits.models import Clause, Finding
    from audits.models.findings import FindingState

    bodies = reporting_bodies(f.agency, f.start, f.end)
    found = list(
        Finding.objects.filter(bodies.scope_q(), raised_on__gte=f.start, raised_on__lte=f.end)
        .values("clause_id")
        .annotate(total=Count("pk"), open=Count("pk", filter=~Q(state=FindingState.CLOSED)))
        .order_by()
    )
    clauses = {c.pk: c for c in Clause.objects.filter(pk__in={r["clause_id"] for r in found})}

    def order(row):
        clause = clauses.get(row["clause_id"])
        return (clause is None, clause.sort_key if clause else "")

    rows = []
    for row in sorted(found, key=order):
        clause = clauses.get(row["clause_id"])
        label = f"{clause.number} {clause.title}" if clause else _("Chưa gắn điều khoản")
        rows.append([label, row["total"], row["open"]])
    return ChartTable(
        key="findings_by_clause",
        title=_("Phát hiện đánh giá theo điều khoản ISO 9001"),
        headings=[_("Điều khoản"), _("Phát hiện trong kỳ"), _("Còn mở")],
        kinds=["text", "count", "count"],
        rows=rows,
        note=_(
            "Phát hiện (không phù hợp, khuyến nghị, cơ hội cải tiến) ghi nhận trong kỳ; “còn mở”: "
            "chưa đóng đến nay."
        ),
    )


def actions_by_age(f, now) -> ChartTable:
    from audits.models import CorrectiveAction
    from audits.models.actions import ActionState

    today = _today(now)
    bodies = reporting_bodies(f.agency, f.start, f.end)

    def since(days: int) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min)
        )

    band = Case(
        *[
            When(created_at__gte=since(high), then=Value(index))
            for index, (_low, high) in enumerate(AGE_BANDS)
            if high is not None
        ],
        default=Value(len(AGE_BANDS) - 1),
        output_field=IntegerField(),
    )
    states = [s for s in ActionState if s != ActionState.CLOSED]
    counts = {
        (row["band"], row["state"]): row["count"]
        for row in CorrectiveAction.objects.filter(bodies.scope_q("finding__agency__path"))
        .exclude(state=ActionState.CLOSED)
        .annotate(band=band)
        .values("band", "state")
        .annotate(count=Count("pk"))
        .order_by()
    }
    rows = []
    for index, (low, high) in enumerate(AGE_BANDS):
        label = (
            _("%(low)d–%(high)d ngày") % {"low": low, "high": high}
            if high is not None
            else _("Trên %(days)d ngày") % {"days": low - 1}
        )
        cells = [counts.get((index, state.value), 0) for state in states]
        rows.append([label, *cells, sum(cells)])
    if not any(row[-1] for row in rows):
        rows = []
    return ChartTable(
        key="actions_by_age",
        title=_("Hành động khắc phục chưa đóng theo tuổi và trạng thái"),
        headings=[_("Tuổi (từ ngày mở)"), *[str(s.label) for s in states], _("Cộng")],
        kinds=["text", *["count"] * len(states), "count"],
        rows=rows,
        note=_("Hành động khắc phục chưa đóng tính đến ngày %(day)s; tuổi tính từ ngày mở.")
        % {"day": format_day(today)},
    )


def document_review(f, now) -> ChartTable:
    from documents.models import ProcedureIssue, ProcedurePage
    from documents.selectors import in_force_on_q
    from documents.selectors_review import DUE_SOON_DAYS, due_q, open_reviews, overdue_q

    today = _today(now)
    bodies = reporting_bodies(f.agency, f.start, f.end)
    reviews = open_reviews(on_date=today).filter(procedure=OuterRef("pk"))
    in_force = ProcedureIssue.objects.filter(in_force_on_q(today)).values("procedure_id")
    counts: dict = {}
    for row in (
        ProcedurePage.objects.filter(bodies.scope_q(), pk__in=in_force)
        .annotate(
            overdue=Exists(reviews.filter(overdue_q(today))),
            due=Exists(reviews.filter(due_q(today))),
        )
        .values("agency_id", "overdue", "due")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        body = bodies.row_of(row["agency_id"])
        if body is None:
            continue
        status = 2 if row["overdue"] else 1 if row["due"] else 0
        cells = counts.setdefault(body.key, [0, 0, 0])
        cells[status] += row["count"]
    rows = []
    for body in bodies.rows:
        cells = counts.get(body.key)
        if cells and sum(cells):
            rows.append([body.label, *cells, sum(cells)])
    return ChartTable(
        key="document_review",
        title=_("Quy trình nội bộ theo tình trạng rà soát"),
        headings=[
            _("Cơ quan, đơn vị"),
            _("Trong hạn"),
            _("Sắp đến hạn rà soát"),
            _("Quá hạn rà soát"),
            _("Cộng"),
        ],
        kinds=["text", "count", "count", "count", "count"],
        rows=rows,
        note=_(
            "Quy trình đang có hiệu lực ngày %(day)s; sắp đến hạn: có yêu cầu rà soát đến hạn "
            "trong %(days)d ngày tới; quá hạn: có yêu cầu rà soát đã quá hạn."
        )
        % {"day": format_day(today), "days": DUE_SOON_DAYS},
    )


# --- The service index -------------------------------------------------------------------------


def service_index(f, now) -> ChartTable:
    """The body's service index (Decision 766/QĐ-TTg) and its five parts, from
    ``indicators.selectors_index.service_index`` (the body's whole: field and channel do not
    narrow it)."""
    from ..selectors_index import service_index as compute

    result = compute(f.agency, f.start, f.end, today=_today(now))
    rows = [
        [f"{group.number}. {group.name}", group.max_points, group.points, group.lost]
        for group in result.groups
    ]
    if result.groups:
        rows.append([_("Tổng cộng"), result.max_total, result.total, result.lost])
    scheme = result.scheme
    return ChartTable(
        key="service_index",
        title=_("Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)"),
        headings=[_("Nhóm chỉ số"), _("Điểm tối đa"), _("Điểm đạt"), _("Điểm bị mất")],
        kinds=["text", "points", "points", "points"],
        rows=rows,
        note=(
            _(
                "Tính theo bộ chỉ số %(scheme)s từ số liệu của hệ thống; chỉ tiêu nhập tay chưa "
                "nhập không được tính điểm và không bị trừ điểm."
            )
            % {"scheme": scheme.code}
            if scheme is not None
            else _("Chưa có bộ chỉ số áp dụng cho kỳ này.")
        ),
    )
