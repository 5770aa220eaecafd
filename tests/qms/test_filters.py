"""The agency-subtree filter every scoped list shares: it offers the agencies of the person's scope
and keeps the rows of the chosen agency and its units."""

import pytest
from django.test import RequestFactory
from wagtail.admin.filters import WagtailFilterSet

from qms.filters import AgencySubtreeFilter
from qms.models import Membership

pytestmark = pytest.mark.django_db


class MembershipFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource="membership")

    class Meta:
        model = Membership
        fields = []


def _filtered(user, data):
    request = RequestFactory().get("/", data)
    request.user = user
    return MembershipFilterSet(data, queryset=Membership.objects.all(), request=request)


def test_offers_the_scope_and_keeps_the_subtree(world):
    officer = world.users["node", "officer"]
    filters = _filtered(officer, {"agency": world.node.pk})
    offered = set(filters.form.fields["agency"].queryset)
    assert offered == {world.node, world.unit}
    rows = list(filters.qs)
    assert {m.agency for m in rows} == {world.node}  # the world's members of the node
    assert len(rows) == Membership.objects.filter(agency=world.node).count()
    everyone = _filtered(officer, {}).qs
    assert world.sibling in {m.agency for m in everyone}  # no choice: the filter keeps all


def test_an_agency_outside_the_scope_is_not_a_choice(world):
    filters = _filtered(world.users["node", "officer"], {"agency": world.sibling.pk})
    assert not filters.is_valid()
    assert "agency" in filters.errors
