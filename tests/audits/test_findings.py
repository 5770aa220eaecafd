"""Findings (issue 8 point 5): recording by an open audit's team or by the agency's officers and
leaders, with each refusal's message; recurrence within 12 months; closing an observation with a
response; the audit that may not close while a nonconformity has no corrective action; scoping of
the admin screens; the team's reads only while the audit is open."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.models import (
    AuditState,
    ChecklistItem,
    Clause,
    CorrectiveAction,
    Finding,
    FindingKind,
    FindingSource,
    FindingState,
)
from audits.selectors_findings import nonconformities_without_action
from audits.services.audits import audit_close, audit_report, audit_start
from audits.services.findings import finding_record, finding_respond_close, finding_update
from qms import permissions
from qms.models import Notification, Role
from tests import factories
from tests.audits.test_audits import _auditor, _plan, factories_procedure

pytestmark = pytest.mark.django_db


def _clause(number="8.5.1"):
    return Clause.objects.get(number=number)


@pytest.fixture
def lead(world):
    return _auditor(world)


@pytest.fixture
def audit(world, lead):
    audit = _plan(world, lead=lead)
    audit_start(actor=lead, instance=audit)
    return audit


def _finding(world, *, audit=None, kind=FindingKind.MINOR_NC, agency=None, **extra):
    extra.setdefault("source", FindingSource.INTERNAL_AUDIT if audit else FindingSource.COMPLAINT)
    return Finding(
        agency=agency or world.node,
        audit=audit,
        kind=kind,
        clause=extra.pop("clause", _clause()),
        description=extra.pop("description", "Hồ sơ trả kết quả không có phiếu kiểm soát."),
        evidence=extra.pop("evidence", "Hồ sơ số 12/2026"),
        raised_on=extra.pop("raised_on", timezone.localdate()),
        **extra,
    )


def _record(world, actor, **kwargs):
    return finding_record(actor=actor, instance=_finding(world, **kwargs))


def _procedure(world, code="QT-01/STP"):
    return world.node.page.add_child(instance=factories_procedure(world, world.node, code=code))


def _closed_nc(world, *, closed_on, procedure=None, code):
    officer = world.users["node", Role.OFFICER]
    finding = _record(world, officer, procedure=procedure)
    closed_at = timezone.make_aware(datetime.datetime.combine(closed_on, datetime.time(10)))
    Finding.objects.filter(pk=finding.pk).update(
        state=FindingState.CLOSED, closed_at=closed_at, code=code
    )
    return Finding.objects.get(pk=finding.pk)


def _action(finding, world, code="HD-01"):
    return CorrectiveAction.objects.create(
        finding=finding,
        code=code,
        owner=world.users["node", Role.STAFF],
        owner_unit=world.node,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )


# --- Recording -----------------------------------------------------------------------------------


def test_the_team_records_a_nonconformity_of_the_open_audit(world, audit, lead):
    Notification.objects.all().delete()
    finding = _record(world, lead, audit=audit)
    year = timezone.localdate().year
    assert finding.code == f"PH-{year}-0001"
    assert finding.state == FindingState.ACTION_REQUIRED
    assert finding.raised_by == lead and finding.recurrence_of is None
    assert finding.history.first().history_user == lead
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"node_officer", "node_leader"}
    second = _record(world, lead, audit=audit, agency=world.unit, kind=FindingKind.OBSERVATION)
    assert second.code == f"PH-{year}-0002" and second.state == FindingState.OPEN


def test_someone_off_the_team_may_not_record_the_audit_findings(world, audit):
    with pytest.raises(PermissionDenied, match="Chỉ thành viên đoàn đánh giá DG-01"):
        _record(world, world.users["node", Role.OFFICER], audit=audit)
    assert not Finding.objects.exists()


def test_a_planned_or_closed_audit_takes_no_findings(world, lead):
    audit = _plan(world, lead=lead)
    with pytest.raises(ValidationError) as refused:
        _record(world, lead, audit=audit)
    assert "audit" in refused.value.error_dict
    assert "ở trạng thái “Đã lập kế hoạch”" in str(refused.value)


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"description": "  "}, "description", "Hãy mô tả phát hiện."),
        ({"agency": "sibling"}, "agency", "không thuộc đơn vị được đánh giá"),
        ({"source": FindingSource.COMPLAINT}, "source", "có nguồn “Đánh giá nội bộ”"),
    ],
)
def test_an_audit_finding_is_checked_field_by_field(world, audit, lead, change, field, message):
    if change.get("agency") == "sibling":
        change["agency"] = world.sibling
    with pytest.raises(ValidationError) as refused:
        _record(world, lead, audit=audit, **change)
    assert field in refused.value.error_dict
    assert message in " ".join(refused.value.error_dict[field][0].messages)
    assert not Finding.objects.exists()


def test_the_issue_must_belong_to_the_procedure(world, audit, lead):
    page = _procedure(world)
    other = _procedure(world, code="QT-02/STP")
    issue = factories.procedure_publish(other).procedure_issue
    with pytest.raises(ValidationError) as refused:
        _record(world, lead, audit=audit, procedure=page, procedure_issue=issue)
    assert "procedure_issue" in refused.value.error_dict
    assert "không thuộc quy trình" in str(refused.value)
    finding = _record(world, lead, audit=audit, procedure_issue=issue)
    assert finding.procedure_id == other.pk


def test_officers_record_findings_of_other_sources(world):
    officer = world.users["parent", Role.OFFICER]
    finding = _record(world, officer, source=FindingSource.COMPLAINT)
    assert finding.audit is None and finding.state == FindingState.ACTION_REQUIRED
    with pytest.raises(PermissionDenied, match="Chỉ cán bộ đầu mối ISO, lãnh đạo"):
        _record(world, world.users["node", Role.STAFF], source=FindingSource.COMPLAINT)
    with pytest.raises(PermissionDenied):
        _record(world, world.users["sibling", Role.OFFICER], source=FindingSource.COMPLAINT)
    with pytest.raises(ValidationError, match="cần chọn cuộc đánh giá"):
        _record(world, officer, source=FindingSource.INTERNAL_AUDIT)


# --- Recurrence ----------------------------------------------------------------------------------


def test_a_nonconformity_closed_within_12_months_makes_a_recurrence(world):
    page = _procedure(world)
    today = timezone.localdate()
    earlier = _closed_nc(
        world, closed_on=today - relativedelta(months=11), procedure=page, code="A"
    )
    finding = _record(world, world.users["node", Role.OFFICER], procedure=page)
    assert finding.recurrence_of == earlier and finding.is_recurrence


def test_one_closed_13_months_ago_is_no_recurrence(world):
    page = _procedure(world)
    today = timezone.localdate()
    _closed_nc(world, closed_on=today - relativedelta(months=13), procedure=page, code="A")
    finding = _record(world, world.users["node", Role.OFFICER], procedure=page)
    assert finding.recurrence_of is None


def test_another_procedure_or_an_observation_is_no_recurrence(world):
    page, other = _procedure(world), _procedure(world, code="QT-02/STP")
    today = timezone.localdate()
    _closed_nc(world, closed_on=today - relativedelta(months=2), procedure=page, code="A")
    officer = world.users["node", Role.OFFICER]
    assert _record(world, officer, procedure=other).recurrence_of is None
    observation = _record(world, officer, procedure=page, kind=FindingKind.OBSERVATION)
    assert observation.recurrence_of is None
    assert _record(world, officer, procedure=page, agency=world.unit).recurrence_of is None


# --- Update and close ----------------------------------------------------------------------------


def test_update_while_not_closed(world, audit, lead):
    finding = _record(world, lead, audit=audit, kind=FindingKind.OBSERVATION)
    finding.description = "Biểu mẫu chưa cập nhật."
    finding.kind = FindingKind.MAJOR_NC
    finding_update(actor=lead, instance=finding)
    finding.refresh_from_db()
    assert finding.description == "Biểu mẫu chưa cập nhật."
    assert finding.state == FindingState.ACTION_REQUIRED
    _action(finding, world)
    finding.kind = FindingKind.OBSERVATION
    with pytest.raises(ValidationError, match="đã có hành động khắc phục"):
        finding_update(actor=lead, instance=finding)
    Finding.objects.filter(pk=finding.pk).update(state=FindingState.CLOSED)
    finding.refresh_from_db()
    with pytest.raises(ValidationError, match="đã đóng: không sửa được nữa"):
        finding_update(actor=lead, instance=finding)


def test_an_observation_closes_with_a_response_by_an_officer(world, audit, lead):
    finding = _record(world, lead, audit=audit, kind=FindingKind.OPPORTUNITY)
    with pytest.raises(PermissionDenied, match="Chỉ cán bộ đầu mối ISO, lãnh đạo"):
        finding_respond_close(actor=lead, instance=finding, response="Đã xem")
    with pytest.raises(ValidationError, match="Hãy ghi ý kiến phản hồi"):
        finding_respond_close(actor=world.users["node", Role.OFFICER], instance=finding)
    officer = world.users["node", Role.OFFICER]
    finding_respond_close(actor=officer, instance=finding, response="Sẽ cải tiến biểu mẫu.")
    finding.refresh_from_db()
    assert finding.state == FindingState.CLOSED and finding.closed_at
    assert finding.response == "Sẽ cải tiến biểu mẫu."
    assert finding.history.first().history_user == officer
    with pytest.raises(ValidationError, match="đã đóng"):
        finding_respond_close(actor=officer, instance=finding, response="Lần nữa")


def test_a_nonconformity_closes_only_through_its_actions(world, audit, lead):
    finding = _record(world, lead, audit=audit)
    with pytest.raises(ValidationError, match="chỉ đóng khi các hành động khắc phục"):
        finding_respond_close(
            actor=world.users["node", Role.OFFICER], instance=finding, response="Xong"
        )


# --- The audit's close -----------------------------------------------------------------------------


def test_the_audit_closes_only_when_each_nonconformity_has_an_action(world, audit, lead):
    nc = _record(world, lead, audit=audit)
    _record(world, lead, audit=audit, kind=FindingKind.OBSERVATION)
    audit_report(actor=lead, instance=audit)
    assert list(nonconformities_without_action(audit)) == [nc]
    with pytest.raises(ValidationError) as refused:
        audit_close(actor=lead, instance=audit)
    assert f"điểm không phù hợp {nc.code} chưa có hành động khắc phục" in str(refused.value)
    audit.refresh_from_db()
    assert audit.state == AuditState.REPORTED
    _action(nc, world)
    audit_close(actor=lead, instance=audit)
    assert audit.state == AuditState.CLOSED


# --- Reads ---------------------------------------------------------------------------------------


def _reads(user, finding):
    permissions.clear_cache(user)
    return permissions.has_permission(user, "finding", permissions.VIEW, finding)


def test_the_team_reads_the_auditee_findings_only_while_open(world, lead):
    complaint = _record(world, world.users["node", Role.OFFICER], agency=world.unit)
    elsewhere = _record(world, world.users["sibling", Role.OFFICER], agency=world.sibling)
    audit = _plan(world, lead=lead)
    assert not _reads(lead, complaint)
    audit_start(actor=lead, instance=audit)
    own = _record(world, lead, audit=audit)
    assert _reads(lead, complaint) and _reads(lead, own)
    _action(own, world)
    audit_report(actor=lead, instance=audit)
    audit_close(actor=lead, instance=audit)
    assert not _reads(lead, complaint)
    assert _reads(lead, own)  # the audit's own findings, for its report
    # The lead is an auditor of the sibling: an auditor reads findings only by relation
    # (DESIGN.md §6), not even those of their own agency.
    assert not _reads(lead, elsewhere)
    # The owner of an action gets nothing by relation.
    staff = world.users["sibling", Role.STAFF]
    _action(complaint, world, code="HD-09").__class__.objects.filter(code="HD-09").update(
        owner=staff
    )
    assert not _reads(staff, complaint)


# --- Admin ---------------------------------------------------------------------------------------


def test_another_agency_sees_nothing_of_the_finding(world, client):
    finding = _record(world, world.users["node", Role.OFFICER], description="Bí mật mkfind")
    client.force_login(world.users["sibling", Role.OFFICER])
    listing = client.get(reverse("audit_findings:index"))
    assert listing.status_code == 200 and finding.code not in listing.content.decode()
    for name in ("inspect", "history", "edit"):
        url = reverse(f"audit_findings:{name}", args=[finding.pk])
        assert client.get(url).status_code == 404, name
    export = client.get(reverse("audit_findings:index") + "?export=csv")
    assert export.status_code == 200
    assert "mkfind" not in b"".join(export.streaming_content).decode("utf-8-sig")
    form = client.get(reverse("audit_findings:add")).content.decode()
    assert "Sở Tư pháp thử" not in form
    client.force_login(world.users["node", Role.OFFICER])
    listing = client.get(reverse("audit_findings:index")).content.decode()
    assert finding.code in listing and "Cần hành động khắc phục" in listing
    assert client.get(reverse("audit_findings:inspect", args=[finding.pk])).status_code == 200
    assert client.get(reverse("audit_findings:history", args=[finding.pk])).status_code == 200
    export = client.get(reverse("audit_findings:index") + "?export=csv")
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "mkfind" in body and "Không phù hợp nhẹ" in body
    assert client.get(reverse("audit_findings:index") + "?export=xlsx").status_code == 200


def test_record_through_the_form_prefilled_from_a_checklist_item(world, audit, lead, client):
    page = _procedure(world)
    audit.procedures.add(page)
    _closed_nc(
        world,
        closed_on=timezone.localdate() - relativedelta(months=3),
        procedure=page,
        code="PH-2025-0099",
    )
    item = ChecklistItem.objects.create(
        audit=audit,
        clause=_clause(),
        procedure=page,
        text="Hồ sơ có phiếu kiểm soát không?",
        notes="Ba hồ sơ thiếu phiếu kiểm soát quá trình.",
    )
    client.force_login(lead)
    url = reverse("audit_findings:add")
    form = client.get(url, {"checklist_item": item.pk}).content.decode()
    assert "Ba hồ sơ thiếu phiếu kiểm soát quá trình." in form
    response = client.post(
        url,
        {
            "agency": world.node.pk,
            "audit": audit.pk,
            "checklist_item": item.pk,
            "kind": FindingKind.MINOR_NC,
            "source": FindingSource.INTERNAL_AUDIT,
            "clause": _clause().pk,
            "procedure": page.pk,
            "description": "Ba hồ sơ thiếu phiếu kiểm soát quá trình.",
            "evidence": "Hồ sơ 01, 02, 03",
            "raised_on": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    assert response.status_code == 200
    finding = Finding.objects.get(checklist_item=item)
    assert finding.raised_by == lead and finding.recurrence_of.code == "PH-2025-0099"
    assert "lặp lại điểm không phù hợp PH-2025-0099" in response.content.decode()
    inspect = client.get(reverse("audit_findings:inspect", args=[finding.pk])).content.decode()
    assert "Chưa có hành động khắc phục." in inspect


def test_the_form_shows_a_refusal_on_its_field(world, audit, lead, client):
    client.force_login(lead)
    response = client.post(
        reverse("audit_findings:add"),
        {
            "agency": world.node.pk,
            "audit": audit.pk,
            "kind": FindingKind.MINOR_NC,
            "source": FindingSource.COMPLAINT,
            "description": "Thiếu phiếu",
            "raised_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert "có nguồn “Đánh giá nội bộ”" in response.content.decode()
    assert not Finding.objects.exists()


def test_close_an_observation_through_the_admin(world, audit, lead, client):
    finding = _record(world, lead, audit=audit, kind=FindingKind.OBSERVATION)
    url = reverse("audit_findings:transition", args=[finding.pk, "respond_close"])
    client.force_login(world.users["node", Role.OFFICER])
    inspect = client.get(reverse("audit_findings:inspect", args=[finding.pk])).content.decode()
    assert "Đóng (kèm phản hồi)" in inspect
    client.post(url, {"response": "Đã điều chỉnh biểu mẫu."})
    finding.refresh_from_db()
    assert finding.state == FindingState.CLOSED and finding.response == "Đã điều chỉnh biểu mẫu."


def _list_queries(client, user, url):
    client.force_login(user)
    client.get(url)  # the first request of a login may re-sync the person's rights
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_list_costs_the_same_queries_for_few_and_many_findings(world, audit, lead, client):
    """For an officer (by role) and for the team's lead (by relation)."""
    _record(world, lead, audit=audit)
    _record(world, lead, audit=audit, kind=FindingKind.OBSERVATION)
    officer = world.users["node", Role.OFFICER]
    url = reverse("audit_findings:index")
    few = {u.pk: _list_queries(client, u, url)[0] for u in (officer, lead)}
    for n in range(6):
        _record(world, lead, audit=audit, kind=FindingKind.OBSERVATION, agency=world.unit)
        _record(world, officer, description=f"Phản ánh {n}")
    for user in (officer, lead):
        count, text = _list_queries(client, user, url)
        assert text.count("PH-") >= 8
        assert count == few[user.pk], user.username


@pytest.mark.slow  # builds the marked world of the authorization matrix
def test_the_matrix_holds_for_the_finding_screens(db):
    from tests.authz import url_patterns
    from tests.test_authorization_matrix import run_matrix

    only = {
        name
        for name, _route, _conv in url_patterns()
        if name and (name.startswith("audit_findings:") or name == "audit_report_pdf")
    }
    assert len(only) >= 8
    failures = run_matrix(factories.World.build(objects=True), only=only)
    assert not failures, "\n".join(failures)
