"""The agency chooser offers only agencies the user may see, and searches without accents."""

import pytest
from django.urls import reverse

from qms.models import AgencyKind
from tests import factories

pytestmark = pytest.mark.django_db


def test_officer_chooses_only_within_own_subtree(client, world):
    client.force_login(world.users[("node", "officer")])
    html = client.get(reverse("agency_chooser:choose_results")).content.decode()
    assert "Sở Tư pháp thử" in html
    assert "Phòng Hành chính thử" in html
    assert "Sở Tài chính thử" not in html
    # The province is named as the parent of the officer's department, never offered as a choice.
    assert reverse("agency_chooser:chosen", args=[world.parent.pk]) not in html
    assert reverse("agency_chooser:chosen", args=[world.node.pk]) in html


def test_sibling_agency_cannot_be_chosen_by_url(client, world):
    client.force_login(world.users[("node", "officer")])
    assert client.get(reverse("agency_chooser:chosen", args=[world.sibling.pk])).status_code == 404
    assert client.get(reverse("agency_chooser:chosen", args=[world.unit.pk])).status_code == 200


def test_parent_leader_chooses_across_the_subtree_with_folded_search(client, world):
    client.force_login(world.users[("parent", "leader")])
    html = client.get(reverse("agency_chooser:choose_results") + "?q=so+tai+chinh").content.decode()
    assert "Sở Tài chính thử" in html
    assert "Sở Tư pháp thử" not in html


def test_membership_form_uses_the_chooser(client, world):
    client.force_login(world.users[("node", "officer")])
    html = client.get(reverse("memberships:add")).content.decode()
    assert reverse("agency_chooser:choose") in html


def test_units_read_with_their_parent_in_the_chooser_and_once_chosen(client, world):
    """Every department has a "Văn phòng Sở": the listing has a parent column, and the chosen
    agency (the title the widget shows) names its department."""
    office = factories.agency(name="Văn phòng Sở", kind=AgencyKind.UNIT, parent=world.node)
    client.force_login(world.users[("node", "officer")])
    html = client.get(reverse("agency_chooser:choose_results")).content.decode()
    assert "Trực thuộc" in html
    row = html[html.index(reverse("agency_chooser:chosen", args=[office.pk])) :]
    assert row.index("Văn phòng Sở") < row.index("Sở Tư pháp thử") < row.index("</tr>")
    chosen = client.get(reverse("agency_chooser:chosen", args=[office.pk])).json()
    assert chosen["result"]["title"] == "Văn phòng Sở — Sở Tư pháp thử"
    # A department or a province reads as its own name.
    assert str(world.node) == "Sở Tư pháp thử"
    assert str(world.parent) == "Thành phố Thử"


def test_chosen_multiple_returns_only_agencies_in_scope(client, world):
    client.force_login(world.users[("node", "officer")])
    url = reverse("agency_chooser:chosen_multiple")
    ids = [world.node.pk, world.unit.pk, world.sibling.pk, world.parent.pk]
    response = client.get(url, {"id": ids})
    assert response.status_code == 200
    chosen = {int(item["id"]) for item in response.json()["result"]}
    assert chosen == {world.node.pk, world.unit.pk}
