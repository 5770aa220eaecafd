"""Wagtail groups with page and collection permissions, materialised from memberships (never set
by hand).

Wagtail's page explorer and its document and image screens cannot take a custom policy, so each
active membership becomes a managed group ``qms:<agency code>:<role>`` holding, on the agency's page
(the ``agency_page`` provider, qms/providers.py) and on the agency's collection, the Wagtail
permissions that the policy's rules table (``qms.permissions.RULES``, resources ``page``,
``document`` and ``image``) gives that role; every member joins ``qms:members``, which opens the
admin. Groups whose name starts with ``qms:`` are rewritten by this module only.

Rights follow a membership change at once (``membership_save`` calls ``rights_sync_user``), and a
membership whose start or end date passes takes effect that day: the nightly task recomputes
everyone, and ``DailyRightsMiddleware`` recomputes a signed-in person on their first request of the
day, so a beat that was down changes nothing.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from wagtail.models import GroupCollectionPermission, GroupPagePermission

from qms import permissions, providers
from qms.models import Membership

PREFIX = "qms:"
MEMBERS_GROUP = "qms:members"

# The policy's actions that Wagtail knows as permissions, per resource: (app label, codename model).
WAGTAIL_PERMISSIONS = {
    "page": ("wagtailcore", "page", (permissions.ADD, permissions.CHANGE, permissions.PUBLISH)),
    "document": (
        "wagtaildocs",
        "document",
        (permissions.ADD, permissions.CHANGE, permissions.CHOOSE),
    ),
    "image": ("wagtailimages", "image", (permissions.ADD, permissions.CHANGE, permissions.CHOOSE)),
}


def wagtail_permissions(resource: str, role: str) -> list[Permission]:
    """The Wagtail permissions the rules table gives ``role`` on ``resource``."""
    app_label, model, actions = WAGTAIL_PERMISSIONS[resource]
    codenames = [
        f"{action}_{model}"
        for action in actions
        if role in permissions.allowed_roles(resource, action)
    ]
    return list(
        Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    )


def _members_group() -> Group:
    group, created = Group.objects.get_or_create(name=MEMBERS_GROUP)
    if created or not group.permissions.filter(codename="access_admin").exists():
        group.permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
    return group


def group_name(agency, role: str) -> str:
    return f"{PREFIX}{agency.code}:{role}"


def _sync_rows(model, group, target_field: str, target, wanted_permissions) -> None:
    wanted = set()
    if target is not None:
        for permission in wanted_permissions:
            model.objects.get_or_create(
                group=group, permission=permission, **{target_field: target}
            )
            wanted.add((target.pk, permission.pk))
    for row in model.objects.filter(group=group):
        if (getattr(row, f"{target_field}_id"), row.permission_id) not in wanted:
            row.delete()


def _agency_group(agency, role: str) -> Group:
    group, _ = Group.objects.get_or_create(name=group_name(agency, role))
    page = providers.ask_first(providers.AGENCY_PAGE, agency)
    _sync_rows(GroupPagePermission, group, "page", page, wagtail_permissions("page", role))
    file_permissions = wagtail_permissions("document", role) + wagtail_permissions("image", role)
    _sync_rows(GroupCollectionPermission, group, "collection", agency.collection, file_permissions)
    return group


@transaction.atomic
def rights_sync_user(user) -> set[str]:
    """Make the user's managed groups match their memberships in force today; returns the names."""
    memberships = Membership.objects.active().filter(user=user).select_related("agency__collection")
    wanted = {_agency_group(m.agency, m.role) for m in memberships}
    if wanted:
        wanted.add(_members_group())
    current = set(user.groups.filter(name__startswith=PREFIX))
    user.groups.remove(*(current - wanted))
    user.groups.add(*(wanted - current))
    permissions.clear_cache(user)
    for cache in ("_perm_cache", "_group_perm_cache", "_user_perm_cache"):
        if hasattr(user, cache):
            delattr(user, cache)
    return {g.name for g in wanted}


def rights_sync_all() -> int:
    """Nightly: memberships start and end by date, so every member's groups are recomputed."""
    User = get_user_model()
    users = User.objects.filter(memberships__isnull=False) | User.objects.filter(
        groups__name__startswith=PREFIX
    )
    count = 0
    for user in users.distinct():
        rights_sync_user(user)
        count += 1
    return count


SESSION_KEY = "qms_rights_day"


def rights_sync_if_new_day(request) -> bool:
    """On a signed-in person's first request of the day, recompute their rights (memberships that
    started or ended today take effect even when the nightly task did not run). True if synced."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return False
    today = timezone.localdate().isoformat()
    if request.session.get(SESSION_KEY) == today:
        return False
    rights_sync_user(user)
    request.session[SESSION_KEY] = today
    return True
