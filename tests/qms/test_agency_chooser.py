"""The agency chooser offers only agencies the user may see, and searches without accents."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_officer_chooses_only_within_own_subtree(client, world):
    client.force_login(world.users[("node", "officer")])
    html = client.get(reverse("agency_chooser:choose_results")).content.decode()
    assert "Sở Tư pháp thử" in html
    assert "Phòng Hành chính thử" in html
    assert "Sở Tài chính thử" not in html
    assert "Thành phố Thử" not in html


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
