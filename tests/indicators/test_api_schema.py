"""Schemathesis against the dossier API's OpenAPI schema, through WSGI, with the token of a
service account (an officer of STP) whose agency has dossiers: every operation, a few generated
requests each (valid and invalid), and no 5xx, no response outside the schema, no undocumented
status code, no wrong content type."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from indicators.api import api
from indicators.services.events import EventData, apply_events
from indicators.services.service_accounts import service_account_create
from tests import factories

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.fixture
def api_token(db):
    province = factories.agency(code="TP", kind="province")
    stp = factories.agency(code="STP", parent=province)
    factories.tthc(code="1.001806", working_days=3)
    account = service_account_create(actor=None, agency=stp, name="Một cửa STP")
    events = [
        EventData(
            event_id=f"r{n}",
            agency="STP",
            dossier_code=f"HS-{n}",
            kind="received",
            occurred_at=dt.datetime(2025, 3, 3 + n, 9, tzinfo=TZ),
            procedure="1.001806",
            channel="online",
        )
        for n in range(3)
    ]
    events.append(
        EventData(
            event_id="x0",
            agency="STP",
            dossier_code="HS-0",
            kind="resolved",
            occurred_at=dt.datetime(2025, 3, 5, 9, tzinfo=TZ),
        )
    )
    assert not apply_events(events, actor=account.user).failed
    return account.plaintext


@pytest.fixture
def keep_connection(settings):
    """Requests go through Django's WSGI application; as under the test client, their end does
    not close the database connection (the test's transaction lives on it)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# The schema as served at /api/v1/openapi.json (the same object; test_api_reads loads it through
# HTTP), called through WSGI. (schemathesis.pytest.from_fixture needs pytest < 9.)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, api_token, keep_connection):
    case.call_and_validate(headers={"Authorization": f"Bearer {api_token}"}, checks=CHECKS)
