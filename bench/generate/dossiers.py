"""Synthetic dossiers: each one's whole life (receipt, supplement, extension, result), placed on
the working calendar, so that a snapshot at any moment says what a one-stop export of that moment
would show (``observed``).

Volume follows the seasons (busier before Tết and at year end) and dips around Tết (the lunar new
year from ``holidays.Vietnam``): the holiday itself is off, and the working days after it are
quiet. Days off receive only online dossiers, a trickle. Each TTHC aims at a share of late results
(about 3 % overall), about a third on time, the rest early; the due time is computed on the
calendar (restart or pause on a supplement, as ``indicators.clock``) and the result placed before
or after it, and the class kept on the life is the one the clock gives that result.

Reproducible: the same seed, catalogue and period give the same dossiers; each day draws from its
own generator, so the count changes only how many dossiers each day gets.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np

from .catalogue import Handling
from .steps import Step, step_sheets

_EPOCH = dt.date(1970, 1, 1).toordinal()
DAY = 86_400

# Month factors of the volume: the rush before Tết and at year end, a quieter February.
SEASON = {1: 1.15, 2: 0.85, 3: 1.05, 4: 1.0, 5: 1.0, 6: 1.05,
          7: 1.1, 8: 0.95, 9: 1.05, 10: 1.1, 11: 1.1, 12: 1.2}  # fmt: skip
SUPPLEMENT = 0.04  # plus up to 10 % more for the longest limits
NEVER_RESUBMITTED = 0.15  # of the supplement requests
WITHDRAWN, REFUSED, STUCK = 0.012, 0.02, 0.003
ON_TIME = 0.2
OFFLINE_CHANNELS = ("in_person", "postal", "public_postal")
OFFLINE_SHARES = (0.88, 0.04, 0.08)


@lru_cache(maxsize=64)
def tet(year: int) -> dt.date:
    """The first day of the lunar new year (Tết Nguyên đán) of ``year``, from holidays.Vietnam."""
    import holidays

    days = holidays.Vietnam(years=year, language="en_US")
    return next(day for day, name in sorted(days.items()) if name == "Lunar New Year")


def tet_factor(day: dt.date) -> float:
    """How busy a day is around Tết: the rush before, the quiet after (1 elsewhere)."""
    offsets = [(day - tet(y)).days for y in (day.year - 1, day.year, day.year + 1)]
    offset = min(offsets, key=abs)
    if -14 <= offset <= -4:
        return 1.35
    if -3 <= offset <= 7:
        return 0.3
    if 8 <= offset <= 16:
        return 0.7
    return 1.0


def day_weights(first: dt.date, last: dt.date, calendar) -> tuple[list[dt.date], np.ndarray]:
    """Each day of [first, last] and its share of the volume; days off get a trickle."""
    days, weights = [], []
    day = first
    while day <= last:
        weight = (
            SEASON[day.month] * tet_factor(day) * (1.0 if calendar.is_working_day(day) else 0.06)
        )
        days.append(day)
        weights.append(weight)
        day += dt.timedelta(days=1)
    weights = np.array(weights)
    return days, weights / weights.sum()


@dataclass(slots=True)
class Life:
    """One dossier's whole life as generated; ``observed(life, now)`` is what a source shows."""

    index: int
    handling: Handling
    code: str
    channel: str
    received_at: dt.datetime
    limit_days: Decimal
    first_due_at: dt.datetime  # the appointment given at receipt
    due_at: dt.datetime | None  # after the supplement (None: the papers never came)
    requested_at: dt.datetime | None
    resubmitted_at: dt.datetime | None
    extended_at: dt.datetime | None
    extended_due_at: dt.datetime | None
    end_at: dt.datetime | None  # result, refusal or withdrawal; None: never (stuck)
    outcome: str  # "issued", "refused", "withdrawn", or "" when it never ends
    timing: str  # the class of the result on the calendar ("" when none)
    digitised: bool
    e_result: bool
    online_payment: bool
    rating: int | None
    appointment_differs: bool  # the source's appointment is a day off the computed one
    steps: list[Step] | None

    @property
    def agency(self):
        return self.handling.agency

    @property
    def procedure(self):
        return self.handling.procedure


class _Epochs:
    """Which handlings are open on a day (agency validity, a limit in force), with their weights,
    online shares and limits, by spans of days between the catalogue's change dates."""

    def __init__(self, handlings: list[Handling], first: dt.date, last: dt.date):
        bounds = {first}
        for h in handlings:
            bounds.add(h.first_day)
            if h.last_day:
                bounds.add(h.last_day + dt.timedelta(days=1))
            bounds.update(day for day, _ in h.procedure.limits)
        self.starts = sorted(b for b in bounds if first <= b <= last)
        self.tables = []
        for start in self.starts:
            open_ = [
                i
                for i, h in enumerate(handlings)
                if h.first_day <= start
                and (h.last_day is None or start <= h.last_day)
                and h.procedure.limit_on(start) is not None
            ]
            weight = np.array([handlings[i].weight for i in open_], dtype=float)
            online = np.array([handlings[i].procedure.online_share for i in open_], dtype=float)
            self.tables.append(
                {
                    "index": np.array(open_, dtype=np.int64),
                    "working": _norm(weight),
                    "day_off": _norm(weight * online),  # only online dossiers on a day off
                    "online": online,
                    "limit": np.array(
                        [float(handlings[i].procedure.limit_on(start)) for i in open_]
                    ),
                    "decimal": [handlings[i].procedure.limit_on(start) for i in open_],
                }
            )

    def on(self, day: dt.date) -> dict:
        return self.tables[bisect_right(self.starts, day) - 1]


def _norm(weights: np.ndarray) -> np.ndarray | None:
    total = weights.sum()
    return weights / total if len(weights) and total > 0 else None


def lives(
    count: int,
    *,
    seed: int,
    catalogue: list[Handling],
    first: dt.date,
    last: dt.date,
    calendar,
    steps: bool = False,
    code_prefix: str = "",
    block: int = 20_000,
) -> Iterator[Life]:
    """About ``count`` dossiers received from ``first`` to ``last``, in receipt order, generated
    in blocks of about ``block`` rows so that any count streams in bounded memory. (Days with no
    open TTHC, e.g. before any limit took effect, lose their share: the count is then lower.)"""
    days, weights = day_weights(first, last, calendar)
    per_day = np.random.default_rng([seed, 0]).multinomial(count, weights)
    epochs = _Epochs(catalogue, first, last)
    maker = _Block(catalogue, calendar, steps=steps, code_prefix=code_prefix)
    drawn_days: list[dict] = []
    size = 0
    for day, k in zip(days, per_day.tolist(), strict=True):
        drawn = _draw_day(day, k, seed=seed, table=epochs.on(day), calendar=calendar) if k else None
        if drawn is None:
            continue
        drawn_days.append(drawn)
        size += k
        if size >= block:
            yield from maker.make(drawn_days)
            drawn_days, size = [], 0
    if drawn_days:
        yield from maker.make(drawn_days)


# The uniforms each dossier draws on its day, by name (a block never changes the randomness).
_U = [
    "channel",
    "post",
    "supplement",
    "request",
    "wait",
    "never",
    "outcome",
    "klass",
    "position",
    "late",
    "extend",
    "extend_at",
    "digitised",
    "e_result",
    "payment",
    "rated",
    "rating",
    "shift",
    "unit",
    "s1",
    "s2",
    "s3",
    "s4",
]
U = {name: i for i, name in enumerate(_U)}


def _draw_day(day: dt.date, k: int, *, seed: int, table: dict, calendar) -> dict | None:
    working = calendar.is_working_day(day)
    probabilities = table["working"] if working else table["day_off"]
    if probabilities is None:
        return None
    rng = np.random.default_rng([seed, day.toordinal()])
    chosen = rng.choice(len(table["index"]), size=k, p=probabilities)
    u = rng.random((k, len(_U)))
    online = (u[:, U["channel"]] < table["online"][chosen]) if working else np.ones(k, bool)
    # Time of day: counters in office hours (mornings busier); online around the clock, mostly
    # in the daytime.
    periods = [(_sec(a), _sec(b)) for a, b in calendar.periods]
    (first_start, first_end), (last_start, last_end) = periods[0], periods[-1]
    office = np.where(
        rng.random(k) < 0.58,
        first_start + rng.random(k) * (first_end - first_start),
        last_start + rng.random(k) * (last_end - last_start),
    )
    anytime = np.clip(rng.normal(14.5 * 3600, 4.5 * 3600, k), 0, DAY - 60)
    tod = np.where(online & (rng.random(k) < 0.55), anytime, office)
    tod = (tod // 60 * 60).astype(np.int64)
    order = np.argsort(tod, kind="stable")
    chosen = chosen[order]
    return {
        "day": day,
        "handling": table["index"][chosen],
        "online": online[order],
        "tod": tod[order],
        "limit": table["limit"][chosen],
        "decimal": [table["decimal"][i] for i in chosen.tolist()],
        "u": u[order],
    }


def _sec(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


NONE = np.int64(-1)  # a missing moment in the wall-time arrays


class _Block:
    """Turns the days' draws into lives: every moment computed on the calendar's array path in
    local wall-time seconds."""

    def __init__(self, catalogue, calendar, *, steps: bool, code_prefix: str):
        self.catalogue = catalogue
        self.calendar = calendar
        self.steps = steps
        self.code_prefix = code_prefix
        self.late_share = np.array([h.procedure.late_share for h in catalogue])
        self.pause = np.array([h.procedure.rule == "pause" for h in catalogue])
        self.ds = calendar.day_seconds
        self.first_open = _sec(calendar.periods[0][0])
        self.last_close = _sec(calendar.periods[-1][1])
        self.index = 0

    # -- wall-time helpers

    def add(self, start: np.ndarray, days: np.ndarray) -> np.ndarray:
        """start (wall seconds) plus working days, floored to the minute."""
        result = self.calendar.add_working_days_many(
            start.astype("datetime64[s]"), np.maximum(days, 0.0)
        ).astype(np.int64)
        return result // 60 * 60

    def office_between(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        return self.calendar.office_seconds_between_many(
            start.astype("datetime64[s]"), end.astype("datetime64[s]")
        ).astype(np.int64)

    def aware(self, values: np.ndarray, mask: np.ndarray | None = None) -> list:
        tz = self.calendar.tz
        naive = np.where(values < 0, 0, values).astype("datetime64[s]").astype(object)
        keep = values >= 0 if mask is None else (values >= 0) & mask
        return [
            n.replace(tzinfo=tz) if k else None for n, k in zip(naive, keep.tolist(), strict=True)
        ]

    # -- the block

    def make(self, drawn_days: list[dict]) -> Iterator[Life]:  # noqa: C901 (one life, step by step)
        h = np.concatenate([d["handling"] for d in drawn_days])
        online = np.concatenate([d["online"] for d in drawn_days])
        limit = np.concatenate([d["limit"] for d in drawn_days])
        decimals = [x for d in drawn_days for x in d["decimal"]]
        u = np.concatenate([d["u"] for d in drawn_days])
        day_numbers = np.concatenate(
            [np.full(len(d["tod"]), d["day"].toordinal() - _EPOCH, np.int64) for d in drawn_days]
        )
        recv = day_numbers * DAY + np.concatenate([d["tod"] for d in drawn_days])
        col = lambda name: u[:, U[name]]  # noqa: E731
        limit_s = np.rint(limit * self.ds).astype(np.int64)

        outcome_draw = col("outcome")
        withdrawn = outcome_draw < WITHDRAWN
        refused = (outcome_draw >= WITHDRAWN) & (outcome_draw < WITHDRAWN + REFUSED)
        stuck = (outcome_draw >= WITHDRAWN + REFUSED) & (outcome_draw < WITHDRAWN + REFUSED + STUCK)
        supplement = (col("supplement") < SUPPLEMENT + 0.1 * np.minimum(limit, 30) / 30) & ~(
            withdrawn | stuck
        )
        never = supplement & (col("never") < NEVER_RESUBMITTED)

        requested = self.add(recv, np.minimum(limit * (0.05 + 0.45 * col("request")), 3.0))
        waited = 0.25 - np.log1p(-col("wait")) * 3.0
        resubmitted = self.add(requested, waited)
        start = np.where(supplement & ~never, resubmitted, recv)
        pause = self.pause[h] & supplement
        credit = np.where(pause, np.maximum(self.office_between(recv, requested), 0), 0)
        remaining = np.maximum(limit_s - credit, 0)
        due = self.add(start, remaining / self.ds)
        first_due = self.add(recv, limit)

        # The result, placed against the due time: early, on time or late.
        klass = col("klass")
        late_aim = klass < self.late_share[h]
        on_time_aim = ~late_aim & (klass < self.late_share[h] + ON_TIME)
        position = col("position")
        early_end = self.add(start, remaining * (0.05 + 0.75 * position) / self.ds)
        due_day_open = due // DAY * DAY + self.first_open
        low = np.maximum(due_day_open, start)
        on_time_end = np.minimum((low + position * (due - low)) // 60 * 60, due)
        late_end = self.add(due, 0.03 - np.log1p(-col("late")) * 0.8)
        late_end = np.maximum(late_end, due + 60)
        end = np.where(late_aim, late_end, np.where(on_time_aim, on_time_end, early_end))
        # Papers that never came: refused or withdrawn weeks later. Withdrawn early on. Stuck.
        end = np.where(never, self.add(requested, 10 + 20 * position), end)
        refused = np.where(never, klass < 0.6, refused)
        withdrawn = np.where(never, klass >= 0.6, withdrawn)
        end = np.where(
            withdrawn & ~never, np.maximum(self.add(recv, limit * 0.7 * position), recv), end
        )
        end = np.where(stuck, NONE, end)
        resolved = ~(withdrawn | stuck)

        # The class the clock gives (indicators.clock): by day against the due time; a dossier
        # refused while its papers never came is late only when its used time passed the limit.
        end_day, due_day = end // DAY, due // DAY
        timing = np.where(
            end_day < due_day,
            "early",
            np.where((end_day == due_day) & (end <= due), "on_time", "late"),
        )
        timing = np.where(never, np.where(credit > limit_s, "late", "on_time"), timing)
        timing = np.where(resolved, timing, "")

        extend = resolved & ~never & (timing == "late") & (col("extend") < 0.5)
        extended = self.add(start, remaining * (0.55 + 0.4 * col("extend_at")) / self.ds)
        extended_due = end // DAY * DAY + self.last_close

        outcome = np.where(
            withdrawn, "withdrawn", np.where(refused, "refused", np.where(stuck, "", "issued"))
        )
        issued = outcome == "issued"
        digitised = col("digitised") < np.where(online, 0.9, 0.55)
        e_result = issued & (col("e_result") < np.where(online, 0.65, 0.15))
        payment = online & (col("payment") < 0.45)
        rated = issued & (col("rated") < np.where(online, 0.3, 0.08))
        rating = 1 + np.searchsorted(np.cumsum([0.02, 0.03, 0.10, 0.35, 0.50]), col("rating"))
        rating = np.minimum(rating, 5)
        post = col("post")
        channel = np.where(
            online,
            "online",
            np.where(post < OFFLINE_SHARES[0], "in_person",
                     np.where(post < OFFLINE_SHARES[0] + OFFLINE_SHARES[1], "postal", "public_postal")),
        )  # fmt: skip
        differs = col("shift") < 0.01

        moments = {
            "received": self.aware(recv),
            "first_due": self.aware(first_due),
            "due": self.aware(due, ~never),
            "requested": self.aware(requested, supplement),
            "resubmitted": self.aware(resubmitted, supplement & ~never),
            "extended": self.aware(extended, extend),
            "extended_due": self.aware(extended_due, extend),
            "end": self.aware(end),
        }
        step_rows = None
        if self.steps:
            shares = u[:, [U["s1"], U["s2"], U["s3"], U["s4"]]]
            step_rows = step_sheets(self, h, shares, col("unit"), recv, start, end, requested, due,
                                    decimals, outcome, never)  # fmt: skip

        counters: dict[tuple[str, int], int] = {}
        rows = zip(
            h.tolist(),
            day_numbers.tolist(),
            channel.tolist(),
            outcome.tolist(),
            timing.tolist(),
            digitised.tolist(),
            e_result.tolist(),
            payment.tolist(),
            np.where(rated, rating, 0).tolist(),
            differs.tolist(),
            strict=True,
        )
        for i, (hi, day_number, chan, out, klass_, dig, eres, pay, rate, diff) in enumerate(rows):
            handling = self.catalogue[hi]
            agency_code = handling.agency.code
            seq = counters[(agency_code, day_number)] = (
                counters.get((agency_code, day_number), 0) + 1
            )
            day = dt.date.fromordinal(day_number + _EPOCH)
            yield Life(
                index=self.index,
                handling=handling,
                code=f"{self.code_prefix}{agency_code}-{day:%y%m%d}-{seq:04d}",
                channel=chan,
                received_at=moments["received"][i],
                limit_days=decimals[i],
                first_due_at=moments["first_due"][i],
                due_at=moments["due"][i],
                requested_at=moments["requested"][i],
                resubmitted_at=moments["resubmitted"][i],
                extended_at=moments["extended"][i],
                extended_due_at=moments["extended_due"][i],
                end_at=moments["end"][i],
                outcome=out,
                timing=klass_,
                digitised=dig,
                e_result=eres,
                online_payment=pay,
                rating=rate or None,
                appointment_differs=diff,
                steps=step_rows[i] if step_rows is not None else None,
            )
            self.index += 1
