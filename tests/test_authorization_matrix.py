"""Every URL of the project × every actor, against the rules of each app (tests/<app>/authz_rules.py).

Two things are checked for each request: the status (allowed or denied as the rule says) and, for
every page that answers, that it shows no private value of an agency outside the actor's scope.
Private values carry markers (see ``tests.factories.World``); a listing rule names the kind of
marker an allowed actor must find, so an empty list cannot pass.
"""

import contextlib
import copy
import io
import os
import re
import uuid
import zlib

import pytest
from django.db import transaction
from django.test import Client
from django.test.client import ClientHandler
from django.urls import NoReverseMatch, reverse

from tests import factories
from tests.authz import (
    BEARER_DENIED,
    DENIED,
    all_rules,
    object_kwargs,
    real_kwarg,
    rule_for,
    url_patterns,
)

pytestmark = pytest.mark.django_db

RULES = all_rules()
MARKER = re.compile(r"mk\d+x[a-z]+")
_DEFAULTS = {"int": 999999, "str": "x", "slug": "x", "path": "x", "uuid": uuid.UUID(int=0)}


@pytest.fixture
def marked_world(db):
    return factories.World.build(objects=True)


def _default_kwargs(route: str, converters: dict) -> dict:
    kwargs = {}
    for key, conv in converters.items():
        kwargs[key] = _DEFAULTS.get(type(conv).__name__.replace("Converter", "").lower(), "x")
    for key in re.findall(r"\(\?P<(\w+)>", route):
        kwargs.setdefault(key, "1")
    return kwargs


OBJECTS = object_kwargs()


def _url(name, route, converters, rule, world):
    if name is None:
        return "/" + re.sub(r"[\^$]", "", route).replace("((?:[\\w\\-]+/)*)", "")
    kwargs = _default_kwargs(route, converters)
    for key in kwargs:
        value = real_kwarg(name, key, world, OBJECTS)
        if value is not None:
            kwargs[key] = value
    given = rule.kwargs(world) if rule.kwargs else {}
    if isinstance(given, list):
        return reverse(name, args=given)
    kwargs.update({k: v for k, v in given.items() if k in kwargs})
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return reverse(name, args=[v for v in kwargs.values()] or None)


def _placeholders(name, route, converters, rule, world) -> list[str]:
    """The URL's parts that name no real object (the harness's 999999 / "x" defaults)."""
    kwargs = _default_kwargs(route, converters)
    given = rule.kwargs(world) if rule.kwargs else {}
    if isinstance(given, list):
        return []
    return [
        key for key in kwargs if key not in given and real_kwarg(name, key, world, OBJECTS) is None
    ]


def _client(user, handler):
    client = Client(raise_request_exception=False)
    # One request handler for every client: each new one builds the middleware chain again, and
    # WhiteNoise's lists every static file (30 ms a client).
    client.handler = handler
    if user is not None:
        client.force_login(user)
        # The person's first request of the day, outside the matrix's rolled-back requests: it
        # recomputes their rights and notes the day in their session (DailyRightsMiddleware), as
        # in real use. Otherwise that note would be rolled back with every request, and each one
        # would recompute the rights again (a quarter of the matrix's time).
        client.get(reverse("healthz"))
    return client


def _twin(client):
    """A client on the same session and handler as ``client``, for a request that may change the
    client's own state (a logout, a POST that sets cookies): the session row is restored by the
    request's rollback, and ``client``'s cookies stay as they were."""
    twin = copy.copy(client)
    twin.cookies = copy.deepcopy(client.cookies)
    return twin


def _bearer_headers(actors: dict) -> dict:
    """``Authorization`` headers of a Wagtail API token made once for each actor's user (none for
    the anonymous visitor), for the rules with ``bearer=True``."""
    from wagtail.models import APIToken

    headers = {}
    for label, user in actors.items():
        if user is None:
            headers[label] = {}
        else:
            _token, plaintext = APIToken.create_token(user=user, name=f"matrix {label}")
            headers[label] = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    return headers


def _server_render(self, context):
    """``Template._render`` as Django defines it (django/template/base.py)."""
    return self.nodelist.render(context)


@contextlib.contextmanager
def _rendering_as_a_server_does():
    """Under test, Django makes every template render (a hundred per admin page) send a signal
    with which the test client copies the context for ``response.context``. The matrix reads only
    what a person reads (the body), so it renders as a server does."""
    from django.template import Template
    from django.test.utils import instrumented_test_render

    if Template._render is not instrumented_test_render:
        yield
        return
    Template._render = _server_render
    try:
        yield
    finally:
        Template._render = instrumented_test_render


def _text(response) -> str:
    """What a person could read in the response: the page, or the cells of an XLSX export."""
    content_type = response.get("Content-Type", "")
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if content_type.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml"):
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if content_type.startswith(("image/", "application/pdf", "application/octet-stream")):
        return ""
    return body.decode("utf-8", "replace")


def _messages(client, response) -> str:
    """The flash messages a response left for the next page (a redirect's "Page 'X' …"), read
    and dropped here so that they count against this URL, not the next one."""
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    morsel = response.cookies.get("messages")
    client.cookies.pop("messages", None)
    if morsel is None or not morsel.value:
        return ""
    stored = CookieStorage(HttpRequest())._decode(morsel.value) or []
    return "\n".join(str(m.message) for m in stored)


def _variants(url: str, rule) -> list[str]:
    from urllib.parse import urlencode

    base = url + ("?" + urlencode(rule.query) if rule.query else "")
    urls = [base]
    if rule.exports:
        joiner = "&" if "?" in base else "?"
        urls += [f"{base}{joiner}export=csv", f"{base}{joiner}export=xlsx"]
    return urls


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


# The matrix runs in PARTS modules (this one and tests/test_authorization_matrix_part*.py), so
# that pytest-xdist's workers share it; each URL belongs to exactly one part.
PARTS = 2


def part_of(name: str | None, route: str) -> int:
    """The part (0 … PARTS-1) a URL pattern's requests run in: a stable hash of its name."""
    return zlib.crc32((name or f"route:{route}").encode()) % PARTS


@_rendering_as_a_server_does()
def run_matrix(world, rules=RULES, only=None, part=None) -> list[str]:
    """Request every URL as every actor; return the mismatches (status, leaks, empty listings).
    ``part`` limits it to the URL patterns of that part (``part_of``)."""
    failures = []
    dump = os.environ.get("QMS_MATRIX_DUMP")
    actors = dict(world.actors())
    handler = ClientHandler(enforce_csrf_checks=False)
    clients = {label: _client(user, handler) for label, user in actors.items()}
    visible = {label: world.markers_visible_to(label) for label in actors}
    bearer = None  # made on the first rule that needs them
    for name, route, converters in url_patterns():
        if only is not None and name not in only:
            continue
        if part is not None and part_of(name, route) != part:
            continue
        rule = rule_for(name, route, rules)
        if rule is None:
            continue  # reported by test_every_url_pattern_has_a_rule
        base_url = _url(name, route, converters, rule, world)
        if rule.bearer and bearer is None:
            bearer = _bearer_headers(actors)
        denied = BEARER_DENIED if rule.bearer else DENIED
        for url in _variants(base_url, rule) if rule.method == "GET" else [base_url]:
            for label, client in clients.items():
                if rule.method != "GET":
                    client = _twin(client)  # a POST (e.g. logout) must not change others
                headers = bearer[label] if rule.bearer else {}
                if rule.bearer and rule.method == "POST":
                    headers = {**headers, "content_type": "application/json"}  # an empty body
                # Each request is rolled back, so a POST (a delete, a publish) changes nothing
                # for the next actor.
                with transaction.atomic():
                    response = getattr(client, rule.method.lower())(url, **headers)
                    if response.status_code == 405 and rule.method == "GET":
                        # A POST-only view: its permission check is what matters (empty form).
                        response = _twin(client).post(url, **headers)
                    text = _text(response) + _messages(client, response)
                    transaction.set_rollback(True)
                status = response.status_code
                if dump:
                    print(f"MATRIX {name} {label} {status} {url}")
                if label == "admin" and rule.admin_any:
                    ok = status < 500
                elif label in rule.allowed:
                    ok = status in rule.ok
                else:
                    ok = status in denied and not (
                        status == 302 and response.get("Location", "").split("?")[0] == url
                    )
                if not ok:
                    expected = "allowed" if label in rule.allowed else "denied"
                    failures.append(f"{url} ({name}) as {label}: {status} (expected {expected})")
                found = set(MARKER.findall(text))
                leaked = (found & world.written) - visible[label]
                if leaked:
                    failures.append(
                        f"{url} ({name}) as {label} shows another agency's data: "
                        + ", ".join(sorted(leaked))
                    )
                shows_for = rule.allowed if rule.shows_for is None else rule.shows_for
                if rule.shows and status == 200 and label in shows_for and visible[label]:
                    wanted = {m for m in visible[label] if m.endswith(f"x{rule.shows}")}
                    if wanted and not (found & wanted):
                        failures.append(
                            f"{url} ({name}) as {label} lists none of its own «{rule.shows}»"
                        )
    return failures


@pytest.mark.slow  # every object URL with a real object
def test_object_urls_name_real_objects(marked_world):
    """Every object URL is tried with a real object (a missing id proves nothing: Wagtail's own
    views once answered 500 on real objects only)."""
    missing = []
    for name, route, converters in url_patterns():
        rule = rule_for(name, route, RULES)
        if name is None or rule is None or rule.no_object:
            continue
        keys = _placeholders(name, route, converters, rule, marked_world)
        if keys:
            missing.append(f"{name} {route}: {', '.join(keys)}")
    assert not missing, "object URLs without a real object:\n" + "\n".join(missing)


@pytest.mark.slow  # every URL of its part as every actor: the longest tests of the suite
def test_authorization_matrix(marked_world):
    failures = run_matrix(marked_world, part=0)
    assert not failures, f"{len(failures)} authorization mismatches:\n" + "\n".join(failures[:300])


def test_the_leak_test_catches_an_unscoped_chooser(marked_world, monkeypatch):
    """Left unscoped, the page chooser shows the node's draft to the sibling agency: the marker
    check must say so (as test_a_url_without_a_rule_is_reported does for a missing rule)."""
    from qms import wagtail_scope

    monkeypatch.setattr(wagtail_scope, "page_chooser_scope", lambda pages, user: pages)
    failures = run_matrix(marked_world, only={"wagtailadmin_choose_page_child"})
    draft = f"mk{marked_world.node.pk}xdraft"
    leaks = [f for f in failures if "shows another agency's data" in f and draft in f]
    assert any("as sibling_officer" in f for f in leaks), failures


def test_the_leak_test_catches_an_empty_listing(marked_world, monkeypatch):
    """A listing that shows nothing cannot pass: the rule says what it must show."""
    from qms import wagtail_scope

    monkeypatch.setattr(wagtail_scope, "page_chooser_scope", lambda pages, user: pages.none())
    failures = run_matrix(marked_world, only={"wagtailadmin_choose_page_child"})
    assert any("lists none of its own «draft»" in f for f in failures), failures


def test_the_parts_share_every_url_pattern():
    parts = {part_of(name, route) for name, route, _converters in url_patterns()}
    assert parts == set(range(PARTS))
