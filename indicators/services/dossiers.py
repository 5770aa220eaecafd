"""Writing dossiers: the one upsert every source goes through (the import today, the API in [8]).

``upsert(records, ...)`` takes ``DossierRecord``s (already parsed, one per dossier of a source),
finds their keys by (agency, code), computes each new or changed clock on the calendar's array
path, decides new / updated / unchanged (when the file and the database disagree, the later source
event time wins; an older one is ignored), and unless it is a dry run writes the dossiers, their
events and the summary deltas in the caller's transaction. A row it cannot accept (no limit in
force on the receipt date, a second extension) comes back as a ``RowProblem``.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from qms.display import format_day
from qms.models import TimeLimit
from qms.workcal import WorkingCalendar

from ..clock import classify, compute_many, local_date
from ..models import ClockRule, Dossier, DossierEvent, DossierKey
from ..models.dossiers import DossierState, EventKind, Outcome, SupplementRule
from .bulk import update_many
from .summaries import CONTRIBUTION_FIELDS, Delta, apply_delta


@dataclass
class DossierRecord:
    """One dossier as a source reports it (no personal data)."""

    line: int
    agency_id: int
    code: str
    procedure_id: int
    channel: str
    received_at: dt.datetime
    appointment_at: dt.datetime | None = None
    supplement_requested_at: dt.datetime | None = None
    resubmitted_at: dt.datetime | None = None
    extended_at: dt.datetime | None = None
    extended_due_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    outcome: str = ""  # Outcome, or "" while pending
    pending_state: str = DossierState.IN_PROGRESS  # RECEIVED or IN_PROGRESS while pending
    digitised: bool = False
    e_result: bool = False
    online_payment: bool = False
    rating: int | None = None
    source_updated_at: dt.datetime | None = None  # default: the latest time in the record

    def source_time(self) -> dt.datetime:
        if self.source_updated_at is not None:
            return self.source_updated_at
        times = [
            t
            for t in (
                self.received_at,
                self.supplement_requested_at,
                self.resubmitted_at,
                self.extended_at,
                self.resolved_at,
            )
            if t is not None
        ]
        return max(times)


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str
    message: str
    value: str = ""


@dataclass
class UpsertResult:
    new: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


class Limits:
    """The statutory limits of TTHC over time, loaded once per batch: ``on(procedure, day)``."""

    def __init__(self, procedure_ids):
        self._table: dict[int, tuple[list[dt.date], list[Decimal]]] = {}
        rows = TimeLimit.objects.filter(procedure_id__in=set(procedure_ids)).order_by(
            "procedure_id", "effective_from"
        )
        grouped = defaultdict(list)
        for row in rows.values_list("procedure_id", "effective_from", "working_days"):
            grouped[row[0]].append((row[1], row[2]))
        for procedure_id, items in grouped.items():
            self._table[procedure_id] = ([d for d, _ in items], [w for _, w in items])
        self.rules = dict(
            ClockRule.objects.filter(procedure_id__in=set(procedure_ids)).values_list(
                "procedure_id", "supplement_rule"
            )
        )

    def on(self, procedure_id: int, day: dt.date) -> Decimal | None:
        dates, values = self._table.get(procedure_id, ((), ()))
        index = bisect_right(dates, day)
        return values[index - 1] if index else None

    def rule(self, procedure_id: int) -> str:
        return self.rules.get(procedure_id, SupplementRule.RESTART)


# Fields a source sets (compared to decide whether a row changes anything).
SOURCE_FIELDS = (
    "procedure_id",
    "channel",
    "received_at",
    "appointment_at",
    "supplement_requested_at",
    "resubmitted_at",
    "extended_at",
    "extended_due_at",
    "resolved_at",
    "outcome",
    "state",
    "digitised",
    "e_result",
    "online_payment",
    "rating",
)
# Fields the clock computes.
CLOCK_FIELDS = (
    "received_on",
    "limit_days",
    "supplement_rule",
    "supplement_count",
    "clock_started_at",
    "clock_credit_seconds",
    "due_at",
    "due_mismatch",
    "resolved_on",
    "timing",
    "processing_days",
    "calendar_version",
)
WRITTEN_FIELDS = (*SOURCE_FIELDS, *CLOCK_FIELDS, "code", "agency_id", "source_updated_at")


def state_of(record: DossierRecord) -> str:
    if record.outcome == Outcome.ISSUED:
        return DossierState.RESOLVED
    if record.outcome == Outcome.REFUSED:
        return DossierState.REFUSED
    if record.outcome == Outcome.WITHDRAWN:
        return DossierState.WITHDRAWN
    if record.supplement_requested_at is not None and record.resubmitted_at is None:
        return DossierState.WAITING
    return record.pending_state


def appointment_differs(calendar, appointment_at, due_at) -> bool:
    """A source's appointment that is not the computed due time: a date alone (00:00) is
    compared by day, a date with a time to the minute."""
    if appointment_at is None or due_at is None:
        return False
    local = appointment_at.astimezone(calendar.tz)
    if local.time() == dt.time(0, 0):
        return local.date() != local_date(calendar, due_at)
    return abs((appointment_at - due_at).total_seconds()) >= 60


def _clock_inputs(values) -> tuple:
    get = values.get if isinstance(values, dict) else lambda name: getattr(values, name)
    return (
        get("procedure_id"),
        get("received_at"),
        get("supplement_requested_at"),
        get("resubmitted_at"),
    )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    return str(value)


def _events_for(record, values, before, *, agency_id, dossier_import, actor) -> list[DossierEvent]:
    """The events a record adds: each time newly present, and the changed fields."""
    moments = (
        (EventKind.RECEIVED, "received_at"),
        (EventKind.SUPPLEMENT_REQUESTED, "supplement_requested_at"),
        (EventKind.RESUBMITTED, "resubmitted_at"),
        (EventKind.EXTENDED, "extended_at"),
    )
    events = []

    def event(kind, at, data=None):
        events.append(
            DossierEvent(
                dossier_id=values["key_id"],
                agency_id=agency_id,
                kind=kind,
                at=at,
                dossier_import=dossier_import,
                actor=actor,
                data=data or {},
            )
        )

    for kind, name in moments:
        if values[name] is not None and (before is None or getattr(before, name) != values[name]):
            data = {}
            if kind == EventKind.EXTENDED:
                data = {"extended_due_at": _text(values["extended_due_at"])}
            event(kind, values[name], data)
    if values["resolved_at"] is not None and (
        before is None
        or before.resolved_at != values["resolved_at"]
        or before.state != values["state"]
    ):
        kind = {
            DossierState.REFUSED: EventKind.REFUSED,
            DossierState.WITHDRAWN: EventKind.WITHDRAWN,
        }.get(values["state"], EventKind.RESOLVED)
        event(kind, values["resolved_at"], {"timing": str(values["timing"] or "")})
    if before is not None:
        changes = {
            name: [_text(getattr(before, name)), _text(values[name])]
            for name in (*SOURCE_FIELDS, "due_at", "timing", "processing_days")
            if getattr(before, name) != values[name]
        }
        if changes:
            event(EventKind.CHANGED, values["source_updated_at"], {"changes": changes})
    return events


def upsert(
    records: Sequence[DossierRecord],
    *,
    calendar: WorkingCalendar,
    dry_run: bool = False,
    dossier_import=None,
    actor=None,
) -> UpsertResult:
    """Apply ``records`` (at most one per dossier) inside the caller's transaction."""
    result = UpsertResult()
    if not records:
        return result
    limits = Limits({r.procedure_id for r in records})

    keys = {
        (k.agency_id, k.code): k.pk
        for k in DossierKey.objects.filter(
            agency_id__in={r.agency_id for r in records}, code__in={r.code for r in records}
        )
    }
    existing = Dossier.objects.filter(pk__in=list(keys.values()))
    if not dry_run and transaction.get_connection().in_atomic_block:
        existing = existing.select_for_update()
    existing = {(d.agency_id, d.code): d for d in existing}

    # Which rows need the clock computed, and the limit in force on their receipt day.
    to_compute, limit_of = [], {}
    accepted = []
    for record in records:
        before = existing.get((record.agency_id, record.code))
        if before is not None and record.source_time() < before.source_updated_at:
            result.unchanged.append(record.line)  # the database knows a later event
            continue
        if (
            before is not None
            and before.extended_at is not None
            and record.extended_at is not None
            and before.extended_at != record.extended_at
        ):
            result.problems.append(
                RowProblem(
                    record.line,
                    "extended_at",
                    _("hồ sơ đã gia hạn (thư xin lỗi) ngày %(day)s; chỉ được gia hạn một lần")
                    % {"day": format_day(local_date(calendar, before.extended_at))},
                )
            )
            continue
        received_on = local_date(calendar, record.received_at)
        keep_clock = before is not None and _clock_inputs(before) == _clock_inputs(vars(record))
        if not keep_clock:
            limit = limits.on(record.procedure_id, received_on)
            if limit is None:
                result.problems.append(
                    RowProblem(
                        record.line,
                        "received_at",
                        _("TTHC chưa có thời hạn giải quyết áp dụng ngày %(day)s")
                        % {"day": format_day(received_on)},
                        format_day(received_on),
                    )
                )
                continue
            limit_of[record.line] = limit
            to_compute.append(record)
        accepted.append((record, before, keep_clock, received_on))

    clocks = compute_many(
        calendar,
        received_at=[r.received_at for r in to_compute],
        limit_days=[limit_of[r.line] for r in to_compute],
        rule=[limits.rule(r.procedure_id) for r in to_compute],
        requested_at=[r.supplement_requested_at for r in to_compute],
        resubmitted_at=[r.resubmitted_at for r in to_compute],
        resolved_at=[r.resolved_at for r in to_compute],
        outcome=[r.outcome for r in to_compute],
    )
    computed = {r.line: i for i, r in enumerate(to_compute)}

    new_rows, changed_rows = [], []
    for record, before, keep_clock, received_on in accepted:
        state = state_of(record)
        values = {
            "agency_id": record.agency_id,
            "code": record.code,
            "procedure_id": record.procedure_id,
            "channel": record.channel,
            "received_at": record.received_at,
            "appointment_at": record.appointment_at,
            "supplement_requested_at": record.supplement_requested_at,
            "resubmitted_at": record.resubmitted_at,
            "extended_at": record.extended_at,
            "extended_due_at": record.extended_due_at,
            "resolved_at": record.resolved_at,
            "outcome": record.outcome,
            "state": state,
            "digitised": record.digitised,
            "e_result": record.e_result,
            "online_payment": record.online_payment,
            "rating": record.rating,
            "received_on": received_on,
            "supplement_count": 1 if record.supplement_requested_at is not None else 0,
            "source_updated_at": record.source_time(),
        }
        if keep_clock:
            # Same receipt and supplements: the stored due time stands (a later calendar or
            # limit change recomputes only on an explicit request); the result is judged by it.
            due_at = before.due_at
            values.update(
                limit_days=before.limit_days,
                supplement_rule=before.supplement_rule,
                supplement_count=max(before.supplement_count, values["supplement_count"]),
                clock_started_at=before.clock_started_at,
                clock_credit_seconds=before.clock_credit_seconds,
                due_at=due_at,
                calendar_version=before.calendar_version,
            )
            if record.resolved_at is None or record.outcome == Outcome.WITHDRAWN:
                timing, processing = "", None
            elif (
                before.resolved_at == record.resolved_at
                and before.outcome == record.outcome
                and before.processing_days is not None
            ):
                timing, processing = before.timing, before.processing_days
            else:
                clock = compute_many(
                    calendar,
                    received_at=[record.received_at],
                    limit_days=[before.limit_days],
                    rule=[before.supplement_rule],
                    requested_at=[record.supplement_requested_at],
                    resubmitted_at=[record.resubmitted_at],
                    resolved_at=[record.resolved_at],
                    outcome=[record.outcome],
                )
                processing = clock.processing_days[0]
                timing = (
                    clock.timing[0]
                    if due_at is None
                    else classify(calendar, due_at, record.resolved_at)
                )
            values.update(timing=str(timing or ""), processing_days=processing)
        else:
            i = computed[record.line]
            values.update(
                limit_days=limit_of[record.line],
                supplement_rule=limits.rule(record.procedure_id),
                clock_started_at=clocks.clock_started_at[i],
                clock_credit_seconds=clocks.clock_credit_seconds[i],
                due_at=clocks.due_at[i],
                timing=str(clocks.timing[i] or ""),
                processing_days=clocks.processing_days[i],
                calendar_version=calendar.version,
            )
        values["due_mismatch"] = appointment_differs(
            calendar, record.appointment_at, values["due_at"]
        )
        values["resolved_on"] = (
            local_date(calendar, record.resolved_at) if record.resolved_at is not None else None
        )
        if before is None:
            result.new.append(record.line)
            new_rows.append((record, values))
        elif any(getattr(before, name) != values[name] for name in WRITTEN_FIELDS):
            result.updated.append(record.line)
            changed_rows.append((record, values, before))
        else:
            result.unchanged.append(record.line)

    if dry_run or not (new_rows or changed_rows):
        return result
    _write(new_rows, changed_rows, dossier_import=dossier_import, actor=actor)
    return result


def _write(new_rows, changed_rows, *, dossier_import, actor) -> None:
    missing = [(r.agency_id, r.code) for r, _v in new_rows]
    if missing:
        DossierKey.objects.bulk_create(
            [DossierKey(agency_id=a, code=c) for a, c in missing],
            ignore_conflicts=True,
            batch_size=1000,
        )
    key_ids = {
        (k.agency_id, k.code): k.pk
        for k in DossierKey.objects.filter(
            agency_id__in={a for a, _c in missing}, code__in={c for _a, c in missing}
        )
    }
    delta = Delta()
    events = []
    created = []
    for record, values in new_rows:
        values["key_id"] = key_ids[(record.agency_id, record.code)]
        dossier = Dossier(last_import=dossier_import, **values)
        created.append(dossier)
        delta.add(values)
        events += _events_for(
            record,
            values,
            None,
            agency_id=record.agency_id,
            dossier_import=dossier_import,
            actor=actor,
        )
    Dossier.objects.bulk_create(created, batch_size=1000)
    updated = []
    for record, values, before in changed_rows:
        values["key_id"] = before.pk
        delta.add(_contribution_of(before), -1)
        delta.add(values)
        events += _events_for(
            record,
            values,
            before,
            agency_id=record.agency_id,
            dossier_import=dossier_import,
            actor=actor,
        )
        for name, value in values.items():
            if name != "key_id":
                setattr(before, name, value)
        before.last_import = dossier_import
        updated.append(before)
    if updated:
        update_many(Dossier, updated, [*WRITTEN_FIELDS, "last_import"])
    DossierEvent.objects.bulk_create(events, batch_size=2000)
    apply_delta(delta)


def _contribution_of(dossier: Dossier) -> dict:
    return {name: getattr(dossier, name) for name in CONTRIBUTION_FIELDS}
