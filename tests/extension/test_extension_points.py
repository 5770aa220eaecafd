"""An app plugs into the core without editing it: a resource with a relation grant and a transition
(tests/extension), covered by the policy, the admin and the matrix (tests/extension/authz_rules.py)."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from qms import permissions
from tests import factories
from tests.authz import all_rules, rule_for
from tests.extension.models import ExampleCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    owned = ExampleCase.objects.create(
        agency=world.node, title="Hồ sơ của Sở", owner=world.users["sibling", "staff"]
    )
    other = ExampleCase.objects.create(agency=world.node, title="Hồ sơ khác")
    return owned, other


def test_relation_grant_gives_the_owner_their_case_and_nothing_else(world, cases):
    owned, other = cases
    owner = world.users["sibling", "staff"]
    visible = permissions.scope_queryset(owner, ExampleCase.objects.all(), "examplecase")
    # their own agency's cases by role (none here) plus the node's case they own by relation
    assert set(visible) == {owned}
    assert permissions.has_permission(owner, "examplecase", permissions.CHANGE, owned)
    assert not permissions.has_permission(owner, "examplecase", permissions.CHANGE, other)
    # an auditor with no role on cases and no case of their own gets nothing, not even the list
    auditor = world.users["node", "auditor"]
    assert not permissions.has_permission(auditor, "examplecase", permissions.VIEW)


def test_transition_is_offered_and_done_through_the_service(client, world, cases):
    owned, _ = cases
    officer = world.users["node", "officer"]
    client.force_login(officer)
    url = reverse("example_cases:transition", args=[owned.pk, "close"])
    assert url in client.get(reverse("example_cases:index")).content.decode()
    assert client.post(url).status_code == 302
    owned.refresh_from_db()
    assert owned.state == ExampleCase.State.CLOSED
    assert owned.history.first().history_user == officer
    assert ModelLogEntry.objects.filter(action="qms.examplecase.close", user=officer).exists()
    # closed: the transition is no longer available
    response = client.post(url, follow=True)
    assert "trạng thái hiện tại" in " ".join(str(m) for m in response.context["messages"])


def test_owner_may_edit_but_never_close_their_own_case(client, world, cases):
    owned, _ = cases
    owner = world.users["sibling", "staff"]
    client.force_login(owner)
    assert client.get(reverse("example_cases:edit", args=[owned.pk])).status_code == 200
    url = reverse("example_cases:transition", args=[owned.pk, "close"])
    assert url not in client.get(reverse("example_cases:index")).content.decode()
    response = client.post(url, follow=True)
    assert "không tự đóng" in " ".join(str(m) for m in response.context["messages"])
    owned.refresh_from_db()
    assert owned.state == ExampleCase.State.OPEN


def test_the_matrix_finds_the_apps_rules_and_objects():
    names = {"example_cases:index", "example_cases:transition"}
    for name in names:
        rule = rule_for(name, "", all_rules())
        assert rule is not None and rule.pattern.startswith("example_cases")
    world = factories.World.build(objects=True)
    assert ("case", world.node.pk) in world.objects
    assert factories.marker(world.node, "case") in world.markers_visible_to("sibling_staff")
