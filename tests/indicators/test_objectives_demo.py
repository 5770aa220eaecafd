"""The demo's quality objectives: the city's and Sở Tư pháp's, evaluated for last month with
exactly one breach that raised its nonconformity; seeding again adds nothing. The review inputs
and the audit programme then show real on-time figures and objective results."""

import pytest
from django.core.management import call_command
from django.db import transaction

from audits.models import Finding, FindingSource
from indicators import demo_objectives
from indicators.models import ObjectiveEvaluation, QualityObjective
from indicators.services.objectives import previous_month
from qms import providers
from qms.models import Agency

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_demo_objectives_with_exactly_one_breach(seeded):
    city = Agency.objects.get(code="HN")
    justice = Agency.objects.get(code="STP")
    objectives = QualityObjective.objects.filter(agency__in=[city, justice])
    assert objectives.count() == 3
    assert objectives.filter(procedure__isnull=False).count() == 1
    # Each set by its agency's demo leader (the page says who set it).
    setters = {o.agency.code: o.set_by.username for o in objectives.select_related("set_by")}
    assert setters == {"HN": "hn-leader", "STP": "stp-leader"}
    last = previous_month()
    evaluations = ObjectiveEvaluation.objects.filter(period_start=last)
    assert evaluations.count() == 3
    missed = evaluations.filter(met=False)
    assert missed.count() == 1
    finding = missed.get().finding
    assert finding.source == FindingSource.OBJECTIVE_BREACH
    assert Finding.objects.filter(source=FindingSource.OBJECTIVE_BREACH).count() == 1
    assert demo_objectives.seed() == {}
    assert QualityObjective.objects.count() == 3

    # The management review's inputs: real on-time figures and the objectives' results.
    year = (last.replace(month=1, day=1), last)
    performance = providers.ask_first(providers.ON_TIME_PERFORMANCE, city, *year)
    assert performance["resolved"] > 0
    answer = providers.ask_first(providers.QUALITY_OBJECTIVES, city, *year)
    assert len(answer) == 3
    assert [item["met"] for item in answer].count(False) == 1


def test_review_inputs_and_programme_show_the_results(seeded):
    import datetime as dt

    from audits.selectors_reviews import review_inputs

    city = Agency.objects.get(code="HN")
    last = previous_month()
    breach = ObjectiveEvaluation.objects.get(met=False).objective
    inputs = str(review_inputs(city, last.replace(month=1, day=1), last, dt.date.today()))
    assert "Chưa có số liệu" not in inputs
    assert breach.name in inputs and "không đạt" in inputs

    # The audit programme's priority of the breached agency names the breach's nonconformity.
    from audits.models import ProgrammeEntry

    code = ObjectiveEvaluation.objects.get(met=False).finding.code
    breached = ObjectiveEvaluation.objects.get(met=False).objective.agency
    entries = [
        e for e in ProgrammeEntry.objects.select_related("auditee") if breached.is_within(e.auditee)
    ]
    assert entries
    for entry in entries:
        assert entry.priority == "high" and code in " ".join(map(str, entry.priority_reasons))
