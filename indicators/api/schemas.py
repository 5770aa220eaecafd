"""Shapes of the dossier API (pydantic, through django-ninja): what a one-stop system sends and
what it reads back. Descriptions in Vietnamese and English: they are the OpenAPI documentation."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

from ..models.api import ApiEventKind
from ..models.dossiers import Channel
from ..services.events import MAX_BATCH

EventKindName = Literal[tuple(ApiEventKind.values)]  # type: ignore[valid-type]
ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]

# Text without NUL characters (PostgreSQL stores none; a NUL would otherwise fail the query).
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, StringConstraints(pattern=NO_NUL)]
FIRST_MOMENT = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LAST_MOMENT = dt.datetime(2999, 12, 31, tzinfo=dt.UTC)


def _plausible(moment: dt.datetime) -> dt.datetime:
    if not FIRST_MOMENT <= moment <= LAST_MOMENT:
        raise ValueError("thời điểm ngoài khoảng 1900-2999 / outside the years 1900-2999")
    return moment


Moment = Annotated[AwareDatetime, AfterValidator(_plausible)]


class StepIn(Schema):
    """Một dòng của phiếu kiểm soát quá trình / one row of the process-control sheet."""

    code: Text = Field(
        min_length=1, max_length=40, description="Mã bước (Bước 1 …) / step code of the procedure"
    )
    unit: Text = Field(
        min_length=1, max_length=200, description="Đơn vị, bộ phận xử lý / unit that handled it"
    )
    handed_in_at: Moment = Field(description="Nhận hồ sơ lúc / handed in at (ISO 8601)")
    handed_out_at: Moment | None = Field(
        None, description="Chuyển đi lúc, trống nếu đang xử lý / handed on at; null while open"
    )


class EventIn(Schema):
    """Một sự kiện của hồ sơ / one event of a dossier. No personal data: the schema has no field
    for names, ID numbers, addresses or phone numbers."""

    event_id: Text = Field(
        min_length=1,
        max_length=100,
        description="Mã sự kiện duy nhất trong cơ quan: gửi lại cùng mã không ghi hai lần / "
        "the source's unique id of the event within the agency: a replay is never applied twice",
    )
    agency: Text = Field(
        min_length=1, max_length=40, description="Mã cơ quan, đơn vị / agency code (e.g. STP)"
    )
    dossier_code: Text = Field(
        min_length=1, max_length=64, description="Mã hồ sơ (số biên nhận) / dossier code"
    )
    kind: EventKindName = Field(
        description="received | supplement_requested | resubmitted | extended | resolved | "
        "refused | withdrawn | steps (only the process-control sheet)"
    )
    occurred_at: Moment = Field(
        description="Thời điểm xảy ra ở nguồn, có múi giờ / when it happened at the source, with "
        "its offset; an event older than the dossier's latest is kept as stale, not applied"
    )
    procedure: Text | None = Field(
        None, max_length=40, description="Mã TTHC (received) / national TTHC code, e.g. 1.001806"
    )
    channel: ChannelName | None = Field(None, description="Kênh nộp (received) / channel")
    appointment_at: Moment | None = Field(
        None, description="Ngày hẹn trả (received) / appointment the source gave"
    )
    extended_due_at: Moment | None = Field(
        None, description="Ngày hẹn trả lại (extended) / new date of the apology letter"
    )
    digitised: bool | None = Field(None, description="Đã số hóa / digitised")
    e_result: bool | None = Field(None, description="Trả kết quả điện tử / electronic result")
    online_payment: bool | None = Field(None, description="Thanh toán trực tuyến / paid online")
    rating: int | None = Field(None, ge=1, le=5, description="Đánh giá 1-5 / citizen's rating")
    steps: list[StepIn] | None = Field(
        None,
        max_length=200,
        description="Phiếu kiểm soát quá trình (thay phiếu cũ) / the whole process-control "
        "sheet, replacing the stored one",
    )


class BatchIn(Schema):
    events: list[EventIn] = Field(
        min_length=1, max_length=MAX_BATCH, description=f"1 … {MAX_BATCH} events, applied in order"
    )
    all_or_nothing: bool = Field(
        False,
        description="true: một sự kiện lỗi thì không ghi gì / one bad event and nothing is "
        "applied; false: the good ones are applied and the bad ones named",
    )


class EventErrorOut(Schema):
    field: str = Field(description="Trường lỗi / the field, e.g. procedure, steps[2].unit")
    message: str
    value: str = ""


class EventResultOut(Schema):
    index: int = Field(description="Vị trí trong lô, từ 0 / position in the batch, from 0")
    event_id: str
    dossier_code: str
    status: Literal["applied", "stale", "duplicate", "error", "not_applied"] = Field(
        description="applied; stale (older than the dossier's latest: kept, not applied); "
        "duplicate (this id was received before: first_outcome tells what happened then); "
        "error (see errors); not_applied (all or nothing, and another event was bad)"
    )
    first_outcome: str = ""
    errors: list[EventErrorOut] = []


class BatchOut(Schema):
    all_or_nothing: bool
    applied: int
    stale: int
    duplicate: int
    rejected: int
    not_applied: int
    results: list[EventResultOut]


class ErrorOut(Schema):
    detail: str | list[dict] = Field(
        description="Lý do, hoặc các lỗi (loc: trường, msg, value) / the reason, or the errors "
        "each naming its field (loc), message and value"
    )
    result: EventResultOut | None = Field(
        None, description="Một sự kiện bị từ chối: các lỗi của nó / a rejected event's errors"
    )


class DossierOut(Schema):
    agency: str = Field(description="Mã cơ quan / agency code")
    code: str
    procedure: str = Field(description="Mã TTHC / TTHC code")
    channel: str
    state: str
    outcome: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    extended_due_at: dt.datetime | None
    resolved_at: dt.datetime | None
    timing: str = Field(description="early | on_time | late, empty while pending or withdrawn")
    processing_days: float | None = Field(description="Số ngày làm việc xử lý / working days")
    limit_days: float
    supplement_count: int
    source_updated_at: dt.datetime


class DossierEventOut(Schema):
    kind: str
    at: dt.datetime
    data: dict


class DossierStepOut(Schema):
    position: int
    code: str
    unit: str
    handed_in_at: dt.datetime
    handed_out_at: dt.datetime | None
    allotted_days: float | None
    used_days: float | None
    overrun_days: float | None
    timing: str


class DossierDetailOut(DossierOut):
    events: list[DossierEventOut]
    steps: list[DossierStepOut]


class MetricRowOut(Schema):
    key: str | None = Field(description="Nhóm / the group's key (agency code, TTHC code, …)")
    label: str
    received: int
    resolved: int
    early: int
    on_time: int
    late: int
    refused: int
    withdrawn: int
    pending: int
    pending_overdue: int
    supplemented: int
    online: int
    digitised: int
    on_time_rate: float | None = Field(description="(early + on time) / resolved, 0-1")
    mean_processing_days: float | None
    p90_processing_days: float | None
    period_start: dt.date | None
    period_end: dt.date | None


class MetricsOut(Schema):
    agency: str
    start: dt.date
    end: dt.date
    group_by: str | None
    subtree: bool
    rows: list[MetricRowOut]
