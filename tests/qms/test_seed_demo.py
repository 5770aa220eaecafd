"""The demo data: a post-reform Hanoi-shaped city, its catalogue and users; safe to run twice."""

import datetime

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from qms.management.commands.seed_demo import DEMO_PASSWORD, REFORM_BASIS
from qms.models import (
    AdministrativeProcedure,
    Agency,
    AgencyKind,
    AgencySuccession,
    Membership,
    Role,
    TimeLimit,
)

pytestmark = pytest.mark.django_db

REFORM = datetime.date(2025, 7, 1)


def snapshot():
    User = get_user_model()
    return {
        model.__name__: model.objects.count()
        for model in (
            Agency,
            AgencySuccession,
            AdministrativeProcedure,
            TimeLimit,
            User,
            Membership,
        )
    } | {
        "agency_history": Agency.history.count(),
        "procedure_history": AdministrativeProcedure.history.count(),
    }


@pytest.fixture
def seeded():
    call_command("seed_demo", verbosity=0)


def test_running_twice_leaves_the_same_rows(seeded, capsys):
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert DEMO_PASSWORD in capsys.readouterr().out


def test_city_shape(seeded):
    city = Agency.objects.get(kind=AgencyKind.PROVINCE)
    assert city.name == "Ủy ban nhân dân thành phố Hà Nội"
    departments = Agency.objects.filter(parent=city, kind=AgencyKind.DEPARTMENT)
    assert departments.count() == 6
    for department in departments:
        units = department.children.filter(kind__in=[AgencyKind.UNIT, AgencyKind.ONE_STOP])
        assert 2 <= units.count() <= 3
    communes = Agency.objects.filter(parent=city, kind=AgencyKind.COMMUNE)
    assert communes.count() == 4
    assert all(c.valid_from == REFORM for c in communes)
    assert not Agency.objects.filter(kind=AgencyKind.COMMUNE).exclude(parent=city).exists()


def test_old_district_ended_before_reform_and_has_successors(seeded):
    (district,) = Agency.objects.filter(kind=AgencyKind.DISTRICT)
    assert district.valid_to < REFORM
    assert not district.is_valid_on(REFORM)
    successions = AgencySuccession.objects.filter(predecessor=district)
    assert successions.count() >= 2
    for succession in successions:
        assert succession.successor.kind == AgencyKind.COMMUNE
        assert succession.effective_date == REFORM
        assert succession.legal_basis == REFORM_BASIS


def test_catalogue_is_loaded_with_fractional_limits(seeded):
    assert 35 <= AdministrativeProcedure.objects.count() <= 50
    days = set(TimeLimit.objects.values_list("working_days", flat=True))
    assert {0.25, 0.5} <= {float(d) for d in days}
    assert not AdministrativeProcedure.objects.filter(handling_agencies__isnull=True).exists()
    commune_level = AdministrativeProcedure.objects.filter(level="commune")
    assert commune_level.exists()
    for procedure in commune_level:
        kinds = set(procedure.handling_agencies.values_list("kind", flat=True))
        assert kinds == {AgencyKind.COMMUNE}


def test_every_demo_user_authenticates(seeded):
    User = get_user_model()
    users = User.objects.exclude(username="admin")
    # One per role on every node of the tree except the dissolved district.
    nodes = Agency.objects.exclude(kind=AgencyKind.DISTRICT)
    assert users.count() == nodes.count() * len(Role.values)
    for node in nodes:
        assert set(node.memberships.values_list("role", flat=True)) == set(Role.values)
    for user in users:
        assert user.username.isascii() and user.username == user.username.lower()
        assert user.email == f"{user.username}@demo.qms.invalid"
        assert user.get_full_name()
        assert authenticate(username=user.username, password=DEMO_PASSWORD) == user
    admin = authenticate(username="admin", password=DEMO_PASSWORD)
    assert admin is not None and admin.is_superuser


def test_demo_officer_has_active_membership(seeded):
    officer = get_user_model().objects.get(username="stp-officer")
    membership = Membership.objects.active(REFORM).get(user=officer)
    assert membership.role == Role.OFFICER
    assert membership.agency.code == "STP"
    assert membership.start_date == REFORM
    assert officer.groups.filter(name="qms:members").exists()  # page rights were synced


def test_changed_password_survives_a_rerun(seeded):
    officer = get_user_model().objects.get(username="stp-officer")
    officer.set_password("changed-by-admin-1")
    officer.save()
    call_command("seed_demo", verbosity=0)
    assert authenticate(username="stp-officer", password="changed-by-admin-1") is not None
    assert authenticate(username="stp-officer", password=DEMO_PASSWORD) is None
