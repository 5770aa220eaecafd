"""POST /events (one) and /events/batch (up to 1000): through ``services.events.apply_events``."""

from django.utils.translation import gettext as _
from ninja import Router, Status

from qms import permissions

from ..rules import EVENTS
from ..services import events as service
from .auth import PolicyBearerAuth
from .schemas import BatchIn, BatchOut, ErrorOut, EventIn, EventResultOut

router = Router(auth=PolicyBearerAuth(EVENTS, permissions.ADD), tags=["events"])
# 400: a body that is not JSON; 415: a form (multipart) body.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 415: ErrorOut, 422: ErrorOut}


def _result(result: service.EventResult) -> dict:
    return {
        "index": result.index,
        "event_id": result.event_id,
        "dossier_code": result.dossier_code,
        "status": result.status,
        "first_outcome": result.first_outcome,
        "errors": [
            {"field": e.field, "message": e.message, "value": e.value} for e in result.errors
        ],
    }


@router.post(
    "",
    response={200: EventResultOut, **ERRORS},
    summary="Gửi một sự kiện / send one event",
    url_name="event_create",
)
def event_create(request, payload: EventIn):
    """Áp dụng một sự kiện. Applied, stale or duplicate: 200 with the status; a bad event: 422
    with the result naming each field and value (nothing applied)."""
    batch = service.apply_events(
        [service.EventData.from_dict(payload.dict())], actor=request.user, all_or_nothing=True
    )
    result = batch.results[0]
    if result.status == service.ERROR:
        return Status(422, {"detail": _("Sự kiện không được áp dụng."), "result": _result(result)})
    return Status(200, _result(result))


@router.post(
    "/batch",
    response={200: BatchOut, **ERRORS},
    summary="Gửi một lô sự kiện / send a batch of events",
    url_name="event_batch",
)
def event_batch(request, payload: BatchIn):
    """Áp dụng một lô (tối đa 1000) theo thứ tự. Events are applied in order; each bad one is
    named by its index, event id and field. ``all_or_nothing``: one bad event and none is applied
    (the others answer ``not_applied``); otherwise the good ones are applied."""
    batch = service.apply_events(
        [service.EventData.from_dict(e.dict()) for e in payload.events],
        actor=request.user,
        all_or_nothing=payload.all_or_nothing,
    )
    return Status(
        200,
        {
            "all_or_nothing": payload.all_or_nothing,
            "applied": batch.count(service.APPLIED),
            "stale": batch.count(service.STALE),
            "duplicate": batch.count(service.DUPLICATE),
            "rejected": batch.count(service.ERROR),
            "not_applied": batch.count(service.NOT_APPLIED),
            "results": [_result(r) for r in batch.results],
        },
    )
