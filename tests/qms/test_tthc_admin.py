"""The TTHC catalogue in the admin: detail page, time limit in force in the list, inline editing
of time limits and handling agencies (chosen with the agency chooser), history of what changed."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from qms.models import AdministrativeProcedure, AgencyKind, HandlingAgency, TimeLimit
from qms.models.catalogue import working_days_label
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = TODAY - datetime.timedelta(days=365)
NEXT_YEAR = TODAY + datetime.timedelta(days=365)


def _procedure(code, name, limits, agencies=()):
    procedure = AdministrativeProcedure.objects.create(
        code=code, name=name, field="Hộ tịch", level="province", online_level="partial"
    )
    for days, effective_from, basis in limits:
        TimeLimit.objects.create(
            procedure=procedure,
            working_days=Decimal(days),
            effective_from=effective_from,
            legal_basis=basis,
        )
    for agency in agencies:
        HandlingAgency.objects.create(procedure=procedure, agency=agency)
    return procedure


@pytest.fixture
def office(world):
    """A unit named like every department's office, inside the node."""
    return factories.agency(name="Văn phòng Sở", kind=AgencyKind.UNIT, parent=world.node)


@pytest.fixture
def birth(world, office):
    return _procedure(
        "1.001193",
        "Thủ tục đăng ký khai sinh",
        [
            ("1", LAST_YEAR - datetime.timedelta(days=365), "Luật Hộ tịch 2014"),
            ("0.5", LAST_YEAR, "Quyết định công bố (minh họa)"),
            ("0.25", NEXT_YEAR, "Quyết định sắp có hiệu lực"),
        ],
        agencies=[office],
    )


@pytest.mark.parametrize("actor", ["admin", "member"])
def test_detail_page_shows_the_tthc_with_its_time_limits(client, world, birth, actor):
    user = world.admin if actor == "admin" else world.users[("sibling", "staff")]
    client.force_login(user)
    response = client.get(reverse("tthc:inspect", args=[birth.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("1.001193", "Thủ tục đăng ký khai sinh", "Hộ tịch"):
        assert text in html
    # Every limit with its date and basis; the one in force today named as such.
    for text in ("1 ngày làm việc", "0,5 ngày làm việc", "0,25 ngày làm việc"):
        assert text in html
    assert LAST_YEAR.strftime("%d/%m/%Y") in html
    assert "Quyết định công bố (minh họa)" in html
    assert html.count("Đang áp dụng") == 1
    assert "Chưa có hiệu lực" in html
    # A unit reads with its department.
    assert "Văn phòng Sở — Sở Tư pháp thử" in html


def test_list_shows_the_limit_in_force_today_without_a_query_per_row(client, world, birth):
    client.force_login(world.users[("node", "staff")])
    url = reverse("tthc:index")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    html = client.get(url).content.decode()
    assert "0,5 ngày làm việc" in html  # in force today
    assert "0,25 ngày làm việc" not in html  # not yet
    few = queries()
    for n in range(5):
        _procedure(f"2.00000{n}", f"Thủ tục thử {n}", [(str(n + 1), LAST_YEAR, "")])
    assert queries() == few


def test_annotation_and_single_lookup_agree(birth):
    for day in (LAST_YEAR - datetime.timedelta(days=400), LAST_YEAR, TODAY, NEXT_YEAR):
        annotated = AdministrativeProcedure.objects.with_working_days_on(day).get(pk=birth.pk)
        single = birth.time_limit_on(day)
        assert annotated.working_days_on == (single.working_days if single else None)


def test_working_days_read_as_officers_write_them():
    with translation.override("vi"):
        assert working_days_label(Decimal("15.00")) == "15 ngày làm việc"
        assert working_days_label(Decimal("0.50")) == "0,5 ngày làm việc"
        assert working_days_label(Decimal("7.25")) == "7,25 ngày làm việc"
    with translation.override("en"):
        assert working_days_label(Decimal("1.00")) == "1 working day"
        assert working_days_label(Decimal("0.5")) == "0.5 working days"
    assert working_days_label(None) == ""


def _edit_data(procedure, limits, agencies, initial_limits, initial_agencies):
    return nested_form_data(
        {
            "code": procedure.code,
            "name": procedure.name,
            "field": procedure.field,
            "level": procedure.level,
            "online_level": procedure.online_level,
            "is_active": "on",
            "time_limits": inline_formset(limits, initial=initial_limits),
            "handling_agency_links": inline_formset(agencies, initial=initial_agencies),
        }
    )


def test_admin_edits_limits_and_agencies_inline_and_history_records_only_changes(
    client, world, birth, office
):
    client.force_login(world.admin)
    old_limits = list(birth.time_limits.order_by("effective_from"))
    link = birth.handling_agency_links.get()
    limit_rows_before = TimeLimit.history.count()
    link_rows_before = HandlingAgency.history.count()
    limits = [
        {
            "id": t.pk,
            "working_days": str(t.working_days),
            "effective_from": t.effective_from.strftime("%d/%m/%Y"),
            "legal_basis": t.legal_basis,
        }
        for t in old_limits
    ]
    limits[1]["legal_basis"] = "Quyết định công bố số 12 (minh họa)"  # one changed row
    limits.append({"working_days": "2", "effective_from": "01/01/2030", "legal_basis": "Dự kiến"})
    agencies = [
        {"id": link.pk, "agency": office.pk},
        {"agency": world.sibling.pk},
    ]
    data = _edit_data(birth, limits, agencies, len(old_limits), 1)
    response = client.post(reverse("tthc:edit", args=[birth.pk]), data)
    assert response.status_code == 302, response.context["form"].errors

    assert list(
        birth.time_limits.order_by("effective_from").values_list("legal_basis", flat=True)
    ) == [
        "Luật Hộ tịch 2014",
        "Quyết định công bố số 12 (minh họa)",
        "Quyết định sắp có hiệu lực",
        "Dự kiến",
    ]
    assert set(birth.handling_agencies.all()) == {office, world.sibling}
    # One changed limit and one new one; the untouched rows leave no history.
    new_limit_rows = TimeLimit.history.all()[: TimeLimit.history.count() - limit_rows_before]
    assert sorted(r.history_type for r in new_limit_rows) == ["+", "~"]
    assert {r.history_user for r in new_limit_rows} == {world.admin}
    new_link_rows = HandlingAgency.history.all()[
        : HandlingAgency.history.count() - link_rows_before
    ]
    assert [(r.history_type, r.agency_id) for r in new_link_rows] == [("+", world.sibling.pk)]


def test_two_limits_on_one_date_are_refused_in_the_form(client, world, birth):
    client.force_login(world.admin)
    limits = [
        {"working_days": "3", "effective_from": "01/01/2031", "legal_basis": ""},
        {"working_days": "4", "effective_from": "01/01/2031", "legal_basis": ""},
    ]
    data = _edit_data(birth, limits, [], 0, 0)
    count = TimeLimit.objects.count()
    response = client.post(reverse("tthc:edit", args=[birth.pk]), data)
    assert response.status_code == 200
    assert TimeLimit.objects.count() == count


def test_the_edit_form_chooses_agencies_with_the_agency_chooser(client, world, birth):
    client.force_login(world.admin)
    html = client.get(reverse("tthc:edit", args=[birth.pk])).content.decode()
    assert reverse("agency_chooser:choose") in html
    assert "Văn phòng Sở — Sở Tư pháp thử" in html


def test_members_may_not_edit_the_catalogue(client, world, birth):
    client.force_login(world.users[("node", "officer")])
    response = client.post(reverse("tthc:edit", args=[birth.pk]), _edit_data(birth, [], [], 0, 0))
    assert response.status_code in (302, 403)
    assert birth.time_limits.count() == 3


def test_admin_changing_a_limit_announces_it_once_committed(
    client, world, birth, django_capture_on_commit_callbacks
):
    from qms import signals

    heard = []

    def listener(sender, procedure, time_limit, previous_working_days, **kwargs):
        heard.append((procedure.pk, time_limit.working_days, previous_working_days))

    signals.tthc_time_limit_changed.connect(listener)
    try:
        client.force_login(world.admin)
        old_limits = list(birth.time_limits.order_by("effective_from"))
        limits = [
            {
                "id": t.pk,
                "working_days": str(t.working_days),
                "effective_from": t.effective_from.strftime("%d/%m/%Y"),
                "legal_basis": t.legal_basis,
            }
            for t in old_limits
        ]
        limits[1]["working_days"] = "0.75"  # the limit in force changes
        limits[2]["legal_basis"] = "Quyết định sửa căn cứ"  # not a change of the limit
        link = birth.handling_agency_links.get()
        data = _edit_data(
            birth, limits, [{"id": link.pk, "agency": link.agency_id}], len(old_limits), 1
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("tthc:edit", args=[birth.pk]), data)
        assert response.status_code == 302, response.context["form"].errors
    finally:
        signals.tthc_time_limit_changed.disconnect(listener)
    assert heard == [(birth.pk, Decimal("0.75"), Decimal("0.50"))]
