"""Shared fixtures: the service probes (skip on a laptop, fail under CI) and the agency world."""

import os
import socket

import pytest

from tests import factories

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _transactional(item) -> bool | None:
    """True for a test that commits (and so flushes the database after it), False for one in a
    rolled-back transaction, None for a test without the database."""
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    if fixtures & {"transactional_db", "live_server"}:
        return True
    if marker is not None:
        return bool(marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    if fixtures & {"db", "django_db_setup"}:
        return False
    return None


def pytest_collection_modifyitems(config, items):
    """pytest-django runs the tests that commit last, since each flushes the data the migrations
    loaded (the clause catalogue, Wagtail's root page). ``make test`` hands whole modules to
    pytest-xdist workers in the order of that list (``--no-loadscope-reorder``: xdist would otherwise
    start the biggest modules first), so a module mixing both kinds would flush the
    database in the middle of a worker's run: such a module is refused, naming its tests."""
    kinds: dict = {}
    for item in items:
        kind = _transactional(item)
        if kind is not None:
            kinds.setdefault(item.nodeid.split("::")[0], {}).setdefault(kind, []).append(item.name)
    mixed = {path: names[True] for path, names in kinds.items() if len(names) == 2}
    if mixed:
        listed = "; ".join(f"{path}: {', '.join(names)}" for path, names in sorted(mixed.items()))
        raise pytest.UsageError(
            "A module mixes tests that commit (transaction=True, live_server) with tests that "
            f"roll back; move the committing ones to their own module: {listed}"
        )


def need_service(name: str, host: str, port: int) -> None:
    """Skip (or, under CI=true, fail) when a service the test needs is not listening."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return
    except OSError as exc:
        message = f"{name} not reachable on {host}:{port} ({exc})"
        if IN_CI:
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)


@pytest.fixture
def redis_url():
    url = os.environ.get("QMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    need_service("Redis", "127.0.0.1", 6379)
    return url


@pytest.fixture
def world(db):
    return factories.World.build()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Uploaded files of a test go to a temporary folder, never into var/media."""
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")


@pytest.fixture(autouse=True)
def _vietnamese():
    """Every test starts in Vietnamese, the site's language, whatever an earlier test activated."""
    from django.utils import translation

    with translation.override("vi"):
        yield
