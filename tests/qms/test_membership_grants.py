"""Separation of duties in role assignment (DESIGN.md §6): who may grant, change, end or delete."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from qms import permissions
from qms.models import Membership, Role
from qms.services.memberships import (
    membership_create,
    membership_delete,
    membership_end,
    membership_save,
)
from qms.services.rights import group_name
from tests import factories

pytestmark = pytest.mark.django_db


def _own(world, relation, role) -> Membership:
    return Membership.objects.get(user=world.users[(relation, role)])


def _refused(**kwargs) -> str:
    with pytest.raises(PermissionDenied) as info:
        membership_create(**kwargs)
    return str(info.value)


def test_officer_cannot_grant_leader_or_auditor(world):
    officer = world.users[("node", "officer")]
    newcomer = factories.user("newcomer")
    message = _refused(actor=officer, user=newcomer, agency=world.node, role=Role.LEADER)
    assert "lãnh đạo" in message and world.node.name in message
    message = _refused(actor=officer, user=newcomer, agency=world.unit, role=Role.AUDITOR)
    assert "Đánh giá viên nội bộ" in message
    assert not Membership.objects.filter(user=newcomer).exists()


def test_officer_grants_staff_and_officer_in_scope_only(world):
    officer = world.users[("node", "officer")]
    clerk = factories.user("clerk")
    membership_create(actor=officer, user=clerk, agency=world.unit, role=Role.STAFF)
    membership_create(actor=officer, user=clerk, agency=world.node, role=Role.OFFICER)
    assert set(Membership.objects.filter(user=clerk).values_list("role", flat=True)) == {
        Role.STAFF,
        Role.OFFICER,
    }
    message = _refused(actor=officer, user=clerk, agency=world.sibling, role=Role.STAFF)
    assert world.sibling.name in message


def test_nobody_grants_or_raises_a_role_of_their_own(world):
    officer = world.users[("node", "officer")]
    message = _refused(actor=officer, user=officer, agency=world.unit, role=Role.STAFF)
    assert "chính mình" in message
    own = _own(world, "node", "officer")
    own.role = Role.LEADER
    with pytest.raises(PermissionDenied, match="chính mình"):
        membership_save(actor=officer, membership=own)
    own.refresh_from_db()
    assert own.role == Role.OFFICER
    # not even a leader of the province on their own membership, nor an administrator
    province_leader = world.users[("parent", "leader")]
    with pytest.raises(PermissionDenied, match="chính mình"):
        membership_end(actor=province_leader, membership=_own(world, "parent", "leader"))
    message = _refused(actor=world.admin, user=world.admin, agency=world.node, role=Role.LEADER)
    assert "chính mình" in message


def test_officer_cannot_delete_any_membership_even_their_own(world):
    officer = world.users[("node", "officer")]
    for row in (_own(world, "node", "officer"), _own(world, "node", "staff")):
        with pytest.raises(PermissionDenied, match="kết thúc"):
            membership_delete(actor=officer, membership=row)
        assert Membership.objects.filter(pk=row.pk).exists()


def test_officer_cannot_end_or_change_the_leaders_membership(world):
    officer = world.users[("node", "officer")]
    leader_row = _own(world, "node", "leader")
    with pytest.raises(PermissionDenied):
        membership_end(actor=officer, membership=leader_row)
    leader_row.refresh_from_db()
    assert leader_row.end_date is None
    # nor demote it to a role an officer could otherwise grant
    leader_row.role = Role.STAFF
    with pytest.raises(PermissionDenied):
        membership_save(actor=officer, membership=leader_row)
    assert _own(world, "node", "leader").role == Role.LEADER


def test_province_leader_appoints_a_department_leader(world):
    province_leader = world.users[("parent", "leader")]
    head = factories.user("new_head")
    membership = membership_create(
        actor=province_leader, user=head, agency=world.node, role=Role.LEADER
    )
    assert membership.role == Role.LEADER
    assert group_name(world.node, Role.LEADER) in set(head.groups.values_list("name", flat=True))
    assert Membership.history.get(id=membership.pk).history_user == province_leader


def test_department_leader_appoints_an_auditor_but_not_another_leader(world):
    leader = world.users[("node", "leader")]
    inspector = factories.user("inspector")
    membership = membership_create(
        actor=leader, user=inspector, agency=world.node, role=Role.AUDITOR
    )
    assert membership.role == Role.AUDITOR
    # units inside the department too
    membership_create(actor=leader, user=inspector, agency=world.unit, role=Role.AUDITOR)
    message = _refused(
        actor=leader, user=factories.user("deputy"), agency=world.node, role=Role.LEADER
    )
    assert "cấp trên" in message
    # a leader of the unit's parent may appoint the unit's leader
    membership_create(
        actor=leader, user=factories.user("unit_head"), agency=world.unit, role=Role.LEADER
    )
    # but not in a sibling department
    message = _refused(
        actor=leader, user=factories.user("outsider"), agency=world.sibling, role=Role.AUDITOR
    )
    assert world.sibling.name in message


def test_grantable_roles_follow_the_rule(world):
    assert permissions.grantable_roles(world.users[("node", "officer")]) == [
        Role.OFFICER,
        Role.STAFF,
    ]
    assert set(permissions.grantable_roles(world.users[("node", "leader")])) == set(Role.values)
    assert permissions.grantable_roles(world.users[("node", "staff")]) == []


def test_form_offers_an_officer_only_the_roles_they_may_grant(client, world):
    client.force_login(world.users[("node", "officer")])
    response = client.get(reverse("memberships:add"))
    roles = {value for value, _ in response.context["form"].fields["role"].choices if value}
    assert roles == {Role.OFFICER, Role.STAFF}
    newcomer = factories.user("newcomer")
    response = client.post(
        reverse("memberships:add"),
        {
            "user": newcomer.pk,
            "agency": world.node.pk,
            "role": Role.LEADER,
            "start_date": "01/02/2025",
            "end_date": "",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not Membership.objects.filter(user=newcomer).exists()


def test_end_transition_ends_a_membership_and_records_who(client, world):
    officer = world.users[("node", "officer")]
    client.force_login(officer)
    row = _own(world, "node", "staff")
    url = reverse("memberships:transition", args=[row.pk, "end"])
    today = timezone.localdate()
    assert client.get(url).status_code == 200
    response = client.post(url, {"end_date": today.strftime("%d/%m/%Y")})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.end_date == today
    latest = Membership.history.filter(id=row.pk).order_by("-history_id").first()
    assert (latest.history_user, latest.end_date) == (officer, today)
    assert ModelLogEntry.objects.filter(
        action="qms.membership.end", object_id=str(row.pk), user=officer
    ).exists()
    # the row is kept: ended, not deleted
    assert Membership.objects.filter(pk=row.pk).exists()


def test_end_transition_in_the_past_removes_rights_at_once(client, world):
    officer = world.users[("node", "officer")]
    client.force_login(officer)
    row = _own(world, "node", "staff")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    client.post(
        reverse("memberships:transition", args=[row.pk, "end"]),
        {"end_date": yesterday.strftime("%d/%m/%Y")},
    )
    assert not row.user.groups.filter(name=group_name(world.node, Role.STAFF)).exists()


def test_end_transition_refusal_is_shown_as_a_message(client, world):
    officer = world.users[("node", "officer")]
    client.force_login(officer)
    leader_row = _own(world, "node", "leader")
    url = reverse("memberships:transition", args=[leader_row.pk, "end"])
    response = client.post(
        url, {"end_date": timezone.localdate().strftime("%d/%m/%Y")}, follow=True
    )
    text = " ".join(str(m) for m in response.context["messages"])
    assert "lãnh đạo" in text
    leader_row.refresh_from_db()
    assert leader_row.end_date is None


def test_end_is_offered_per_object_only_where_allowed(client, world):
    client.force_login(world.users[("node", "officer")])
    html = client.get(reverse("memberships:index")).content.decode()
    staff_row = _own(world, "node", "staff")
    assert reverse("memberships:transition", args=[staff_row.pk, "end"]) in html
    # no delete for an officer
    assert reverse("memberships:delete", args=[staff_row.pk]) not in html
    leader_row = _own(world, "node", "leader")
    own_row = _own(world, "node", "officer")
    assert reverse("memberships:transition", args=[leader_row.pk, "end"]) not in html
    assert reverse("memberships:transition", args=[own_row.pk, "end"]) not in html


def test_the_same_role_cannot_be_held_twice_at_once(world):
    from django.core.exceptions import ValidationError

    officer = world.users[("node", "officer")]
    clerk = factories.user("clerk")
    membership_create(actor=officer, user=clerk, agency=world.unit, role=Role.STAFF)
    with pytest.raises(ValidationError) as info:
        membership_create(
            actor=officer,
            user=clerk,
            agency=world.unit,
            role=Role.STAFF,
            start_date=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert "chưa kết thúc" in str(info.value)
    assert Membership.objects.filter(user=clerk).count() == 1
    # after it ends, the same role may be given again
    first = Membership.objects.get(user=clerk)
    membership_end(actor=officer, membership=first, end_date=timezone.localdate())
    membership_create(
        actor=officer,
        user=clerk,
        agency=world.unit,
        role=Role.STAFF,
        start_date=timezone.localdate() + datetime.timedelta(days=1),
    )
    assert Membership.objects.filter(user=clerk).count() == 2
