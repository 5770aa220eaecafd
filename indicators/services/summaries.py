"""The summary tables kept incrementally: a dossier's contribution (what it adds to which day's
row), the delta between a dossier before and after a change applied in the same transaction,
and the nightly check that recomputes everything from the dossiers, reports drift and repairs it.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum

from ..models import DailySummary, Dossier, SummaryBin
from ..models.dossiers import Channel, DossierState, Timing
from ..models.summaries import COUNTS, SATISFIED_RATING
from .bulk import update_many

logger = logging.getLogger(__name__)

# The fields of a dossier a contribution reads (``Dossier.objects.values(*CONTRIBUTION_FIELDS)``).
CONTRIBUTION_FIELDS = (
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
    "e_result",
    "online_payment",
    "extended_at",
    "rating",
)


def processing_bin(days: Decimal) -> int:
    """The quarter-day bin of a processing time: 0 for zero, k for ((k - 1) / 4, k / 4]."""
    return math.ceil(Decimal(days) * 4)


def _get(row, name):
    return row[name] if isinstance(row, dict) else getattr(row, name)


@dataclass
class Delta:
    """Changes to add to the summary tables, by (agency, procedure, channel, day)."""

    counts: dict = field(default_factory=lambda: defaultdict(Counter))
    days: dict = field(default_factory=lambda: defaultdict(Decimal))
    bins: Counter = field(default_factory=Counter)

    def add(self, row, sign: int = 1) -> None:
        agency, procedure, channel = (
            _get(row, "agency_id"),
            _get(row, "procedure_id"),
            _get(row, "channel"),
        )
        received = (agency, procedure, channel, _get(row, "received_on"))
        counts = self.counts[received]
        counts["received"] += sign
        if _get(row, "supplement_count"):
            counts["supplemented"] += sign
        if channel == Channel.ONLINE:
            counts["online"] += sign
        if _get(row, "digitised"):
            counts["digitised"] += sign
        state = _get(row, "state")
        if state == DossierState.WITHDRAWN and _get(row, "resolved_on") is not None:
            key = (agency, procedure, channel, _get(row, "resolved_on"))
            self.counts[key]["withdrawn"] += sign
        elif state in (DossierState.RESOLVED, DossierState.REFUSED):
            key = (agency, procedure, channel, _get(row, "resolved_on"))
            counts = self.counts[key]
            counts["resolved"] += sign
            timing = _get(row, "timing")
            if timing in (Timing.EARLY, Timing.ON_TIME, Timing.LATE):
                counts[str(timing)] += sign
            if state == DossierState.REFUSED:
                counts["refused"] += sign
            if _get(row, "e_result"):
                counts["e_result"] += sign
            if _get(row, "online_payment"):
                counts["online_payment"] += sign
            if timing == Timing.LATE and _get(row, "extended_at") is not None:
                counts["apologised"] += sign
            rating = _get(row, "rating")
            if rating is not None:
                counts["rated"] += sign
                if rating >= SATISFIED_RATING:
                    counts["satisfied"] += sign
            days = _get(row, "processing_days")
            if days is not None:
                self.days[key] += sign * Decimal(days)
                self.bins[(*key, processing_bin(days))] += sign

    def add_all(self, rows: Iterable, sign: int = 1) -> Delta:
        for row in rows:
            self.add(row, sign)
        return self

    def nonzero(self) -> tuple[dict, dict, dict]:
        counts = {k: {f: n for f, n in c.items() if n} for k, c in self.counts.items()}
        counts = {k: c for k, c in counts.items() if c}
        days = {k: d for k, d in self.days.items() if d}
        bins = {k: n for k, n in self.bins.items() if n}
        return counts, days, bins


def _superset_filter(keys) -> Q:
    agencies = {k[0] for k in keys}
    procedures = {k[1] for k in keys}
    days = {k[3] for k in keys}
    return Q(agency_id__in=agencies, procedure_id__in=procedures, day__in=days)


def apply_delta(delta: Delta) -> None:
    """Add ``delta`` to the tables (inside the caller's transaction): missing rows are created
    empty first (so two writers never race on an insert), then locked and updated."""
    counts, days, bins = delta.nonzero()
    keys = set(counts) | set(days)
    if keys:
        DailySummary.objects.bulk_create(
            [DailySummary(agency_id=a, procedure_id=p, channel=c, day=d) for a, p, c, d in keys],
            ignore_conflicts=True,
            batch_size=1000,
        )
        rows = {
            (r.agency_id, r.procedure_id, r.channel, r.day): r
            for r in DailySummary.objects.select_for_update().filter(_superset_filter(keys))
        }
        changed = []
        for key in keys:
            row = rows[key]
            for name, n in counts.get(key, {}).items():
                setattr(row, name, getattr(row, name) + n)
            if key in days:
                row.processing_days = Decimal(row.processing_days) + days[key]
            changed.append(row)
        update_many(DailySummary, changed, [*COUNTS, "processing_days"])
    if bins:
        SummaryBin.objects.bulk_create(
            [
                SummaryBin(agency_id=a, procedure_id=p, channel=c, day=d, bin=b)
                for a, p, c, d, b in bins
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        rows = {
            (r.agency_id, r.procedure_id, r.channel, r.day, r.bin): r
            for r in SummaryBin.objects.select_for_update().filter(
                _superset_filter(bins), bin__in={k[4] for k in bins}
            )
        }
        changed = []
        for key, n in bins.items():
            rows[key].count += n
            changed.append(rows[key])
        update_many(SummaryBin, changed, ["count"])


RESOLVED_COUNTS = (
    "resolved",
    "early",
    "on_time",
    "late",
    "refused",
    "e_result",
    "online_payment",
    "apologised",
    "rated",
    "satisfied",
)


# Recomputation from the dossiers ----------------------------------------------------------------


def recompute(dossiers=None) -> tuple[dict, dict, dict]:
    """What the tables should hold, computed in the database from ``dossiers`` (all by default):
    (counts by key, processing days by key, bins by key), zero entries left out."""
    dossiers = Dossier.objects.all() if dossiers is None else dossiers
    group = ("agency_id", "procedure_id", "channel")
    counts: dict = defaultdict(dict)
    days: dict = {}
    bins: dict = {}
    received = (
        dossiers.order_by()
        .values(*group, "received_on")
        .annotate(
            received=Count("pk"),
            supplemented=Count("pk", filter=Q(supplement_count__gt=0)),
            online=Count("pk", filter=Q(channel=Channel.ONLINE)),
            digitised=Count("pk", filter=Q(digitised=True)),
        )
    )
    for row in received:
        key = (row["agency_id"], row["procedure_id"], row["channel"], row["received_on"])
        for name in ("received", "supplemented", "online", "digitised"):
            if row[name]:
                counts[key][name] = row[name]
    resolved_states = (DossierState.RESOLVED, DossierState.REFUSED)
    resolved = (
        dossiers.filter(state__in=resolved_states)
        .order_by()
        .values(*group, "resolved_on")
        .annotate(
            resolved=Count("pk"),
            early=Count("pk", filter=Q(timing=Timing.EARLY)),
            on_time=Count("pk", filter=Q(timing=Timing.ON_TIME)),
            late=Count("pk", filter=Q(timing=Timing.LATE)),
            refused=Count("pk", filter=Q(state=DossierState.REFUSED)),
            e_result=Count("pk", filter=Q(e_result=True)),
            online_payment=Count("pk", filter=Q(online_payment=True)),
            apologised=Count("pk", filter=Q(timing=Timing.LATE, extended_at__isnull=False)),
            rated=Count("pk", filter=Q(rating__isnull=False)),
            satisfied=Count("pk", filter=Q(rating__gte=SATISFIED_RATING)),
            total_days=Sum("processing_days"),
        )
    )
    for row in resolved:
        key = (row["agency_id"], row["procedure_id"], row["channel"], row["resolved_on"])
        for name in RESOLVED_COUNTS:
            if row[name]:
                counts[key][name] = row[name]
        if row["total_days"]:
            days[key] = Decimal(row["total_days"])
    withdrawn = (
        dossiers.filter(state=DossierState.WITHDRAWN, resolved_on__isnull=False)
        .order_by()
        .values(*group, "resolved_on")
        .annotate(withdrawn=Count("pk"))
    )
    for row in withdrawn:
        key = (row["agency_id"], row["procedure_id"], row["channel"], row["resolved_on"])
        counts[key]["withdrawn"] = row["withdrawn"]
    for row in (
        dossiers.filter(state__in=resolved_states, processing_days__isnull=False)
        .order_by()
        .values_list(*group, "resolved_on", "processing_days")
        .iterator(chunk_size=5000)
    ):
        key = (*row[:4], processing_bin(row[4]))
        bins[key] = bins.get(key, 0) + 1
    return dict(counts), days, bins


def stored(agencies=None) -> tuple[dict, dict, dict]:
    """What the tables hold (zero entries left out), optionally for some agencies only."""
    rows = DailySummary.objects.all()
    bin_rows = SummaryBin.objects.all()
    if agencies is not None:
        rows, bin_rows = rows.filter(agency__in=agencies), bin_rows.filter(agency__in=agencies)
    counts, days, bins = {}, {}, {}
    for row in rows.iterator(chunk_size=5000):
        key = (row.agency_id, row.procedure_id, row.channel, row.day)
        values = {name: getattr(row, name) for name in COUNTS if getattr(row, name)}
        if values:
            counts[key] = values
        if row.processing_days:
            days[key] = Decimal(row.processing_days)
    for row in bin_rows.iterator(chunk_size=5000):
        if row.count:
            bins[(row.agency_id, row.procedure_id, row.channel, row.day, row.bin)] = row.count
    return counts, days, bins


@dataclass(frozen=True)
class Drift:
    table: str
    key: tuple
    stored: object
    expected: object

    def __str__(self):
        return f"{self.table} {self.key}: stored {self.stored}, expected {self.expected}"


def drifts() -> list[Drift]:
    """Every difference between the tables and a recomputation from the dossiers."""
    found = []
    names = ("summary counts", "processing days", "histogram")
    for name, have, want in zip(names, stored(), recompute(), strict=True):
        for key in sorted(set(have) | set(want), key=str):
            if have.get(key) != want.get(key):
                found.append(Drift(name, key, have.get(key), want.get(key)))
    return found


@transaction.atomic
def rebuild() -> None:
    """Replace the tables with a recomputation from the dossiers."""
    counts, days, bins = recompute()
    DailySummary.objects.all().delete()
    SummaryBin.objects.all().delete()
    DailySummary.objects.bulk_create(
        [
            DailySummary(
                agency_id=a,
                procedure_id=p,
                channel=c,
                day=d,
                processing_days=days.get((a, p, c, d), 0),
                **counts.get((a, p, c, d), {}),
            )
            for a, p, c, d in set(counts) | set(days)
        ],
        batch_size=2000,
    )
    SummaryBin.objects.bulk_create(
        [
            SummaryBin(agency_id=a, procedure_id=p, channel=c, day=d, bin=b, count=n)
            for (a, p, c, d, b), n in bins.items()
        ],
        batch_size=2000,
    )


def verify_and_repair() -> list[Drift]:
    """The nightly check: compare the tables with a recomputation; on drift, log every difference
    as an error (the administrators' error mail) and rebuild. Returns the drift found."""
    found = drifts()
    if found:
        for drift in found[:200]:
            logger.error("summary drift: %s", drift)
        logger.error(
            "summary tables drifted (%d differences); rebuilt from the dossiers", len(found)
        )
        rebuild()
    return found
