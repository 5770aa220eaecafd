"""The officer's to-do panel on the admin home: what waits in their agencies, each line a link to
the filtered list, nothing of another agency, and no panel for who is not an officer."""

import datetime

import pytest
from django.utils import timezone

from indicators.models import DossierImport, ImportState
from indicators.selectors_home import officer_todo
from qms.models import Role
from tests import factories
from tests.audits.test_actions import _open
from tests.audits.test_actions import people as action_people

pytestmark = pytest.mark.django_db

people = action_people


def _import(agency, state, rejected=0):
    return DossierImport.objects.create(
        agency=agency,
        file_name="mot-cua-thang.xlsx",
        state=state,
        rejected_count=rejected,
    )


def test_the_officer_sees_their_agencys_actions_and_import_errors(world, people, client):
    officer = people["officer"]
    overdue = _open(world, people)
    type(overdue).objects.filter(pk=overdue.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    _open(world, people)  # open, not overdue
    _import(world.node, ImportState.FAILED)
    _import(world.node, ImportState.APPLIED, rejected=4)
    _import(world.node, ImportState.APPLIED)  # clean: not counted
    _import(world.sibling, ImportState.FAILED)  # another agency's
    todo = officer_todo(officer)
    [mine] = todo.agencies
    assert mine.agency == world.node
    assert (mine.actions_open, mine.actions_overdue) == (2, 1)
    assert mine.imports_with_errors == 2

    client.force_login(officer)
    page = client.get("/admin/").content.decode()
    assert "Việc cần làm của cán bộ đầu mối ISO" in page
    assert "2 hành động khắc phục chưa thực hiện xong (1 quá hạn)" in page
    assert f"/admin/corrective_actions/?agency={world.node.pk}&amp;overdue=yes" in page
    assert "2 lần nhập dữ liệu hồ sơ có dòng bị từ chối hoặc bị lỗi" in page
    assert world.sibling.name not in page.split("indicators-officer-todo")[1].split("</section>")[0]


def test_no_panel_for_who_is_not_an_officer(world, client):
    staff = world.users["node", Role.STAFF]
    assert officer_todo(staff) is None
    client.force_login(staff)
    assert "indicators-officer-todo" not in client.get("/admin/").content.decode()


def test_a_quiet_agency_says_so(world, client):
    officer = factories.member(world.sibling, Role.OFFICER, username="quiet-officer")
    client.force_login(officer)
    page = client.get("/admin/").content.decode()
    assert "Không có việc tồn đọng" in page


def test_the_leader_reads_this_months_scorecard_and_the_index_on_the_home(world, client):
    """The month's total of the scorecard for the agency led, the index, and links to the
    dashboard, charts and index pages for that agency; nothing for a sibling's leader's data."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.db import transaction

    from indicators.services.dossiers import DossierRecord, upsert
    from qms.workcal import get_calendar

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    today = timezone.localdate()
    first = today.replace(day=1)
    civil = factories.tthc(code="1.009999", working_days=1, agencies=[world.node])
    records = [
        DossierRecord(
            line=2 + n,
            agency_id=world.node.pk,
            code=f"HOME.{n}",
            procedure_id=civil.pk,
            channel="online",
            received_at=dt.datetime(first.year, first.month, first.day, 8, tzinfo=tz),
            resolved_at=dt.datetime(first.year, first.month, first.day, 9, tzinfo=tz)
            + dt.timedelta(days=20 * n),
            outcome="issued",
        )
        for n in range(2)
        if first + dt.timedelta(days=20 * n) <= today
    ]
    with transaction.atomic():
        assert upsert(records, calendar=get_calendar()).problems == []
    leader = world.users["node", Role.LEADER]
    client.force_login(leader)
    page = client.get("/admin/").content.decode()
    panel = page.split('id="indicators-leader-scorecard"')[1].split("</section>")[0]
    assert f"Bảng điểm tháng {first:%m/%Y}" in page
    assert world.node.name in panel
    assert "Tỷ lệ đúng hạn trong tháng (%)" in panel
    # The first dossier resolved an hour after receipt; the second, 20 days later, is late.
    rate = "50,0\xa0%" if len(records) == 2 else "100,0\xa0%"
    row = panel.split("Tỷ lệ đúng hạn trong tháng (%)")[1].split("</tr>")[0]
    assert f"<strong>{rate}</strong>" in row
    assert "Chỉ số phục vụ người dân, doanh nghiệp từ đầu năm" in panel
    assert (
        f"/admin/indicators/dashboard/?agency={world.node.pk}&amp;period=m-{first:%Y-%m}" in panel
    )
    assert world.sibling.name not in panel
    staff = world.users["node", Role.STAFF]
    client.force_login(staff)
    assert "indicators-leader-scorecard" not in client.get("/admin/").content.decode()
