"""Staff acknowledge the issue in force (đã đọc, nắm được quy trình); the officer sees who has not;
a new issue starts a new list; whoever has not is reminded once after five working days."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents import acknowledgement_selectors as selectors
from documents.models import (
    Acknowledgement,
    AcknowledgementReminder,
    IssueStatus,
    ProcedureIssue,
    ProcedurePage,
)
from documents.services.acknowledgements import (
    acknowledgement_record,
    acknowledgement_reminders_send,
)
from documents.services.issues import issue_withdraw
from qms.models import AgencyKind, Notification, Role
from tests import factories
from tests.documents.authz_rules import procedure

pytestmark = pytest.mark.django_db


def _page(world, place=None, *, code="QT-07/STP", shared=False):
    place = place or world.node
    page = procedure(
        place,
        title="Chứng thực bản sao từ bản chính",
        code=code,
        tthc=factories.tthc(),
        shared=shared,
        live=False,
    )
    place.page.add_child(instance=page)
    return ProcedurePage.objects.get(pk=page.pk)


def _publish(page, **changes):
    return factories.procedure_publish(page, **changes).procedure_issue


def _issue(world, place=None, **kwargs):
    return _publish(_page(world, place, **kwargs))


def _user(world, relation, role):
    return world.users[relation, role]


def _names(status):
    return {row.person.username for row in status.rows}


# --- Recording ------------------------------------------------------------------------------------


def test_staff_acknowledge_the_issue_in_force_once(world):
    issue = _issue(world)
    staff = _user(world, "node", Role.STAFF)
    first = acknowledgement_record(actor=staff, issue=issue)
    again = acknowledgement_record(actor=staff, issue=issue)
    assert again.pk == first.pk and first.acknowledged_at is not None
    assert Acknowledgement.objects.filter(issue=issue).count() == 1
    # A unit inside the agency works by its procedures; any role there may acknowledge.
    desk = factories.member(world.unit, Role.STAFF)
    acknowledgement_record(actor=desk, issue=issue)
    acknowledgement_record(actor=_user(world, "node", Role.AUDITOR), issue=issue)
    assert Acknowledgement.objects.filter(issue=issue).count() == 3


def test_an_outsider_is_refused(world):
    issue = _issue(world)
    for outsider in (
        _user(world, "sibling", Role.STAFF),
        # A department's own procedure is not the province's to follow.
        _user(world, "parent", Role.LEADER),
        world.admin,
        factories.member(world.node, Role.STAFF, end=datetime.date(2021, 1, 1)),
    ):
        with pytest.raises(PermissionDenied) as refusal:
            acknowledgement_record(actor=outsider, issue=issue)
        assert "Sở Tư pháp thử" in str(refusal.value)
    assert not Acknowledgement.objects.exists()


def test_an_issue_not_in_force_is_refused(world):
    page = _page(world)
    first = _publish(page)
    second = _publish(page, change_summary="Rút ngắn thời gian")
    staff = _user(world, "node", Role.STAFF)
    with pytest.raises(ValidationError) as refusal:
        acknowledgement_record(actor=staff, issue=first)
    assert "không còn áp dụng (Đã được thay thế)" in refusal.value.messages[0]
    issue_withdraw(actor=None, issue=second, reason="TTHC bị bãi bỏ")
    with pytest.raises(ValidationError) as refusal:
        acknowledgement_record(actor=staff, issue=second)
    assert "Đã bãi bỏ" in refusal.value.messages[0]
    assert not Acknowledgement.objects.exists()


def test_a_shared_issue_applies_to_every_body_below_and_an_own_one_to_its_units_only(world):
    office = factories.agency(kind=AgencyKind.UNIT, parent=world.parent, code="TP-VP")
    office_staff = factories.member(office, Role.STAFF)
    shared = _issue(world, world.parent, code="QT-01/TP", shared=True)
    own = _issue(world, world.parent, code="QT-02/TP")
    node_staff, sibling_staff = (
        _user(world, "node", Role.STAFF),
        _user(world, "sibling", Role.STAFF),
    )
    assert {node_staff.username, sibling_staff.username, office_staff.username} <= _names(
        selectors.acknowledgement_status(shared)
    )
    own_readers = _names(selectors.acknowledgement_status(own))
    assert office_staff.username in own_readers and "parent_leader" in own_readers
    assert node_staff.username not in own_readers
    acknowledgement_record(actor=sibling_staff, issue=shared)
    with pytest.raises(PermissionDenied):
        acknowledgement_record(actor=node_staff, issue=own)
    assert [i.code for i in selectors.issues_awaiting(node_staff)] == ["QT-01/TP"]
    assert selectors.issues_awaiting(sibling_staff) == []
    assert {i.code for i in selectors.issues_awaiting(office_staff)} == {"QT-01/TP", "QT-02/TP"}


# --- Who is expected, who has not ------------------------------------------------------------------


def test_expected_are_staff_officers_and_leaders_less_the_signers(world):
    issue = _issue(world)
    desk = factories.member(world.unit, Role.STAFF)
    status = selectors.acknowledgement_status(issue)
    # The auditor reads procedures to audit them; the parent body does not work by them.
    assert _names(status) == {"node_officer", "node_leader", "node_staff", desk.username}
    ProcedureIssue.objects.filter(pk=issue.pk).update(
        drafted_by=_user(world, "node", Role.OFFICER), approved_by=_user(world, "node", Role.LEADER)
    )
    issue.refresh_from_db()
    assert _names(selectors.acknowledgement_status(issue)) == {"node_staff", desk.username}
    assert selectors.issues_awaiting(_user(world, "node", Role.OFFICER)) == []


def test_the_officer_sees_who_has_not(world, client):
    issue = _issue(world)
    acknowledgement_record(actor=_user(world, "node", Role.STAFF), issue=issue)
    status = selectors.acknowledgement_status(issue)
    assert (status.acknowledged, status.expected) == (1, 3)
    assert [row.person.username for row in status.pending] == ["node_leader", "node_officer"]
    url = reverse("documents_issue_acknowledgements", args=[issue.pk])
    client.force_login(_user(world, "node", Role.OFFICER))
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "1/3 đã xác nhận" in html
    assert html.count("Chưa xác nhận") == 2 and "Đã xác nhận lúc" in html
    # The inspect page shows the counts and leads to the list.
    inspect = client.get(reverse("procedure_issues:inspect", args=[issue.pk])).content.decode()
    assert "1/3 đã xác nhận" in inspect and url in inspect
    # Staff read the counts, not the names; another agency's officer does not see the issue.
    client.force_login(_user(world, "node", Role.STAFF))
    refused = client.get(url)  # Wagtail turns the refusal into a redirect with a message
    assert refused.status_code == 302 and refused["Location"] == reverse("wagtailadmin_home")
    inspect = client.get(reverse("procedure_issues:inspect", args=[issue.pk])).content.decode()
    assert "1/3 đã xác nhận" in inspect and url not in inspect
    client.force_login(_user(world, "sibling", Role.OFFICER))
    assert client.get(url).status_code == 404
    client.force_login(_user(world, "parent", Role.LEADER))
    assert client.get(url).status_code == 200


def test_a_new_issue_starts_a_new_list(world, client):
    page = _page(world)
    first = _publish(page)
    staff = _user(world, "node", Role.STAFF)
    acknowledgement_record(actor=staff, issue=first)
    second = _publish(page, change_summary="Bổ sung bước kiểm tra")
    assert list(Acknowledgement.objects.filter(issue=first).values_list("user", flat=True)) == [
        staff.pk
    ]
    new = selectors.acknowledgement_status(second)
    assert (new.acknowledged, new.expected) == (0, 3)
    assert selectors.issues_awaiting(staff) == [second]
    old = selectors.acknowledgement_status(first)
    assert not old.in_force and _names(old) == {"node_staff"}
    client.force_login(_user(world, "node", Role.OFFICER))
    html = client.get(reverse("documents_issue_acknowledgements", args=[first.pk])).content
    assert "không còn áp dụng; 1 người đã xác nhận" in html.decode()


def test_the_list_takes_the_same_queries_for_few_and_many_people(world, client):
    issue = _issue(world)
    url = reverse("documents_issue_acknowledgements", args=[issue.pk])
    client.force_login(_user(world, "node", Role.OFFICER))
    client.get(url)  # warm caches (site, calendar, session)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for n in range(25):
        person = factories.member(world.unit if n % 2 else world.node, Role.STAFF)
        if n % 3 == 0:
            Acknowledgement.objects.create(issue=issue, user=person)
        if n % 5 == 0:
            AcknowledgementReminder.objects.create(issue=issue, user=person)
    assert selectors.acknowledgement_status(issue).expected == 28
    assert queries() == few


# --- Reminders -------------------------------------------------------------------------------------

# Tuesday 28 April 2026; Thursday 30 April and Friday 1 May are public holidays.
EFFECTIVE = datetime.date(2026, 4, 28)


def _issue_effective(world, day=EFFECTIVE):
    issue = _issue(world)
    ProcedureIssue.objects.filter(pk=issue.pk).update(effective_date=day)
    issue.refresh_from_db()
    return issue


def _reminded(issue):
    return set(
        AcknowledgementReminder.objects.filter(issue=issue).values_list("user__username", flat=True)
    )


def test_a_reminder_after_five_working_days_once_and_not_to_who_acknowledged(world):
    issue = _issue_effective(world)
    Acknowledgement.objects.create(issue=issue, user=_user(world, "node", Role.OFFICER))
    # Seven days and five weekdays on, but the holidays leave three working days, then four.
    assert acknowledgement_reminders_send(on_date=datetime.date(2026, 5, 5)) == 0
    assert acknowledgement_reminders_send(on_date=datetime.date(2026, 5, 6)) == 0
    assert not AcknowledgementReminder.objects.exists()
    assert acknowledgement_reminders_send(on_date=datetime.date(2026, 5, 7)) == 2
    assert _reminded(issue) == {"node_leader", "node_staff"}
    notice = Notification.objects.get(recipient=_user(world, "node", Role.STAFF))
    assert notice.title == "Nhắc xác nhận đã đọc quy trình mới"
    assert str(issue) in notice.body and "28/04/2026" in notice.body
    assert notice.url == reverse("wagtailadmin_home")
    # Once ever: the rerun, and the days after, send nothing more.
    assert acknowledgement_reminders_send(on_date=datetime.date(2026, 5, 7)) == 0
    assert acknowledgement_reminders_send(on_date=datetime.date(2026, 5, 20)) == 0
    assert Notification.objects.filter(title=notice.title).count() == 2
    assert not Notification.objects.filter(recipient=_user(world, "node", Role.OFFICER)).exists()


def test_someone_who_joined_later_gets_five_working_days_from_joining(world):
    issue = _issue_effective(world)
    newcomer = factories.member(world.unit, Role.STAFF, start=datetime.date(2026, 5, 5))
    acknowledgement_reminders_send(on_date=datetime.date(2026, 5, 7))
    assert newcomer.username not in _reminded(issue)
    # 5, 6, 7, 8 and 11 May: five working days after joining.
    assert acknowledgement_reminders_send(on_date=datetime.date(2026, 5, 11)) == 0
    assert acknowledgement_reminders_send(on_date=datetime.date(2026, 5, 12)) == 1
    assert newcomer.username in _reminded(issue)


def test_no_reminder_for_an_issue_no_longer_in_force(world):
    issue = _issue_effective(world)
    ProcedureIssue.objects.filter(pk=issue.pk).update(
        status=IssueStatus.SUPERSEDED, superseded_on=datetime.date(2026, 5, 4)
    )
    assert acknowledgement_reminders_send(on_date=datetime.date(2026, 5, 7)) == 0


def test_the_task_is_scheduled_daily():
    from documents.schedules import BEAT_SCHEDULE
    from documents.tasks import acknowledgement_reminders_send as task

    entry = BEAT_SCHEDULE["documents-acknowledgement-reminders"]
    assert entry["task"] == task.name == "documents.tasks.acknowledgement_reminders_send"


# --- The dashboard ---------------------------------------------------------------------------------


def test_the_dashboard_panel_lists_the_issue_and_its_button_acknowledges(world):
    issue = _issue(world)
    staff = _user(world, "node", Role.STAFF)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    home = reverse("wagtailadmin_home")
    html = client.get(home).content.decode()
    assert "Quy trình mới cần đọc" in html and "QT-07/STP" in html
    assert "Tôi đã đọc và nắm được quy trình" in html
    assert issue.procedure.url in html  # the procedure to read, on the public site
    action = reverse("documents_issue_acknowledge", args=[issue.pk])
    form = html[html.index(f'action="{action}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    assert client.post(action, {"next": home}).status_code == 403  # no token, no record
    assert not Acknowledgement.objects.exists()
    response = client.post(action, {"next": home, "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == home
    assert Acknowledgement.objects.filter(issue=issue, user=staff).exists()
    after = client.get(home).content.decode()
    assert "Đã ghi nhận: bạn đã đọc và nắm được" in after
    assert "Quy trình mới cần đọc" not in after


def test_the_button_refuses_with_a_message_and_writes_nothing(world, client):
    issue = _issue(world)
    client.force_login(_user(world, "sibling", Role.STAFF))
    action = reverse("documents_issue_acknowledge", args=[issue.pk])
    assert client.get(action).status_code == 405
    response = client.post(action, follow=True)
    assert "Chỉ người đang giữ vai trò tại “Sở Tư pháp thử”" in response.content.decode()
    assert not Acknowledgement.objects.exists()


@pytest.mark.slow  # builds the marked world of the authorization matrix
def test_the_matrix_holds_for_the_acknowledgement_screens(db):
    """The matrix's rules for these URLs, and its leak test on the dashboard (the panel) and the
    issue's inspect page (the counts), every actor."""
    from tests.test_authorization_matrix import run_matrix

    only = {
        "documents_issue_acknowledge",
        "documents_issue_acknowledgements",
        "wagtailadmin_home",
        "procedure_issues:inspect",
    }
    failures = run_matrix(factories.World.build(objects=True), only=only)
    assert not failures, "\n".join(failures)


@pytest.mark.slow  # loads the whole demo
def test_the_demo_leaves_the_acknowledgements_half_done(db, client):
    from django.core.management import call_command

    from documents import demo_acknowledgements

    call_command("seed_demo", verbosity=0)
    demo_acknowledgements.seed()  # (once documents.demo runs it, this creates nothing)
    issue = ProcedureIssue.objects.get(code="QT-01/STP", status=IssueStatus.IN_FORCE)
    status = selectors.acknowledgement_status(issue)
    assert status.expected >= 6 and status.acknowledged == status.expected // 2
    assert "stp-staff" in {row.person.username for row in status.pending}
    assert demo_acknowledgements.seed() == {"acknowledgements": 0}
    client.force_login(get_user_model().objects.get(username="stp-staff"))
    assert "QT-01/STP" in client.get(reverse("wagtailadmin_home")).content.decode()
