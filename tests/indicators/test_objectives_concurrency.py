"""Two evaluations of one objective and month at the same moment (its own module: the test commits
rows, ``transaction=True``): exactly one evaluation and one nonconformity. On PostgreSQL the
objective's row lock serialises them (the second waits, then finds the first one's evaluation)
and the unique (objective, period_start) constraint is the backstop; SQLite serialises every
writer anyway, so the test runs on PostgreSQL only."""

import datetime as dt
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from audits.models import Finding, FindingSource
from indicators.models import ObjectiveEvaluation, ObjectiveMetric, QualityObjective
from indicators.services.dossiers import DossierRecord, upsert
from indicators.services.objectives import evaluate
from qms.models import Role
from qms.workcal import get_calendar
from tests import factories

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = dt.date(2025, 3, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_evaluations_raise_exactly_one_nonconformity():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions: PostgreSQL only (SQLite serialises)")
    agency = factories.agency(code="STP", name="Sở Tư pháp thử")
    factories.member(agency, Role.LEADER, username="lanhdao")
    civil = factories.tthc(working_days=3, agencies=[agency])
    records = [
        DossierRecord(
            line=2 + n,
            agency_id=agency.pk,
            code=f"H{n}",
            procedure_id=civil.pk,
            channel="in_person",
            received_at=dt.datetime(2025, 3, 3, 8, tzinfo=TZ),
            resolved_at=dt.datetime(2025, 3, 10 + n, 8, tzinfo=TZ),  # late
            outcome="issued",
        )
        for n in range(3)
    ]
    with transaction.atomic():  # as an import's chunk writes
        assert upsert(records, calendar=get_calendar()).problems == []
    objective = QualityObjective.objects.create(
        agency=agency,
        name="Hồ sơ đúng hạn",
        metric=ObjectiveMetric.ON_TIME_RATE,
        target=Decimal("95"),
        valid_from=dt.date(2025, 1, 1),
    )

    runs = 4
    barrier = threading.Barrier(runs)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(evaluate(objective, MARCH))
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
    assert ObjectiveEvaluation.objects.filter(objective=objective).count() == 1
    finding = Finding.objects.get(source=FindingSource.OBJECTIVE_BREACH)
    assert {r.pk for r in results} == {ObjectiveEvaluation.objects.get().pk}
    assert {r.finding_id for r in results} == {finding.pk}
    assert ObjectiveEvaluation.objects.get().met is False
