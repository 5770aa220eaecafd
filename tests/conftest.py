"""Shared fixtures: the service probes (skip on a laptop, fail under CI) and the agency world."""

import os
import socket

import pytest

from tests import factories

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


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
