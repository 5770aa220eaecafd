"""GET /dossiers (the caller's, filtered, a page at a time) and /dossiers/{agency}/{code}."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError

from qms import permissions
from qms.models import Agency

from .. import selectors_api
from ..models.dossiers import DossierState
from ..rules import DOSSIER
from .auth import PolicyBearerAuth
from .schemas import NO_NUL, DossierDetailOut, DossierOut, ErrorOut

router = Router(auth=PolicyBearerAuth(DOSSIER, permissions.VIEW), tags=["dossiers"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_LIMIT = 500


class DossierFilters(Schema):
    agency: str | None = Field(
        None,
        max_length=40,
        pattern=NO_NUL,
        description="Mã cơ quan (gồm đơn vị trực thuộc) / agency code",
    )
    received_from: dt.date | None = Field(None, description="Tiếp nhận từ ngày / received from")
    received_to: dt.date | None = Field(None, description="Tiếp nhận đến ngày / received to")
    state: DossierState | None = Field(None, description="Trạng thái / state")
    procedure: str | None = Field(
        None, max_length=40, pattern=NO_NUL, description="Mã TTHC / TTHC code"
    )
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description="Số hồ sơ một trang / page size")
    offset: int = Field(0, ge=0, le=10_000_000, description="Bỏ qua / rows skipped")


class DossierPage(Schema):
    count: int
    items: list[DossierOut]


def _number(value):
    return float(value) if value is not None else None


def dossier_out(dossier) -> dict:
    return {
        "agency": dossier.agency.code,
        "code": dossier.code,
        "procedure": dossier.procedure.code,
        "channel": dossier.channel,
        "state": dossier.state,
        "outcome": dossier.outcome,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "extended_due_at": dossier.extended_due_at,
        "resolved_at": dossier.resolved_at,
        "timing": dossier.timing,
        "processing_days": _number(dossier.processing_days),
        "limit_days": float(dossier.limit_days),
        "supplement_count": dossier.supplement_count,
        "source_updated_at": dossier.source_updated_at,
    }


def agency_in_scope(user, code: str, resource: str) -> Agency:
    """The agency of ``code`` when the caller may read ``resource`` there: 422 unknown, 403 not
    theirs (the agency tree is public; its data is not)."""
    agency = Agency.objects.filter(code=code.strip().upper()).first()
    if agency is None:
        raise HttpError(422, _("agency: không có cơ quan, đơn vị mang mã «%s»") % code)
    if not permissions.has_permission(user, resource, permissions.VIEW, agency):
        raise HttpError(
            403,
            _("agency: bạn không được xem dữ liệu của «%(name)s» (%(code)s)")
            % {"name": agency.name, "code": agency.code},
        )
    return agency


@router.get(
    "",
    response={200: DossierPage, **ERRORS},
    summary="Hồ sơ của cơ quan mình / the caller's dossiers",
    url_name="dossier_list",
)
def dossier_list(request, filters: Query[DossierFilters]):
    """Hồ sơ trong phạm vi được xem, mới tiếp nhận trước. The dossiers the caller may read,
    latest receipt first, ``limit`` at a time from ``offset``."""
    if (
        filters.received_from
        and filters.received_to
        and filters.received_from > filters.received_to
    ):
        raise HttpError(422, _("received_to: phải từ ngày received_from trở đi"))
    agency = agency_in_scope(request.user, filters.agency, DOSSIER) if filters.agency else None
    queryset = selectors_api.dossiers_for(
        request.user,
        agency=agency,
        received_from=filters.received_from,
        received_to=filters.received_to,
        state=filters.state,
        procedure=filters.procedure,
    )
    page = queryset[filters.offset : filters.offset + filters.limit]
    return Status(200, {"count": queryset.count(), "items": [dossier_out(d) for d in page]})


@router.get(
    "/{agency_code}/{code}",
    response={200: DossierDetailOut, **ERRORS},
    summary="Một hồ sơ, lịch sử và phiếu kiểm soát / one dossier with its events and steps",
    url_name="dossier_detail",
)
def dossier_detail(
    request,
    agency_code: str = Path(..., max_length=40, pattern=NO_NUL, description="Mã cơ quan"),
    code: str = Path(..., max_length=64, pattern=NO_NUL, description="Mã hồ sơ"),
):
    """404 when there is no such dossier or it is not the caller's to read."""
    dossier = selectors_api.dossier_for(request.user, agency_code, code)
    if dossier is None:
        raise HttpError(
            404,
            _("Không có hồ sơ mang mã này trong phạm vi bạn được xem."),
        )
    events, steps = selectors_api.dossier_history(dossier)
    return Status(
        200,
        {
            **dossier_out(dossier),
            "events": [{"kind": e.kind, "at": e.at, "data": e.data} for e in events],
            "steps": [
                {
                    "position": s.position,
                    "code": s.code,
                    "unit": s.unit,
                    "handed_in_at": s.handed_in_at,
                    "handed_out_at": s.handed_out_at,
                    "allotted_days": _number(s.allotted_days),
                    "used_days": _number(s.used_days),
                    "overrun_days": _number(s.overrun_days),
                    "timing": s.timing,
                }
                for s in steps
            ],
        },
    )
