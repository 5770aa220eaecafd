"""Complaints and feedback (issue 9 point 3): the answer's due day on the working calendar (Tết,
a weekend), answered on time or late and the counts for the service index, the complainant's
contact erased after its retention (idempotently) and never shown to another agency, to a body
above or to an auditor (list, inspect, export, history), the nonconformity raised from a
complaint, the answer-due reminder at most once, the list's flat query count, the refusals."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.models import (
    Complaint,
    ComplaintKind,
    ComplaintOutcome,
    ComplaintReminder,
    ComplaintState,
    FindingKind,
    FindingSource,
    FindingState,
)
from audits.selectors_complaints import on_time_counts, subtree_on_time_counts
from audits.services.complaints import (
    complaint_answer,
    complaint_contacts_erase,
    complaint_raise_finding,
    complaint_record,
    complaint_reminders_send,
    complaint_update,
    complaint_withdraw,
)
from qms.models import Notification, Role

pytestmark = pytest.mark.django_db

NAME, PHONE, EMAIL = "Lê Văn Khiếu", "0912345678", "khieu.nai@example.vn"


def _complaint(world, *, agency=None, received_on=datetime.date(2026, 6, 5), days=None, **extra):
    return Complaint(
        agency=agency or world.node,
        kind=extra.pop("kind", ComplaintKind.COMPLAINT),
        received_on=received_on,
        answer_days=days,
        content=extra.pop("content", "Hồ sơ đăng ký khai sinh trả chậm không có thư xin lỗi."),
        complainant_name=NAME,
        complainant_phone=PHONE,
        complainant_email=EMAIL,
        complainant_address="12 Lê Lợi, phường Thuận Hóa",
        **extra,
    )


def _record(world, actor=None, **kwargs):
    actor = actor or world.users["node", Role.OFFICER]
    return complaint_record(actor=actor, instance=_complaint(world, **kwargs))


def _answer(actor, complaint, day):
    return complaint_answer(
        actor=actor,
        instance=complaint,
        answered_on=day,
        answer="Đã xin lỗi và trả kết quả.",
        outcome=ComplaintOutcome.JUSTIFIED,
    )


# --- Due day on the working calendar -----------------------------------------------------------


def test_a_complaint_received_before_tet_is_due_after_the_holiday(world):
    # Fri 13/02/2026; Sat 14, Sun 15 off; Tết Mon 16 - Fri 20 off; Sat 21, Sun 22 off. The 10
    # working days counted from the next day: 23, 24, 25, 26, 27 Feb, 2, 3, 4, 5, 6 Mar.
    complaint = _record(world, received_on=datetime.date(2026, 2, 13), days=10)
    assert complaint.due_on == datetime.date(2026, 3, 6)
    assert complaint.code == "PA-2026-0001"
    assert complaint.state == ComplaintState.RECEIVED


def test_a_complaint_received_on_a_friday_skips_the_weekend(world):
    # Fri 05/06/2026 + 3 working days: Mon 8, Tue 9, Wed 10 June.
    complaint = _record(world, received_on=datetime.date(2026, 6, 5), days=3)
    assert complaint.due_on == datetime.date(2026, 6, 10)


def test_the_default_answer_days_come_from_the_setting(world, settings):
    settings.QMS_COMPLAINT_ANSWER_DAYS = 2
    # Mon 01/06/2026 + 2 working days: Tue 2, Wed 3 June.
    complaint = _record(world, received_on=datetime.date(2026, 6, 1))
    assert complaint.answer_days == 2
    assert complaint.due_on == datetime.date(2026, 6, 3)


def test_changing_the_received_day_moves_the_due_day(world):
    officer = world.users["node", Role.OFFICER]
    complaint = _record(world, received_on=datetime.date(2026, 6, 5), days=3)
    complaint.received_on = datetime.date(2026, 6, 8)  # Mon: 9, 10, 11 June
    complaint_update(actor=officer, instance=complaint)
    assert Complaint.objects.get(pk=complaint.pk).due_on == datetime.date(2026, 6, 11)


# --- On time, late, counts -------------------------------------------------------------------


def test_answered_on_the_due_day_is_on_time_and_a_day_later_is_late(world):
    officer = world.users["node", Role.OFFICER]
    on_time = _record(world, days=3)
    late = _record(world, days=3)
    pending = _record(world, days=3)  # due 10/06/2026, never answered: overdue now
    withdrawn = _record(world, days=3)
    _answer(officer, on_time, datetime.date(2026, 6, 10))
    _answer(officer, late, datetime.date(2026, 6, 11))
    complaint_withdraw(actor=officer, instance=withdrawn)
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert on_time.answered_on_time is True
    assert late.answered_on_time is False
    assert pending.answered_on_time is None
    counts = on_time_counts(datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))
    assert counts == {world.node.pk: {"on_time": 1, "late": 1, "pending_overdue": 1}}
    above = subtree_on_time_counts(
        world.parent, datetime.date(2026, 6, 1), datetime.date(2026, 6, 30)
    )
    assert above["on_time"] == 1 and above["late"] == 1 and above["rate"] == 0.5
    assert on_time_counts(datetime.date(2026, 7, 1), datetime.date(2026, 7, 31)) == {
        world.node.pk: {"on_time": 0, "late": 0, "pending_overdue": 1}
    }


def test_an_answer_needs_its_text_and_outcome_and_is_not_given_twice(world):
    officer = world.users["node", Role.OFFICER]
    complaint = _record(world)
    with pytest.raises(ValidationError) as caught:
        complaint_answer(actor=officer, instance=complaint, answer="", outcome="")
    assert {"answer", "outcome"} <= set(caught.value.error_dict)
    with pytest.raises(ValidationError):
        complaint_answer(
            actor=officer,
            instance=complaint,
            answered_on=datetime.date(2026, 6, 1),  # before the receipt
            answer="Trả lời",
            outcome=ComplaintOutcome.PARTLY,
        )
    _answer(officer, complaint, datetime.date(2026, 6, 9))
    with pytest.raises(PermissionDenied):
        _answer(officer, complaint, datetime.date(2026, 6, 9))


# --- Who handles complaints ------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", [("node", Role.STAFF), ("node", Role.AUDITOR), ("sibling", Role.OFFICER)]
)
def test_only_officers_and_leaders_of_the_agency_or_above_handle_complaints(world, who):
    with pytest.raises(PermissionDenied):
        _record(world, world.users[who])
    complaint = _record(world)
    with pytest.raises(PermissionDenied):
        _answer(world.users[who], complaint, datetime.date(2026, 6, 9))
    with pytest.raises(PermissionDenied):
        complaint_raise_finding(actor=world.users[who], instance=complaint)
    assert _record(world, world.users["parent", Role.LEADER]).agency == world.node


# --- Raising a nonconformity ------------------------------------------------------------------


def test_a_nonconformity_raised_from_a_complaint_links_back(world):
    officer = world.users["node", Role.OFFICER]
    complaint = _record(world)
    finding = complaint_raise_finding(actor=officer, instance=complaint, kind=FindingKind.MINOR_NC)
    complaint.refresh_from_db()
    assert complaint.finding == finding
    assert finding.source == FindingSource.COMPLAINT
    assert finding.agency == world.node
    assert finding.state == FindingState.ACTION_REQUIRED
    assert complaint.code in finding.description
    assert list(finding.complaints.all()) == [complaint]
    with pytest.raises(PermissionDenied):  # once
        complaint_raise_finding(actor=officer, instance=complaint)


# --- The complainant's contact ----------------------------------------------------------------


def test_contacts_are_erased_after_the_retention_and_erasure_is_idempotent(world, settings):
    settings.QMS_COMPLAINT_CONTACT_RETENTION_DAYS = 90
    officer = world.users["node", Role.OFFICER]
    answered = _record(world)
    _answer(officer, answered, datetime.date(2026, 6, 9))
    pending = _record(world)
    # Kept through the 90th day after the answer (07/09/2026), erased the day after.
    assert complaint_contacts_erase(datetime.date(2026, 9, 7)) == 0
    assert complaint_contacts_erase(datetime.date(2026, 9, 8)) == 1
    answered.refresh_from_db()
    pending.refresh_from_db()
    assert (answered.complainant_name, answered.complainant_phone) == ("", "")
    assert answered.complainant_email == answered.complainant_address == ""
    assert answered.contact_erased_at is not None
    erased_at = answered.contact_erased_at
    assert pending.complainant_name == NAME  # not answered: kept
    assert complaint_contacts_erase(datetime.date(2026, 9, 8)) == 0
    answered.refresh_from_db()
    assert answered.contact_erased_at == erased_at


def test_the_history_never_holds_the_contact(world):
    officer = world.users["node", Role.OFFICER]
    complaint = _record(world)
    _answer(officer, complaint, datetime.date(2026, 6, 9))
    history_fields = {f.name for f in Complaint.history.model._meta.get_fields()}
    assert not history_fields & {"complainant_name", "complainant_phone", "complainant_email"}
    assert complaint.history.count() == 2
    for row in Complaint.history.model.objects.values():
        assert NAME not in str(row) and PHONE not in str(row)


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_contact_shown_only_to_the_agencys_own_officers_and_leaders(world, client):
    complaint = _record(world)
    inspect = reverse("complaints:inspect", args=[complaint.pk])
    for who in (("node", Role.OFFICER), ("node", Role.LEADER)):
        response = _get(client, world.users[who], inspect)
        assert response.status_code == 200 and PHONE in response.content.decode()
    # A body above reads the complaint but not the contact; its edit form has no contact.
    parent_officer = world.users["parent", Role.OFFICER]
    page = _get(client, parent_officer, inspect).content.decode()
    assert complaint.code in page and NAME not in page and PHONE not in page
    edit = _get(client, parent_officer, reverse("complaints:edit", args=[complaint.pk]))
    assert edit.status_code == 200
    assert PHONE not in edit.content.decode() and "complainant_phone" not in edit.content.decode()
    # Auditors, staff and other agencies do not reach the complaint at all.
    for who in (("node", Role.AUDITOR), ("node", Role.STAFF), ("sibling", Role.OFFICER)):
        response = _get(client, world.users[who], inspect)
        assert response.status_code in (302, 403, 404)
        assert PHONE not in response.content.decode()


def test_a_body_above_changing_a_complaint_keeps_the_contact(world):
    complaint = _record(world)
    parent_officer = world.users["parent", Role.OFFICER]
    complaint.complainant_phone = ""
    complaint.content = "Nội dung đã chỉnh."
    complaint_update(actor=parent_officer, instance=complaint)
    complaint.refresh_from_db()
    assert complaint.complainant_phone == PHONE and complaint.content == "Nội dung đã chỉnh."


def test_list_export_and_history_never_show_the_contact(world, client):
    officer = world.users["node", Role.OFFICER]
    complaint = _record(world)
    _answer(officer, complaint, datetime.date(2026, 6, 9))
    urls = [
        reverse("complaints:index"),
        reverse("complaints:index") + "?export=csv",
        reverse("complaints:history", args=[complaint.pk]),
    ]
    for user in (officer, world.users["parent", Role.LEADER], world.admin):
        for url in urls:
            response = _get(client, user, url)
            assert response.status_code == 200, url
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode()
            assert complaint.code in text or "history" in url
            assert NAME not in text and PHONE not in text and EMAIL not in text, url


def test_the_inspect_view_says_when_the_contact_was_erased(world, client):
    officer = world.users["node", Role.OFFICER]
    complaint = _record(world)
    _answer(officer, complaint, datetime.date(2026, 6, 9))
    complaint_contacts_erase(datetime.date(2026, 12, 31))
    day = timezone.localdate().strftime("%d/%m/%Y")
    page = _get(client, officer, reverse("complaints:inspect", args=[complaint.pk]))
    assert f"Đã xóa theo quy định bảo vệ dữ liệu cá nhân ngày {day}" in page.content.decode()


# --- Transitions through the admin -------------------------------------------------------------


def test_the_answer_and_raise_transitions_in_the_admin(world, client):
    officer = world.users["node", Role.OFFICER]
    complaint = _record(world)
    client.force_login(officer)
    url = reverse("complaints:transition", args=[complaint.pk, "answer"])
    response = client.post(
        url,
        {"answered_on": "09/06/2026", "outcome": "justified", "answer": "Đã trả lời."},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.ANSWERED
    assert complaint.answered_on == datetime.date(2026, 6, 9)
    url = reverse("complaints:transition", args=[complaint.pk, "raise_nc"])
    response = client.post(url, {"kind": FindingKind.MAJOR_NC, "description": ""})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.finding.kind == FindingKind.MAJOR_NC


# --- Reminder -----------------------------------------------------------------------------------


def test_the_answer_due_reminder_goes_out_once(world):
    complaint = _record(world, days=3)  # due 10/06/2026
    assert complaint_reminders_send(datetime.date(2026, 6, 7)) == 0  # 3 days ahead: not yet
    before = Notification.objects.count()
    assert complaint_reminders_send(datetime.date(2026, 6, 8)) == 1
    recipients = set(
        Notification.objects.order_by("pk")[before:].values_list("recipient_id", flat=True)
    )
    assert recipients == {world.users["node", Role.OFFICER].pk, world.users["node", Role.LEADER].pk}
    assert complaint_reminders_send(datetime.date(2026, 6, 9)) == 0
    assert complaint_reminders_send(datetime.date(2026, 6, 20)) == 0
    assert ComplaintReminder.objects.filter(complaint=complaint).count() == 1
    _answer(world.users["node", Role.OFFICER], complaint, datetime.date(2026, 6, 9))
    assert complaint_reminders_send(datetime.date(2026, 6, 20)) == 0


def test_the_daily_task_erases_and_reminds(world):
    from audits.tasks import complaints_daily

    result = complaints_daily()
    assert set(result) == {"erased", "reminded"}


# --- The list's queries -----------------------------------------------------------------------


def _list_queries(client, user, url):
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_few_and_many_complaints(world, client):
    officer = world.users["node", Role.OFFICER]
    leader = world.users["parent", Role.LEADER]
    url = reverse("complaints:index")
    _record(world)
    few = {u.pk: _list_queries(client, u, url) for u in (officer, leader)}
    for n in range(6):
        complaint = _record(world, agency=world.unit if n % 2 else world.node)
        if n % 3 == 0:
            _answer(officer, complaint, datetime.date(2026, 6, 9))
    many = {u.pk: _list_queries(client, u, url) for u in (officer, leader)}
    assert many == few
