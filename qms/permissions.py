"""The agency permission policy: the rules of DESIGN.md §6 in one place, used by every app.

Rights come two ways, both decided here and nowhere else:
- **by role**: a role held on an agency gives rights on that agency and every unit inside it (its
  subtree). ``RULES`` names, for each resource and action, the roles that may act; an action not
  listed is for administrators only.
- **by relation**: an app registers a provider of extra rows for a resource (the auditor of an open
  audit on the audited agencies' records, the owner of a corrective action, its verifier) with
  ``register_relation``; ``scope_q`` and the object check combine them with the role rows.

Who may grant which role (separation of duties) is ``grant_refusal``. Querysets, object checks,
Wagtail admin viewsets (through ``AgencyPermissionPolicy``), exports, choosers, the API and the
Wagtail groups that carry page and collection rights (``qms.services.rights``) all ask this module.
Superusers (administrators) may do everything.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.permission_policies.base import BasePermissionPolicy

from qms.collation import vi_person_order
from qms.models import Agency, Membership, Role
from qms.models.agencies import path_within, subtree_q

ALL_ROLES = frozenset(Role.values)
VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
PUBLISH, CHOOSE = "publish", "choose"

# resource -> action -> roles allowed on the agency (and its subtree). Apps extend this with
# ``register_rules`` from their own modules; an action not listed is for administrators only.
RULES: dict[str, dict[str, frozenset[str]]] = {}
# Reference data (the TTHC catalogue, the calendar, successions) is not owned by one agency: a role
# held anywhere gives the right everywhere.
UNSCOPED: set[str] = set()


def register_rules(resource: str, rules: dict[str, Iterable[str]], *, scoped: bool = True) -> None:
    RULES.setdefault(resource, {}).update({a: frozenset(r) for a, r in rules.items()})
    if not scoped:
        UNSCOPED.add(resource)


@dataclass(frozen=True)
class RelationGrant:
    """Rows of ``resource`` a user may act on because of a relation, not a role.

    ``rows(user, action)`` returns a filter on the resource's model (e.g. ``Q(owner=user)``, or
    ``subtree_q(paths_of_open_audits, "agency__path")``), or None when the relation gives nothing.
    """

    resource: str
    model: type
    actions: frozenset[str]
    rows: Callable[[object, str], Q | None]
    name: str = ""


RELATIONS: dict[str, list[RelationGrant]] = {}


def register_relation(
    resource: str,
    *,
    model,
    actions: Iterable[str],
    rows: Callable[[object, str], Q | None],
    name: str = "",
) -> RelationGrant:
    """Grant ``actions`` on the rows of ``model`` (the resource's model) that ``rows(user,
    action)`` selects."""
    grant = RelationGrant(resource, model, frozenset(actions), rows, name)
    RELATIONS.setdefault(resource, [])
    if grant not in RELATIONS[resource]:
        RELATIONS[resource].append(grant)
    return grant


# Memberships: officers and leaders assign roles (which ones is ``grant_refusal``); ending is a
# change; deleting is for administrators only (a membership is ended, never deleted).
register_rules("agency", {VIEW: ALL_ROLES})
register_rules(
    "membership",
    {
        VIEW: {Role.OFFICER, Role.LEADER},
        ADD: {Role.OFFICER, Role.LEADER},
        CHANGE: {Role.OFFICER, Role.LEADER},
    },
)
register_rules("administrativeprocedure", {VIEW: ALL_ROLES}, scoped=False)
register_rules("calendaroverride", {VIEW: ALL_ROLES}, scoped=False)
register_rules("agencysuccession", {VIEW: ALL_ROLES}, scoped=False)
# Wagtail's own rights, materialised as group permissions on the agency's page and collection
# (qms.services.rights): officers and leaders draft; every member reads the agency's files. Nobody
# holds PUBLISH on pages: an app's approval workflow makes its pages live (separation of duties).
register_rules("page", {ADD: {Role.OFFICER, Role.LEADER}, CHANGE: {Role.OFFICER, Role.LEADER}})
for _files in ("document", "image"):
    register_rules(
        _files,
        {
            VIEW: ALL_ROLES,
            CHOOSE: ALL_ROLES,
            ADD: {Role.OFFICER, Role.LEADER},
            CHANGE: {Role.OFFICER, Role.LEADER},
        },
    )


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
    """Agency paths whose subtrees the user may act on by role; ``None`` means everywhere."""
    if is_admin(user):
        return None
    roles = allowed_roles(resource, action)
    paths = sorted({m.agency.path for m in active_memberships(user) if m.role in roles})
    if resource in UNSCOPED:
        return None if paths else []
    return paths


def roles_on(user, agency: Agency) -> set[str]:
    """Roles the user holds on ``agency`` or any agency above it."""
    return {m.role for m in active_memberships(user) if agency.is_within(m.agency)}


def agency_lookup_for(model) -> str:
    """The ORM path from ``model`` to its agency's materialised path."""
    if model is Agency or (isinstance(model, type) and issubclass(model, Agency)):
        return "path"
    lookup = getattr(model, "agency_path_lookup", None)
    if lookup:
        return lookup
    return "agency__path"


def _relation_q(user, resource: str, action: str) -> Q | None:
    query = None
    for grant in RELATIONS.get(resource, ()):
        if action in grant.actions:
            rows = grant.rows(user, action)
            if rows is not None:
                query = rows if query is None else query | rows
    return query


def scope_q(user, resource: str, actions, lookup: str, *, relations: bool = True) -> Q:
    """The one filter of the policy: rows where the user may do any of ``actions`` on ``resource``:
    rows whose agency path (``lookup``) lies in the subtree of a role that allows it, plus the rows
    given by relation (only meaningful on the resource's own model: pass ``relations=False`` when
    filtering another model, e.g. the agencies offered in a form)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Q(pk__in=[])
    query = Q(pk__in=[])
    for action in actions:
        paths = scope_paths(user, resource, action)
        if paths is None:
            return Q()
        if paths:
            query |= subtree_q(paths, lookup)
        if relations:
            extra = _relation_q(user, resource, action)
            if extra is not None:
                query |= extra
    return query


def scope_queryset(user, queryset: QuerySet, resource: str, action: str = VIEW) -> QuerySet:
    return queryset.filter(scope_q(user, resource, [action], agency_lookup_for(queryset.model)))


def agency_of(obj) -> Agency | None:
    """The agency that owns ``obj``: itself, its ``get_owning_agency()``, its ``agency``, or for a
    file (Wagtail document or image) the agency whose collection holds it."""
    if isinstance(obj, Agency):
        return obj
    getter = getattr(obj, "get_owning_agency", None)
    if getter:
        return getter()
    if hasattr(obj, "agency"):
        return obj.agency
    collection = getattr(obj, "collection", None)
    if collection is not None:
        return Agency.objects.owning_collection(collection)
    return None


def _has_related_rows(user, resource: str, action: str) -> bool:
    """Does a relation give the user ``action`` on at least one row of ``resource``?"""
    for grant in RELATIONS.get(resource, ()):
        if action in grant.actions:
            rows = grant.rows(user, action)
            if rows is not None and grant.model._default_manager.filter(rows).exists():
                return True
    return False


# Within one request (``request_cache``, opened by qms.middleware.PermissionCacheMiddleware) the
# rows a relation grants are read once per person, resource, action and model, so a list that asks
# about each of its rows costs one query, not one per row. Outside a request (services, tasks)
# every check reads the database.
_REQUEST_CACHE: ContextVar[dict | None] = ContextVar("qms_permission_cache", default=None)


@contextmanager
def request_cache():
    token = _REQUEST_CACHE.set({})
    try:
        yield
    finally:
        _REQUEST_CACHE.reset(token)


def _has_relation(user, resource: str, action: str, obj) -> bool:
    if obj is None or getattr(obj, "pk", None) is None:
        return False
    model = type(obj)
    cache = _REQUEST_CACHE.get()
    key = (user.pk, resource, action, model)
    if cache is not None and key in cache:
        # Before asking the grants again: a grant's rows may themselves read the database.
        return obj.pk in cache[key]
    rows = _relation_q(user, resource, action)
    if rows is None:
        if cache is not None:
            cache[key] = frozenset()
        return False
    if cache is None:
        return model._default_manager.filter(rows, pk=obj.pk).exists()
    cache[key] = set(model._default_manager.filter(rows).values_list("pk", flat=True))
    return obj.pk in cache[key]


def has_permission(user, resource: str, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` on ``resource``: on some agency, or on ``obj`` (its agency by
    role, or the object itself by relation)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if is_admin(user):
        return True
    paths = scope_paths(user, resource, action)
    if paths is None:
        return True
    if obj is None:
        return bool(paths) or _has_related_rows(user, resource, action)
    agency = agency_of(obj)
    if agency is not None and any(path_within(agency.path, p) for p in paths):
        return True
    return _has_relation(user, resource, action, obj)


def may_read_file(user, obj) -> bool:
    """May ``user`` open a stored file (a Wagtail document or image): a file referenced by a live
    page is public; otherwise the members of the agency that holds it (and administrators)."""
    from qms.selectors import file_is_public

    resource = obj._meta.model_name if obj._meta.model_name in ("document", "image") else "image"
    return has_permission(user, resource, VIEW, obj) or file_is_public(obj)


def can_act_on_agency(user, resource: str, action: str, agency: Agency | None) -> bool:
    if agency is None:
        return is_admin(user)
    return has_permission(user, resource, action, agency)


def assignable_agencies(user, resource: str, action: str = ADD) -> QuerySet:
    """Agencies the user may choose in a form for ``resource`` (the scope of ``action``)."""
    return Agency.objects.filter(scope_q(user, resource, [action], "path", relations=False))


# --- Separation of duties: who may grant which role (DESIGN.md §6) -------------------------------

SAME_OR_ABOVE, STRICTLY_ABOVE = "same_or_above", "strictly_above"
# role granted -> (roles that may grant it, where the grantor's role must be held)
GRANTS: dict[str, tuple[frozenset[str], str]] = {
    Role.STAFF: (frozenset({Role.OFFICER, Role.LEADER}), SAME_OR_ABOVE),
    Role.OFFICER: (frozenset({Role.OFFICER, Role.LEADER}), SAME_OR_ABOVE),
    # Heads designate their internal auditors.
    Role.AUDITOR: (frozenset({Role.LEADER}), SAME_OR_ABOVE),
    # A leader is appointed from above.
    Role.LEADER: (frozenset({Role.LEADER}), STRICTLY_ABOVE),
}


def _grants_on(user, agency: Agency, role: str) -> bool:
    grantors, where = GRANTS[role]
    return any(
        m.role in grantors
        and agency.is_within(m.agency)
        and (where == SAME_OR_ABOVE or m.agency.pk != agency.pk)
        for m in active_memberships(user)
    )


def grant_refusal(actor, *, holder, agency: Agency, role: str) -> str | None:
    """Why ``actor`` may not give, change or end ``role`` on ``agency`` for ``holder`` (a user or
    a user id); None when allowed. ``actor`` None is the system (seed data, migrations)."""
    if actor is None:
        return None
    if holder is not None and actor.pk == getattr(holder, "pk", holder):
        return _(
            "Không ai được tự phân công, thay đổi hay kết thúc vai trò của chính mình: "
            "hãy đề nghị người có thẩm quyền thực hiện."
        )
    if is_admin(actor) or _grants_on(actor, agency, role):
        return None
    names = {"agency": agency.name, "role": Role(role).label}
    if role == Role.LEADER:
        return (
            _(
                "Vai trò lãnh đạo tại “%(agency)s” chỉ do quản trị viên hoặc lãnh đạo của cơ quan "
                "cấp trên phân công."
            )
            % names
        )
    if role == Role.AUDITOR:
        return (
            _(
                "Đánh giá viên nội bộ của “%(agency)s” chỉ do quản trị viên hoặc lãnh đạo của "
                "đơn vị đó hay cấp trên chỉ định."
            )
            % names
        )
    return _("Bạn không có quyền phân công vai trò “%(role)s” tại “%(agency)s”.") % names


def grantable_roles(actor) -> list[str]:
    """Roles the actor may grant somewhere (the choices of the membership form)."""
    if is_admin(actor):
        return list(Role.values)
    held = {m.role for m in active_memberships(actor)}
    return [role for role in Role.values if held & GRANTS[role][0]]


def may_delete_membership(actor) -> bool:
    """Memberships are ended, never deleted, except by an administrator (to correct a mistake)."""
    return is_admin(actor)


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
    """People ``user`` may pick in a membership form. An administrator: every active account.
    Anyone else: members of agencies in their membership scope and newcomers without any
    membership; never an administrator, never themselves (nobody grants a role of their own),
    never the staff lists of other agencies. By given name, then family name, as Vietnamese
    lists go."""
    User = get_user_model()
    people = User.objects.filter(is_active=True).order_by(*vi_person_order())
    if is_admin(user):
        return people
    in_scope = Membership.objects.active().filter(
        scope_q(user, "membership", [ADD], "agency__path")
    )
    return (
        people.filter(is_superuser=False)
        .exclude(pk=user.pk)
        .filter(Q(memberships__in=in_scope) | Q(memberships__isnull=True))
        .distinct()
    )
