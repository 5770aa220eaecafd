"""What a source shows of a generated dossier at a moment (``observed``), and that as the
``DossierRecord`` the one upsert takes (``record``, ``records``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .dossiers import Life, Step

# A dossier is "newly received" in a source for its first hours.
NEW_FOR = dt.timedelta(hours=2)


@dataclass(slots=True)
class Observed:
    """A dossier as a one-stop export of ``now`` shows it."""

    life: Life
    status: str  # received, in_progress, waiting, issued, refused, withdrawn
    appointment_at: dt.datetime
    requested_at: dt.datetime | None
    resubmitted_at: dt.datetime | None
    extended_at: dt.datetime | None
    extended_due_at: dt.datetime | None
    resolved_at: dt.datetime | None  # the result, refusal or withdrawal
    e_result: bool
    rating: int | None
    steps: list[Step] | None

    @property
    def outcome(self) -> str:
        return self.status if self.status in ("issued", "refused", "withdrawn") else ""

    @property
    def updated_at(self) -> dt.datetime:
        """The latest event the source knows."""
        times = (
            self.life.received_at,
            self.requested_at,
            self.resubmitted_at,
            self.extended_at,
            self.resolved_at,
        )
        return max(t for t in times if t is not None)


def _by(moment, now):
    return moment if moment is not None and moment <= now else None


def observed(life: Life, now: dt.datetime) -> Observed | None:
    """``life`` as seen at ``now`` (None when not yet received)."""
    if life.received_at > now:
        return None
    requested = _by(life.requested_at, now)
    resubmitted = _by(life.resubmitted_at, now) if requested else None
    resolved = _by(life.end_at, now)
    if resolved is not None:
        status = life.outcome
    elif requested is not None and resubmitted is None:
        status = "waiting"
    elif now - life.received_at < NEW_FOR and requested is None:
        status = "received"
    else:
        status = "in_progress"
    appointment = life.due_at if resubmitted is not None else life.first_due_at
    if life.appointment_differs:
        appointment = appointment + dt.timedelta(days=1)  # the source's own, different, date
    extended = _by(life.extended_at, now)
    steps = None
    if life.steps is not None:
        steps = [
            Step(
                s.code,
                s.content,
                s.unit,
                s.planned_days,
                s.handed_in,
                s.handed_out if s.handed_out is not None and s.handed_out <= now else None,
            )
            for s in life.steps
            if s.handed_in <= now
        ]
    issued = status == "issued"
    return Observed(
        life=life,
        status=status,
        appointment_at=appointment,
        requested_at=requested,
        resubmitted_at=resubmitted,
        extended_at=extended,
        extended_due_at=life.extended_due_at if extended is not None else None,
        resolved_at=resolved,
        e_result=life.e_result and issued,
        rating=life.rating if issued else None,
        steps=steps,
    )


def record(seen: Observed, *, line: int, agency_id=None, procedure_id=None):
    """The ``DossierRecord`` of an observed dossier (ids from the catalogue unless given)."""
    from indicators.services.dossiers import DossierRecord

    life = seen.life
    return DossierRecord(
        line=line,
        agency_id=agency_id or life.agency.id,
        code=life.code,
        procedure_id=procedure_id or life.procedure.id,
        channel=life.channel,
        received_at=life.received_at,
        appointment_at=seen.appointment_at,
        supplement_requested_at=seen.requested_at,
        resubmitted_at=seen.resubmitted_at,
        extended_at=seen.extended_at,
        extended_due_at=seen.extended_due_at,
        resolved_at=seen.resolved_at,
        outcome=seen.outcome,
        pending_state="received" if seen.status == "received" else "in_progress",
        digitised=life.digitised,
        e_result=seen.e_result,
        online_payment=life.online_payment,
        rating=seen.rating,
    )


def records(lives: Iterable[Life], now: dt.datetime, *, first_line: int = 2) -> Iterator:
    """The DossierRecords of ``lives`` as a source shows them at ``now`` (line numbers as in a
    file with a header row)."""
    line = first_line
    for life in lives:
        seen = observed(life, now)
        if seen is None:
            continue
        yield record(seen, line=line)
        line += 1
