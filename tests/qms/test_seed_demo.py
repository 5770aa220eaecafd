"""The demo data serves the journeys: every demo person signs in and works within their own node,
the pre-reform district leads to its successors, the catalogue's limits give due times; running the
command again changes nothing and keeps what an administrator changed."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from qms import permissions
from qms.management.commands.seed_demo import DEMO_PASSWORD, DISTRICT_SUCCESSORS
from qms.models import (
    AdministrativeProcedure,
    Agency,
    AgencyKind,
    AgencySuccession,
    Membership,
    Notification,
    OutboundEmail,
    Role,
    TimeLimit,
)
from qms.people import person_name
from qms.selectors import agency_current_successors
from qms.workcal import get_calendar

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
            Notification,
        )
    } | {
        "agency_history": Agency.history.count(),
        "procedure_history": AdministrativeProcedure.history.count(),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for this module inside a transaction that is rolled back at the end
    (as Django's TestCase.setUpTestData does); each test runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_running_again_changes_nothing_and_keeps_a_changed_password(seeded, capsys):
    officer = get_user_model().objects.get(username="stp-officer")
    officer.set_password("changed-by-admin-1")
    officer.save()
    before = snapshot()

    call_command("seed_demo")

    assert snapshot() == before
    assert DEMO_PASSWORD in capsys.readouterr().out
    officer = get_user_model().objects.get(username="stp-officer")
    assert officer.check_password("changed-by-admin-1")
    assert not officer.check_password(DEMO_PASSWORD)


def test_every_demo_person_signs_in_and_holds_each_role_once_per_node(seeded):
    User = get_user_model()
    nodes = Agency.objects.exclude(kind=AgencyKind.DISTRICT)  # the dissolved district has none
    for node in nodes:
        assert sorted(node.memberships.values_list("role", flat=True)) == sorted(Role.values)
    for user in User.objects.exclude(username="admin"):
        assert user.username.isascii() and user.username == user.username.lower()
        assert user.get_full_name()
        assert user.is_active and user.check_password(DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.check_password(DEMO_PASSWORD) and admin.is_superuser


def test_the_demo_officer_acts_on_their_department_and_nothing_else(seeded):
    officer = get_user_model().objects.get(username="stp-officer")
    department = Agency.objects.get(code="STP")
    assert permissions.active_memberships(officer)[0].agency == department
    assert officer.groups.filter(name="qms:members").exists()  # admin opened by the rights sync
    writable = permissions.assignable_agencies(officer, "membership", permissions.ADD)
    assert set(writable) == set(Agency.objects.subtree_of([department]))
    assert writable.filter(kind=AgencyKind.ONE_STOP).exists()  # its one-stop desk included


def test_the_old_district_leads_to_the_wards_that_took_over_its_work(seeded):
    (district,) = Agency.objects.filter(kind=AgencyKind.DISTRICT)
    assert not district.is_valid_on(REFORM)
    assert district.is_valid_on(REFORM - datetime.timedelta(days=1))
    successors = agency_current_successors(district, on=REFORM)
    assert sorted(a.code for a in successors) == sorted(DISTRICT_SUCCESSORS)


def test_the_catalogue_gives_due_times_including_fractions_of_a_day(seeded):
    calendar = get_calendar()
    monday = datetime.datetime(2026, 3, 2, 7, 30, tzinfo=calendar.tz)
    half_day = (
        AdministrativeProcedure.objects.with_working_days_on(monday.date())
        .filter(working_days_on=Decimal("0.5"))
        .first()
    )
    assert half_day is not None
    limit = half_day.time_limit_on(monday.date()).working_days
    assert calendar.add_working_days(monday, limit) == monday.replace(hour=11, minute=30)
    # commune-level TTHC are handled by communes, so a ward's officer finds them
    for procedure in AdministrativeProcedure.objects.filter(level="commune"):
        kinds = set(procedure.handling_agencies.values_list("kind", flat=True))
        assert kinds == {AgencyKind.COMMUNE}


def test_demo_people_have_vietnamese_names_read_family_name_first(seeded):
    User = get_user_model()
    people = list(User.objects.all())
    names = [person_name(user) for user in people]
    assert len(set(names)) == len(names)  # nobody shares a name, no username shows instead
    for user in people:
        family, *middle = user.last_name.split()
        assert middle and " " not in user.first_name  # "Nguyễn Văn" + "An"
        assert person_name(user) == f"{user.last_name} {user.first_name}"
    women = [u for u in people if u.last_name.split()[1] == "Thị"]
    assert women and all(u.first_name not in {"Dũng", "Hùng", "Tuấn"} for u in women)


def test_demo_inboxes_are_not_empty_and_send_no_mail(seeded):
    for username in ("stp-officer", "stp-leader", "stp-staff", "admin"):
        assert Notification.objects.filter(recipient__username=username).exists()
    assert not OutboundEmail.objects.exists()
    # A notification may name a person, by name.
    officer = get_user_model().objects.get(username="stp-officer")
    assert Notification.objects.filter(body__contains=person_name(officer)).exists()
