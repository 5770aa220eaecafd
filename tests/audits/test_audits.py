"""Internal audits (issue 8 point 3): planning with a qualified, independent team, double-booking
flagged, the transitions and their refusals, and the team's reads of the auditee while the audit is
open."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audits.models import Audit, AuditorQualification, AuditState, AuditTeamMember, TeamRole
from audits.selectors_audits import (
    double_booking_messages,
    independence_refusal,
    with_double_booked,
)
from audits.services.auditors import qualification_save
from audits.services.audits import (
    audit_cancel,
    audit_close,
    audit_plan,
    audit_report,
    audit_start,
    audit_update,
)
from qms import permissions
from qms.models import AgencyKind, Notification, Role
from qms.services.memberships import membership_create
from tests import factories

pytestmark = pytest.mark.django_db


def _qualify(user, agency):
    return qualification_save(
        actor=None,
        instance=AuditorQualification(
            user=user,
            agency=agency,
            training="Đánh giá viên nội bộ TCVN ISO 9001:2015",
            qualified_on=datetime.date(2024, 5, 10),
        ),
    )


def _auditor(world, relation="sibling"):
    user = world.users[relation, Role.AUDITOR]
    if not AuditorQualification.objects.filter(user=user).exists():
        _qualify(user, getattr(world, relation))
    return user


def _dates(offset=10, length=2):
    start = timezone.localdate() + datetime.timedelta(days=offset)
    return start, start + datetime.timedelta(days=length)


def _audit(world, *, auditee=None, lead=None, code="DG-01", offset=10, **extra):
    start, end = _dates(offset)
    return Audit(
        agency=auditee or world.node,
        code=code,
        title="Đánh giá nội bộ năm 2026",
        objectives="Xác định sự phù hợp của hệ thống với TCVN ISO 9001:2015.",
        criteria="TCVN ISO 9001:2015; các quy trình nội bộ.",
        planned_start=start,
        planned_end=end,
        lead_auditor=lead or _auditor(world),
        **extra,
    )


def _plan(world, *, actor=None, team=(), **kwargs):
    actor = actor or world.users["parent", Role.OFFICER]
    audit = _audit(world, **kwargs)
    return audit_plan(actor=actor, instance=audit, team=team)


def _working_auditor(world, unit, username="unit_worker"):
    """Staff of ``unit`` who is also a qualified internal auditor of the province."""
    user = factories.member(unit, Role.STAFF, username=username)
    membership_create(
        actor=None,
        user=user,
        agency=world.parent,
        role=Role.AUDITOR,
        start_date=datetime.date(2020, 1, 1),
    )
    _qualify(user, world.parent)
    return user


# --- Planning ----------------------------------------------------------------------------------


def test_plan_puts_the_lead_on_the_team_and_notifies(world):
    lead = _auditor(world)
    member = _auditor(world, "parent")
    audit = _plan(world, lead=lead, team=[member])
    assert audit.state == AuditState.PLANNED
    assert audit.created_by == world.users["parent", Role.OFFICER]
    roles = dict(AuditTeamMember.objects.filter(audit=audit).values_list("user_id", "role"))
    assert roles == {lead.pk: TeamRole.LEAD, member.pk: TeamRole.MEMBER}
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"sibling_auditor", "parent_auditor", "node_officer"} <= told


def test_staff_of_the_auditee_may_not_plan(world):
    with pytest.raises(PermissionDenied, match="Chỉ cán bộ đầu mối ISO"):
        _plan(world, actor=world.users["node", Role.STAFF])
    assert not Audit.objects.exists()


def test_an_auditor_plans_audits_below_their_node_but_not_of_it(world):
    auditor = world.users["parent", Role.AUDITOR]
    assert _plan(world, actor=auditor).pk
    with pytest.raises(PermissionDenied, match="Thành phố Thử"):
        _plan(world, actor=auditor, auditee=world.parent, code="DG-02")


def test_an_unqualified_auditor_is_refused(world):
    lead = world.users["sibling", Role.AUDITOR]  # auditor role, no certificate
    with pytest.raises(ValidationError) as refused:
        _plan(world, lead=lead)
    assert "chưa có chứng chỉ đánh giá viên nội bộ còn hiệu lực" in str(refused.value)
    assert not Audit.objects.exists()


def test_someone_without_the_auditor_role_is_refused(world):
    with pytest.raises(ValidationError, match="không giữ vai trò đánh giá viên nội bộ"):
        _plan(world, team=[world.users["sibling", Role.STAFF]])


# --- Independence --------------------------------------------------------------------------------


def test_a_unit_worker_cannot_audit_their_own_unit(world):
    worker = _working_auditor(world, world.unit)
    assert "Phòng Hành chính thử" in independence_refusal(worker, world.unit)
    with pytest.raises(ValidationError, match="không độc lập"):
        _plan(world, auditee=world.unit, team=[worker])


def test_a_unit_worker_cannot_audit_the_body_containing_the_unit(world):
    worker = _working_auditor(world, world.unit)
    assert independence_refusal(worker, world.node)
    with pytest.raises(ValidationError, match="không độc lập"):
        _plan(world, auditee=world.node, team=[worker])


def test_a_unit_worker_may_audit_a_sibling_unit(world):
    worker = _working_auditor(world, world.unit)
    sibling_unit = factories.agency(
        name="Phòng Tổ chức thử", kind=AgencyKind.UNIT, parent=world.node, code="STP-TC"
    )
    assert independence_refusal(worker, sibling_unit) is None
    audit = _plan(world, auditee=sibling_unit, team=[worker])
    assert audit.team.filter(user=worker).exists()


def test_a_body_worker_cannot_audit_a_unit_inside_it(world):
    worker = _working_auditor(world, world.node, username="body_worker")
    assert independence_refusal(worker, world.unit)
    assert independence_refusal(worker, world.sibling) is None


# --- Double booking ------------------------------------------------------------------------------


def test_an_auditor_on_overlapping_audits_is_flagged_not_refused(world):
    lead = _auditor(world)
    first = _plan(world, lead=lead, code="DG-01", offset=10)
    second = _plan(world, lead=lead, code="DG-02", offset=11, auditee=world.unit)
    later = _plan(world, lead=lead, code="DG-03", offset=40)
    messages = double_booking_messages(second)
    assert len(messages) == 1 and "DG-01" in messages[0]
    flags = dict(with_double_booked(Audit.objects.all()).values_list("code", "double_booked"))
    assert flags == {"DG-01": True, "DG-02": True, "DG-03": False}
    audit_cancel(actor=world.users["parent", Role.OFFICER], instance=first, reason="Trùng lịch")
    flags = dict(with_double_booked(Audit.objects.all()).values_list("code", "double_booked"))
    assert flags == {"DG-01": False, "DG-02": False, "DG-03": False}
    assert later.pk


# --- Transitions ---------------------------------------------------------------------------------


def test_the_whole_life_of_an_audit(world):
    lead = _auditor(world)
    audit = _plan(world, lead=lead)
    audit_start(actor=lead, instance=audit)
    assert audit.state == AuditState.IN_PROGRESS
    assert audit.actual_start == timezone.localdate()
    audit_report(actor=lead, instance=audit)
    assert audit.state == AuditState.REPORTED and audit.actual_end == timezone.localdate()
    audit_close(actor=world.users["node", Role.LEADER], instance=audit)
    assert audit.state == AuditState.CLOSED
    assert audit.history.count() == 4


def test_only_the_lead_starts_and_reports(world):
    audit = _plan(world, lead=_auditor(world))
    with pytest.raises(PermissionDenied, match="Chỉ trưởng đoàn đánh giá"):
        audit_start(actor=world.users["node", Role.LEADER], instance=audit)
    audit.refresh_from_db()
    assert audit.state == AuditState.PLANNED


def test_only_the_lead_or_a_leader_of_the_auditee_closes(world):
    lead = _auditor(world)
    audit = _plan(world, lead=lead)
    audit_start(actor=lead, instance=audit)
    audit_report(actor=lead, instance=audit)
    with pytest.raises(PermissionDenied, match="Chỉ trưởng đoàn đánh giá hoặc lãnh đạo"):
        audit_close(actor=world.users["sibling", Role.LEADER], instance=audit)
    audit_close(actor=lead, instance=audit)
    assert audit.state == AuditState.CLOSED


@pytest.mark.parametrize(
    "service, state, message",
    [
        (
            audit_report,
            AuditState.PLANNED,
            "Không thể báo cáo cuộc đánh giá DG-01 ở trạng thái “Đã lập kế hoạch”",
        ),
        (
            audit_close,
            AuditState.PLANNED,
            "Không thể kết thúc cuộc đánh giá DG-01 ở trạng thái “Đã lập kế hoạch”",
        ),
        (
            audit_start,
            AuditState.IN_PROGRESS,
            "Không thể bắt đầu cuộc đánh giá DG-01 ở trạng thái “Đang đánh giá”",
        ),
        (
            audit_close,
            AuditState.IN_PROGRESS,
            "Không thể kết thúc cuộc đánh giá DG-01 ở trạng thái “Đang đánh giá”",
        ),
        (
            audit_cancel,
            AuditState.IN_PROGRESS,
            "Không thể hủy cuộc đánh giá DG-01 ở trạng thái “Đang đánh giá”",
        ),
        (
            audit_report,
            AuditState.CLOSED,
            "Không thể báo cáo cuộc đánh giá DG-01 ở trạng thái “Đã kết thúc”",
        ),
        (
            audit_start,
            AuditState.CANCELLED,
            "Không thể bắt đầu cuộc đánh giá DG-01 ở trạng thái “Đã hủy”",
        ),
    ],
)
def test_a_transition_from_the_wrong_state_is_refused(world, service, state, message):
    lead = _auditor(world)
    audit = _plan(world, lead=lead)
    Audit.objects.filter(pk=audit.pk).update(state=state)
    kwargs = {"reason": "Lý do"} if service is audit_cancel else {}
    with pytest.raises(ValidationError) as refused:
        service(actor=lead, instance=audit, **kwargs)
    assert message in " ".join(refused.value.messages)
    assert Audit.objects.get(pk=audit.pk).state == state


def test_cancel_needs_a_reason_and_a_planner(world):
    audit = _plan(world)
    with pytest.raises(ValidationError, match="Hãy ghi lý do hủy"):
        audit_cancel(actor=world.users["node", Role.OFFICER], instance=audit, reason="  ")
    with pytest.raises(PermissionDenied):
        audit_cancel(actor=world.users["sibling", Role.OFFICER], instance=audit, reason="Hoãn")
    audit_cancel(actor=world.users["node", Role.OFFICER], instance=audit, reason="Hoãn")
    audit.refresh_from_db()
    assert audit.state == AuditState.CANCELLED and audit.cancel_reason == "Hoãn"


def test_update_only_while_planned(world):
    lead = _auditor(world)
    audit = _plan(world, lead=lead)
    audit.title = "Đánh giá bổ sung"
    audit_update(actor=world.users["node", Role.OFFICER], instance=audit)
    assert Audit.objects.get(pk=audit.pk).title == "Đánh giá bổ sung"
    audit_start(actor=lead, instance=audit)
    with pytest.raises(ValidationError, match="Không thể sửa cuộc đánh giá DG-01"):
        audit_update(actor=world.users["node", Role.OFFICER], instance=audit)


def test_start_and_close_resync_the_team_rights(world, monkeypatch):
    synced = []
    monkeypatch.setattr("audits.services.audits.rights_sync_user", synced.append)
    lead = _auditor(world)
    member = _auditor(world, "parent")
    audit = _plan(world, lead=lead, team=[member])
    audit_start(actor=lead, instance=audit)
    assert {u.pk for u in synced} == {lead.pk, member.pk}
    audit_report(actor=lead, instance=audit)
    assert len(synced) == 2
    audit_close(actor=lead, instance=audit)
    assert len(synced) == 4


def test_start_notifies_the_team_and_the_auditee_officers(world):
    lead = _auditor(world)
    audit = _plan(world, lead=lead)
    Notification.objects.all().delete()
    audit_start(actor=lead, instance=audit)
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"sibling_auditor", "node_officer"}


# --- The team's reads while the audit is open ----------------------------------------------------


def test_the_team_reads_the_auditee_procedures_only_while_open(world):
    lead = _auditor(world)
    page = world.node.page.add_child(
        instance=factories_procedure(world, world.node, code="QT-01/STP")
    )
    other = world.parent.page.add_child(
        instance=factories_procedure(world, world.parent, code="QT-01/TP")
    )

    def reads(obj):
        permissions.clear_cache(lead)
        return permissions.has_permission(lead, "procedurepage", permissions.VIEW, obj)

    audit = _plan(world, lead=lead)
    assert not reads(page)
    audit_start(actor=lead, instance=audit)
    assert reads(page) and not reads(other)
    audit_report(actor=lead, instance=audit)
    assert reads(page)
    audit_close(actor=lead, instance=audit)
    assert not reads(page)


def factories_procedure(world, place, *, code):
    from tests.documents.authz_rules import procedure

    tthc = factories.tthc()
    return procedure(place, title=f"Quy trình {code}", code=code, tthc=tthc, live=False)


@pytest.mark.slow  # builds the marked world of the authorization matrix
def test_the_matrix_holds_for_the_audit_screens(db):
    from tests.authz import url_patterns
    from tests.test_authorization_matrix import run_matrix

    only = {
        name
        for name, _route, _conv in url_patterns()
        if name and (name.startswith("audits:") or name == "audit_procedure")
    }
    assert len(only) >= 9
    failures = run_matrix(factories.World.build(objects=True), only=only)
    assert not failures, "\n".join(failures)


# --- Admin ---------------------------------------------------------------------------------------


def _open_procedure_view(client, audit, page):
    from django.urls import reverse

    return client.get(reverse("audit_procedure", args=[audit.pk, page.pk]))


def test_the_team_reads_the_auditee_draft_only_while_open(world, client):
    from django.urls import reverse

    lead = _auditor(world)
    page = world.node.page.add_child(
        instance=factories_procedure(world, world.node, code="QT-07/STP")
    )
    revision = page.save_revision()
    assert revision
    audit = _plan(world, lead=lead)
    client.force_login(lead)
    assert _open_procedure_view(client, audit, page).status_code == 404
    document_list = reverse("documents_list")
    assert client.get(document_list).status_code in (302, 403)

    audit_start(actor=lead, instance=audit)
    response = _open_procedure_view(client, audit, page)
    assert response.status_code == 200
    text = response.content.decode()
    assert "QT-07/STP" in text and "Bước 1" in text
    assert "QT-07/STP" in client.get(document_list).content.decode()
    # Someone else's procedure (the sibling's) is not read through this audit.
    other = world.sibling.page.add_child(
        instance=factories_procedure(world, world.sibling, code="QT-01/STC")
    )
    assert _open_procedure_view(client, audit, other).status_code == 404
    # Not a team member: nothing.
    client.force_login(world.users["parent", Role.AUDITOR])
    assert _open_procedure_view(client, audit, page).status_code == 404

    client.force_login(lead)
    audit_report(actor=lead, instance=audit)
    audit_close(actor=lead, instance=audit)
    assert _open_procedure_view(client, audit, page).status_code == 404
    assert client.get(document_list).status_code in (302, 403)


def test_plan_through_the_admin_form_warns_of_double_booking(world, client):
    from django.urls import reverse

    from audits.models import Clause

    lead = _auditor(world, "node")
    _plan(world, lead=lead, code="DG-01", auditee=world.sibling)
    start, end = _dates()
    client.force_login(world.users["node", Role.OFFICER])
    form = client.get(reverse("audits:add"))
    assert form.status_code == 200
    response = client.post(
        reverse("audits:add"),
        {
            "agency": world.unit.pk,
            "code": "DG-02",
            "title": "Đánh giá Phòng Hành chính",
            "objectives": "Mục tiêu",
            "criteria": "TCVN ISO 9001:2015",
            "planned_start": start.isoformat(),
            "planned_end": end.isoformat(),
            "lead_auditor": lead.pk,
            "clauses": [Clause.objects.get(number="8.5.1").pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    audit = Audit.objects.get(code="DG-02")
    assert audit.created_by == world.users["node", Role.OFFICER]
    assert list(audit.clauses.values_list("number", flat=True)) == ["8.5.1"]
    assert "DG-01" in response.content.decode()  # the warning
    listing = client.get(reverse("audits:index")).content.decode()
    assert "Trùng lịch" in listing and "Đã lập kế hoạch" in listing


def test_the_admin_form_names_a_dependent_team_member(world, client):
    from django.urls import reverse

    worker = _working_auditor(world, world.unit)
    start, end = _dates()
    client.force_login(world.users["parent", Role.OFFICER])
    response = client.post(
        reverse("audits:add"),
        {
            "agency": world.node.pk,
            "code": "DG-03",
            "title": "Đánh giá Sở Tư pháp",
            "objectives": "Mục tiêu",
            "criteria": "TCVN ISO 9001:2015",
            "planned_start": start.isoformat(),
            "planned_end": end.isoformat(),
            "lead_auditor": worker.pk,
        },
    )
    assert response.status_code == 200
    assert "không độc lập" in response.content.decode()
    assert not Audit.objects.exists()


def test_transitions_through_the_admin(world, client):
    from django.urls import reverse

    lead = _auditor(world)
    audit = _plan(world, lead=lead)
    client.force_login(world.users["node", Role.LEADER])
    refused = client.post(reverse("audits:transition", args=[audit.pk, "start"]), follow=True)
    assert "Chỉ trưởng đoàn đánh giá" in refused.content.decode()
    client.force_login(lead)
    client.post(reverse("audits:transition", args=[audit.pk, "start"]))
    audit.refresh_from_db()
    assert audit.state == AuditState.IN_PROGRESS
    wrong = client.post(reverse("audits:transition", args=[audit.pk, "start"]), follow=True)
    assert "ở trạng thái hiện tại" in wrong.content.decode()
    inspect = client.get(reverse("audits:inspect", args=[audit.pk])).content.decode()
    assert "Đang đánh giá" in inspect


def test_the_list_costs_the_same_queries_for_few_and_many_audits(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    lead = _auditor(world)
    _plan(world, lead=lead, code="DG-00")
    client.force_login(world.users["parent", Role.OFFICER])
    url = reverse("audits:index")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(1, 8):
        _plan(world, lead=lead, code=f"DG-{n:02d}", offset=10 + 5 * n, auditee=world.unit)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_the_list_costs_the_same_queries_for_a_team_member(world, client):
    """A person who reads audits only as their team member (the lead from another department)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    lead = _auditor(world)
    _plan(world, lead=lead, code="DG-00")
    client.force_login(lead)
    url = reverse("audits:index")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert "DG-00" in response.content.decode()
    for n in range(1, 8):
        _plan(world, lead=lead, code=f"DG-{n:02d}", offset=10 + 5 * n, auditee=world.unit)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "DG-07" in response.content.decode()
    assert len(many) == len(few)
