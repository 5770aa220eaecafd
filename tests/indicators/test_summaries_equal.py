"""The summary tables equal a naive recomputation written here (plain loops over the dossiers) on
50,000 generated dossiers (issue 10, acceptance), after each stage of their life:

1. an import of the dossiers a one-stop export shows a month before the end of the period;
2. a second, later export of the last months (state changes: results, refusals, withdrawals,
   papers resubmitted, apology letters, new dossiers), and a stale one that must change nothing;
3. a calendar override added afterwards (a day declared off) and the explicit recomputation;
4. the nightly check: nothing to repair, then a corrupted row reported and repaired.

Everything goes through the services (``upsert``, ``recompute_preview``/``recompute_apply``,
``verify_and_repair``); only the comparison is written by hand.
"""

import datetime as dt
import logging
import time
from collections import Counter, defaultdict
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

import pytest

from bench.generate import agency_tree, catalogue_create, lives, observed, record, upsert_records
from indicators.models import DailySummary, Dossier, Recomputation, SummaryBin
from indicators.services.recompute import recompute_apply, recompute_preview
from indicators.services.summaries import verify_and_repair
from qms.models import CalendarOverride, Role
from qms.models.calendar import OverrideKind
from qms.workcal import get_calendar
from tests import factories

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
COUNT = 50_000
SEED = 20_251_010
FIRST, LAST = dt.date(2024, 10, 1), dt.date(2025, 12, 31)
FIRST_EXPORT = dt.datetime(2025, 11, 28, 12, 0, tzinfo=TZ)
SECOND_EXPORT = dt.datetime(2025, 12, 31, 23, 59, tzinfo=TZ)
# The later export covers the dossiers received from this day on.
SECOND_FROM = dt.date(2025, 10, 15)
# Declared off afterwards (a Monday inside the first export): clocks crossing it move a day.
DAY_OFF = dt.date(2025, 10, 13)


def naive() -> tuple[dict, dict, dict]:
    """What the tables must hold, from the dossiers, one by one: per (agency, TTHC, channel, day)
    the dossiers received that day (with a supplement, online, digitised), those resolved that
    day (refusals included: early, on time, late, refused, their processing days and quarter-day
    bins) and those withdrawn that day."""
    counts: dict = defaultdict(Counter)
    days: dict = defaultdict(Decimal)
    bins: Counter = Counter()
    fields = (
        "agency_id",
        "procedure_id",
        "channel",
        "received_on",
        "supplement_count",
        "digitised",
        "state",
        "timing",
        "resolved_on",
        "processing_days",
    )
    for row in Dossier.objects.values_list(*fields).iterator(chunk_size=10_000):
        agency, procedure, channel, received_on, supplements, digitised = row[:6]
        state, timing, resolved_on, processing = row[6:]
        received = counts[(agency, procedure, channel, received_on)]
        received["received"] += 1
        if supplements > 0:
            received["supplemented"] += 1
        if channel == "online":
            received["online"] += 1
        if digitised:
            received["digitised"] += 1
        key = (agency, procedure, channel, resolved_on)
        if state in ("resolved", "refused"):
            counts[key]["resolved"] += 1
            if timing:
                counts[key][timing] += 1
            if state == "refused":
                counts[key]["refused"] += 1
            if processing is not None:
                days[key] += processing
                quarter = int((processing * 4).to_integral_value(rounding=ROUND_CEILING))
                bins[(*key, quarter)] += 1
        elif state == "withdrawn" and resolved_on is not None:
            counts[key]["withdrawn"] += 1
    counts = {k: {f: n for f, n in c.items() if n} for k, c in counts.items()}
    return (
        {k: c for k, c in counts.items() if c},
        {k: d for k, d in days.items() if d},
        {k: n for k, n in bins.items() if n},
    )


def tables() -> tuple[dict, dict, dict]:
    names = (
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
    )
    counts, days, bins = {}, {}, {}
    for row in DailySummary.objects.all().iterator(chunk_size=10_000):
        key = (row.agency_id, row.procedure_id, row.channel, row.day)
        values = {name: getattr(row, name) for name in names if getattr(row, name)}
        if values:
            counts[key] = values
        if row.processing_days:
            days[key] = Decimal(row.processing_days)
    for row in SummaryBin.objects.all().iterator(chunk_size=10_000):
        if row.count:
            bins[(row.agency_id, row.procedure_id, row.channel, row.day, row.bin)] = row.count
    return counts, days, bins


def assert_tables_equal_naive():
    want, have = naive(), tables()
    for name, expected, stored in zip(("counts", "days", "bins"), want, have, strict=True):
        missing = {k: v for k, v in expected.items() if stored.get(k) != v}
        extra = {k: v for k, v in stored.items() if k not in expected}
        assert not missing and not extra, (name, list(missing.items())[:5], list(extra.items())[:5])
    return want


class Timer:
    """Wall and CPU seconds since the start, printed at each stage (``-s`` shows them)."""

    def __init__(self):
        self.started = (time.perf_counter(), time.process_time())

    def mark(self, name):
        wall, cpu = time.perf_counter() - self.started[0], time.process_time() - self.started[1]
        print(f"{name}: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)


def test_summaries_equal_a_naive_recomputation_through_every_stage(caplog):
    timer = Timer()
    province = agency_tree(departments=3, units_per_department=2, communes=4, code_prefix="Q")
    catalogue = catalogue_create(province, procedures=20, seed=SEED)
    leader = factories.member(province, Role.LEADER)
    calendar = get_calendar()
    generated = list(
        lives(COUNT, seed=SEED, catalogue=catalogue, first=FIRST, last=LAST, calendar=calendar)
    )
    assert len(generated) == COUNT
    timer.mark("generated")

    # 1. The first export.
    loaded = upsert_records(
        record(seen, line=i) for i, life in enumerate(generated, start=2)
        if (seen := observed(life, FIRST_EXPORT)) is not None
    )  # fmt: skip
    assert loaded.problems == [] and loaded.updated == loaded.unchanged == 0
    first_count = loaded.new
    assert first_count == Dossier.objects.count() > 45_000
    counts, _days, _bins = assert_tables_equal_naive()
    pending_first = set(
        Dossier.objects.filter(state__in=("received", "in_progress", "waiting")).values_list(
            "code", flat=True
        )
    )
    assert len(pending_first) > 300
    assert sum(c.get("late", 0) for c in counts.values()) > 0.01 * first_count
    timer.mark("first export")

    # 2. The later export of the last months: new dossiers, results of pending ones.
    later = [life for life in generated if life.received_at.date() >= SECOND_FROM]
    loaded = upsert_records(
        record(observed(life, SECOND_EXPORT), line=i) for i, life in enumerate(later, start=2)
    )
    assert loaded.problems == []
    assert loaded.new == COUNT - first_count
    assert loaded.updated > 200 and loaded.unchanged > 3_000
    states = dict(
        Dossier.objects.filter(code__in=pending_first).values_list("code", "state").iterator()
    )
    moved = Counter(states.values())
    assert moved["resolved"] > 100 and moved["refused"] > 0 and moved["withdrawn"] > 0
    assert_tables_equal_naive()
    # A stale export (an older snapshot of dossiers resolved since) changes nothing.
    stale_at = FIRST_EXPORT - dt.timedelta(days=10)
    stale = [
        observed(life, stale_at)
        for life in later
        if life.end_at is not None and stale_at < life.end_at <= FIRST_EXPORT
    ]
    stale = [seen for seen in stale if seen is not None]
    assert len(stale) > 100
    before = list(Dossier.objects.order_by("pk").values_list("pk", "state", "resolved_at"))
    loaded = upsert_records(record(seen, line=i) for i, seen in enumerate(stale, start=2))
    assert loaded.unchanged == len(stale) and loaded.new == loaded.updated == 0
    assert list(Dossier.objects.order_by("pk").values_list("pk", "state", "resolved_at")) == before
    assert_tables_equal_naive()
    timer.mark("second export")

    # 3. A day declared off afterwards, then the explicit recomputation of the weeks before it.
    period = (DAY_OFF - dt.timedelta(days=60), DAY_OFF)
    day_start = dt.datetime.combine(DAY_OFF, dt.time(0, 0), tzinfo=TZ)
    crossing = dict(
        Dossier.objects.filter(
            received_on__range=period, clock_started_at__lt=day_start, due_at__gt=day_start
        ).values_list("pk", "due_at")
    )
    assert len(crossing) > 100
    CalendarOverride.objects.create(
        date=DAY_OFF,
        kind=OverrideKind.DAY_OFF,
        reason="Nghỉ bù (thử nghiệm)",
        document_number="01/TB-VPCP",
        document_date=dt.date(2025, 12, 20),
    )
    preview = recompute_preview(
        actor=leader, agency=province, period_start=period[0], period_end=period[1],
        reason="Ngày nghỉ bù bổ sung",
    )  # fmt: skip
    assert preview.changed >= len(crossing)
    assert_tables_equal_naive()  # a preview changes nothing
    assert dict(Dossier.objects.filter(pk__in=crossing).values_list("pk", "due_at")) == crossing
    recompute_apply(actor=leader, recomputation=preview)
    assert Recomputation.objects.get().state == "applied"
    moved = dict(Dossier.objects.filter(pk__in=crossing).values_list("pk", "due_at"))
    assert all(moved[pk] > due for pk, due in crossing.items())  # a working day later
    assert_tables_equal_naive()
    timer.mark("recomputation")

    # 4. The nightly check: nothing to repair; then a corrupted row is reported and repaired.
    assert verify_and_repair() == []
    row = DailySummary.objects.filter(resolved__gt=0).order_by("pk").first()
    DailySummary.objects.filter(pk=row.pk).update(resolved=row.resolved + 7)
    a_bin = SummaryBin.objects.order_by("pk").first()
    SummaryBin.objects.filter(pk=a_bin.pk).delete()
    with caplog.at_level(logging.ERROR, logger="indicators.services.summaries"):
        found = verify_and_repair()
    key = (row.agency_id, row.procedure_id, row.channel, row.day)
    assert any(d.key == key and d.table == "summary counts" for d in found)
    bin_key = (a_bin.agency_id, a_bin.procedure_id, a_bin.channel, a_bin.day, a_bin.bin)
    assert any(d.key == bin_key and d.table == "histogram" for d in found)
    assert "summary drift" in caplog.text
    assert verify_and_repair() == []
    assert_tables_equal_naive()
    timer.mark("nightly check")
