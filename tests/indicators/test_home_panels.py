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
