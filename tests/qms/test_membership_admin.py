"""Memberships through the Wagtail admin: scoped listing, 404 outside scope, scoped forms, history."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from qms.models import Membership, Role
from qms.people import person_name
from qms.services.rights import MEMBERS_GROUP, group_name
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, world):
    client.force_login(world.users[("node", "officer")])
    return client


def _membership(world, relation, role="staff") -> Membership:
    return Membership.objects.get(user=world.users[(relation, role)])


def _form(user, agency, role=Role.STAFF, start="01/02/2025", **extra) -> dict:
    data = {
        "user": str(user.pk),
        "agency": str(agency.pk),
        "role": role,
        "start_date": start,
        "end_date": "",
        "note": "",
    }
    data.update(extra)
    return data


def _agency_options(response) -> set[str]:
    """The agencies the form accepts (the chooser widget shows them; the field validates them)."""
    field = response.context["form"].fields["agency"]
    return {str(pk) for pk in field.queryset.values_list("pk", flat=True)}


def test_officer_lists_own_node_memberships_only(officer_client, world):
    response = officer_client.get(reverse("memberships:index"))
    assert response.status_code == 200
    html = response.content.decode()
    for role in Role.values:  # people appear by name (qms.people.person_name)
        assert person_name(world.users[("node", role)]) in html
        assert person_name(world.users[("sibling", role)]) not in html
        assert person_name(world.users[("parent", role)]) not in html


def test_listing_includes_units_inside_the_node(officer_client, world):
    factories.member(world.unit, Role.STAFF, username="unit_clerk")
    html = officer_client.get(reverse("memberships:index")).content.decode()
    assert "unit_clerk" in html


def test_staff_cannot_open_membership_admin(client, world):
    client.force_login(world.users[("node", "staff")])
    response = client.get(reverse("memberships:index"))
    # Wagtail sends a user without the permission back to the dashboard
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


def test_auditor_cannot_open_or_edit_memberships(client, world):
    client.force_login(world.users[("node", "auditor")])
    home = reverse("wagtailadmin_home")
    row = _membership(world, "node")
    response = client.get(reverse("memberships:edit", args=[row.pk]))
    assert response.status_code in (302, 404)
    response = client.post(
        reverse("memberships:edit", args=[row.pk]), _form(row.user, world.node, note="auditor")
    )
    assert response.status_code in (302, 403, 404)
    row.refresh_from_db()
    assert row.note == ""
    response = client.get(reverse("memberships:add"))
    assert (response.status_code, response["Location"]) == (302, home)


def test_get_edit_of_sibling_membership_is_404(officer_client, world):
    row = _membership(world, "sibling")
    response = officer_client.get(reverse("memberships:edit", args=[row.pk]))
    assert response.status_code == 404
    own = _membership(world, "node")
    assert officer_client.get(reverse("memberships:edit", args=[own.pk])).status_code == 200


def test_inspect_and_history_of_sibling_membership_are_404(officer_client, world):
    row = _membership(world, "sibling")
    assert officer_client.get(reverse("memberships:inspect", args=[row.pk])).status_code == 404
    assert officer_client.get(reverse("memberships:history", args=[row.pk])).status_code == 404


def test_post_edit_of_sibling_membership_is_404_and_row_unchanged(officer_client, world):
    row = _membership(world, "sibling")
    data = _form(row.user, world.node, role=Role.LEADER, note="hijacked")
    response = officer_client.post(reverse("memberships:edit", args=[row.pk]), data)
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.agency == world.sibling
    assert row.role == Role.STAFF
    assert row.note == ""


def test_post_delete_of_sibling_membership_is_404_and_row_kept(officer_client, world):
    row = _membership(world, "sibling")
    response = officer_client.post(reverse("memberships:delete", args=[row.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=row.pk).exists()


def test_officer_cannot_delete_a_membership(officer_client, world):
    row = _membership(world, "node")
    response = officer_client.post(reverse("memberships:delete", args=[row.pk]))
    assert response.status_code in (302, 403)
    assert Membership.objects.filter(pk=row.pk).exists()
    assert row.user.groups.filter(name=group_name(world.node, Role.STAFF)).exists()


def test_administrator_deletes_a_membership_entered_by_mistake(client, world):
    client.force_login(world.admin)
    row = _membership(world, "node")
    response = client.post(reverse("memberships:delete", args=[row.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=row.pk).exists()
    assert not row.user.groups.filter(name=group_name(world.node, Role.STAFF)).exists()
    entry = ModelLogEntry.objects.get(action="wagtail.delete", object_id=str(row.pk))
    assert entry.user == world.admin
    deleted = Membership.history.filter(id=row.pk, history_type="-").get()
    assert deleted.history_user == world.admin


def test_create_form_offers_only_own_subtree(officer_client, world):
    response = officer_client.get(reverse("memberships:add"))
    assert _agency_options(response) == {str(world.node.pk), str(world.unit.pk)}


def test_create_form_starts_with_the_officers_own_agency(officer_client, world, client):
    form = officer_client.get(reverse("memberships:add")).context["form"]
    assert form.initial["agency"] == world.node.pk  # offered the node and its unit; works at node
    client.force_login(world.admin)  # offered every agency, holds no role: nothing chosen
    assert client.get(reverse("memberships:add")).context["form"].initial.get("agency") is None


def test_create_in_sibling_agency_is_refused(officer_client, world):
    newcomer = factories.user("newcomer")
    before = Membership.objects.count()
    response = officer_client.post(
        reverse("memberships:add"), _form(newcomer, world.sibling, role=Role.OFFICER)
    )
    assert response.status_code == 200  # the form is shown again
    form = response.context["form"]
    assert "agency" in form.errors
    assert Membership.objects.count() == before
    assert not Membership.objects.filter(user=newcomer).exists()
    assert not newcomer.groups.exists()


def test_edit_cannot_move_membership_to_sibling(officer_client, world):
    row = _membership(world, "node")
    response = officer_client.post(
        reverse("memberships:edit", args=[row.pk]), _form(row.user, world.sibling)
    )
    assert response.status_code == 200
    assert "agency" in response.context["form"].errors
    row.refresh_from_db()
    assert row.agency == world.node


def test_create_in_own_node_works_with_history_and_groups(officer_client, world):
    officer = world.users[("node", "officer")]
    newcomer = factories.user("newcomer")
    response = officer_client.post(
        reverse("memberships:add"),
        _form(newcomer, world.node, role=Role.OFFICER, start="03/04/2025", note="Quyết định 12"),
    )
    if response.status_code != 302:
        pytest.fail(f"form refused: {response.context['form'].errors!r}")
    membership = Membership.objects.get(user=newcomer)
    assert membership.agency == world.node
    assert membership.role == Role.OFFICER
    assert membership.note == "Quyết định 12"
    # the Vietnamese day-first format: 3 April, not 4 March
    assert membership.start_date.isoformat() == "2025-04-03"

    record = Membership.history.filter(id=membership.pk).first()
    assert record is not None
    assert record.history_type == "+"
    assert record.history_user == officer

    groups = set(newcomer.groups.values_list("name", flat=True))
    assert {MEMBERS_GROUP, group_name(world.node, Role.OFFICER)} <= groups


def test_edit_own_node_membership_is_recorded(officer_client, world):
    officer = world.users[("node", "officer")]
    row = _membership(world, "node")
    response = officer_client.post(
        reverse("memberships:edit", args=[row.pk]),
        _form(row.user, world.unit, start="01/01/2020", note="chuyển phòng"),
    )
    assert response.status_code == 302, response.context["form"].errors
    row.refresh_from_db()
    assert row.agency == world.unit
    latest = Membership.history.filter(id=row.pk).order_by("-history_date", "-history_id").first()
    assert latest.history_type == "~"
    assert latest.history_user == officer
    assert latest.note == "chuyển phòng"
    groups = set(row.user.groups.values_list("name", flat=True))
    assert group_name(world.unit, Role.STAFF) in groups
    assert group_name(world.node, Role.STAFF) not in groups


def test_user_choices_hide_other_agencies_staff(officer_client, world):
    newcomer = factories.user("newcomer")
    response = officer_client.get(reverse("memberships:add"))
    choices = set(
        response.context["form"].fields["user"].queryset.values_list("username", flat=True)
    )
    assert {"node_staff", "newcomer"} <= choices
    assert "sibling_staff" not in choices and "parent_leader" not in choices
    assert newcomer.username in choices


def test_list_query_count_does_not_grow_with_rows(officer_client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = officer_client.get(reverse("memberships:index"))
        assert response.status_code == 200
        return len(queries)

    officer_client.get(reverse("memberships:index"))  # the day's rights sync, once
    few = count()
    for n in range(20):
        factories.member(world.unit, Role.STAFF, username=f"clerk{n}")
    assert count() == few


def test_officer_is_not_offered_to_edit_what_they_may_not_regrant(officer_client, world):
    leader_row = _membership(world, "node", "leader")
    own_row = _membership(world, "node", "officer")
    staff_row = _membership(world, "node")
    html = officer_client.get(reverse("memberships:index")).content.decode()
    assert reverse("memberships:edit", args=[staff_row.pk]) in html
    assert reverse("memberships:edit", args=[leader_row.pk]) not in html
    assert reverse("memberships:edit", args=[own_row.pk]) not in html
    # a typed URL says why instead of offering a form it would refuse
    response = officer_client.get(reverse("memberships:edit", args=[leader_row.pk]), follow=True)
    assert "lãnh đạo" in " ".join(str(m) for m in response.context["messages"])
    # and a forged POST is refused on the form, never a server error
    response = officer_client.post(
        reverse("memberships:edit", args=[staff_row.pk]),
        _form(world.users[("node", "staff")], world.node, role=Role.STAFF, note="ok"),
    )
    assert response.status_code == 302


def test_a_refusal_by_the_service_is_shown_on_the_form(client, world):
    """The form allows a leader to pick the leader role, the service refuses it for their own
    level: the reason is on the form, nothing is written (not a server error)."""
    leader = world.users[("node", "leader")]
    client.force_login(leader)
    newcomer = factories.user("newcomer")
    response = client.post(
        reverse("memberships:add"), _form(newcomer, world.node, role=Role.LEADER)
    )
    assert response.status_code == 200
    assert "cấp trên" in str(response.context["form"].non_field_errors())
    assert not Membership.objects.filter(user=newcomer).exists()
