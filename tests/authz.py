"""The authorization-matrix harness: every URL pattern of the project, requested as every actor.

Each app keeps its rules in its own module, ``tests/<app>/authz_rules.py`` (``RULES``, and for the
core also ``FALLBACK_RULES`` that come last), found by ``all_rules()``. A rule maps URL names
(fnmatch patterns, first match wins) to who may reach them. A URL pattern without a rule fails the
matrix, so each capability adds its URLs' rules in its own module. Actors are anonymous,
each role on the agency under test (``node``), on its ``sibling`` and on its ``parent``, and the
administrator; objects named in URLs belong to ``node``.
"""

from __future__ import annotations

import fnmatch
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from qms.models import Role

ROLES = tuple(Role.values)
MEMBERS = frozenset(f"{rel}_{role}" for rel in ("node", "sibling", "parent") for role in ROLES)
EVERYONE = frozenset({"anonymous", "admin"} | MEMBERS)
ADMIN = frozenset({"admin"})
DENIED = {302, 403, 404}
BEARER_DENIED = DENIED | {401}


def on_node(*roles: str, sibling: bool = False) -> frozenset[str]:
    """Holders of ``roles`` on the node or above it (rights flow down the tree), and the admin."""
    relations = ("node", "parent", "sibling") if sibling else ("node", "parent")
    return frozenset({"admin"} | {f"{rel}_{role}" for rel in relations for role in roles})


@dataclass(frozen=True)
class Rule:
    pattern: str
    allowed: frozenset[str]
    kwargs: Callable | None = None  # (world) -> URL kwargs; objects belong to the node
    ok: frozenset[int] = frozenset({200})
    method: str = "GET"
    # Wagtail's own admin-only screens: the admin's answer is only required not to fail.
    admin_any: bool = False
    note: str = ""
    extra: dict = field(default_factory=dict)
    # A listing: the kind of marker an allowed member must find in it (one of their own agencies'),
    # so an empty list cannot pass the leak test; the administrator must find one of any agency.
    shows: str | None = None
    # Who must find it (default: everyone allowed); an object's listing is expected to show the
    # node's markers only to people whose scope includes the node.
    shows_for: frozenset[str] | None = None
    # GET parameters added to the URL (a search term, a chooser's filter).
    query: dict = field(default_factory=dict)
    # Also request the listing's CSV and XLSX exports (Wagtail's ?export=…).
    exports: bool = False
    # Why this object URL is tried without a real object (nothing of the kind can exist in the
    # test world); every other object URL must name real objects (``OBJECT_KWARGS``).
    no_object: str = ""
    # An API route with its own bearer authentication (a session cookie does not count): each
    # actor sends ``Authorization: Bearer <token>`` of a token made for their user (anonymous
    # sends none), and 401 counts as denied.
    bearer: bool = False


def url_patterns():
    """(name, route, converters) for every pattern of the project, namespaces joined with ':'."""

    def walk(patterns, prefix="", namespace=None, converters=None):
        for p in patterns:
            conv = dict(converters or {})
            conv.update(getattr(p.pattern, "converters", {}))
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns, conv)
            elif isinstance(p, URLPattern):
                name = p.name and (f"{namespace}:{p.name}" if namespace else p.name)
                yield name, prefix + str(p.pattern), conv

    return list(walk(get_resolver().url_patterns))


def rule_for(name: str | None, route: str, rules) -> Rule | None:
    key = name or f"route:{route}"
    for rule in rules:
        if fnmatch.fnmatchcase(key, rule.pattern):
            return rule
    return None


def app_modules() -> list:
    """Every installed app's ``tests/<app>/authz_rules.py``, the core's first."""
    modules = []
    labels = [c.label for c in apps.get_app_configs()]
    labels.sort(key=lambda label: label != "qms")
    for label in labels:
        try:
            modules.append(importlib.import_module(f"tests.{label}.authz_rules"))
        except ModuleNotFoundError as exc:
            if exc.name not in (f"tests.{label}", f"tests.{label}.authz_rules"):
                raise
    return modules


def all_rules() -> list[Rule]:
    """The rules of every app's module, its fallbacks (Wagtail's own screens) last."""
    rules, fallback = [], []
    for module in app_modules():
        rules.extend(getattr(module, "RULES", []))
        fallback.extend(getattr(module, "FALLBACK_RULES", []))
    return rules + fallback


def object_kwargs() -> list[tuple[str, str, Callable]]:
    """(URL-name pattern, kwarg name, world -> value) of every app's ``OBJECT_KWARGS``: how each
    object URL names a real object of the test world (the node's, unless said otherwise)."""
    found = []
    for module in app_modules():
        found.extend(getattr(module, "OBJECT_KWARGS", []))
    return found


def real_kwarg(name: str, key: str, world, table=None):
    """The real value for URL ``name``'s ``key``, or None when no app names one."""
    for pattern, kwarg, value in table if table is not None else object_kwargs():
        if kwarg == key and fnmatch.fnmatchcase(name, pattern):
            return value(world)
    return None
