"""Reads of the on-time metrics (issue [7] item 5, DESIGN.md §5), from the summary tables.

``metrics(agency, start, end, group_by=…)`` answers, per node (with its subtree or alone), TTHC,
field, channel, or day / month / quarter / year: received, resolved (early, on time, late, of
which refused), the on-time rate, withdrawn, pending and pending overdue, the mean processing
working days and the 90th percentile, the supplement rate, the online and digitised shares.

- Counts are sums of the day rows of ``DailySummary`` (a dossier counts as received on its receipt
  day, as resolved or withdrawn on its result day). Rates divide once: Σ(early + on time) /
  Σ resolved, never an average of rates.
- The 90th percentile is the upper edge of the quarter-day bin of ``SummaryBin`` where the
  cumulative count reaches 90 % of the dossiers resolved in the group.
- Pending and pending overdue are read from the dossiers at query time (never stored): dossiers in
  a pending state received by ``end`` (for a time grouping: received in that period), overdue when
  their due time is before ``now``.

A fixed number of queries whatever the rows: the day rows, the bins and the pending dossiers, each
grouped in the database, the successions of the 2025 reform (a node's figures include the bodies
merged or renamed into it: ``selectors_bodies``), plus the nodes of the rows by agency, or the
names of the TTHC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qms.collation import vi_sort_key
from qms.display import format_day
from qms.models import AdministrativeProcedure, Agency
from qms.models.agencies import subtree_q

from .models import DailySummary, Dossier, SummaryBin
from .models.dossiers import PENDING_STATES, Channel

TOTAL, AGENCY, PROCEDURE, FIELD, CHANNEL = None, "agency", "procedure", "field", "channel"
DAY, MONTH, QUARTER, YEAR = "day", "month", "quarter", "year"
TIME_GROUPINGS = (DAY, MONTH, QUARTER, YEAR)
GROUPINGS = (TOTAL, AGENCY, PROCEDURE, FIELD, CHANNEL, *TIME_GROUPINGS)
GROUPING_LABELS = {
    TOTAL: gettext_lazy("Tổng hợp"),
    AGENCY: gettext_lazy("Đơn vị trực thuộc"),
    PROCEDURE: gettext_lazy("Thủ tục hành chính"),
    FIELD: gettext_lazy("Lĩnh vực"),
    CHANNEL: gettext_lazy("Kênh nộp"),
    DAY: gettext_lazy("Ngày"),
    MONTH: gettext_lazy("Tháng"),
    QUARTER: gettext_lazy("Quý"),
    YEAR: gettext_lazy("Năm"),
}

# The counted fields of a day row, summed per group.
SUMMED = (
    "received",
    "supplemented",
    "online",
    "digitised",
    "resolved",
    "early",
    "on_time",
    "late",
    "refused",
    "withdrawn",
    "e_result",
    "online_payment",
    "apologised",
    "rated",
    "satisfied",
)
P90_SHARE = (9, 10)  # 90 %, as a fraction of integers


def _ratio(part, whole) -> Decimal | None:
    return Decimal(part) / Decimal(whole) if whole else None


@dataclass
class MetricRow:
    """One row of the metrics: a group's counts and what is derived from them. Rates and shares
    are fractions (0 to 1), ``None`` when their denominator is zero."""

    key: object
    label: str
    received: int = 0
    supplemented: int = 0
    online: int = 0
    digitised: int = 0
    resolved: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    refused: int = 0
    withdrawn: int = 0
    e_result: int = 0
    online_payment: int = 0
    apologised: int = 0
    rated: int = 0
    satisfied: int = 0
    pending: int = 0
    pending_overdue: int = 0
    # Σ processing working days of the dossiers resolved in the group.
    processing_days_total: Decimal = Decimal(0)
    # Upper edge (working days) of the quarter-day bin where 90 % of the resolved are reached.
    p90: Decimal | None = None
    # For the agency grouping: the node itself (its own dossiers) or one of its children.
    agency: Agency | None = None
    # For a time grouping: the first and last day of the period.
    period: tuple[dt.date, dt.date] | None = None
    bins: dict = field(default_factory=dict, repr=False)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _ratio(self.early + self.on_time, self.resolved)

    @property
    def mean_processing_days(self) -> Decimal | None:
        return _ratio(self.processing_days_total, self.resolved)

    @property
    def supplement_rate(self) -> Decimal | None:
        return _ratio(self.supplemented, self.received)

    @property
    def online_share(self) -> Decimal | None:
        return _ratio(self.online, self.received)

    @property
    def digitised_share(self) -> Decimal | None:
        return _ratio(self.digitised, self.received)

    @property
    def is_empty(self) -> bool:
        return not (self.received or self.resolved or self.withdrawn or self.pending)


def percentile_90(bins: dict[int, int]) -> Decimal | None:
    """The upper edge, in working days, of the quarter-day bin where the cumulative count of
    ``bins`` ({bin: count}) reaches 90 % of the total; None for no dossier."""
    total = sum(bins.values())
    if total <= 0:
        return None
    share, whole = P90_SHARE
    running = 0
    for number in sorted(bins):
        running += bins[number]
        if running * whole >= total * share:
            return Decimal(number) / 4
    return Decimal(max(bins)) / 4  # not reached (negative counts): the last bin


# --- Periods ----------------------------------------------------------------------------------


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _quarter_start(day: dt.date) -> dt.date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_start(grouping: str, day: dt.date) -> dt.date:
    if grouping == DAY:
        return day
    if grouping == MONTH:
        return _month_start(day)
    if grouping == QUARTER:
        return _quarter_start(day)
    return day.replace(month=1, day=1)


def period_end(grouping: str, first: dt.date) -> dt.date:
    if grouping == DAY:
        return first
    months = {MONTH: 1, QUARTER: 3, YEAR: 12}[grouping]
    return _add_months(first, months) - dt.timedelta(days=1)


def periods(grouping: str, start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the periods of ``grouping`` that meet [start, end], in order."""
    found = []
    current = period_start(grouping, start)
    while current <= end:
        found.append(current)
        current = period_end(grouping, current) + dt.timedelta(days=1)
    return found


def period_label(grouping: str, first: dt.date) -> str:
    if grouping == DAY:
        return format_day(first)
    if grouping == MONTH:
        return _("Tháng %(month)02d/%(year)d") % {"month": first.month, "year": first.year}
    if grouping == QUARTER:
        return _("Quý %(quarter)d/%(year)d") % {
            "quarter": (first.month - 1) // 3 + 1,
            "year": first.year,
        }
    return _("Năm %(year)d") % {"year": first.year}


# --- Grouping in the database -------------------------------------------------------------------


def _group_expression(grouping: str | None, day_field: str):
    if grouping == AGENCY:
        return F("agency_id")
    if grouping == PROCEDURE:
        return F("procedure_id")
    if grouping == FIELD:
        return F("procedure__field")
    if grouping == CHANNEL:
        return F("channel")
    if grouping == DAY:
        return F(day_field)
    if grouping == MONTH:
        return TruncMonth(day_field)
    if grouping == QUARTER:
        return TruncQuarter(day_field)
    if grouping == YEAR:
        return TruncYear(day_field)
    return None


def _grouped(queryset, grouping, day_field, **aggregates) -> list[dict]:
    """``aggregates`` of ``queryset`` per group (``g`` in each dict; one dict for no grouping)."""
    expression = _group_expression(grouping, day_field)
    queryset = queryset.order_by()
    if expression is None:
        return [{"g": None, **queryset.aggregate(**aggregates)}]
    return list(queryset.annotate(g=expression).values("g").annotate(**aggregates))


def _as_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _scope(agency: Agency, subtree: bool, paths: list[str]) -> Q:
    """The node's records: with its subtree, across the reform (``selectors_bodies``), or alone."""
    return subtree_q(paths, "agency__path") if subtree else Q(agency_id=agency.pk)


def metrics(
    agency: Agency,
    start: dt.date,
    end: dt.date,
    *,
    group_by: str | None = None,
    subtree: bool = True,
    now: dt.datetime | None = None,
) -> list[MetricRow]:
    """The metrics of ``agency`` (with its subtree unless ``subtree=False``) for the days
    ``start`` to ``end`` (both included), one row per group of ``group_by`` (see ``GROUPINGS``;
    ``None``: one total row). Pending and overdue at ``now`` (by default the present)."""
    if group_by not in GROUPINGS:
        raise ValueError(f"unknown grouping {group_by!r}")
    now = now or timezone.now()
    from .selectors_bodies import reporting_bodies, reporting_paths

    # By agency the rows are the node's bodies (they hold the paths too); otherwise the paths.
    bodies = reporting_bodies(agency, start, end) if group_by == AGENCY else None
    paths = bodies.paths if bodies is not None else reporting_paths(agency) if subtree else []
    scope = _scope(agency, subtree, paths)
    day_rows = _grouped(
        DailySummary.objects.filter(scope, day__range=(start, end)),
        group_by,
        "day",
        days=Sum("processing_days"),
        **{name: Sum(name) for name in SUMMED},
    )
    bins = SummaryBin.objects.filter(scope, day__range=(start, end), count__gt=0).order_by()
    if group_by is None:
        bin_rows = bins.values("bin").annotate(n=Sum("count"))
    else:
        bin_rows = (
            bins.annotate(g=_group_expression(group_by, "day"))
            .values("g", "bin")
            .annotate(n=Sum("count"))
        )
    pending = Dossier.objects.filter(scope, state__in=PENDING_STATES, received_on__lte=end)
    if group_by in TIME_GROUPINGS:
        pending = pending.filter(received_on__gte=start)
    pending_rows = _grouped(
        pending,
        group_by,
        "received_on",
        pending=Count("pk"),
        pending_overdue=Count("pk", filter=Q(due_at__lt=now)),
    )

    rows: dict = {}
    place = _Placer(agency, group_by, start, end, bodies)

    def row_for(group):
        key = place.key(group)
        if key is None:
            return None
        if key not in rows:
            rows[key] = MetricRow(key=key, label="")
        return rows[key]

    for values in day_rows:
        row = row_for(values["g"])
        if row is None:
            continue
        for name in SUMMED:
            setattr(row, name, getattr(row, name) + (values[name] or 0))
        row.processing_days_total += Decimal(values["days"] or 0)
    for values in bin_rows:
        row = row_for(values.get("g"))
        if row is not None:
            row.bins[values["bin"]] = row.bins.get(values["bin"], 0) + (values["n"] or 0)
    for values in pending_rows:
        row = row_for(values["g"])
        if row is None:
            continue
        row.pending += values["pending"] or 0
        row.pending_overdue += values["pending_overdue"] or 0
    for row in rows.values():
        row.p90 = percentile_90(row.bins)
    return place.finish(rows)


class _Placer:
    """Where a group of the database goes among the rows, their labels and their order. By
    agency: the node's own records, then its children, across the reform
    (``indicators.selectors_bodies``: merged and renamed bodies in their successor's row, a split
    body in its own row shown as ended)."""

    def __init__(self, agency: Agency, grouping, start, end, bodies):
        self.agency, self.grouping, self.start, self.end = agency, grouping, start, end
        self.bodies = bodies

    def key(self, group):
        if self.grouping is None:
            return "total"
        if self.grouping == AGENCY:
            body = self.bodies.row_of(group)
            return body.agency.pk if body is not None else None
        if self.grouping in TIME_GROUPINGS:
            return _as_date(group)
        return group

    def finish(self, rows: dict) -> list[MetricRow]:
        grouping = self.grouping
        if grouping is None:
            row = rows.get("total") or MetricRow(key="total", label="")
            row.label = self.agency.display_name
            row.agency = self.agency
            return [row]
        if grouping == AGENCY:
            return self._agency_rows(rows)
        if grouping == PROCEDURE:
            found = AdministrativeProcedure.objects.filter(pk__in=list(rows)).values_list(
                "pk", "code", "name"
            )
            names = {pk: (code, name) for pk, code, name in found}
            for key, row in rows.items():
                code, name = names.get(key, (str(key), ""))
                row.label = f"{code} · {name}" if name else code
            return sorted(rows.values(), key=lambda r: names.get(r.key, (str(r.key), ""))[0])
        if grouping == FIELD:
            for key, row in rows.items():
                row.label = key or _("Chưa ghi lĩnh vực")
            return sorted(rows.values(), key=lambda r: vi_sort_key(r.label))
        if grouping == CHANNEL:
            ordered = []
            for channel in Channel:
                row = rows.pop(channel.value, None) or MetricRow(key=channel.value, label="")
                row.label = str(channel.label)
                ordered.append(row)
            for key, row in sorted(rows.items(), key=lambda item: str(item[0])):
                row.label = str(key)  # a channel outside the choices (should not happen)
                ordered.append(row)
            return ordered
        ordered = []
        for first in periods(grouping, self.start, self.end):
            row = rows.get(first) or MetricRow(key=first, label="")
            row.label = period_label(grouping, first)
            row.period = (max(first, self.start), min(period_end(grouping, first), self.end))
            ordered.append(row)
        return ordered

    def _agency_rows(self, rows: dict) -> list[MetricRow]:
        ordered = []
        for body in self.bodies.rows:
            agency = body.agency
            row = rows.get(agency.pk)
            valid = (agency.valid_from is None or agency.valid_from <= self.end) and (
                agency.valid_to is None or agency.valid_to >= self.start
            )
            if row is None or row.is_empty:
                if body.own or not valid:
                    continue
                row = row or MetricRow(key=agency.pk, label="")
            row.agency = agency
            row.label = body.label
            ordered.append(row)
        return ordered


def total_of(agency: Agency, start: dt.date, end: dt.date, **kwargs) -> MetricRow:
    return metrics(agency, start, end, **kwargs)[0]


# --- The core's question -----------------------------------------------------------------------


def on_time_performance(agency: Agency, start: dt.date, end: dt.date) -> dict | None:
    """``qms.providers.ON_TIME_PERFORMANCE``: the counts of the agency's subtree in the period
    (resolved, early, on time, late, pending overdue now), or None when it has no dossier there
    (nothing received, resolved, withdrawn or pending): "no data", not a zero rate."""
    row = total_of(agency, start, end)
    if row.is_empty:
        return None
    return {
        "received": row.received,
        "resolved": row.resolved,
        "early": row.early,
        "on_time": row.on_time,
        "late": row.late,
        "withdrawn": row.withdrawn,
        "pending_overdue": row.pending_overdue,
    }
