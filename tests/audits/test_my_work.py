"""The dashboard panel "Việc đánh giá, khắc phục của tôi" and the audits lists' columns: an
owner finds their action (overdue marked), a verifier the actions waiting for them, a team member
their open audit; nobody sees another person's; the lists show the agency and the people."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import CorrectiveAction
from qms.models import Role
from qms.people import person_name
from tests import factories
from tests.audits.test_actions import (  # noqa: F401
    _finding,
    _implemented,
    _open,
    _qualify,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    verifier = world.users["sibling", Role.AUDITOR]
    _qualify(verifier, world.sibling)
    return {
        "owner": factories.member(world.unit, Role.STAFF, username="owner", last_name="Chủ"),
        "verifier": verifier,
        "officer": world.users["node", Role.OFFICER],
        "leader": world.users["node", Role.LEADER],
    }


HOME = "wagtailadmin_home"


def test_the_owner_sees_their_actions_overdue_marked_and_nobody_elses(world, people, client):
    mine = _open(world, people)
    CorrectiveAction.objects.filter(pk=mine.pk).update(
        due_date=datetime.date.today() - datetime.timedelta(days=3)
    )
    client.force_login(people["owner"])
    page = client.get(reverse(HOME)).content.decode()
    assert "audits-my-work-panel" in page
    assert mine.code in page and "Quá hạn 3 ngày" in page
    client.force_login(people["leader"])
    assert mine.code not in client.get(reverse(HOME)).content.decode()


def test_the_verifier_sees_the_implemented_action_waiting_for_them(world, people, client):
    action = _implemented(world, people)
    client.force_login(people["verifier"])
    page = client.get(reverse(HOME)).content.decode()
    assert "chờ tôi xác nhận hiệu lực" in page and action.code in page


def test_no_panel_without_work(world, people, client):
    client.force_login(world.users["sibling", Role.STAFF])
    assert "audits-my-work-panel" not in client.get(reverse(HOME)).content.decode()


def test_the_panel_costs_the_same_queries_for_few_and_many_actions(world, people, client):
    finding = _finding(world)
    _open(world, people, finding=finding)
    client.force_login(people["owner"])
    client.get(reverse(HOME))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(HOME))
    for _n in range(5):
        _open(world, people, finding=finding)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse(HOME)).content.decode()
    assert page.count("HĐKP-") >= 6
    assert len(many) == len(few)


def _table(client, url) -> str:
    """The list's table only (the filters also name agencies and clauses)."""
    page = client.get(url).content.decode()
    start = page.index('<table class="listing')
    return page[start : page.index("</table>", start)]


def test_the_lists_show_the_agency_and_the_people(world, people, client):
    action = _open(world, people)
    client.force_login(people["officer"])
    findings = _table(client, reverse("audit_findings:index"))
    assert world.node.display_name in findings and action.finding.clause.number in findings
    actions = _table(client, reverse("corrective_actions:index"))
    assert person_name(people["owner"]) in actions and world.node.display_name in actions


def test_the_dashboard_leads_each_role_to_the_system_screens(client, world):
    from audits.models import ProgrammeState

    def panel(user):
        client.force_login(user)
        html = client.get(reverse("wagtailadmin_home")).content.decode()
        start = html.index('id="qms-next-steps-panel"')
        return html[start : html.index("</section>", start)]

    programmes = reverse("audit_programmes:index")
    leader = panel(world.users["node", Role.LEADER])
    assert f"{programmes}?state={ProgrammeState.DRAFT}" in leader
    assert reverse("management_reviews:index") in leader
    officer = panel(world.users["node", Role.OFFICER])
    assert reverse("quality_systems:index") in officer and reverse("complaints:index") in officer
    assert f'href="{programmes}"' in panel(world.users["parent", Role.AUDITOR])
    staff = panel(world.users["node", Role.STAFF])
    assert programmes not in staff and reverse("complaints:index") not in staff
