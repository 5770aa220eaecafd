"""Helpers of the step tests: a department's internal procedure with two variants of one TTHC,
issued and then revised, and dossiers received under each issue.

Office hours 07:30-11:30, 13:00-17:00 (8 hours a working day). The TTHC's limit is 5 days.
Issue 1 (in force from Mon 03/03/2025): variant "a) Cấp mới" B1 0,5 · B2 3 · B3 1 · B4 not
counted; variant "b) Cấp lại" Bước 1 1 · Bước 2 2. Issue 2 (from Mon 02/06/2025) gives B2 2 days.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from documents.models import ProcedurePage
from indicators.models import Dossier
from indicators.models.dossiers import Channel
from indicators.services.dossiers import DossierRecord, upsert
from qms.workcal import get_calendar
from tests import factories

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
D1, D2 = dt.date(2025, 3, 3), dt.date(2025, 6, 2)
NEW = [("B1", "0.5"), ("B2", "3"), ("B3", "1"), ("B4", None)]
AGAIN = [("Bước 1", "1"), ("Bước 2", "2")]


def t(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def _steps(rows):
    return [
        {
            "code": code,
            "content": "Xử lý",
            "responsible": "Phòng Hộ tịch",
            "days": None if days is None else Decimal(days),
        }
        for code, days in rows
    ]


def _services(tthc, new):
    return [
        ("tthc", {"tthc": tthc, "variant": "a) Cấp mới", "steps": _steps(new)}),
        ("tthc", {"tthc": tthc, "variant": "b) Cấp lại", "steps": _steps(AGAIN)}),
    ]


def _at(monkeypatch, day):
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    monkeypatch.setattr(timezone, "now", lambda: moment)


def issue_procedures(place, tthc, monkeypatch, *, revise=True):
    """Issue 1 on D1 and, with ``revise``, issue 2 on D2; returns the issues."""
    real_now = timezone.now
    page = ProcedurePage(
        title="Quy trình cấp phiếu thử",
        code="QT-STEP/01",
        slug="qt-step-01",
        purpose="Quy định trình tự.",
        scope="Áp dụng tại cơ quan.",
        change_summary="Ban hành lần đầu",
        services=_services(tthc, NEW),
    )
    place.page.add_child(instance=page)
    page = ProcedurePage.objects.get(pk=page.pk)
    _at(monkeypatch, D1)
    first = factories.procedure_publish(page).procedure_issue
    issues = [first]
    if revise:
        _at(monkeypatch, D2)
        second = factories.procedure_publish(
            page,
            services=_services(tthc, [("B1", "0.5"), ("B2", "2"), ("B3", "1"), ("B4", None)]),
            change_summary="Rút ngắn thời gian thẩm định",
        ).procedure_issue
        issues.append(second)
    monkeypatch.setattr(timezone, "now", real_now)
    return issues


_lines = iter(range(2, 10**6))


def dossier(place, tthc, code, received_at, resolved_at=None) -> Dossier:
    record = DossierRecord(
        line=next(_lines),
        agency_id=place.pk,
        code=code,
        procedure_id=tthc.pk,
        channel=Channel.IN_PERSON,
        received_at=received_at,
        resolved_at=resolved_at,
        outcome="issued" if resolved_at else "",
    )
    result = upsert([record], calendar=get_calendar())
    assert result.problems == []
    return Dossier.objects.get(agency=place, code=code)
