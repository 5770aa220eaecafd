"""The dossier API's reads: the caller's dossiers (scoped, filtered, a fixed number of queries),
one dossier with its events and process-control sheet, metrics equal to the selector, other
agencies refused, and the OpenAPI schema."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import APIToken

from indicators import selectors
from indicators.api.metrics import row_out
from indicators.services.events import EventData, apply_events
from indicators.services.service_accounts import service_account_create
from qms.models import Role
from tests import factories

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day, hour=9):
    return dt.datetime(2025, 3, day, hour, tzinfo=TZ)


@pytest.fixture
def setup(db):
    province = factories.agency(code="TP", kind="province")
    stp = factories.agency(code="STP", parent=province)
    stc = factories.agency(code="STC", parent=province)
    factories.tthc(code="1.001806", working_days=3)
    factories.tthc(code="1.000001", working_days=5)
    account = service_account_create(actor=None, agency=stp, name="Một cửa STP")
    other = service_account_create(actor=None, agency=stc, name="Một cửa STC")
    leader = factories.member(province, Role.LEADER)
    _token, leader_token = APIToken.create_token(user=leader, name="leader")
    return {
        "stp": stp,
        "account": account,
        "token": account.plaintext,
        "other": other,
        "other_token": other.plaintext,
        "leader_token": leader_token,
    }


def receive(agency, account, codes, *, procedure="1.001806", day=3):
    events = [
        EventData(
            event_id=f"r-{code}",
            agency=agency,
            dossier_code=code,
            kind="received",
            occurred_at=at(day),
            procedure=procedure,
            channel="online",
        )
        for code in codes
    ]
    batch = apply_events(events, actor=account.user)
    assert not batch.failed, batch.results


def get(client, token, url, **params):
    return client.get(url, params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_list_shows_own_agencies_only_and_filters(client, setup):
    receive("STP", setup["account"], ["A1", "A2"])
    receive("STP", setup["account"], ["B1"], procedure="1.000001", day=5)
    receive("STC", setup["other"], ["C1"])
    body = get(client, setup["token"], "/api/v1/dossiers").json()
    assert body["count"] == 3
    assert {d["code"] for d in body["items"]} == {"A1", "A2", "B1"}
    assert body["items"][0]["code"] == "B1"  # latest receipt first
    body = get(client, setup["token"], "/api/v1/dossiers", procedure="1.000001").json()
    assert [d["code"] for d in body["items"]] == ["B1"]
    body = get(client, setup["token"], "/api/v1/dossiers", received_to="2025-03-04").json()
    assert {d["code"] for d in body["items"]} == {"A1", "A2"}
    body = get(client, setup["token"], "/api/v1/dossiers", limit=1, offset=1).json()
    assert body["count"] == 3 and len(body["items"]) == 1
    body = get(client, setup["leader_token"], "/api/v1/dossiers", agency="STC").json()
    assert [d["code"] for d in body["items"]] == ["C1"]
    refused = get(client, setup["token"], "/api/v1/dossiers", agency="STC")
    assert refused.status_code == 403 and "STC" in refused.json()["detail"]
    assert get(client, setup["token"], "/api/v1/dossiers", agency="NOPE").status_code == 422


def test_list_queries_do_not_grow_with_rows(client, setup):
    receive("STP", setup["account"], ["A1"])
    with CaptureQueriesContext(connection) as few:
        assert get(client, setup["token"], "/api/v1/dossiers").status_code == 200
    receive("STP", setup["account"], [f"M{n}" for n in range(20)], day=4)
    with CaptureQueriesContext(connection) as many:
        body = get(client, setup["token"], "/api/v1/dossiers").json()
    assert body["count"] == 21
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_detail_with_events_and_steps(client, setup):
    receive("STP", setup["account"], ["A1"])
    sheet = apply_events(
        [
            EventData(
                event_id="s1",
                agency="STP",
                dossier_code="A1",
                kind="steps",
                occurred_at=at(4),
                steps=[
                    {
                        "code": "Bước 1",
                        "unit": "Bộ phận một cửa",
                        "handed_in_at": at(3),
                        "handed_out_at": at(3, 11),
                    },
                    {
                        "code": "Bước 2",
                        "unit": "Phòng Hộ tịch",
                        "handed_in_at": at(3, 11),
                        "handed_out_at": None,
                    },
                ],  # fmt: skip
            )
        ],
        actor=setup["account"].user,
    )
    assert not sheet.failed, sheet.results
    body = get(client, setup["token"], "/api/v1/dossiers/stp/A1").json()
    assert body["code"] == "A1" and body["agency"] == "STP"
    assert [e["kind"] for e in body["events"]] == ["received"]
    assert [(s["position"], s["code"], s["unit"]) for s in body["steps"]] == [
        (1, "Bước 1", "Bộ phận một cửa"),
        (2, "Bước 2", "Phòng Hộ tịch"),
    ]
    assert get(client, setup["other_token"], "/api/v1/dossiers/STP/A1").status_code == 404
    assert get(client, setup["token"], "/api/v1/dossiers/STP/NONE").status_code == 404


def test_a_bad_sheet_is_named_by_row_and_field(setup):
    receive("STP", setup["account"], ["A1"])
    batch = apply_events(
        [
            EventData(
                event_id="s1",
                agency="STP",
                dossier_code="A1",
                kind="steps",
                occurred_at=at(4),
                steps=[
                    {
                        "code": "Bước 1",
                        "unit": "Một cửa",
                        "handed_in_at": at(3, 11),
                        "handed_out_at": at(3, 9),
                    }
                ],  # fmt: skip
            )
        ],
        actor=setup["account"].user,
    )
    [error] = batch.results[0].errors
    assert error.field == "steps[0].handed_out_at"


def test_metrics_equal_the_selector(client, setup):
    receive("STP", setup["account"], ["A1", "A2"])
    resolved = EventData(
        event_id="x", agency="STP", dossier_code="A1", kind="resolved", occurred_at=at(4)
    )
    apply_events([resolved], actor=setup["account"].user)
    params = {"agency": "STP", "start": "2025-03-01", "end": "2025-03-31", "group_by": "procedure"}
    body = get(client, setup["token"], "/api/v1/metrics", **params).json()
    expected = selectors.metrics(
        setup["stp"], dt.date(2025, 3, 1), dt.date(2025, 3, 31), group_by="procedure"
    )
    assert body["rows"] == [
        {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in row_out(r, "procedure").items()
        }
        for r in expected
    ]
    [row] = body["rows"]
    assert (row["key"], row["received"], row["resolved"], row["on_time_rate"]) == (
        "1.001806",
        2,
        1,
        1.0,
    )
    refused = get(client, setup["other_token"], "/api/v1/metrics", **params)
    assert refused.status_code == 403 and "STP" in refused.json()["detail"]
    wrong = get(client, setup["token"], "/api/v1/metrics", **{**params, "end": "2025-02-01"})
    assert wrong.status_code == 422


def test_openapi_schema_loads_and_lists_the_routes(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["version"] == "1"
    assert set(schema["paths"]) == {
        "/api/v1/events",
        "/api/v1/events/batch",
        "/api/v1/dossiers",
        "/api/v1/dossiers/{agency_code}/{code}",
        "/api/v1/metrics",
    }
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content  # served here, not from a CDN
    assert b"cdn.jsdelivr" not in docs.content


def test_a_form_body_is_415_not_500(client, setup):
    response = client.post(
        "/api/v1/events", {"a": "b"}, HTTP_AUTHORIZATION=f"Bearer {setup['token']}"
    )
    assert response.status_code in (415, 422)
