"""Leaders' next steps of quality objectives: set objectives where the agency has none; see to
the nonconformity a missed objective raised."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from audits.models import Finding, FindingKind, FindingSource
from indicators.models import ObjectiveMetric, QualityObjective
from indicators.next_steps import indicator_next_steps
from qms.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _urls(user, roles):
    return [s.url for s in indicator_next_steps(user, frozenset(roles))]


def test_a_leader_without_objectives_is_asked_to_set_them():
    agency = factories.agency(code="SOTP")
    leader = factories.member(agency, Role.LEADER)
    officer = factories.member(agency, Role.OFFICER)
    assert reverse("quality_objectives:add") in _urls(leader, {Role.LEADER})
    assert reverse("quality_objectives:add") not in _urls(officer, {Role.OFFICER})
    QualityObjective.objects.create(
        agency=agency,
        name="Đúng hạn",
        metric=ObjectiveMetric.ON_TIME_RATE,
        target=Decimal("95"),
        valid_from=dt.date(2025, 1, 1),
    )
    assert reverse("quality_objectives:add") not in _urls(leader, {Role.LEADER})


def test_a_leader_sees_the_breach_to_handle():
    agency = factories.agency(code="SOTP")
    other = factories.agency(code="SOTC")
    leader = factories.member(agency, Role.LEADER)

    def breach(place, code):
        return Finding.objects.create(
            agency=place,
            code=code,
            kind=FindingKind.MINOR_NC,
            source=FindingSource.OBJECTIVE_BREACH,
            description="Không đạt",
            raised_on=dt.date(2025, 4, 1),
            state="action_required",
        )

    breach(other, "PH-2025-0009")
    assert not any("audit_findings" in u for u in _urls(leader, {Role.LEADER}))
    first = breach(agency, "PH-2025-0001")
    steps = indicator_next_steps(leader, frozenset({Role.LEADER}))
    step = next(s for s in steps if "PH-2025-0001" in str(s.text))
    assert step.url == reverse("audit_findings:inspect", args=[first.pk])
    breach(agency, "PH-2025-0002")
    urls = _urls(leader, {Role.LEADER})
    assert reverse("audit_findings:index") + "?source=objective_breach" in urls
