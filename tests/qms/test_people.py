"""People are named by full name in Vietnamese order everywhere, and the membership form offers
only the people an officer may give a role to."""

import pytest
from django.urls import reverse
from wagtail.admin.utils import get_user_display_name

from qms import permissions
from qms.models import AgencyKind, Membership
from qms.people import person_label, person_name
from tests import factories

pytestmark = pytest.mark.django_db


def _named(user, last_name, first_name):
    user.last_name, user.first_name = last_name, first_name
    user.save()
    return user


def test_a_person_reads_family_name_first_and_wagtail_agrees():
    an = factories.user("an", last_name="Nguyễn Văn", first_name="An")
    assert person_name(an) == "Nguyễn Văn An"
    assert an.get_full_name() == "Nguyễn Văn An"
    assert get_user_display_name(an) == "Nguyễn Văn An"  # Wagtail's menus, history, owners
    assert person_label(an) == "Nguyễn Văn An (an)"
    nameless = factories.user("nameless")
    assert person_name(nameless) == "nameless"
    assert person_label(nameless) == "nameless"
    assert person_name(None) == ""


def test_membership_list_and_export_name_people(client, world):
    _named(world.users[("node", "staff")], "Trần Thị", "Bình")
    client.force_login(world.users[("node", "officer")])
    html = client.get(reverse("memberships:index")).content.decode()
    assert "Trần Thị Bình" in html
    response = client.get(reverse("memberships:index") + "?export=csv")
    csv = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Trần Thị Bình" in csv
    membership = Membership.objects.get(user=world.users[("node", "staff")])
    assert str(membership).startswith("Trần Thị Bình · ")


def test_officer_picks_people_in_scope_by_name_never_an_administrator(client, world):
    officer = world.users[("node", "officer")]
    newcomer = _named(factories.user("newcomer"), "Lê", "Cường")
    lone_admin = factories.user("second-admin", superuser=True)  # no membership either
    in_unit = factories.member(world.unit, "staff", username="unit_clerk")
    offered = set(permissions.assignable_users(officer))
    assert newcomer in offered
    assert in_unit in offered
    assert world.users[("node", "staff")] in offered
    assert world.admin not in offered
    assert lone_admin not in offered
    assert officer not in offered  # nobody grants a role of their own
    for role in ("officer", "leader", "auditor", "staff"):
        assert world.users[("sibling", role)] not in offered

    client.force_login(officer)
    html = client.get(reverse("memberships:add")).content.decode()
    assert "Lê Cường (newcomer)" in html
    assert ">root<" not in html and "second-admin" not in html


def test_administrator_may_pick_every_active_account(world):
    former = factories.user("former")
    former.is_active = False
    former.save()
    offered = set(permissions.assignable_users(world.admin))
    assert world.users[("sibling", "staff")] in offered
    assert former not in offered


def test_people_are_listed_by_given_name(world):
    department = factories.agency(name="Sở Thử tên", kind=AgencyKind.DEPARTMENT)
    officer = factories.member(department, "officer", username="namer")
    for username, last, first in [
        ("p1", "Vũ", "Yến"),
        ("p2", "Đỗ", "Ân"),
        ("p3", "Bùi", "Bình"),
        ("p4", "Lê", "Anh"),
    ]:
        _named(factories.member(department, "staff", username=username), last, first)
    names = [person_name(u) for u in permissions.assignable_users(officer)]
    people = [n for n in names if n in {"Đỗ Ân", "Bùi Bình", "Vũ Yến", "Lê Anh"}]
    assert people == ["Lê Anh", "Đỗ Ân", "Bùi Bình", "Vũ Yến"]  # a < ă < â < b
