"""The agency permission policy: the rules of DESIGN.md §6 in one place, used by every app.

A role held on an agency gives rights on that agency and every unit inside it (its subtree). Rules
name, for each resource and action, the roles that may act. Querysets, object checks, Wagtail admin
viewsets (through ``AgencyPermissionPolicy``), exports, choosers and the API all ask this module.
Superusers (administrators) may do everything.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from wagtail.permission_policies.base import BasePermissionPolicy

from qms.models import Agency, Membership, Role

ALL_ROLES = frozenset(Role.values)
VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"

# resource -> action -> roles allowed on the agency (and its subtree). Later apps extend this with
# ``register_rules``; an action not listed is for administrators only.
RULES: dict[str, dict[str, frozenset[str]]] = {}
# Reference data (the TTHC catalogue, the calendar, successions) is not owned by one agency: a role
# held anywhere gives the right everywhere.
UNSCOPED: set[str] = set()


def register_rules(resource: str, rules: dict[str, Iterable[str]], *, scoped: bool = True) -> None:
    RULES.setdefault(resource, {}).update({a: frozenset(r) for a, r in rules.items()})
    if not scoped:
        UNSCOPED.add(resource)


register_rules("agency", {VIEW: ALL_ROLES})
register_rules(
    "membership",
    {
        VIEW: {Role.OFFICER, Role.LEADER},
        ADD: {Role.OFFICER},
        CHANGE: {Role.OFFICER},
        DELETE: {Role.OFFICER},
    },
)
register_rules("administrativeprocedure", {VIEW: ALL_ROLES}, scoped=False)
register_rules("calendaroverride", {VIEW: ALL_ROLES}, scoped=False)
register_rules("agencysuccession", {VIEW: ALL_ROLES}, scoped=False)


def allowed_roles(resource: str, action: str) -> frozenset[str]:
    return RULES.get(resource, {}).get(action, frozenset())


def _today() -> datetime.date:
    return timezone.localdate()


def active_memberships(user) -> list[Membership]:
    """The user's memberships in force today, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cache = getattr(user, "_qms_memberships", None)
    if cache is None or cache[0] != _today():
        rows = list(
            Membership.objects.active(_today())
            .filter(user=user)
            .select_related("agency")
            .only(
                "role",
                "acting",
                "end_date",
                "agency__path",
                "agency__id",
                "agency__code",
                "agency__name",
            )
        )
        cache = (_today(), rows)
        user._qms_memberships = cache
    return cache[1]


def clear_cache(user) -> None:
    if hasattr(user, "_qms_memberships"):
        del user._qms_memberships


def is_admin(user) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def scope_paths(user, resource: str, action: str) -> list[str] | None:
    """Agency paths whose subtrees the user may act on; ``None`` means everywhere (administrator)."""
    if is_admin(user):
        return None
    roles = allowed_roles(resource, action)
    paths = sorted({m.agency.path for m in active_memberships(user) if m.role in roles})
    if resource in UNSCOPED:
        return None if paths else []
    return paths


def roles_on(user, agency: Agency) -> set[str]:
    """Roles the user holds on ``agency`` or any agency above it."""
    return {m.role for m in active_memberships(user) if agency.path.startswith(m.agency.path)}


def path_q(paths: list[str] | None, lookup: str) -> Q:
    """A filter for rows whose agency path (``lookup``) lies in one of ``paths``."""
    if paths is None:
        return Q()
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{lookup}__startswith": path})
    return query


def agency_lookup_for(model) -> str:
    """The ORM path from ``model`` to its agency's materialised path."""
    if model is Agency or (isinstance(model, type) and issubclass(model, Agency)):
        return "path"
    lookup = getattr(model, "agency_path_lookup", None)
    if lookup:
        return lookup
    return "agency__path"


def scope_q(user, resource: str, actions, lookup: str) -> Q:
    """The one filter of the policy: rows whose agency path (``lookup``) lies where the user may
    do any of ``actions`` on ``resource``. Everything else that scopes a query calls this."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    query = Q(pk__in=[])
    for action in actions:
        paths = scope_paths(user, resource, action)
        if paths is None:
            return Q()
        if paths:
            query |= path_q(paths, lookup)
    return query


def scope_queryset(user, queryset: QuerySet, resource: str, action: str = VIEW) -> QuerySet:
    return queryset.filter(scope_q(user, resource, [action], agency_lookup_for(queryset.model)))


def agency_of(obj) -> Agency | None:
    if isinstance(obj, Agency):
        return obj
    getter = getattr(obj, "get_owning_agency", None)
    if getter:
        return getter()
    return getattr(obj, "agency", None)


def has_permission(user, resource: str, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` on ``resource``: on some agency, or on ``obj``'s agency."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if is_admin(user):
        return True
    paths = scope_paths(user, resource, action)
    if paths is None:
        return True
    if obj is None:
        return bool(paths)
    agency = agency_of(obj)
    if agency is None:
        return False
    return any(agency.path.startswith(p) for p in paths)


def can_act_on_agency(user, resource: str, action: str, agency: Agency | None) -> bool:
    if agency is None:
        return is_admin(user)
    return has_permission(user, resource, action, agency)


def assignable_agencies(user, resource: str, action: str = ADD) -> QuerySet:
    """Agencies the user may choose in a form for ``resource`` (the scope of ``action``)."""
    return Agency.objects.filter(scope_q(user, resource, [action], "path"))


class AgencyPermissionPolicy(BasePermissionPolicy):
    """Wagtail's view of the rules above, registered for each agency-scoped model."""

    def __init__(self, model, resource: str | None = None):
        super().__init__(model)
        self._resource = resource

    @property
    def resource(self) -> str:
        return self._resource or self.model._meta.model_name

    def user_has_permission(self, user, action):
        return has_permission(user, self.resource, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def users_with_any_permission(self, actions):
        User = get_user_model()
        roles = set().union(*(allowed_roles(self.resource, a) for a in actions))
        return User.objects.filter(
            Q(is_superuser=True, is_active=True)
            | Q(
                is_active=True,
                memberships__in=Membership.objects.active().filter(role__in=roles),
            )
        ).distinct()

    def user_has_permission_for_instance(self, user, action, instance):
        return has_permission(user, self.resource, action, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def scope_q(self, user, actions) -> Q:
        """Rows of this model the user may do any of ``actions`` on, as a filter."""
        return scope_q(user, self.resource, actions, agency_lookup_for(self.model))

    def instances_user_has_any_permission_for(self, user, actions):
        return self.model._default_manager.filter(self.scope_q(user, actions))

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def users_with_any_permission_for_instance(self, actions, instance):
        if self.resource in UNSCOPED:
            return self.users_with_any_permission(actions)
        agency = agency_of(instance)
        User = get_user_model()
        if agency is None:
            return User.objects.filter(is_superuser=True, is_active=True)
        roles = set().union(*(allowed_roles(self.resource, a) for a in actions))
        above = agency.ancestor_ids()
        return User.objects.filter(
            Q(is_superuser=True, is_active=True)
            | Q(
                is_active=True,
                memberships__in=Membership.objects.active().filter(
                    role__in=roles, agency_id__in=above
                ),
            )
        ).distinct()


_policies: dict = {}


def policy_for(model, resource: str | None = None) -> AgencyPermissionPolicy:
    """The one policy object per model (registered with Wagtail by ``register_policy``)."""
    key = (model, resource)
    if key not in _policies:
        _policies[key] = AgencyPermissionPolicy(model, resource)
    return _policies[key]


def register_policy(model, resource: str | None = None) -> AgencyPermissionPolicy:
    """Make Wagtail itself (choosers, usage, editing sessions) use the agency policy for ``model``."""
    from wagtail.permissions import register_permission_policy

    policy = policy_for(model, resource)
    register_permission_policy(model, policy)
    return policy


def assignable_users(user):
    """People an officer may give a role to: members of agencies in their membership scope and
    newcomers without any membership; never the staff lists of other agencies."""
    User = get_user_model()
    if is_admin(user):
        return User.objects.filter(is_active=True)
    in_scope = Membership.objects.active().filter(
        scope_q(user, "membership", [ADD], "agency__path")
    )
    return (
        User.objects.filter(is_active=True)
        .filter(Q(memberships__in=in_scope) | Q(memberships__isnull=True))
        .distinct()
        .order_by("username")
    )
