"""Wagtail groups and page permissions materialised from memberships (never set by hand).

Wagtail's page explorer cannot take a custom policy, so each active membership becomes a managed
group ``qms:<agency code>:<role>`` holding the page permissions of that role on the agency's page
(supplied by the ``agency_page`` provider (qms/providers.py)), and every member joins the ``qms:members`` group that opens
the admin. Groups whose name starts with ``qms:`` are rewritten by this module only.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupPagePermission

from qms import providers
from qms.models import Membership, Role

PREFIX = "qms:"
MEMBERS_GROUP = "qms:members"

PAGE_PERMISSIONS = {
    Role.OFFICER: ["add_page", "change_page"],
    Role.LEADER: ["add_page", "change_page", "publish_page"],
    Role.AUDITOR: [],
    Role.STAFF: [],
}


def _members_group() -> Group:
    group, created = Group.objects.get_or_create(name=MEMBERS_GROUP)
    if created or not group.permissions.filter(codename="access_admin").exists():
        group.permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
    return group


def group_name(agency, role: str) -> str:
    return f"{PREFIX}{agency.code}:{role}"


def _agency_group(agency, role: str) -> Group:
    group, _ = Group.objects.get_or_create(name=group_name(agency, role))
    page = providers.ask_first(providers.AGENCY_PAGE, agency)
    wanted = set()
    if page is not None:
        for codename in PAGE_PERMISSIONS.get(role, []):
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)
            wanted.add((page.pk, permission.pk))
    for gpp in GroupPagePermission.objects.filter(group=group):
        if (gpp.page_id, gpp.permission_id) not in wanted:
            gpp.delete()
    return group


@transaction.atomic
def page_rights_sync_user(user) -> set[str]:
    """Make the user's managed groups match their active memberships; returns the group names."""
    memberships = Membership.objects.active().filter(user=user).select_related("agency")
    wanted = {_agency_group(m.agency, m.role) for m in memberships}
    if wanted:
        wanted.add(_members_group())
    current = set(user.groups.filter(name__startswith=PREFIX))
    user.groups.remove(*(current - wanted))
    user.groups.add(*(wanted - current))
    return {g.name for g in wanted}


def page_rights_sync_all() -> int:
    """Nightly: memberships start and end by date, so every member's groups are recomputed."""
    User = get_user_model()
    users = User.objects.filter(memberships__isnull=False) | User.objects.filter(
        groups__name__startswith=PREFIX
    )
    count = 0
    for user in users.distinct():
        page_rights_sync_user(user)
        count += 1
    return count
