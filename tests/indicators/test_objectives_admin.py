"""The quality objectives' admin ("Mục tiêu chất lượng"): leaders set them (the agency limited to
where they may), members read them, other agencies see nothing; the action "Đánh giá tháng …"
evaluates a past month and the objective's page links the breach's nonconformity in the audits
admin; the list's query count does not grow with its rows."""

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import Finding, FindingSource
from indicators.models import ObjectiveEvaluation, ObjectiveMetric, QualityObjective
from indicators.services.dossiers import DossierRecord, upsert
from indicators.services.objectives import previous_month
from qms.models import Role
from qms.workcal import get_calendar
from tests import factories

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# The month just ended (the action offers the last twelve).
LAST = previous_month()


class Setup:
    def __init__(self):
        self.province, self.dept_a, self.dept_b, self.unit_a, _desk = factories.agency_tree()
        self.leader = factories.member(self.dept_a, Role.LEADER, username="lanhdao")
        self.officer = factories.member(self.dept_a, Role.OFFICER, username="daumoi")
        self.staff = factories.member(self.dept_a, Role.STAFF, username="congchuc")
        self.other_leader = factories.member(self.dept_b, Role.LEADER, username="lanhdaokhac")
        self.procedure = factories.tthc(working_days=3, agencies=[self.dept_a])
        late = DossierRecord(
            line=2,
            agency_id=self.dept_a.pk,
            code="D1",
            procedure_id=self.procedure.pk,
            channel="online",
            received_at=dt.datetime(LAST.year, LAST.month, 1, 8, tzinfo=TZ),
            resolved_at=dt.datetime(LAST.year, LAST.month, 28, 8, tzinfo=TZ),
            outcome="issued",
        )
        assert upsert([late], calendar=get_calendar()).problems == []


@pytest.fixture
def s(db):
    return Setup()


def _objective(agency, name="Hồ sơ đúng hạn", **extra):
    return QualityObjective.objects.create(
        agency=agency,
        name=name,
        metric=extra.pop("metric", ObjectiveMetric.ON_TIME_RATE),
        target=Decimal(extra.pop("target", "95")),
        valid_from=dt.date(2025, 1, 1),
        **extra,
    )


def test_a_leader_sets_an_objective_in_the_admin(s, client):
    client.force_login(s.leader)
    add = reverse("quality_objectives:add")
    page = client.get(add)
    assert page.status_code == 200
    offered = set(page.context["form"].fields["agency"].queryset)
    assert offered == {s.dept_a, s.unit_a} or s.dept_b not in offered
    data = {
        "agency": s.dept_a.pk,
        "name": "Hồ sơ đúng hạn ≥ 95 %",
        "procedure": s.procedure.pk,
        "metric": ObjectiveMetric.ON_TIME_RATE,
        "target": "95",
        "valid_from": "01/01/2025",
        "valid_until": "",
        "note": "Quyết định 12/QĐ-STP",
    }
    response = client.post(add, data)
    assert response.status_code == 302, response.context["form"].errors
    objective = QualityObjective.objects.get()
    assert objective.set_by == s.leader and objective.procedure == s.procedure
    assert objective.history.get().history_user == s.leader
    # A target out of range comes back on the form, naming the value.
    response = client.post(add, {**data, "target": "120"})
    assert response.status_code == 200
    assert "120" in str(response.context["form"].errors["target"])
    # Another department is not offered.
    response = client.post(add, {**data, "agency": s.dept_b.pk})
    assert response.status_code == 200 and "agency" in response.context["form"].errors


def test_officers_and_staff_read_but_do_not_set(s, client):
    objective = _objective(s.dept_a)
    for user in (s.officer, s.staff):
        client.force_login(user)
        listing = client.get(reverse("quality_objectives:index"))
        assert listing.status_code == 200 and "Hồ sơ đúng hạn" in listing.content.decode()
        assert client.get(reverse("quality_objectives:add")).status_code in (302, 403)
        assert client.get(reverse("quality_objectives:edit", args=[objective.pk])).status_code in (
            302,
            403,
        )
        inspect = client.get(reverse("quality_objectives:inspect", args=[objective.pk]))
        assert inspect.status_code == 200
        assert "Đánh giá tháng" not in inspect.content.decode()


def test_other_agencies_see_nothing(s, client):
    objective = _objective(s.dept_a)
    client.force_login(s.other_leader)
    listing = client.get(reverse("quality_objectives:index"))
    assert "Hồ sơ đúng hạn" not in listing.content.decode()
    assert client.get(reverse("quality_objectives:inspect", args=[objective.pk])).status_code == 404


def test_the_evaluation_action_links_the_breach(s, client):
    objective = _objective(s.dept_a)
    client.force_login(s.leader)
    url = reverse("quality_objectives:transition", args=[objective.pk, "evaluate"])
    form = client.get(url)
    assert form.status_code == 200
    response = client.post(url, {"month": LAST.isoformat()})
    assert response.status_code == 302
    evaluation = ObjectiveEvaluation.objects.get()
    assert evaluation.met is False and evaluation.evaluated_by == s.leader
    finding = Finding.objects.get(source=FindingSource.OBJECTIVE_BREACH)
    assert evaluation.finding == finding
    page = client.get(reverse("quality_objectives:inspect", args=[objective.pk])).content.decode()
    assert reverse("audit_findings:inspect", args=[finding.pk]) in page
    assert finding.code in page and "Không đạt" in page and f"{LAST:%m/%Y}" in page
    assert not re.search(r">\s*(True|False|None)\s*<", page)
    listing = client.get(reverse("quality_objectives:index")).content.decode()
    assert f"{LAST:%m/%Y}: Không đạt (0\u00a0%)" in listing
    # The finding shows in the audits admin with its source.
    findings = client.get(reverse("audit_findings:index")).content.decode()
    assert finding.code in findings and "Không đạt mục tiêu chất lượng" in findings


def _list_queries(client, user):
    url = reverse("quality_objectives:index")
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_rows(s, client):
    _objective(s.dept_a)
    few = _list_queries(client, s.leader)
    for n in range(8):
        objective = _objective(
            s.unit_a if n % 2 else s.dept_a,
            name=f"Mục tiêu {n}",
            procedure=s.procedure if n % 3 else None,
        )
        ObjectiveEvaluation.objects.create(
            objective=objective,
            period_start=dt.date(2025, 3, 1),
            period_end=dt.date(2025, 3, 31),
            actual=Decimal("90"),
            basis=10,
            met=False,
        )
    assert _list_queries(client, s.leader) == few
