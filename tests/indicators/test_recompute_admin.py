"""The recomputation screens through the admin: a request records a preview (counts and the listed
changes, code, field, before → after) without touching a dossier; "Áp dụng" applies it; the list
shows past requests with who and when; staff and another agency's officers are kept out; the
form's refusals come back on the form; flat list query counts.

Dates worked by hand (tests/indicators/test_recompute.py): D1 received Fri 24/01/2025 15:00 with a
3-day limit is due Wed 05/02/2025 15:00; with Mon 03/02 declared a day off, Thu 06/02 15:00."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Dossier, Recomputation
from indicators.models.dossiers import RecomputationState
from indicators.services.dossiers import DossierRecord, upsert
from qms.models import CalendarOverride, Role
from qms.models.calendar import OverrideKind
from qms.workcal import get_calendar
from tests import factories

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Setup:
    def __init__(self):
        self.province, self.dept_a, self.dept_b, self.unit_a, _desk = factories.agency_tree()
        self.officer = factories.member(self.dept_a, Role.OFFICER, last_name="Phạm Văn")
        self.leader = factories.member(self.province, Role.LEADER)
        self.staff = factories.member(self.dept_a, Role.STAFF)
        self.other_officer = factories.member(self.dept_b, Role.OFFICER)
        procedure = factories.tthc(working_days=3, effective_from=dt.date(2024, 1, 1))
        result = upsert(
            [
                DossierRecord(
                    line=2,
                    agency_id=self.unit_a.pk,
                    code="D1",
                    procedure_id=procedure.pk,
                    channel="online",
                    received_at=dt.datetime(2025, 1, 24, 15, tzinfo=TZ),
                )
            ],
            calendar=get_calendar(),
        )
        assert result.new == [2]
        CalendarOverride.objects.create(
            date=dt.date(2025, 2, 3),
            kind=OverrideKind.DAY_OFF,
            reason="Nghỉ bù (thử)",
            document_number="9/TB-UBND",
            document_date=dt.date(2025, 1, 20),
        )


@pytest.fixture
def s(db):
    return Setup()


def _request(client, agency, reason="Thông báo nghỉ bù ngày 03/02/2025", **extra):
    data = {
        "agency": agency.pk,
        "period_start": "01/01/2025",
        "period_end": "31/03/2025",
        "reason": reason,
        **extra,
    }
    return client.post(reverse("dossier_recomputations:add"), data)


def test_preview_then_apply_through_the_admin(s, client):
    client.force_login(s.officer)
    response = _request(client, s.dept_a)
    recomputation = Recomputation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "dossier_recomputations:inspect", args=[recomputation.pk]
    )
    assert (recomputation.state, recomputation.requested_by) == (
        RecomputationState.PREVIEWED,
        s.officer,
    )
    # The preview touched no dossier.
    assert Dossier.objects.get().due_at == dt.datetime(2025, 2, 5, 15, tzinfo=TZ)

    page = client.get(response["Location"]).content.decode()
    assert "Đã xem xét 1 hồ sơ; 1 hồ sơ thay đổi." in page
    dossier_url = reverse("dossiers:inspect", args=[Dossier.objects.get().pk])
    assert (
        f'<a href="{dossier_url}">D1</a></td><td>hạn giải quyết</td>'
        "<td>05/02/2025 15:00</td><td>→ 06/02/2025 15:00</td>"
    ) in page
    assert "Áp dụng" in page

    url = reverse("dossier_recomputations:transition", args=[recomputation.pk, "apply"])
    response = client.post(url)
    assert response.status_code == 302
    recomputation.refresh_from_db()
    assert (recomputation.state, recomputation.applied_by) == (
        RecomputationState.APPLIED,
        s.officer,
    )
    assert Dossier.objects.get().due_at == dt.datetime(2025, 2, 6, 15, tzinfo=TZ)

    page = client.get(reverse("dossier_recomputations:inspect", args=[recomputation.pk])).content
    assert "Chờ cán bộ" not in page.decode()
    assert f'action="{url}"' not in page.decode()
    listing = client.get(reverse("dossier_recomputations:index")).content.decode()
    assert "Thông báo nghỉ bù ngày 03/02/2025" in listing
    assert "Phạm Văn" in listing and "Đã áp dụng" in listing


def test_a_leader_above_applies_an_officers_request(s, client):
    client.force_login(s.officer)
    _request(client, s.dept_a)
    recomputation = Recomputation.objects.get()
    client.force_login(s.leader)
    response = client.post(
        reverse("dossier_recomputations:transition", args=[recomputation.pk, "apply"])
    )
    assert response.status_code == 302
    recomputation.refresh_from_db()
    assert recomputation.applied_by == s.leader


def test_the_forms_refusals_come_back_on_the_form(s, client):
    client.force_login(s.officer)
    response = _request(client, s.dept_a, period_end="01/12/2024")
    assert response.status_code == 200
    assert "phải từ ngày bắt đầu (01/01/2025) trở đi" in response.content.decode()
    response = _request(client, s.dept_a, reason="")
    assert response.status_code == 200
    assert "bắt buộc" in response.content.decode()
    assert not Recomputation.objects.exists()
    # Another agency is not offered (the form refuses it).
    response = _request(client, s.dept_b)
    assert response.status_code == 200
    assert not Recomputation.objects.exists()


def test_staff_and_other_agencies_are_kept_out(s, client):
    client.force_login(s.officer)
    _request(client, s.dept_a)
    recomputation = Recomputation.objects.get()
    inspect = reverse("dossier_recomputations:inspect", args=[recomputation.pk])
    apply = reverse("dossier_recomputations:transition", args=[recomputation.pk, "apply"])

    client.force_login(s.other_officer)
    assert client.get(inspect).status_code == 404
    assert client.post(apply).status_code == 404
    assert (
        "Thông báo nghỉ bù"
        not in client.get(reverse("dossier_recomputations:index")).content.decode()
    )

    client.force_login(s.staff)
    assert client.get(reverse("dossier_recomputations:index")).status_code == 302
    assert client.get(inspect).status_code in (302, 404)
    recomputation.refresh_from_db()
    assert recomputation.state == RecomputationState.PREVIEWED


def _list_queries(client, user, url):
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _add_requests(s, n):
    for i in range(n):
        Recomputation.objects.create(
            agency=s.unit_a if i % 2 else s.dept_a,
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 3, 31),
            reason=f"Lý do {i}",
            calendar_version="v",
            requested_by=factories.user(),
            applied_by=factories.user() if i % 3 == 0 else None,
            state=RecomputationState.APPLIED if i % 3 == 0 else RecomputationState.PREVIEWED,
        )


def test_the_list_costs_the_same_queries_for_few_and_many_rows(s, client):
    url = reverse("dossier_recomputations:index")
    _add_requests(s, 2)
    few = _list_queries(client, s.leader, url)
    _add_requests(s, 12)
    assert _list_queries(client, s.leader, url) == few
