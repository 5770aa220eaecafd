"""Exports from the admin listings are scoped like the listings themselves."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_membership_export_holds_only_the_officers_subtree(client, world):
    client.force_login(world.users[("node", "officer")])
    response = client.get(reverse("memberships:index") + "?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "node_staff" in body
    assert "sibling_staff" not in body
    assert "parent_leader" not in body


def test_agency_search_folds_accents(client, world):
    client.force_login(world.admin)
    response = client.get(reverse("agencies:index") + "?q=so+tu+phap")
    html = response.content.decode()
    assert "Sở Tư pháp thử" in html
    assert "Sở Tài chính thử" not in html
