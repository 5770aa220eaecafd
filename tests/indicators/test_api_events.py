"""The dossier API's events: idempotent replays, stale events, batches with a bad event in both
modes, another agency's token refused, revoked tokens, the session cookie ignored."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from indicators.models import ApiEvent, Dossier, DossierEvent
from indicators.services import summaries
from indicators.services.service_accounts import service_account_create, tokens_revoke
from qms.models import Role
from tests import factories

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "/api/v1/events"


def at(day, hour=9):
    return dt.datetime(2025, 3, day, hour, tzinfo=TZ).isoformat()


@pytest.fixture
def setup(db):
    province = factories.agency(code="TP", kind="province")
    stp = factories.agency(code="STP", parent=province)
    stc = factories.agency(code="STC", parent=province)
    procedure = factories.tthc(code="1.001806", working_days=3)
    account = service_account_create(actor=None, agency=stp, name="Một cửa STP")
    other = service_account_create(actor=None, agency=stc, name="Một cửa STC")
    return {
        "stp": stp,
        "stc": stc,
        "procedure": procedure,
        "token": account.plaintext,
        "other_token": other.plaintext,
        "account": account,
    }


def send(client, token, body, url=URL):
    return client.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def received(event_id="e1", code="HS-1", agency="STP", day=3):
    return {
        "event_id": event_id,
        "agency": agency,
        "dossier_code": code,
        "kind": "received",
        "occurred_at": at(day),
        "procedure": "1.001806",
        "channel": "online",
    }


def test_receipt_then_resolution_through_the_upsert(client, setup):
    response = send(client, setup["token"], received())
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "applied"
    dossier = Dossier.objects.get(code="HS-1")
    assert dossier.state == "received" and dossier.due_at is not None
    resolved = {**received("e2"), "kind": "resolved", "occurred_at": at(4)}
    del resolved["procedure"], resolved["channel"]
    assert send(client, setup["token"], resolved).json()["status"] == "applied"
    dossier.refresh_from_db()
    assert dossier.state == "resolved" and dossier.timing == "early"
    assert dossier.source_updated_at == dt.datetime(2025, 3, 4, 9, tzinfo=TZ)
    kinds = list(DossierEvent.objects.filter(dossier_id=dossier.pk).values_list("kind", flat=True))
    assert kinds[:2] == ["received", "resolved"]
    assert set(DossierEvent.objects.values_list("actor", flat=True)) == {setup["account"].user.pk}
    assert summaries.drifts() == []


def test_replay_is_a_duplicate_and_changes_nothing(client, setup):
    first = send(client, setup["token"], received())
    again = send(client, setup["token"], {**received(), "channel": "in_person"})
    assert first.json()["status"] == "applied"
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert again.json()["first_outcome"] == "applied"
    assert Dossier.objects.get().channel == "online"
    assert DossierEvent.objects.count() == 1
    assert ApiEvent.objects.count() == 1


def test_an_older_event_is_stale_kept_not_applied(client, setup):
    send(client, setup["token"], received())
    late = {"event_id": "e2", "agency": "STP", "dossier_code": "HS-1", "kind": "resolved"}
    send(client, setup["token"], {**late, "occurred_at": at(5)})
    supplement = {**late, "event_id": "e3", "kind": "supplement_requested", "occurred_at": at(4)}
    response = send(client, setup["token"], supplement)
    assert response.json()["status"] == "stale"
    dossier = Dossier.objects.get()
    assert dossier.state == "resolved" and dossier.supplement_requested_at is None
    assert ApiEvent.objects.get(event_id="e3").outcome == "stale"
    replay = send(client, setup["token"], supplement).json()
    assert (replay["status"], replay["first_outcome"]) == ("duplicate", "stale")


def test_unknown_dossier_and_tthc_are_named(client, setup):
    response = send(
        client,
        setup["token"],
        {"event_id": "x", "agency": "STP", "dossier_code": "HS-9", "kind": "resolved",
         "occurred_at": at(4)},
    )  # fmt: skip
    assert response.status_code == 422
    error = response.json()["result"]["errors"][0]
    assert error["field"] == "dossier_code" and "HS-9" in error["message"]
    response = send(client, setup["token"], {**received(), "procedure": "9.999999"})
    error = response.json()["result"]["errors"][0]
    assert (error["field"], error["value"]) == ("procedure", "9.999999")
    assert not ApiEvent.objects.exists() and not Dossier.objects.exists()


def test_a_naive_time_is_refused_by_the_schema(client, setup):
    response = send(client, setup["token"], {**received(), "occurred_at": "2025-03-03T09:00:00"})
    assert response.status_code == 422
    assert any("occurred_at" in e["loc"] for e in response.json()["detail"])


@pytest.mark.parametrize("all_or_nothing", [True, False])
def test_batch_with_one_bad_event(client, setup, all_or_nothing):
    events = [
        received("b1", "HS-1"),
        received("b2", "HS-2"),
        {**received("b3", "HS-3"), "procedure": "9.999999"},
        received("b4", "HS-4"),
    ]
    response = send(
        client, setup["token"], {"events": events, "all_or_nothing": all_or_nothing}, URL + "/batch"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    bad = [r for r in body["results"] if r["status"] == "error"]
    assert [(r["index"], r["event_id"]) for r in bad] == [(2, "b3")]
    assert bad[0]["errors"][0]["field"] == "procedure"
    codes = set(Dossier.objects.values_list("code", flat=True))
    if all_or_nothing:
        assert codes == set() and body["not_applied"] == 3 and body["applied"] == 0
        assert not ApiEvent.objects.exists()
    else:
        assert codes == {"HS-1", "HS-2", "HS-4"} and body["applied"] == 3
    assert summaries.drifts() == []


def test_batch_applies_in_order_within_the_batch(client, setup):
    events = [
        received("c1", "HS-1"),
        {"event_id": "c2", "agency": "STP", "dossier_code": "HS-1",
         "kind": "supplement_requested", "occurred_at": at(4)},
        {"event_id": "c3", "agency": "STP", "dossier_code": "HS-1", "kind": "resubmitted",
         "occurred_at": at(5)},
        {"event_id": "c3", "agency": "STP", "dossier_code": "HS-1", "kind": "resubmitted",
         "occurred_at": at(5)},
    ]  # fmt: skip
    body = send(client, setup["token"], {"events": events}, URL + "/batch").json()
    assert [r["status"] for r in body["results"]] == ["applied"] * 3 + ["duplicate"]
    dossier = Dossier.objects.get()
    assert dossier.supplement_count == 1 and dossier.resubmitted_at is not None


def test_another_agency_is_refused_naming_it(client, setup):
    response = send(client, setup["other_token"], received())
    assert response.status_code == 422
    error = response.json()["result"]["errors"][0]
    assert error["field"] == "agency" and "STP" in error["message"]
    assert not Dossier.objects.exists()


def test_a_token_without_the_right_is_forbidden_before_the_body(client, setup):
    from wagtail.models import APIToken

    staff = factories.member(setup["stp"], Role.STAFF)
    _token, plaintext = APIToken.create_token(user=staff, name="staff")
    assert send(client, plaintext, {}).status_code == 403


def test_revoked_unknown_and_missing_tokens_are_401(client, setup):
    assert tokens_revoke(name="Một cửa STP")
    assert send(client, setup["token"], received()).status_code == 401
    assert send(client, "wagtail_nonsense", received()).status_code == 401
    assert client.post(URL, received(), content_type="application/json").status_code == 401
    assert not Dossier.objects.exists()


def test_a_session_cookie_does_not_authenticate(client, setup):
    officer = factories.member(setup["stp"], Role.OFFICER)
    client.force_login(officer)
    assert client.post(URL, received(), content_type="application/json").status_code == 401
    assert client.get("/api/v1/dossiers").status_code == 401


def test_service_account_command(setup, capsys):
    call_command("service_account", "create", "--agency", "stc", "--name", "Cổng STC")
    out = capsys.readouterr().out
    token = out.strip().splitlines()[-1]
    assert token.startswith("wagtail_")
    from django.contrib.auth import get_user_model
    from wagtail.models import APIToken

    user = get_user_model().objects.get(api_tokens__name="Cổng STC")
    assert not user.has_usable_password()
    assert list(user.memberships.values_list("agency__code", "role")) == [("STC", "officer")]
    call_command("service_account", "revoke", "--prefix", APIToken.objects.get(user=user).prefix)
    assert APIToken.objects.get(user=user).revoked_at is not None


@pytest.mark.parametrize(
    "change",
    [
        {"occurred_at": "0001-01-01T00:00:00+05:00"},  # before year 1 in UTC: 422, not 500
        {"dossier_code": "HS\x001"},  # PostgreSQL stores no NUL
    ],
)
def test_implausible_values_are_422(client, setup, change):
    response = send(client, setup["token"], {**received(), **change})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] in change


def test_a_second_supplement_request_while_waiting_is_refused(client, setup):
    send(client, setup["token"], received())
    ask = {"agency": "STP", "dossier_code": "HS-1", "kind": "supplement_requested"}
    assert (
        send(client, setup["token"], {**ask, "event_id": "s1", "occurred_at": at(4)}).json()[
            "status"
        ]
        == "applied"
    )
    response = send(client, setup["token"], {**ask, "event_id": "s2", "occurred_at": at(5)})
    assert response.status_code == 422
    assert response.json()["result"]["errors"][0]["field"] == "kind"


def test_tokens_follow_the_secret_key_and_survive_a_rotation_through_the_fallbacks(
    client, setup, settings
):
    """Tokens are signed with SECRET_KEY (README): a new key alone refuses every token; the old
    key among SECRET_KEY_FALLBACKS keeps them valid while new ones are issued."""
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "k" * 40
    settings.SECRET_KEY_FALLBACKS = []
    assert send(client, setup["token"], received()).status_code == 401
    settings.SECRET_KEY_FALLBACKS = [old]
    assert send(client, setup["token"], received()).json()["status"] == "applied"
    assert Dossier.objects.get().code == "HS-1"
