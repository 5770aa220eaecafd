import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from indicators.models import Dossier, DossierEvent
from indicators.services import summaries
from indicators.services.dossiers import DossierRecord, upsert
from qms.workcal import get_calendar
from tests import factories

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


def test_upsert_new_then_same_then_resolved():
    agency = factories.agency(code="S1")
    procedure = factories.tthc(
        code="1.000001", working_days=Decimal(3), effective_from=dt.date(2024, 1, 1)
    )
    calendar = get_calendar()
    record = DossierRecord(
        line=2,
        agency_id=agency.pk,
        code="H1",
        procedure_id=procedure.pk,
        channel="online",
        received_at=dt.datetime(2025, 1, 24, 15, 0, tzinfo=TZ),
    )
    result = upsert([record], calendar=calendar)
    assert result.new == [2]
    d = Dossier.objects.get()
    assert d.due_at == dt.datetime(2025, 2, 5, 15, 0, tzinfo=TZ)
    assert upsert([record], calendar=calendar).unchanged == [2]
    record.resolved_at = dt.datetime(2025, 2, 4, 9, 0, tzinfo=TZ)
    record.outcome = "issued"
    result = upsert([record], calendar=calendar)
    assert result.updated == [2]
    d.refresh_from_db()
    assert d.timing == "early" and d.state == "resolved"
    assert DossierEvent.objects.filter(dossier_id=d.pk).count() == 3
    assert summaries.drifts() == []
