"""The admin list of the events received through the API ("Sự kiện nhận qua API"): officers of the
agency (and leaders above) read its events, a sibling agency's officer sees none, staff are kept
out; the dossier code links to the dossier's page when the dossier exists; the event's page shows
its outcome and payload; the list costs the same queries for few and many rows; nothing is added,
edited or deleted there."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from indicators.models import ApiEvent, Dossier
from indicators.models.api import ApiEventKind, ApiEventOutcome
from indicators.services.dossiers import DossierRecord, upsert
from qms.models import Role
from qms.workcal import get_calendar
from tests import factories

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
INDEX = "api_events:index"


class Setup:
    def __init__(self):
        self.province, self.dept_a, self.dept_b, self.unit_a, _desk = factories.agency_tree()
        self.officer = factories.member(self.dept_a, Role.OFFICER)
        self.leader = factories.member(self.province, Role.LEADER)
        self.staff = factories.member(self.dept_a, Role.STAFF)
        self.other_officer = factories.member(self.dept_b, Role.OFFICER)
        self.sender = factories.member(
            self.unit_a, Role.OFFICER, last_name="Một cửa", first_name="STP"
        )
        procedure = factories.tthc(working_days=3, effective_from=dt.date(2024, 1, 1))
        upsert(
            [
                DossierRecord(
                    line=2,
                    agency_id=self.unit_a.pk,
                    code="HS-001",
                    procedure_id=procedure.pk,
                    channel="online",
                    received_at=dt.datetime(2025, 1, 24, 15, tzinfo=TZ),
                )
            ],
            calendar=get_calendar(),
        )
        self.dossier = Dossier.objects.get()
        self.applied = event(
            self.unit_a,
            "ev-applied-1",
            "HS-001",
            sent_by=self.sender,
            payload={"event_id": "ev-applied-1", "kind": "received", "channel": "online"},
        )
        self.stale = event(
            self.unit_a,
            "ev-stale-2",
            "HS-404",
            kind=ApiEventKind.RESOLVED,
            outcome=ApiEventOutcome.STALE,
            payload={"event_id": "ev-stale-2", "kind": "resolved"},
        )


def event(agency, event_id, code, *, kind=ApiEventKind.RECEIVED, outcome=None, **extra):
    return ApiEvent.objects.create(
        agency=agency,
        event_id=event_id,
        kind=kind,
        dossier_code=code,
        occurred_at=dt.datetime(2025, 1, 24, 15, tzinfo=TZ),
        outcome=outcome or ApiEventOutcome.APPLIED,
        **extra,
    )


@pytest.fixture
def s(db):
    return Setup()


def test_officers_of_the_agency_read_its_events(s, client):
    client.force_login(s.officer)
    response = client.get(reverse(INDEX))
    assert response.status_code == 200
    page = response.content.decode()
    assert "ev-applied-1" in page and "ev-stale-2" in page
    assert "Tiếp nhận" in page and "Trả kết quả" in page
    assert "Đã áp dụng" in page and "Bỏ qua (nguồn đã có sự kiện mới hơn)" in page
    assert "24/01/2025 15:00" in page
    assert "Một cửa STP" in page
    # The dossier that exists is linked; the one that does not is plain text.
    dossier_url = reverse("dossiers:inspect", args=[s.dossier.pk])
    assert f'<a href="{dossier_url}">HS-001</a>' in page
    assert "HS-404" in page and '">HS-404</a>' not in page
    assert not any(raw in page for raw in (">True<", ">False<", ">None<"))
    # Newest first.
    assert page.index("ev-stale-2") < page.index("ev-applied-1")

    client.force_login(s.leader)
    assert "ev-applied-1" in client.get(reverse(INDEX)).content.decode()


def test_filters_and_search(s, client):
    client.force_login(s.officer)
    page = client.get(reverse(INDEX), {"outcome": "stale"}).content.decode()
    assert "ev-stale-2" in page and "ev-applied-1" not in page
    page = client.get(reverse(INDEX), {"kind": "received"}).content.decode()
    assert "ev-applied-1" in page and "ev-stale-2" not in page
    page = client.get(reverse(INDEX), {"q": "HS-404"}).content.decode()
    assert "ev-stale-2" in page and "ev-applied-1" not in page
    client.force_login(s.leader)
    page = client.get(reverse(INDEX), {"agency": s.dept_b.pk}).content.decode()
    assert "ev-applied-1" not in page and "ev-stale-2" not in page
    page = client.get(reverse(INDEX), {"agency": s.dept_a.pk}).content.decode()
    assert "ev-applied-1" in page and "ev-stale-2" in page


def test_a_sibling_agencys_officer_sees_none(s, client):
    client.force_login(s.other_officer)
    response = client.get(reverse(INDEX))
    assert response.status_code == 200
    page = response.content.decode()
    assert "ev-applied-1" not in page and "ev-stale-2" not in page
    assert client.get(reverse("api_events:inspect", args=[s.applied.pk])).status_code == 404


def test_staff_are_kept_out(s, client):
    client.force_login(s.staff)
    assert client.get(reverse(INDEX)).status_code == 302
    assert client.get(reverse("api_events:inspect", args=[s.applied.pk])).status_code in (
        302,
        404,
    )


def test_nothing_is_added_edited_or_deleted_here(s, client):
    for name, args in (("add", []), ("edit", [s.applied.pk]), ("delete", [s.applied.pk])):
        with pytest.raises(NoReverseMatch):
            reverse(f"api_events:{name}", args=args)


def test_the_events_page_shows_outcome_and_payload(s, client):
    client.force_login(s.officer)
    response = client.get(reverse("api_events:inspect", args=[s.stale.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bỏ qua (nguồn đã có sự kiện mới hơn)" in page
    assert "Trả kết quả" in page
    assert '<pre class="api-event-payload">' in page
    assert "&quot;event_id&quot;: &quot;ev-stale-2&quot;" in page
    assert not any(raw in page for raw in (">True<", ">False<", ">None<"))

    page = client.get(reverse("api_events:inspect", args=[s.applied.pk])).content.decode()
    assert "Đã áp dụng" in page and "Một cửa STP" in page
    dossier_url = reverse("dossiers:inspect", args=[s.dossier.pk])
    assert f'<a href="{dossier_url}">HS-001</a>' in page


def _list_queries(client, user, url):
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _add_events(s, n, start):
    for i in range(start, start + n):
        event(
            s.unit_a if i % 2 else s.dept_a,
            f"ev-{i}",
            "HS-001" if i % 3 == 0 else f"HS-{i}",
            outcome=ApiEventOutcome.STALE if i % 4 == 0 else ApiEventOutcome.APPLIED,
            sent_by=factories.user(),
            payload={"n": i},
        )


def test_the_list_costs_the_same_queries_for_2_and_20_events(s, client):
    ApiEvent.objects.all().delete()
    url = reverse(INDEX)
    _add_events(s, 2, 0)
    few = _list_queries(client, s.leader, url)
    _add_events(s, 18, 2)
    assert ApiEvent.objects.count() == 20
    assert _list_queries(client, s.leader, url) == few
