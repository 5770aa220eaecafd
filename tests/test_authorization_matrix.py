"""Every URL of the project × every actor against the rules of each app (tests/<app>/authz_rules.py)."""

import os
import re
import uuid

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.authz import DENIED, all_rules, rule_for, url_patterns

RULES = all_rules()

pytestmark = pytest.mark.django_db

_DEFAULTS = {"int": 999999, "str": "x", "slug": "x", "path": "x", "uuid": uuid.UUID(int=0)}


def _default_kwargs(route: str, converters: dict) -> dict:
    kwargs = {}
    for key, conv in converters.items():
        kwargs[key] = _DEFAULTS.get(type(conv).__name__.replace("Converter", "").lower(), "x")
    for key in re.findall(r"\(\?P<(\w+)>", route):
        kwargs.setdefault(key, "1")
    return kwargs


def _url(name, route, converters, rule, world):
    if name is None:
        return "/" + re.sub(r"[\^$]", "", route).replace("((?:[\\w\\-]+/)*)", "")
    kwargs = _default_kwargs(route, converters)
    given = rule.kwargs(world) if rule.kwargs else {}
    if isinstance(given, list):
        return reverse(name, args=given)
    kwargs.update({k: v for k, v in given.items() if k in kwargs})
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return reverse(name, args=[v for v in kwargs.values()] or None)


def _client(user):
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def test_every_url_pattern_has_a_rule():
    missing = sorted(
        f"{name or '(unnamed)'}  {route}"
        for name, route, _ in url_patterns()
        if rule_for(name, route, RULES) is None
    )
    assert not missing, "URL patterns without an authorization rule:\n" + "\n".join(missing)


def test_a_url_without_a_rule_is_reported(monkeypatch):
    # The harness must fail when someone adds a URL and forgets its rule.
    rules = [r for r in RULES if r.pattern not in {"qms_inbox", "healthz"}]
    missing = [n for n, route, _ in url_patterns() if rule_for(n, route, rules) is None]
    assert "qms_inbox" in missing and "healthz" in missing


def test_authorization_matrix(world):
    failures = []
    dump = os.environ.get("QMS_MATRIX_DUMP")
    actors = dict(world.actors())
    clients = {label: _client(user) for label, user in actors.items()}
    for name, route, converters in url_patterns():
        rule = rule_for(name, route, RULES)
        if rule is None:
            continue  # reported by test_every_url_pattern_has_a_rule
        url = _url(name, route, converters, rule, world)
        for label, client in clients.items():
            if rule.method != "GET":
                client = _client(actors[label])  # a POST (e.g. logout) must not change the others
            response = getattr(client, rule.method.lower())(url)
            if response.status_code == 405 and rule.method == "GET":
                # A POST-only view: its permission check is what matters, so POST (empty form).
                response = _client(actors[label]).post(url)
            status = response.status_code
            if dump:
                print(f"MATRIX {name} {label} {status}")
            if label == "admin" and rule.admin_any:
                ok = status < 500
            elif label in rule.allowed:
                ok = status in rule.ok
            else:
                ok = status in DENIED and not (
                    status == 302 and response.get("Location", "").split("?")[0] == url
                )
            if not ok:
                expected = "allowed" if label in rule.allowed else "denied"
                failures.append(f"{name or route} as {label}: {status} (expected {expected})")
    assert not failures, f"{len(failures)} authorization mismatches:\n" + "\n".join(failures[:300])
