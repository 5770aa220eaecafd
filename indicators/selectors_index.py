"""The national service index (Decision 766/QĐ-TTg, DESIGN.md §5 and §7) computed at home, from
qms's own data as far as it allows; the rest is entered by hand (``IndexEntry``) and marked so.

The scheme used for a period is the one in force on the period's **last** day
(``scheme_for(end)``): a period that crosses a scheme change is scored entirely by the newer
scheme (its groups, indicators, points and formulas), so that a month, a quarter or a year is
always scored by one scheme and the totals compare.

An indicator's ``formula`` is ``entered``, or a key of ``FORMULAS`` optionally followed by
``@<percent>``: the share at which the full points are reached (e.g. ``digitised@80``: 80 % of
dossiers digitised earn all the points, 40 % earn half). ``FORMULAS[key](counts)`` gives the share
(0 to 1, None without data) from the summed counts of the body:

- dossiers, from the day summaries (``DailySummary``): received, online and digitised on their
  receipt day; resolved (early, on time, late), with an electronic result, paid online, late with
  an apology letter, rated and satisfied (rating 4 or 5) on their result day;
- complaints and feedback (``audits.Complaint``) received in the period and not withdrawn,
  counted once decided (answered, or past their due day unanswered); on time when answered on or
  before the due day.

points = indicator points × min(1, share / threshold) (threshold 100 % when none), rounded to
hundredths; lost = indicator points − points. An ``entered`` indicator takes the agency's entries
for the months of the period (their mean for a longer period; None, shown "chưa nhập", without
any). A group's points and the total add the points known; an indicator without data scores
nothing and loses nothing (``IndexResult.known_max`` says how many points could be scored).

The body's figures are read over ``reporting_bodies(agency, start, end).scope_q()``: the node's
subtree and the former bodies rolled into it across the 2025 reform (DESIGN.md §5). The index is
a body's whole: the dashboard's field and channel filters do not narrow it. Entered values are an
agency's own (they do not roll up).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from audits.models import Complaint
from audits.models.complaints import ComplaintState
from qms.models import Agency

from .models import DailySummary
from .models.index import ENTERED, IndexEntry, IndexIndicator, IndexScheme
from .periods import month_end
from .selectors_bodies import Body, reporting_bodies

HUNDREDTH = Decimal("0.01")
DOSSIER_COUNTS = (
    "received",
    "online",
    "digitised",
    "resolved",
    "early",
    "on_time",
    "late",
    "e_result",
    "online_payment",
    "apologised",
    "rated",
    "satisfied",
)


@dataclass
class Counts:
    """The summed figures of a body (or of a month) the formulas read."""

    received: int = 0
    online: int = 0
    digitised: int = 0
    resolved: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    e_result: int = 0
    online_payment: int = 0
    apologised: int = 0
    rated: int = 0
    satisfied: int = 0
    complaints: int = 0  # decided: answered, or past due unanswered
    complaints_on_time: int = 0

    def add(self, values: dict) -> None:
        for name in values:
            if hasattr(self, name) and values[name]:
                setattr(self, name, getattr(self, name) + values[name])

    def merge(self, other: Counts) -> None:
        self.add({f.name: getattr(other, f.name) for f in fields(other)})


def _share(part: int, whole: int) -> Decimal | None:
    return Decimal(part) / Decimal(whole) if whole else None


FORMULAS: dict[str, Callable[[Counts], Decimal | None]] = {
    # (early + on time) / resolved
    "on_time": lambda c: _share(c.early + c.on_time, c.resolved),
    # late with an apology letter / late
    "late_apology": lambda c: _share(c.apologised, c.late),
    # digitised / received
    "digitised": lambda c: _share(c.digitised, c.received),
    # electronic result / resolved
    "e_result": lambda c: _share(c.e_result, c.resolved),
    # online / received
    "online": lambda c: _share(c.online, c.received),
    # paid online / resolved
    "online_payment": lambda c: _share(c.online_payment, c.resolved),
    # complaints answered on time / decided
    "complaints_on_time": lambda c: _share(c.complaints_on_time, c.complaints),
    # rated 4 or 5 / rated
    "satisfied": lambda c: _share(c.satisfied, c.rated),
}


def parse_formula(formula: str) -> tuple[str, Decimal | None]:
    """``"digitised@80"`` → ("digitised", Decimal("0.8")); ``"on_time"`` → ("on_time", None)."""
    key, _sep, threshold = formula.partition("@")
    if not threshold:
        return key, None
    try:
        value = Decimal(threshold) / 100
    except ArithmeticError:
        return key, None
    return key, value if value > 0 else None


def formula_known(formula: str) -> bool:
    key, _threshold = parse_formula(formula)
    return key == ENTERED or key in FORMULAS


# --- Results -------------------------------------------------------------------------------------


@dataclass
class IndicatorResult:
    code: str
    name: str
    points_max: Decimal
    share: Decimal | None  # the indicator's rate, 0 to 1 (None: no data / not entered)
    points: Decimal | None
    lost: Decimal | None
    entered: bool
    entered_by: object | None  # the user of the latest entry used
    entered_at: dt.datetime | None
    formula_text: str
    legal_source: str
    threshold: Decimal | None = None  # the share earning the full points (None: 100 %)
    indicator_id: int | None = None
    months_entered: int = 0  # entered: the months of the period with an entry


@dataclass
class GroupResult:
    number: int
    name: str
    max_points: Decimal
    points: Decimal | None
    indicators: list[IndicatorResult] = field(default_factory=list)

    @property
    def lost(self) -> Decimal:
        return sum((i.lost for i in self.indicators if i.lost is not None), Decimal(0))


@dataclass
class IndexResult:
    scheme: IndexScheme | None
    total: Decimal | None
    max_total: Decimal
    groups: list[GroupResult] = field(default_factory=list)

    @property
    def indicators(self) -> list[IndicatorResult]:
        return [i for g in self.groups for i in g.indicators]

    @property
    def known_max(self) -> Decimal:
        """The points of the indicators that have a value (what the total is out of, in fact)."""
        return sum((i.points_max for i in self.indicators if i.points is not None), Decimal(0))

    @property
    def lost(self) -> Decimal:
        return sum((g.lost for g in self.groups), Decimal(0))

    def by_points_lost(self) -> list[IndicatorResult]:
        """The indicators where points are lost, most first (then the ones without data)."""
        scored = [i for i in self.indicators if i.lost is not None and i.lost > 0]
        scored.sort(key=lambda i: (-i.lost, i.code))
        return scored


# --- The scheme ----------------------------------------------------------------------------------


def scheme_for(day: dt.date) -> IndexScheme | None:
    """The scheme in force on ``day``: the newest whose ``valid_from`` is on or before it."""
    return IndexScheme.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


def _schemes() -> list[IndexScheme]:
    """Every scheme with its groups and indicators (newest first), in three queries."""
    from django.db.models import Prefetch

    return list(
        IndexScheme.objects.order_by("-valid_from").prefetch_related(
            "groups",
            Prefetch(
                "groups__indicators", queryset=IndexIndicator.objects.order_by("order", "code")
            ),
        )
    )


def _in_force(schemes: list[IndexScheme], day: dt.date) -> IndexScheme | None:
    for scheme in schemes:  # newest first
        if scheme.valid_from <= day:
            return scheme
    return None


# --- Reading the figures -------------------------------------------------------------------------


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the months the period touches."""
    first = start.replace(day=1)
    months = []
    while first <= end:
        months.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return months


def _dossier_counts(scope: Q, start: dt.date, end: dt.date, by: str) -> list[dict]:
    """The dossiers' counts grouped by ``by`` ("agency_id" or "month"), one query."""
    rows = DailySummary.objects.filter(scope, day__gte=start, day__lte=end)
    if by == "month":
        rows = rows.annotate(month=TruncMonth("day"))
    return list(rows.order_by().values(by).annotate(**{name: Sum(name) for name in DOSSIER_COUNTS}))


def _complaint_counts(
    scope: Q, start: dt.date, end: dt.date, by: str, today: dt.date
) -> list[dict]:
    """The complaints' counts grouped by ``by`` ("agency_id" or "month"), one query."""
    rows = Complaint.objects.filter(scope, received_on__gte=start, received_on__lte=end).exclude(
        state=ComplaintState.WITHDRAWN
    )
    if by == "month":
        rows = rows.annotate(month=TruncMonth("received_on"))
    answered = Q(state=ComplaintState.ANSWERED, answered_on__isnull=False)
    return list(
        rows.order_by()
        .values(by)
        .annotate(
            complaints=Count("pk", filter=answered | Q(due_on__lt=today)),
            complaints_on_time=Count("pk", filter=answered & Q(answered_on__lte=F("due_on"))),
        )
    )


def _month_key(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.replace(day=1)


@dataclass
class _Entries:
    """Entries per (agency id, indicator id): month → entry."""

    values: dict = field(default_factory=lambda: defaultdict(dict))

    def load(self, agency_ids, start: dt.date, end: dt.date) -> _Entries:
        rows = IndexEntry.objects.filter(
            agency_id__in=list(agency_ids), month__gte=start.replace(day=1), month__lte=end
        ).select_related("entered_by")
        for entry in rows:
            self.values[(entry.agency_id, entry.indicator_id)][_month_key(entry.month)] = entry
        return self

    def of(self, agency_id: int, indicator_id: int, start: dt.date, end: dt.date) -> list:
        found = self.values.get((agency_id, indicator_id), {})
        return [found[m] for m in _months(start, end) if m in found]


def _score(
    scheme: IndexScheme | None,
    counts: Counts,
    entries: _Entries,
    agency_id: int,
    start: dt.date,
    end: dt.date,
) -> IndexResult:
    if scheme is None:
        return IndexResult(scheme=None, total=None, max_total=Decimal(0), groups=[])
    groups = []
    for group in scheme.groups.all():
        results = []
        for indicator in group.indicators.all():
            results.append(_indicator(indicator, counts, entries, agency_id, start, end))
        known = [r.points for r in results if r.points is not None]
        groups.append(
            GroupResult(
                number=group.number,
                name=group.name,
                max_points=group.max_points,
                points=sum(known, Decimal(0)) if known else None,
                indicators=results,
            )
        )
    known = [g.points for g in groups if g.points is not None]
    return IndexResult(
        scheme=scheme,
        total=sum(known, Decimal(0)) if known else None,
        max_total=sum((g.max_points for g in groups), Decimal(0)),
        groups=groups,
    )


def _indicator(indicator, counts, entries, agency_id, start, end) -> IndicatorResult:
    key, threshold = parse_formula(indicator.formula)
    entered_by = entered_at = None
    months_entered = 0
    if key == ENTERED:
        used = entries.of(agency_id, indicator.pk, start, end)
        months_entered = len(used)
        share = sum((e.value for e in used), Decimal(0)) / len(used) / 100 if used else None
        if used:
            latest = max(used, key=lambda e: e.entered_at)
            entered_by, entered_at = latest.entered_by, latest.entered_at
    elif key in FORMULAS:
        share = FORMULAS[key](counts)
    else:
        share = None
    points = lost = None
    if share is not None:
        scored = min(Decimal(1), share / threshold) if threshold else min(Decimal(1), share)
        points = (indicator.points * scored).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
        lost = indicator.points - points
    return IndicatorResult(
        code=indicator.code,
        name=indicator.name,
        points_max=indicator.points,
        share=share,
        points=points,
        lost=lost,
        entered=key == ENTERED,
        entered_by=entered_by,
        entered_at=entered_at,
        formula_text=indicator.formula_text,
        legal_source=indicator.legal_source,
        threshold=threshold,
        indicator_id=indicator.pk,
        months_entered=months_entered,
    )


# --- The reads -----------------------------------------------------------------------------------


def service_index(
    agency: Agency, start: dt.date, end: dt.date, *, today: dt.date | None = None
) -> IndexResult:
    """The index of ``agency`` (its subtree and the bodies rolled into it) for the period."""
    today = today or timezone.localdate()
    scope = reporting_bodies(agency, start, end).scope_q()
    counts = Counts()
    for values in _dossier_counts(scope, start, end, "agency_id"):
        counts.add(values)
    for values in _complaint_counts(scope, start, end, "agency_id", today):
        counts.add(values)
    entries = _Entries().load([agency.pk], start, end)
    return _score(_in_force(_schemes(), end), counts, entries, agency.pk, start, end)


def index_by_body(
    dashboard_filter, *, today: dt.date | None = None
) -> list[tuple[Body, IndexResult]]:
    """The index of each row of ``reporting_bodies`` for the filter's node and period, in a
    fixed number of queries whatever the rows (the figures grouped by agency, then placed by
    ``Bodies.row_of``). Worst first (rows without a total last), then by name. The field and
    channel of the filter do not narrow the index (it is the body's whole)."""
    today = today or timezone.localdate()
    start, end = dashboard_filter.start, dashboard_filter.end
    bodies = reporting_bodies(dashboard_filter.agency, start, end)
    scope = bodies.scope_q()
    counts: dict[tuple, Counts] = defaultdict(Counts)
    seen: set[tuple] = set()
    for reader in (
        _dossier_counts(scope, start, end, "agency_id"),
        _complaint_counts(scope, start, end, "agency_id", today),
    ):
        for values in reader:
            body = bodies.row_of(values["agency_id"])
            if body is not None:
                counts[body.key].add(values)
                seen.add(body.key)
    entries = _Entries().load([b.agency.pk for b in bodies.rows], start, end)
    scheme = _in_force(_schemes(), end)
    rows = []
    for body in bodies.rows:
        if body.ended and body.key not in seen:
            continue  # an ended body with nothing in the period
        result = _score(scheme, counts[body.key], entries, body.agency.pk, start, end)
        rows.append((body, result))
    from qms.collation import vi_sort_key

    rows.sort(
        key=lambda pair: (
            pair[1].total is None,
            pair[1].total if pair[1].total is not None else 0,
            vi_sort_key(pair[0].agency.name),
        )
    )
    return rows


def index_trend(
    agency: Agency, end: dt.date, months: int = 12, *, today: dt.date | None = None
) -> list[tuple[dt.date, IndexResult]]:
    """The index of ``agency`` for each of the ``months`` months ending with ``end``'s month
    (the last one up to ``end``): (first day of the month, result), oldest first. Each month is
    scored by the scheme in force on its last day; a fixed number of queries."""
    today = today or timezone.localdate()
    last = end.replace(day=1)
    index = last.year * 12 + last.month - 1 - (months - 1)
    first = dt.date(index // 12, index % 12 + 1, 1)
    scope = reporting_bodies(agency, first, end).scope_q()
    by_month: dict[dt.date, Counts] = defaultdict(Counts)
    for values in _dossier_counts(scope, first, end, "month"):
        by_month[_month_key(values["month"])].add(values)
    for values in _complaint_counts(scope, first, end, "month", today):
        by_month[_month_key(values["month"])].add(values)
    entries = _Entries().load([agency.pk], first, end)
    schemes = _schemes()
    trend = []
    for month in _months(first, end):
        last = min(month_end(month), end)
        scheme = _in_force(schemes, last)
        trend.append((month, _score(scheme, by_month[month], entries, agency.pk, month, last)))
    return trend
