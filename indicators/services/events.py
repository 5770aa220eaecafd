"""Dossier events sent by a one-stop system through the API: the one way to apply them.

``apply_events(events, actor=, all_or_nothing=)`` takes ``EventData`` (one at a time or up to
``MAX_BATCH``), and for each, in order:

1. the agency: its code must name an agency the caller may ADD ``dossierevent`` on (a service
   account holds an officer's role there, so the policy scopes it like a person);
2. idempotency: an event id already kept for that agency (``ApiEvent``) is answered "duplicate"
   with the first outcome and changes nothing; two deliveries at once are told apart by the unique
   constraint (agency, event id), never by a read alone;
3. the checks: TTHC code in the catalogue and channel for a receipt; a non-"received" event for an
   unknown dossier is an error naming its code; times in order; a finished dossier takes no more
   events; the process-control sheet checked by ``indicators.services.steps.validate_sheet``;
4. the write: a ``DossierRecord`` built from the stored dossier plus the event, with
   ``source_updated_at`` the event's time, goes through ``indicators.services.dossiers.upsert``
   (summaries, dossier events, clock), and a sheet through ``steps.record_sheets``. An event older
   than the dossier's latest source time is "stale": kept, not applied (the later source time wins).

Each event runs in its own savepoint inside one transaction. With ``all_or_nothing`` one bad event
rolls everything back (the bad ones named, the others answered "not_applied"); otherwise the good
ones are applied and the bad ones named (index, event id, field, value).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qms import permissions
from qms.display import format_moment
from qms.models import AdministrativeProcedure, Agency
from qms.text import nfc
from qms.workcal import get_calendar

from ..models import ApiEvent, Dossier
from ..models.api import ApiEventKind, ApiEventOutcome
from ..models.dossiers import Channel, DossierState, Outcome
from ..rules import EVENTS
from .dossiers import DossierRecord, upsert

MAX_BATCH = 1000
# A source's clock may run a little ahead of ours; beyond this an event "in the future" is refused.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)

APPLIED, STALE, DUPLICATE, ERROR, NOT_APPLIED = (
    "applied",
    "stale",
    "duplicate",
    "error",
    "not_applied",
)
FINISHED = (DossierState.RESOLVED, DossierState.REFUSED, DossierState.WITHDRAWN)
CLOSING = {
    ApiEventKind.RESOLVED: Outcome.ISSUED,
    ApiEventKind.REFUSED: Outcome.REFUSED,
    ApiEventKind.WITHDRAWN: Outcome.WITHDRAWN,
}


@dataclass
class StepData:
    code: str
    unit: str
    handed_in_at: dt.datetime
    handed_out_at: dt.datetime | None = None


@dataclass
class EventData:
    """One event as the source sends it (no personal data)."""

    event_id: str
    agency: str  # the agency's code
    dossier_code: str
    kind: str  # ApiEventKind
    occurred_at: dt.datetime
    procedure: str | None = None  # TTHC code (received)
    channel: str | None = None  # Channel (received)
    appointment_at: dt.datetime | None = None  # (received)
    extended_due_at: dt.datetime | None = None  # (extended)
    digitised: bool | None = None
    e_result: bool | None = None
    online_payment: bool | None = None
    rating: int | None = None
    steps: list[StepData] | None = None

    def __post_init__(self):
        if self.steps is not None:
            self.steps = [s if isinstance(s, StepData) else StepData(**s) for s in self.steps]

    @classmethod
    def from_dict(cls, values: dict) -> EventData:
        return cls(**values)

    def payload(self) -> dict:
        """The event as kept in ``ApiEvent.payload`` (JSON; no field is left out but empty ones)."""
        values = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        return _jsonable(values)


@dataclass(frozen=True)
class EventError:
    field: str
    message: str
    value: str = ""


@dataclass
class EventResult:
    index: int
    event_id: str
    status: str  # applied | stale | duplicate | error | not_applied
    dossier_code: str = ""
    # For a duplicate: the outcome the event had the first time (applied or stale).
    first_outcome: str = ""
    errors: list[EventError] = field(default_factory=list)


@dataclass
class BatchResult:
    results: list[EventResult]
    all_or_nothing: bool

    @property
    def failed(self) -> bool:
        return any(r.status == ERROR for r in self.results)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)


class _Rejected(Exception):
    def __init__(self, errors: list[EventError]):
        super().__init__(errors)
        self.errors = errors


def _jsonable(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


class _Lookups:
    """Agencies, TTHC and the caller's rights, read once per batch."""

    def __init__(self, actor, events: list[EventData]):
        self.actor = actor
        codes = {nfc(e.agency).upper() for e in events if e.agency}
        self.agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
        procedures = {nfc(e.procedure) for e in events if e.procedure}
        self.procedures = dict(
            AdministrativeProcedure.objects.filter(code__in=procedures).values_list("code", "pk")
        )
        self._allowed: dict[int, bool] = {}

    def agency(self, code: str) -> Agency:
        code = nfc(code).upper()
        found = self.agencies.get(code)
        if found is None:
            raise _Rejected(
                [EventError("agency", _("không có cơ quan, đơn vị mang mã «%s»") % code, code)]
            )
        if found.pk not in self._allowed:
            self._allowed[found.pk] = permissions.can_act_on_agency(
                self.actor, EVENTS, permissions.ADD, found
            )
        if not self._allowed[found.pk]:
            raise _Rejected(
                [
                    EventError(
                        "agency",
                        _("tài khoản này không được gửi sự kiện hồ sơ của «%(name)s» (%(code)s)")
                        % {"name": found.name, "code": code},
                        code,
                    )
                ]
            )
        return found


def apply_events(
    events: list[EventData], *, actor, all_or_nothing: bool = False, calendar=None
) -> BatchResult:
    """Apply ``events`` in order (see the module's docstring); answers one result per event."""
    if len(events) > MAX_BATCH:
        raise ValidationError(
            _("Một lô có tối đa %(max)d sự kiện; lô này có %(count)d.")
            % {"max": MAX_BATCH, "count": len(events)}
        )
    calendar = calendar or get_calendar()
    lookups = _Lookups(actor, events)
    results = []
    with transaction.atomic():
        for index, event in enumerate(events):
            results.append(_apply_one(index, event, lookups, actor=actor, calendar=calendar))
        batch = BatchResult(results, all_or_nothing)
        if all_or_nothing and batch.failed:
            transaction.set_rollback(True)
            for result in results:
                if result.status in (APPLIED, STALE):
                    result.status = NOT_APPLIED
    return batch


def _apply_one(index: int, event: EventData, lookups: _Lookups, *, actor, calendar):
    result = EventResult(index, event.event_id, ERROR, dossier_code=event.dossier_code)
    try:
        agency = lookups.agency(event.agency)
        first = ApiEvent.objects.filter(agency=agency, event_id=event.event_id).first()
        if first is not None:
            result.status, result.first_outcome = DUPLICATE, first.outcome
            return result
        try:
            with transaction.atomic():  # a savepoint: a bad event leaves nothing behind
                kept = ApiEvent.objects.create(
                    agency=agency,
                    event_id=event.event_id,
                    kind=event.kind,
                    dossier_code=event.dossier_code,
                    occurred_at=event.occurred_at,
                    outcome=ApiEventOutcome.APPLIED,
                    payload=event.payload(),
                    sent_by=actor if getattr(actor, "pk", None) else None,
                )
                outcome = _apply(event, agency, lookups, actor=actor, calendar=calendar)
                if outcome != kept.outcome:
                    kept.outcome = outcome
                    kept.save(update_fields=["outcome"])
        except IntegrityError:
            # The same event id kept meanwhile by another delivery (the unique constraint).
            first = ApiEvent.objects.filter(agency=agency, event_id=event.event_id).first()
            if first is None:
                raise _Rejected(
                    [
                        EventError(
                            "dossier_code",
                            _("hồ sơ đang được ghi bởi một yêu cầu khác; hãy gửi lại sự kiện"),
                            event.dossier_code,
                        )
                    ]
                ) from None
            result.status, result.first_outcome = DUPLICATE, first.outcome
            return result
    except _Rejected as exc:
        result.errors = exc.errors
        return result
    result.status = STALE if outcome == ApiEventOutcome.STALE else APPLIED
    return result


def _record_of(dossier: Dossier) -> DossierRecord:
    return DossierRecord(
        line=0,
        agency_id=dossier.agency_id,
        code=dossier.code,
        procedure_id=dossier.procedure_id,
        channel=dossier.channel,
        received_at=dossier.received_at,
        appointment_at=dossier.appointment_at,
        supplement_requested_at=dossier.supplement_requested_at,
        resubmitted_at=dossier.resubmitted_at,
        extended_at=dossier.extended_at,
        extended_due_at=dossier.extended_due_at,
        resolved_at=dossier.resolved_at,
        outcome=dossier.outcome,
        pending_state=(
            DossierState.RECEIVED
            if dossier.state == DossierState.RECEIVED
            else DossierState.IN_PROGRESS
        ),
        digitised=dossier.digitised,
        e_result=dossier.e_result,
        online_payment=dossier.online_payment,
        rating=dossier.rating,
        source_updated_at=dossier.source_updated_at,
    )


def _check_times(event: EventData) -> list[EventError]:
    errors = []
    latest = timezone.now() + FUTURE_TOLERANCE
    for name in ("occurred_at", "appointment_at", "extended_due_at"):
        value = getattr(event, name)
        if value is not None and timezone.is_naive(value):
            errors.append(
                EventError(name, _("thời điểm phải có múi giờ (ví dụ +07:00)"), _shown(value))
            )
    if errors:
        return errors
    if event.occurred_at > latest:
        errors.append(
            EventError(
                "occurred_at",
                _("thời điểm ở tương lai (%s)") % format_moment(event.occurred_at),
                _shown(event.occurred_at),
            )
        )
    for step_index, step in enumerate(event.steps or ()):
        for name in ("handed_in_at", "handed_out_at"):
            value = getattr(step, name)
            if value is not None and timezone.is_naive(value):
                errors.append(
                    EventError(
                        f"steps[{step_index}].{name}",
                        _("thời điểm phải có múi giờ (ví dụ +07:00)"),
                        _shown(value),
                    )
                )
    return errors


def _sheet_rows(event: EventData):
    """The event's sheet as ``steps.StepRow``s, checked by the steps service."""
    from . import steps as steps_service

    rows = [
        steps_service.StepRow(s.code, s.unit, s.handed_in_at, s.handed_out_at)
        for s in event.steps or ()
    ]
    errors = [
        EventError(f"steps[{i}].{name}", message, _shown(_step_value(event, i, name)))
        for i, name, message in steps_service.validate_sheet(rows)
    ]
    return rows, errors


def _step_value(event: EventData, index: int, name: str):
    try:
        return getattr(event.steps[index], name, "")
    except (IndexError, TypeError):
        return ""


def _sheet_is_stale(event: EventData, agency: Agency) -> bool:
    """A sheet older than one already applied for the dossier: the later one stands."""
    return (
        ApiEvent.objects.filter(
            agency=agency,
            dossier_code=event.dossier_code,
            outcome=ApiEventOutcome.APPLIED,
            occurred_at__gt=event.occurred_at,
            payload__has_key="steps",
        )
        .exclude(event_id=event.event_id)
        .exists()
    )


def _apply(event: EventData, agency: Agency, lookups: _Lookups, *, actor, calendar) -> str:  # noqa: C901 (one check after another)
    """Check and write one event (inside its savepoint); raise ``_Rejected`` naming the fields."""
    errors = _check_times(event)
    if errors:
        raise _Rejected(errors)
    kind = event.kind
    dossier = (
        Dossier.objects.select_for_update().filter(agency=agency, code=event.dossier_code).first()
    )
    rows, sheet_errors = ([], [])
    if event.steps is not None:
        rows, sheet_errors = _sheet_rows(event)

    if kind == ApiEventKind.STEPS:
        if event.steps is None:
            errors.append(EventError("steps", _("sự kiện «steps» cần phiếu kiểm soát quá trình")))
        if dossier is None:
            errors.append(_unknown_dossier(event, agency))
        if errors or sheet_errors:
            raise _Rejected(errors + sheet_errors)
        if _sheet_is_stale(event, agency):
            return ApiEventOutcome.STALE
        _record_sheet(dossier, rows, calendar)
        return ApiEventOutcome.APPLIED

    if dossier is not None and event.occurred_at < dossier.source_updated_at:
        return ApiEventOutcome.STALE  # the later source time wins

    if kind == ApiEventKind.RECEIVED:
        procedure_id = None
        if not event.procedure:
            errors.append(EventError("procedure", _("sự kiện tiếp nhận cần mã TTHC")))
        else:
            procedure_id = lookups.procedures.get(nfc(event.procedure))
            if procedure_id is None:
                errors.append(
                    EventError(
                        "procedure",
                        _("không có TTHC mang mã «%s» trong danh mục") % event.procedure,
                        event.procedure,
                    )
                )
        if not event.channel:
            errors.append(EventError("channel", _("sự kiện tiếp nhận cần kênh nộp")))
        elif event.channel not in Channel.values:
            errors.append(
                EventError(
                    "channel",
                    _("kênh nộp không nhận ra (%s)") % ", ".join(Channel.values),
                    event.channel,
                )
            )
        if dossier is not None and dossier.state in FINISHED:
            errors.append(_finished(event, dossier))
        if errors or sheet_errors:
            raise _Rejected(errors + sheet_errors)
        if dossier is None:
            record = DossierRecord(
                line=0,
                agency_id=agency.pk,
                code=event.dossier_code,
                procedure_id=procedure_id,
                channel=event.channel,
                received_at=event.occurred_at,
                pending_state=DossierState.RECEIVED,
            )
        else:
            record = dataclasses.replace(
                _record_of(dossier),
                procedure_id=procedure_id,
                channel=event.channel,
                received_at=event.occurred_at,
            )
        record.appointment_at = event.appointment_at
    else:
        if dossier is None:
            raise _Rejected([_unknown_dossier(event, agency), *sheet_errors])
        if dossier.state in FINISHED:
            errors.append(_finished(event, dossier))
        elif event.occurred_at < dossier.received_at:
            errors.append(
                EventError(
                    "occurred_at",
                    _("trước lúc tiếp nhận hồ sơ (%s)") % format_moment(dossier.received_at),
                    _shown(event.occurred_at),
                )
            )
        record = _record_of(dossier)
        record.pending_state = DossierState.IN_PROGRESS
        if kind == ApiEventKind.SUPPLEMENT_REQUESTED:
            if dossier.state == DossierState.WAITING:
                errors.append(
                    EventError(
                        "kind",
                        _("hồ sơ «%(code)s» đang chờ bổ sung (yêu cầu lúc %(at)s): gửi "
                          "«resubmitted» trước")
                        % {"code": dossier.code, "at": format_moment(dossier.supplement_requested_at)},
                        kind,
                    )
                )  # fmt: skip
            record.supplement_requested_at = event.occurred_at
            record.resubmitted_at = None
        elif kind == ApiEventKind.RESUBMITTED:
            if dossier.supplement_requested_at is None or dossier.resubmitted_at is not None:
                errors.append(
                    EventError(
                        "kind",
                        _("hồ sơ «%s» không chờ bổ sung: chưa có yêu cầu bổ sung nào đang mở")
                        % dossier.code,
                        kind,
                    )
                )
            record.resubmitted_at = event.occurred_at
        elif kind == ApiEventKind.EXTENDED:
            if event.extended_due_at is None:
                errors.append(
                    EventError("extended_due_at", _("gia hạn cần ngày hẹn trả lại (thư xin lỗi)"))
                )
            elif event.extended_due_at <= event.occurred_at:
                errors.append(
                    EventError(
                        "extended_due_at",
                        _("ngày hẹn trả lại phải sau lúc gửi thư xin lỗi"),
                        _shown(event.extended_due_at),
                    )
                )
            record.extended_at = event.occurred_at
            record.extended_due_at = event.extended_due_at
        else:  # resolved, refused, withdrawn
            record.resolved_at = event.occurred_at
            record.outcome = CLOSING[kind]
        if errors or sheet_errors:
            raise _Rejected(errors + sheet_errors)

    for name in ("digitised", "e_result", "online_payment", "rating"):
        value = getattr(event, name)
        if value is not None:
            setattr(record, name, value)
    record.source_updated_at = event.occurred_at
    result = upsert([record], calendar=calendar, actor=actor)
    if result.problems:
        raise _Rejected(
            [
                EventError(
                    "occurred_at" if p.field in ("received_at", "extended_at") else p.field,
                    p.message,
                    p.value or _shown(event.occurred_at),
                )
                for p in result.problems
            ]
        )
    if event.steps is not None:
        dossier = Dossier.objects.get(agency=agency, code=event.dossier_code)
        _record_sheet(dossier, rows, calendar)
    return ApiEventOutcome.APPLIED


def _record_sheet(dossier: Dossier, rows, calendar) -> None:
    from . import steps as steps_service

    steps_service.record_sheets({dossier.pk: rows}, calendar=calendar)


def _unknown_dossier(event: EventData, agency: Agency) -> EventError:
    return EventError(
        "dossier_code",
        _("chưa có hồ sơ «%(code)s» của %(agency)s; gửi sự kiện «received» trước")
        % {"code": event.dossier_code, "agency": agency.code},
        event.dossier_code,
    )


def _finished(event: EventData, dossier: Dossier) -> EventError:
    return EventError(
        "kind",
        _("hồ sơ «%(code)s» đã kết thúc (%(state)s) nên không nhận sự kiện «%(kind)s»")
        % {"code": dossier.code, "state": dossier.get_state_display(), "kind": event.kind},
        event.kind,
    )
