"""Fixes after the review of issue 8: an audit's finding is the team's (the auditee's officer may
not strip or rewrite it); a recurrence repeats a nonconformity closed before the new one was
raised; the wait before verification is fixed once an action is implemented; the team reads drafts
of the auditee's own procedures only; the team rows' history names who changed them."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audits.models import (
    ActionState,
    AuditTeamMember,
    ChecklistItem,
    Clause,
    Finding,
    FindingKind,
    FindingSource,
    FindingState,
)
from audits.selectors_audits import may_read_procedure
from audits.selectors_findings import recurrence_candidate
from audits.services.actions import action_update, action_verify
from audits.services.audits import audit_close, audit_plan, audit_report, audit_start, audit_update
from audits.services.findings import finding_respond_close, finding_update
from qms.models import Role
from tests import factories
from tests.audits.test_actions import _age, _implemented, _planned, _qualify
from tests.audits.test_audits import _audit, _auditor, _plan, factories_procedure
from tests.audits.test_findings import _action, _closed_nc, _procedure, _record

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(world):
    return _auditor(world)


@pytest.fixture
def audit(world, lead):
    audit = _plan(world, lead=lead)
    audit_start(actor=lead, instance=audit)
    return audit


@pytest.fixture
def people(world):
    owner = factories.member(world.unit, Role.STAFF, username="owner", last_name="Chủ")
    verifier = world.users["sibling", Role.AUDITOR]
    _qualify(verifier, world.sibling)
    return {
        "owner": owner,
        "verifier": verifier,
        "officer": world.users["node", Role.OFFICER],
        "leader": world.users["node", Role.LEADER],
    }


def _item(audit, text="Hồ sơ trả kết quả có phiếu kiểm soát không?"):
    return ChecklistItem.objects.create(
        audit=audit, clause=Clause.objects.get(number="8.5.1"), text=text
    )


def _audit_nc(world, audit, lead, **extra):
    return _record(world, lead, audit=audit, checklist_item=_item(audit), **extra)


def _fresh(finding):
    return Finding.objects.get(pk=finding.pk)


# --- 1. An audit's finding is the team's ------------------------------------------------------


def test_the_auditee_officer_may_not_strip_the_auditors_nonconformity(world, audit, lead):
    nc = _audit_nc(world, audit, lead)
    officer = world.users["node", Role.OFFICER]
    stripped = _fresh(nc)
    stripped.audit = None
    stripped.checklist_item = None
    stripped.source = FindingSource.COMPLAINT
    stripped.kind = FindingKind.OBSERVATION
    with pytest.raises(PermissionDenied) as refused:
        finding_update(actor=officer, instance=stripped)
    assert nc.code in str(refused.value)
    assert "chỉ thành viên đoàn đánh giá sửa được" in str(refused.value)
    after = _fresh(nc)
    assert (after.audit_id, after.checklist_item_id) == (audit.pk, nc.checklist_item_id)
    assert after.source == FindingSource.INTERNAL_AUDIT
    assert after.kind == FindingKind.MINOR_NC and after.state == FindingState.ACTION_REQUIRED
    # Nor may it be closed with a response: a nonconformity closes through its actions.
    with pytest.raises(ValidationError, match=f"Phát hiện {nc.code} là điểm không phù hợp"):
        finding_respond_close(actor=officer, instance=after, response="Không đồng ý.")
    assert _fresh(nc).state == FindingState.ACTION_REQUIRED


@pytest.mark.parametrize(
    "who", [("node", Role.OFFICER), ("node", Role.LEADER), ("parent", Role.OFFICER)]
)
def test_only_the_team_changes_an_audit_finding_even_its_description(world, audit, lead, who):
    nc = _audit_nc(world, audit, lead)
    changed = _fresh(nc)
    changed.description = "Mô tả khác."
    with pytest.raises(PermissionDenied, match=f"Phát hiện {nc.code} thuộc cuộc đánh giá DG-01"):
        finding_update(actor=world.users[who], instance=changed)
    assert _fresh(nc).description == nc.description


def test_the_team_or_an_administrator_changes_the_kind(world, audit, lead):
    nc = _audit_nc(world, audit, lead)
    changed = _fresh(nc)
    changed.kind = FindingKind.OBSERVATION
    with pytest.raises(PermissionDenied, match=nc.code):
        finding_update(actor=world.users["node", Role.OFFICER], instance=changed)
    finding_update(actor=lead, instance=changed)
    assert _fresh(nc).kind == FindingKind.OBSERVATION
    changed = _fresh(nc)
    changed.kind = FindingKind.MAJOR_NC
    finding_update(actor=world.admin, instance=changed)
    after = _fresh(nc)
    assert after.kind == FindingKind.MAJOR_NC and after.state == FindingState.ACTION_REQUIRED


def _other_open_audit(world, lead):
    other = audit_plan(
        actor=world.users["parent", Role.OFFICER],
        instance=_audit(world, lead=lead, code="DG-02", offset=30),
    )
    audit_start(actor=lead, instance=other)
    return other


@pytest.mark.parametrize(
    "change, field",
    [
        ("clear_audit", "audit"),
        ("other_audit", "audit"),
        ("clear_item", "checklist_item"),
        ("other_item", "checklist_item"),
        ("source", "source"),
    ],
)
def test_the_audit_item_and_source_never_change(world, audit, lead, change, field):
    nc = _audit_nc(world, audit, lead)
    changed = _fresh(nc)
    if change == "clear_audit":
        changed.audit = None
    elif change == "other_audit":
        changed.audit = _other_open_audit(world, lead)
    elif change == "clear_item":
        changed.checklist_item = None
    elif change == "other_item":
        changed.checklist_item = _item(audit, text="Câu hỏi khác")
    else:
        changed.source = FindingSource.EXTERNAL_INSPECTION
    for actor in (lead, world.admin):
        with pytest.raises(ValidationError) as refused:
            finding_update(actor=actor, instance=changed)
        assert field in refused.value.error_dict
        assert nc.code in " ".join(refused.value.error_dict[field][0].messages)
    after = _fresh(nc)
    assert (after.audit_id, after.checklist_item_id, after.source) == (
        nc.audit_id,
        nc.checklist_item_id,
        FindingSource.INTERNAL_AUDIT,
    )


def test_an_audit_finding_is_not_changed_once_the_audit_closed(world, audit, lead):
    nc = _audit_nc(world, audit, lead)
    _action(nc, world)
    audit_report(actor=lead, instance=audit)
    audit_close(actor=lead, instance=audit)
    changed = _fresh(nc)
    changed.description = "Sửa sau khi đóng."
    for actor in (lead, world.admin):
        with pytest.raises(ValidationError) as refused:
            finding_update(actor=actor, instance=changed)
        assert "audit" in refused.value.error_dict
        assert f"Phát hiện {nc.code} thuộc cuộc đánh giá DG-01" in str(refused.value)
    assert _fresh(nc).description == nc.description


def test_officers_still_change_findings_of_other_sources_but_not_into_an_audit(world, audit, lead):
    officer = world.users["node", Role.OFFICER]
    complaint = _record(world, officer, source=FindingSource.COMPLAINT)
    changed = _fresh(complaint)
    changed.description = "Khiếu nại về thời hạn."
    changed.source = FindingSource.EXTERNAL_INSPECTION
    finding_update(actor=officer, instance=changed)
    after = _fresh(complaint)
    assert after.description == "Khiếu nại về thời hạn."
    assert after.source == FindingSource.EXTERNAL_INSPECTION
    changed = _fresh(complaint)
    changed.audit = audit
    changed.source = FindingSource.INTERNAL_AUDIT
    for actor in (officer, world.admin):
        with pytest.raises(ValidationError) as refused:
            finding_update(actor=actor, instance=changed)
        assert "audit" in refused.value.error_dict
    assert _fresh(complaint).audit_id is None


def test_an_audit_observation_still_closes_with_a_response(world, audit, lead):
    observation = _record(world, lead, audit=audit, kind=FindingKind.OBSERVATION)
    officer = world.users["node", Role.OFFICER]
    finding_respond_close(actor=officer, instance=observation, response="Sẽ cải tiến.")
    assert _fresh(observation).state == FindingState.CLOSED


# --- 2. Recurrence: closed before the new one was raised --------------------------------------


def test_a_nonconformity_closed_after_the_new_one_was_raised_is_no_recurrence(world):
    page = _procedure(world)
    today = timezone.localdate()
    _closed_nc(world, closed_on=today - datetime.timedelta(days=5), procedure=page, code="A")
    officer = world.users["node", Role.OFFICER]
    late = _record(world, officer, procedure=page, raised_on=today - datetime.timedelta(days=10))
    assert late.recurrence_of is None


def test_the_window_runs_from_12_months_before_to_the_day_raised(world):
    page = _procedure(world)
    raised = timezone.localdate() - datetime.timedelta(days=10)
    same_day = _closed_nc(world, closed_on=raised, procedure=page, code="B")
    _closed_nc(world, closed_on=raised - relativedelta(months=13), procedure=page, code="C")
    finding = _record(world, world.users["node", Role.OFFICER], procedure=page, raised_on=raised)
    assert finding.recurrence_of == same_day


def test_a_finding_is_never_its_own_recurrence(world):
    page = _procedure(world)
    raised = timezone.localdate() - datetime.timedelta(days=3)
    finding = _record(world, world.users["node", Role.OFFICER], procedure=page, raised_on=raised)
    closed_at = timezone.make_aware(datetime.datetime.combine(raised, datetime.time(9)))
    Finding.objects.filter(pk=finding.pk).update(state=FindingState.CLOSED, closed_at=closed_at)
    assert recurrence_candidate(_fresh(finding)) is None


# --- 3. The wait before verification is fixed once implemented -------------------------------


def _lower_wait(people, action, days=0):
    action.refresh_from_db()
    action.verification_wait_days = days
    return action_update(actor=people["officer"], instance=action)


def test_the_wait_is_not_lowered_once_implemented(world, people):
    action = _implemented(world, people)
    wait = action.verification_wait_days
    assert wait > 0
    with pytest.raises(ValidationError) as refused:
        _lower_wait(people, action)
    assert "verification_wait_days" in refused.value.error_dict
    assert action.code in str(refused.value)
    action.refresh_from_db()
    assert action.verification_wait_days == wait
    with pytest.raises(ValidationError, match="Chưa đến lúc xác nhận hiệu lực"):
        action_verify(actor=people["verifier"], instance=action, effective=True)


def test_the_wait_stays_fixed_after_an_ineffective_verification(world, people):
    action = _age(_implemented(world, people), 31)
    action = action_verify(
        actor=people["verifier"], instance=action, effective=False, note="Vẫn trễ hạn."
    )
    assert action.state == ActionState.ACTION_PLANNED and action.implemented_at
    with pytest.raises(ValidationError) as refused:
        _lower_wait(people, action)
    assert "verification_wait_days" in refused.value.error_dict


def test_the_wait_changes_before_implementation(world, people):
    action = _planned(world, people)
    action = _lower_wait(people, action, days=10)
    action.refresh_from_db()
    assert action.verification_wait_days == 10
    # Other changes of an implemented action keep the wait as it is.
    action = _implemented(world, people)
    action.refresh_from_db()
    action.correction = "Đã gọi điện xin lỗi."
    action_update(actor=people["officer"], instance=action)
    action.refresh_from_db()
    assert action.correction == "Đã gọi điện xin lỗi."


# --- 4. The team reads the auditee's own drafts only -------------------------------------------


def _shared_procedure(world):
    """A procedure the province (above the auditee) issued for all below it, live, with a draft."""
    page = world.parent.page.add_child(
        instance=factories_procedure(world, world.parent, code="QT-98/DC")
    )
    factories.procedure_publish(page, shared=True)
    page.refresh_from_db()
    page.title = "Dự thảo bí mật của tỉnh"
    page.save_revision()
    page.refresh_from_db()
    return page


def test_the_team_reads_no_draft_of_a_body_above_in_scope(world, lead, client):
    own = _procedure(world, code="QT-07/STP")
    factories.procedure_publish(own)
    shared = _shared_procedure(world)
    audit = audit_plan(
        actor=world.users["parent", Role.OFFICER],
        instance=_audit(world, lead=lead),
        procedures=[own, shared],
    )
    audit_start(actor=lead, instance=audit)
    assert may_read_procedure(lead, audit, own)
    assert not may_read_procedure(lead, audit, shared)
    client.force_login(lead)
    assert client.get(reverse("audit_procedure", args=[audit.pk, shared.pk])).status_code == 404
    assert client.get(reverse("audit_procedure", args=[audit.pk, own.pk])).status_code == 200
    text = client.get(reverse("audits:inspect", args=[audit.pk])).content.decode()
    assert reverse("audit_procedure", args=[audit.pk, own.pk]) in text
    assert reverse("audit_procedure", args=[audit.pk, shared.pk]) not in text
    public = shared.get_url()
    assert public and f'href="{public}"' in text
    assert "Dự thảo bí mật" not in text


def test_a_procedure_not_live_is_plain_text_for_the_team_of_a_body_above(world, lead, client):
    shared = world.parent.page.add_child(
        instance=factories_procedure(world, world.parent, code="QT-97/DC")
    )
    # Not live, not in force: planned through the model (the service offers in-force ones).
    audit = audit_plan(actor=world.users["parent", Role.OFFICER], instance=_audit(world, lead=lead))
    audit.procedures.add(shared)
    audit_start(actor=lead, instance=audit)
    client.force_login(lead)
    text = client.get(reverse("audits:inspect", args=[audit.pk])).content.decode()
    assert "QT-97/DC" in text
    assert reverse("audit_procedure", args=[audit.pk, shared.pk]) not in text


# --- 5. The team rows' history names who -----------------------------------------------------


def test_the_team_rows_history_names_the_planner(world, lead):
    planner = world.users["parent", Role.OFFICER]
    member = _auditor(world, "parent")
    audit = audit_plan(actor=planner, instance=_audit(world, lead=lead), team=[member])
    created = AuditTeamMember.history.filter(audit_id=audit.pk, history_type="+")
    assert created.count() == 2
    assert {h.history_user for h in created} == {planner}
    # The member becomes the lead (the lead's row changes), the old lead leaves (deleted).
    audit.lead_auditor = member
    audit_update(actor=planner, instance=audit, team=[member])
    changed = AuditTeamMember.history.filter(audit_id=audit.pk, history_type="~")
    deleted = AuditTeamMember.history.filter(audit_id=audit.pk, history_type="-")
    assert changed.count() == 1 and deleted.count() == 1
    assert changed.get().history_user == planner and deleted.get().history_user == planner
