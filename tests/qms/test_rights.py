"""Managed Wagtail groups and page permissions follow memberships (qms.services.rights)."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import GroupPagePermission

from qms import providers
from qms.models import HomePage, Membership, Role
from qms.services.memberships import membership_create, membership_delete, membership_end
from qms.services.rights import (
    MEMBERS_GROUP,
    group_name,
    rights_sync_all,
    rights_sync_user,
)
from tests import factories

pytestmark = pytest.mark.django_db


def _groups(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


@pytest.fixture
def agency():
    return factories.agency(code="SXD", name="Sở Xây dựng thử")


@pytest.fixture
def agency_page(monkeypatch):
    """A provider answering every agency with the site's home page, asked first, removed after."""
    page = HomePage.objects.get()

    def provider(agency):
        return page

    # monkeypatch restores the registry (and any provider another app registered) afterwards
    monkeypatch.setitem(providers._providers, providers.AGENCY_PAGE, [])
    providers.register(providers.AGENCY_PAGE, provider)
    assert providers.ask_first(providers.AGENCY_PAGE, None) == page
    return page


@pytest.fixture
def no_agency_page(monkeypatch):
    monkeypatch.setitem(providers._providers, providers.AGENCY_PAGE, [])


def _page_codenames(group_name_: str, page) -> set[str]:
    return set(
        GroupPagePermission.objects.filter(group__name=group_name_, page=page).values_list(
            "permission__codename", flat=True
        )
    )


def test_create_puts_user_in_members_and_agency_groups(agency):
    user = factories.user("alice")
    membership_create(actor=None, user=user, agency=agency, role=Role.OFFICER)
    assert _groups(user) == {MEMBERS_GROUP, "qms:SXD:officer"}
    members = Group.objects.get(name=MEMBERS_GROUP)
    assert members.permissions.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ).exists()
    user = type(user).objects.get(pk=user.pk)  # fresh object, no permission cache
    assert user.has_perm("wagtailadmin.access_admin")


def test_user_without_membership_has_no_admin_access(agency):
    user = factories.user("bob")
    assert rights_sync_user(user) == set()
    assert _groups(user) == set()
    assert not user.has_perm("wagtailadmin.access_admin")


def test_membership_end_in_the_past_removes_agency_group(agency):
    user = factories.user("carol")
    today = timezone.localdate()
    membership = membership_create(
        actor=None,
        user=user,
        agency=agency,
        role=Role.LEADER,
        start_date=today - datetime.timedelta(days=30),
    )
    assert group_name(agency, Role.LEADER) in _groups(user)

    membership_end(actor=None, membership=membership, end_date=today - datetime.timedelta(days=1))

    assert _groups(user) == set()  # no active membership left: not even qms:members
    membership.refresh_from_db()
    assert membership.end_date == today - datetime.timedelta(days=1)


def test_ending_one_of_two_memberships_keeps_the_other(agency):
    other = factories.agency(code="SYT")
    user = factories.user("dave")
    today = timezone.localdate()
    first = membership_create(
        actor=None,
        user=user,
        agency=agency,
        role=Role.STAFF,
        start_date=today - datetime.timedelta(days=30),
    )
    membership_create(actor=None, user=user, agency=other, role=Role.AUDITOR)
    membership_end(actor=None, membership=first, end_date=today - datetime.timedelta(days=1))
    assert _groups(user) == {MEMBERS_GROUP, "qms:SYT:auditor"}


def test_delete_removes_groups(agency):
    user = factories.user("erin")
    membership = membership_create(actor=None, user=user, agency=agency, role=Role.STAFF)
    membership_delete(actor=None, membership=membership)
    assert _groups(user) == set()


def test_manual_non_managed_group_is_kept(agency):
    user = factories.user("frank")
    editors = Group.objects.create(name="Biên tập viên")
    user.groups.add(editors)
    membership = membership_create(actor=None, user=user, agency=agency, role=Role.OFFICER)
    assert _groups(user) == {"Biên tập viên", MEMBERS_GROUP, "qms:SXD:officer"}
    membership_delete(actor=None, membership=membership)
    assert _groups(user) == {"Biên tập viên"}


def test_sync_all_repairs_hand_edited_groups(agency):
    user = factories.user("grace")
    membership_create(actor=None, user=user, agency=agency, role=Role.OFFICER)
    # someone edits groups by hand: removes a managed one, adds a stray managed one
    user.groups.remove(Group.objects.get(name="qms:SXD:officer"))
    stray = Group.objects.create(name="qms:SXD:leader")
    user.groups.add(stray)
    # a former member who kept a managed group
    former = factories.user("heidi")
    former.groups.add(stray, Group.objects.get(name=MEMBERS_GROUP))

    count = rights_sync_all()

    assert count >= 2
    assert _groups(user) == {MEMBERS_GROUP, "qms:SXD:officer"}
    assert _groups(former) == set()


def test_sync_all_applies_memberships_that_ended_by_date(agency):
    user = factories.user("ivan")
    today = timezone.localdate()
    # written directly (as if it had been valid when created): the nightly run must catch it
    Membership.objects.create(
        user=user,
        agency=agency,
        role=Role.STAFF,
        start_date=today - datetime.timedelta(days=10),
        end_date=today - datetime.timedelta(days=1),
    )
    user.groups.add(Group.objects.create(name="qms:SXD:staff"))
    rights_sync_all()
    assert _groups(user) == set()


def test_page_permissions_per_role(agency, agency_page):
    officer = factories.user("officer1")
    leader = factories.user("leader1")
    staff = factories.user("staff1")
    membership_create(actor=None, user=officer, agency=agency, role=Role.OFFICER)
    membership_create(actor=None, user=leader, agency=agency, role=Role.LEADER)
    membership_create(actor=None, user=staff, agency=agency, role=Role.STAFF)

    assert _page_codenames("qms:SXD:officer", agency_page) == {"add_page", "change_page"}
    # Nobody publishes by hand: procedures go live through their approval workflow.
    assert _page_codenames("qms:SXD:leader", agency_page) == {"add_page", "change_page"}
    assert _page_codenames("qms:SXD:staff", agency_page) == set()
    assert GroupPagePermission.objects.filter(group__name="qms:SXD:staff").count() == 0


def test_page_permissions_removed_when_page_goes_away(agency, agency_page):
    user = factories.user("judy")
    membership_create(actor=None, user=user, agency=agency, role=Role.OFFICER)
    assert _page_codenames("qms:SXD:officer", agency_page)
    providers._providers[providers.AGENCY_PAGE].clear()
    rights_sync_user(user)
    assert GroupPagePermission.objects.filter(group__name="qms:SXD:officer").count() == 0


def test_no_provider_means_no_page_permissions(agency, no_agency_page):
    user = factories.user("kim")
    membership_create(actor=None, user=user, agency=agency, role=Role.LEADER)
    assert GroupPagePermission.objects.filter(group__name="qms:SXD:leader").count() == 0


def test_rights_follow_dates_on_first_request_of_the_day_without_beat(agency, client):
    """A membership written to start today and one that ended yesterday take effect on the
    person's first request, even though the nightly sync never ran."""
    from django.urls import reverse

    starter = factories.user("starter")
    today = timezone.localdate()
    # as if created last week with a start date of today: no sync has run since
    Membership.objects.create(user=starter, agency=agency, role=Role.OFFICER, start_date=today)
    assert _groups(starter) == set()
    client.force_login(starter)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert _groups(starter) == {MEMBERS_GROUP, "qms:SXD:officer"}

    leaver = factories.user("leaver")
    row = membership_create(
        actor=None,
        user=leaver,
        agency=agency,
        role=Role.OFFICER,
        start_date=today - datetime.timedelta(days=30),
    )
    Membership.objects.filter(pk=row.pk).update(end_date=today - datetime.timedelta(days=1))
    assert "qms:SXD:officer" in _groups(leaver)  # stale until the person shows up
    other = type(client)()
    other.force_login(leaver)
    response = other.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302  # no membership in force: the admin is closed
    assert _groups(leaver) == set()


def test_rights_are_recomputed_once_a_day_not_on_every_request(agency, client, monkeypatch):
    from django.urls import reverse

    from qms.services import rights

    user = factories.user("daily")
    membership_create(actor=None, user=user, agency=agency, role=Role.STAFF)
    calls = []
    original = rights.rights_sync_user
    monkeypatch.setattr(rights, "rights_sync_user", lambda u: calls.append(u) or original(u))
    client.force_login(user)
    client.get(reverse("wagtailadmin_home"))
    client.get(reverse("wagtailadmin_home"))
    assert len(calls) == 1
