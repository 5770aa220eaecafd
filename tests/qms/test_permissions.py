"""The agency permission policy (DESIGN.md §6): scopes, dates, acting roles, object checks."""

import datetime

import pytest
from django.db.models import Q
from django.utils import timezone

from qms import permissions
from qms.models import AdministrativeProcedure, Agency, Membership, Role
from tests import factories

pytestmark = pytest.mark.django_db


def _usernames(queryset) -> set[str]:
    return set(queryset.values_list("user__username", flat=True))


def _visible_memberships(user) -> set[str]:
    permissions.clear_cache(user)
    return _usernames(
        permissions.scope_queryset(user, Membership.objects.all(), "membership", permissions.VIEW)
    )


def _relation_users(relation: str) -> set[str]:
    return {f"{relation}_{role}" for role in Role.values}


def test_officer_of_node_sees_node_and_unit_memberships_not_sibling(world):
    officer = world.users[("node", "officer")]
    unit_staff = factories.member(world.unit, Role.STAFF, username="unit_staff")

    visible = _visible_memberships(officer)

    assert _relation_users("node") <= visible
    assert unit_staff.username in visible
    assert not visible & _relation_users("sibling")
    assert not visible & _relation_users("parent")


def test_scope_paths_of_officer_is_their_node_path(world):
    officer = world.users[("node", "officer")]
    assert permissions.scope_paths(officer, "membership", permissions.VIEW) == [world.node.path]
    assert world.unit.path.startswith(world.node.path)


def test_leader_of_parent_reads_the_whole_subtree(world):
    leader = world.users[("parent", "leader")]
    unit_staff = factories.member(world.unit, Role.STAFF, username="unit_staff")

    visible = _visible_memberships(leader)

    assert _relation_users("node") <= visible
    assert _relation_users("sibling") <= visible
    assert _relation_users("parent") <= visible
    assert unit_staff.username in visible
    agencies = permissions.scope_queryset(leader, Agency.objects.all(), "agency")
    assert set(agencies) == {world.parent, world.node, world.sibling, world.unit}


def test_leader_may_read_and_assign_but_not_delete_memberships(world):
    leader = world.users[("node", "leader")]
    row = Membership.objects.get(user=world.users[("node", "staff")])
    assert permissions.has_permission(leader, "membership", permissions.VIEW, row)
    # which roles a leader may give is the grant rule (test_membership_grants.py)
    assert permissions.has_permission(leader, "membership", permissions.CHANGE, row)
    assert permissions.has_permission(leader, "membership", permissions.ADD)
    # memberships are ended, never deleted, except by an administrator
    assert not permissions.has_permission(leader, "membership", permissions.DELETE, row)


@pytest.mark.parametrize("role", [Role.STAFF, Role.AUDITOR])
def test_staff_and_auditor_cannot_see_memberships(world, role):
    user = world.users[("node", role)]
    assert _visible_memberships(user) == set()
    assert not permissions.has_permission(user, "membership", permissions.VIEW)
    assert permissions.scope_paths(user, "membership", permissions.VIEW) == []


def test_ended_membership_gives_no_rights(world):
    today = timezone.localdate()
    user = factories.member(
        world.node,
        Role.OFFICER,
        username="former_officer",
        start=today - datetime.timedelta(days=60),
        end=today - datetime.timedelta(days=1),
    )
    assert _visible_memberships(user) == set()
    assert not permissions.has_permission(user, "membership", permissions.VIEW)
    assert not permissions.has_permission(user, "agency", permissions.VIEW, world.node)
    assert permissions.active_memberships(user) == []


def test_membership_ending_today_still_gives_rights(world):
    today = timezone.localdate()
    user = factories.member(
        world.node,
        Role.OFFICER,
        username="last_day_officer",
        start=today - datetime.timedelta(days=60),
        end=today,
    )
    assert permissions.has_permission(user, "membership", permissions.VIEW, world.node)


def test_future_membership_gives_no_rights_yet(world):
    today = timezone.localdate()
    user = factories.member(
        world.node,
        Role.OFFICER,
        username="future_officer",
        start=today + datetime.timedelta(days=1),
    )
    assert _visible_memberships(user) == set()
    assert not permissions.has_permission(user, "membership", permissions.VIEW)
    assert not permissions.has_permission(user, "agency", permissions.VIEW, world.node)


def test_acting_membership_gives_rights(world):
    user = factories.member(world.node, Role.OFFICER, username="acting_officer", acting=True)
    assert Membership.objects.get(user=user).acting is True
    visible = _visible_memberships(user)
    assert _relation_users("node") <= visible
    assert not visible & _relation_users("sibling")
    row = Membership.objects.get(user=world.users[("node", "staff")])
    assert permissions.has_permission(user, "membership", permissions.CHANGE, row)


def test_has_permission_on_objects(world):
    officer = world.users[("node", "officer")]
    own = Membership.objects.get(user=world.users[("node", "staff")])
    sibling = Membership.objects.get(user=world.users[("sibling", "staff")])
    above = Membership.objects.get(user=world.users[("parent", "staff")])
    for action in (permissions.VIEW, permissions.CHANGE):
        assert permissions.has_permission(officer, "membership", action, own)
        assert not permissions.has_permission(officer, "membership", action, sibling)
        assert not permissions.has_permission(officer, "membership", action, above)
    assert not permissions.has_permission(officer, "membership", permissions.DELETE, own)
    # agencies themselves: the node and the unit inside it, not the sibling or parent
    assert permissions.has_permission(officer, "agency", permissions.VIEW, world.unit)
    assert not permissions.has_permission(officer, "agency", permissions.VIEW, world.sibling)
    assert not permissions.has_permission(officer, "agency", permissions.VIEW, world.parent)
    # an object with no agency is for administrators only
    assert not permissions.has_permission(officer, "membership", permissions.VIEW, object())


def test_roles_on_includes_roles_held_above(world):
    leader = world.users[("parent", "leader")]
    assert permissions.roles_on(leader, world.unit) == {Role.LEADER}
    assert permissions.roles_on(world.users[("sibling", "staff")], world.unit) == set()


def test_unscoped_resource_allowed_for_any_member(world):
    tthc = factories.tthc()
    for role in Role.values:
        user = world.users[("sibling", role)]
        assert permissions.has_permission(user, "administrativeprocedure", permissions.VIEW)
        assert permissions.has_permission(user, "administrativeprocedure", permissions.VIEW, tthc)
        assert permissions.scope_paths(user, "administrativeprocedure", permissions.VIEW) is None
    # but only view: changing the catalogue is for administrators
    staff = world.users[("node", "staff")]
    assert not permissions.has_permission(staff, "administrativeprocedure", permissions.CHANGE)


def test_unscoped_resource_denied_without_membership(world):
    outsider = factories.user("outsider")
    assert not permissions.has_permission(outsider, "administrativeprocedure", permissions.VIEW)
    assert permissions.scope_paths(outsider, "administrativeprocedure", permissions.VIEW) == []
    qs = permissions.scope_queryset(
        outsider, AdministrativeProcedure.objects.all(), "administrativeprocedure"
    )
    assert qs.count() == 0


def test_anonymous_and_inactive_users_have_no_rights(world):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not permissions.has_permission(anonymous, "agency", permissions.VIEW)
    assert permissions.scope_queryset(anonymous, Agency.objects.all(), "agency").count() == 0
    officer = world.users[("node", "officer")]
    officer.is_active = False
    assert not permissions.has_permission(officer, "membership", permissions.VIEW, world.node)


def test_superuser_sees_everything(world):
    admin = world.admin
    assert permissions.scope_paths(admin, "membership", permissions.VIEW) is None
    qs = permissions.scope_queryset(admin, Membership.objects.all(), "membership")
    assert qs.count() == Membership.objects.count() == 3 * len(Role.values)
    assert permissions.has_permission(admin, "membership", permissions.DELETE, world.sibling)
    assert permissions.has_permission(admin, "nonexistent_resource", "frobnicate")


def test_policy_scopes_instances_and_users(world):
    policy = permissions.policy_for(Membership)
    officer = world.users[("node", "officer")]
    rows = policy.instances_user_has_permission_for(officer, permissions.CHANGE)
    assert _usernames(rows) == _relation_users("node")
    assert policy.user_has_permission(officer, permissions.ADD)
    assert not policy.user_has_permission(world.users[("node", "staff")], permissions.ADD)

    sibling_row = Membership.objects.get(user=world.users[("sibling", "staff")])
    may_change = set(
        policy.users_with_any_permission_for_instance([permissions.CHANGE], sibling_row)
    )
    assert world.users[("sibling", "officer")] in may_change
    assert world.users[("parent", "officer")] in may_change
    assert world.admin in may_change
    assert world.users[("sibling", "leader")] in may_change
    assert world.users[("node", "officer")] not in may_change
    assert world.users[("sibling", "staff")] not in may_change


def test_reference_data_is_readable_by_every_member_for_each_record(world):
    from qms.models import AdministrativeProcedure
    from qms.permissions import policy_for

    procedure = factories.tthc()
    users = set(
        policy_for(AdministrativeProcedure).users_with_any_permission_for_instance(
            ["view"], procedure
        )
    )
    assert world.users[("sibling", "staff")] in users
    assert world.admin in users
    assert not set(
        policy_for(AdministrativeProcedure).users_with_any_permission_for_instance(
            ["change"], procedure
        )
    ) - {world.admin}


def test_a_relation_is_read_once_per_request_and_fresh_outside_one(world):
    """Within a request the rows a relation grants are read once; outside one, every check reads
    the database (a service that changes a relation sees the change at once)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qms.models import Membership

    granted = set()
    permissions.register_relation(
        "membership",
        model=Membership,
        actions={"probe"},
        rows=lambda user, action: Q(pk__in=granted) if granted else None,
        name="test probe",
    )
    try:
        staff = world.users["sibling", "staff"]
        rows = list(Membership.objects.filter(agency=world.node))
        granted.add(rows[0].pk)
        with permissions.request_cache(), CaptureQueriesContext(connection) as inside:
            answers = [permissions._has_relation(staff, "membership", "probe", r) for r in rows]
        assert answers == [True] + [False] * (len(rows) - 1)
        assert len(inside) == 1
        granted.add(rows[1].pk)
        assert permissions._has_relation(staff, "membership", "probe", rows[1])
    finally:
        permissions.RELATIONS["membership"] = [
            g for g in permissions.RELATIONS["membership"] if g.name != "test probe"
        ]
