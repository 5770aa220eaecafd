"""GET /metrics: ``indicators.selectors.metrics`` of one agency the caller may read."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from qms import permissions
from qms.models import Agency

from .. import selectors
from ..rules import METRICS
from .auth import PolicyBearerAuth
from .dossiers import agency_in_scope
from .schemas import NO_NUL, ErrorOut, MetricsOut

router = Router(auth=PolicyBearerAuth(METRICS, permissions.VIEW), tags=["metrics"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
MAX_DAYS = 3700  # ten years
MAX_DAYS_BY_DAY = 366
GroupName = Literal[tuple(g for g in selectors.GROUPINGS if g)]  # type: ignore[valid-type]


class MetricsQuery(Schema):
    agency: str = Field(max_length=40, pattern=NO_NUL, description="Mã cơ quan / agency code")
    start: dt.date = Field(description="Từ ngày / first day")
    end: dt.date = Field(description="Đến ngày / last day (included)")
    group_by: GroupName | None = Field(
        None, description="agency, procedure, field, channel, day, month, quarter, year"
    )
    subtree: bool = Field(True, description="Gồm đơn vị trực thuộc / with the units inside")


def _number(value):
    return float(value) if value is not None else None


def _key(row, grouping) -> str | None:
    key = row.key
    if grouping == selectors.PROCEDURE:
        return str(row.label).split(" · ")[0]
    if isinstance(key, Agency):
        return key.code
    if row.agency is not None:
        return row.agency.code
    if row.period is not None:
        return row.period[0].isoformat()
    if key is None:
        return None
    if isinstance(key, dt.date):
        return key.isoformat()
    return str(getattr(key, "code", key))


def row_out(row, grouping=None) -> dict:
    return {
        "key": _key(row, grouping),
        "label": str(row.label),
        **{
            name: getattr(row, name)
            for name in (
                "received",
                "resolved",
                "early",
                "on_time",
                "late",
                "refused",
                "withdrawn",
                "pending",
                "pending_overdue",
                "supplemented",
                "online",
                "digitised",
            )
        },
        "on_time_rate": _number(row.on_time_rate),
        "mean_processing_days": _number(row.mean_processing_days),
        "p90_processing_days": _number(row.p90),
        "period_start": row.period[0] if row.period else None,
        "period_end": row.period[1] if row.period else None,
    }


@router.get(
    "",
    response={200: MetricsOut, **ERRORS},
    summary="Chỉ số giải quyết hồ sơ / on-time metrics",
    url_name="metrics",
)
def metrics(request, query: Query[MetricsQuery]):
    """Các chỉ số của một cơ quan mình được xem. Counts add up, rates divide once (Σ early and on
    time / Σ resolved). An agency outside the caller's scope: 403."""
    if query.start > query.end:
        raise HttpError(422, _("end: phải từ ngày start trở đi"))
    days = (query.end - query.start).days + 1
    if days > MAX_DAYS or (query.group_by == selectors.DAY and days > MAX_DAYS_BY_DAY):
        raise HttpError(
            422, _("end: khoảng ngày quá dài (%(days)d ngày) cho cách nhóm này") % {"days": days}
        )
    agency = agency_in_scope(request.user, query.agency, METRICS)
    rows = selectors.metrics(
        agency, query.start, query.end, group_by=query.group_by, subtree=query.subtree
    )
    return Status(
        200,
        {
            "agency": agency.code,
            "start": query.start,
            "end": query.end,
            "group_by": query.group_by,
            "subtree": query.subtree,
            "rows": [row_out(r, query.group_by) for r in rows],
        },
    )
