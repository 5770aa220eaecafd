"""The same event delivered several times at the same moment (its own module: the test commits
rows, ``transaction=True``): applied once, the others answered "duplicate". The unique
(agency, event id) constraint decides (a read alone cannot: both deliveries read "not seen"); on
PostgreSQL the second insert waits for the first transaction, then fails and reads the first
outcome. SQLite serialises every writer, so the test runs on PostgreSQL only."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from indicators.models import ApiEvent, Dossier, DossierEvent
from indicators.services.events import EventData, apply_events
from indicators.services.service_accounts import service_account_create
from tests import factories

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_apply_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions: PostgreSQL only (SQLite serialises writers)")
    agency = factories.agency(code="STP")
    factories.tthc(code="1.001806", working_days=3)
    account = service_account_create(actor=None, agency=agency, name="Một cửa STP")
    received = EventData(
        event_id="e1",
        agency="STP",
        dossier_code="HS-1",
        kind="received",
        occurred_at=dt.datetime(2025, 3, 3, 9, tzinfo=TZ),
        procedure="1.001806",
        channel="online",
    )
    apply_events([received], actor=account.user)
    resolved = EventData(
        event_id="e2",
        agency="STP",
        dossier_code="HS-1",
        kind="resolved",
        occurred_at=dt.datetime(2025, 3, 4, 9, tzinfo=TZ),
    )
    runs = 4
    barrier = threading.Barrier(runs)
    statuses, errors = [], []

    def run():
        try:
            barrier.wait()
            statuses.append(apply_events([resolved], actor=account.user).results[0].status)
        except Exception as exc:  # noqa: BLE001 - the test reports every failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(statuses) == ["applied"] + ["duplicate"] * (runs - 1)
    assert ApiEvent.objects.filter(event_id="e2").count() == 1
    dossier = Dossier.objects.get()
    assert dossier.state == "resolved"
    assert DossierEvent.objects.filter(dossier_id=dossier.pk, kind="resolved").count() == 1
