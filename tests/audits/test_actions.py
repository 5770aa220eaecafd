"""Corrective actions (issue 8 point 6): every move and its refusals with their messages, the
verifier's qualification and independence, the wait before verification, ineffective back to
planning, closing the nonconformity, overdue derived, and who reaches which action in the admin."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.models import (
    ActionState,
    Audit,
    AuditorQualification,
    AuditState,
    AuditTeamMember,
    Clause,
    CorrectiveAction,
    CorrectiveActionStep,
    Finding,
    FindingKind,
    FindingState,
    TeamRole,
)
from audits.selectors_actions import overdue_label, with_overdue
from audits.services.actions import (
    action_analyse_cause,
    action_close,
    action_implement,
    action_open,
    action_plan,
    action_update,
    action_verify,
)
from audits.services.auditors import qualification_save
from qms.models import Notification, Role
from qms.services.memberships import membership_create
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _days(n):
    return TODAY() + datetime.timedelta(days=n)


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


_codes = iter(range(1, 10_000))


def _finding(world, *, agency=None, kind=FindingKind.MINOR_NC, audit=None, **extra):
    return Finding.objects.create(
        agency=agency or world.node,
        code=f"PH-T-{next(_codes):04d}",
        kind=kind,
        audit=audit,
        clause=Clause.objects.get(number="8.5.1"),
        description="Hồ sơ TTHC trả kết quả trễ hạn không có phiếu xin lỗi.",
        evidence="3/20 hồ sơ tháng 5 kiểm tra ngẫu nhiên.",
        raised_on=TODAY(),
        **extra,
    )


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


def _open(world, people, finding=None, **extra):
    kwargs = {
        "actor": people["officer"],
        "finding": finding or _finding(world),
        "owner": people["owner"],
        "due_date": _days(30),
        "correction": "Gọi điện xin lỗi công dân.",
        "verifier": people["verifier"],
        **extra,
    }
    return action_open(**kwargs)


def _analysed(world, people, **extra):
    action = _open(world, people, **extra)
    return action_analyse_cause(
        actor=people["owner"],
        instance=action,
        whys=["Không theo dõi hạn", "Phần mềm không nhắc"],
        fishbone={"people": ["Chưa được hướng dẫn"], "method": ["Quy trình thiếu bước"]},
        root_cause="Quy trình không có bước theo dõi hạn.",
    )


def _planned(world, people, **extra):
    action = _analysed(world, people, **extra)
    return action_plan(
        actor=people["owner"],
        instance=action,
        plan="Bổ sung bước theo dõi hạn vào quy trình.",
        due_date=_days(20),
    )


def _implemented(world, people, **extra):
    action = _planned(world, people, **extra)
    return action_implement(
        actor=people["owner"], instance=action, implementation="Đã sửa quy trình, tập huấn."
    )


def _age(action, days):
    """Pretend the action was implemented ``days`` days ago."""
    moment = timezone.now() - datetime.timedelta(days=days)
    CorrectiveAction.objects.filter(pk=action.pk).update(implemented_at=moment)
    action.refresh_from_db()
    return action


# --- Open -------------------------------------------------------------------------------------


def test_open_assigns_the_owner_in_their_unit_and_notifies(world, people):
    action = _open(world, people)
    assert action.code == f"HĐKP-{TODAY().year}-0001"
    assert action.state == ActionState.OPEN
    assert action.owner_unit == world.unit
    assert action.created_by == people["officer"]
    assert action.finding.state == FindingState.ACTION_REQUIRED
    step = action.steps.get()
    assert (step.from_state, step.to_state, step.actor) == ("", "open", people["officer"])
    assert action.history.first().history_user == people["officer"]
    told = Notification.objects.get(recipient=people["owner"])
    assert action.code in told.title
    second = _open(world, people)
    assert second.code.endswith("-0002")


def test_only_a_nonconformity_not_closed_gets_an_action(world, people):
    observation = _finding(world, kind=FindingKind.OBSERVATION)
    with pytest.raises(ValidationError, match="chỉ điểm không phù hợp"):
        _open(world, people, finding=observation)
    closed = _finding(world, state=FindingState.CLOSED)
    with pytest.raises(ValidationError, match="đã đóng"):
        _open(world, people, finding=closed)
    assert not CorrectiveAction.objects.exists()


def test_staff_and_other_agencies_may_not_open(world, people):
    for actor in (world.users["node", Role.STAFF], world.users["sibling", Role.OFFICER]):
        with pytest.raises(PermissionDenied, match="Chỉ cán bộ đầu mối ISO"):
            _open(world, people, actor=actor)
    # An officer of the body above may.
    assert _open(world, people, actor=world.users["parent", Role.OFFICER]).pk


def test_the_lead_auditor_of_the_open_audit_opens_one(world, people):
    lead = people["verifier"]
    audit = Audit.objects.create(
        agency=world.node,
        code="DG-X",
        title="Đánh giá",
        objectives="x",
        criteria="y",
        planned_start=TODAY(),
        planned_end=_days(1),
        lead_auditor=lead,
        state=AuditState.IN_PROGRESS,
    )
    AuditTeamMember.objects.create(audit=audit, user=lead, role=TeamRole.LEAD)
    finding = _finding(world, audit=audit)
    other = world.users["parent", Role.AUDITOR]
    _qualify(other, world.parent)
    action = _open(world, people, finding=finding, actor=lead, verifier=other)
    assert action.created_by == lead
    Audit.objects.filter(pk=audit.pk).update(state=AuditState.CLOSED)
    with pytest.raises(PermissionDenied):
        _open(world, people, finding=finding, actor=lead, verifier=other)


def test_the_owner_must_work_in_the_agency(world, people):
    with pytest.raises(ValidationError) as refused:
        _open(world, people, owner=world.users["sibling", Role.STAFF])
    assert "không phải cán bộ, công chức, viên chức đang làm việc" in str(refused.value)
    # An auditor role is not a working role.
    with pytest.raises(ValidationError, match="đang làm việc"):
        _open(world, people, owner=world.users["node", Role.AUDITOR])


def test_the_verifier_is_never_the_owner(world, people):
    owner = people["verifier"]
    membership_create(
        actor=None,
        user=owner,
        agency=world.node,
        role=Role.STAFF,
        start_date=datetime.date(2020, 1, 1),
    )
    with pytest.raises(ValidationError) as refused:
        _open(world, people, owner=owner, verifier=owner)
    assert "là người thực hiện nên không xác nhận" in str(refused.value)


def test_the_verifier_is_not_from_the_owners_unit(world, people):
    colleague = factories.member(world.unit, Role.STAFF, username="colleague", last_name="Đồng")
    membership_create(
        actor=None,
        user=colleague,
        agency=world.parent,
        role=Role.AUDITOR,
        start_date=datetime.date(2020, 1, 1),
    )
    _qualify(colleague, world.parent)
    with pytest.raises(ValidationError) as refused:
        _open(world, people, verifier=colleague)
    assert "không độc lập với người thực hiện" in str(refused.value)
    assert "Phòng Hành chính thử" in str(refused.value)


def test_an_unqualified_verifier_is_refused(world, people):
    with pytest.raises(ValidationError) as refused:
        _open(world, people, verifier=world.users["parent", Role.AUDITOR])
    assert "chưa có chứng chỉ đánh giá viên nội bộ còn hiệu lực" in str(refused.value)


def test_the_verifier_may_be_named_later(world, people):
    action = _open(world, people, verifier=None)
    action.verifier = people["verifier"]
    action_update(actor=people["officer"], instance=action)
    assert CorrectiveAction.objects.get(pk=action.pk).verifier == people["verifier"]
    with pytest.raises(PermissionDenied):
        action.due_date = _days(40)
        action_update(actor=people["owner"], instance=action)


# --- Cause, plan, implementation -------------------------------------------------------------


def test_analyse_records_whys_fishbone_and_root_cause(world, people):
    action = _analysed(world, people)
    assert action.state == ActionState.CAUSE_ANALYSED
    assert action.whys == ["Không theo dõi hạn", "Phần mềm không nhắc"]
    assert action.fishbone == {
        "people": ["Chưa được hướng dẫn"],
        "method": ["Quy trình thiếu bước"],
    }
    with pytest.raises(ValidationError, match="ở trạng thái “Đã phân tích nguyên nhân”"):
        action_analyse_cause(actor=people["owner"], instance=action, whys=["a"], root_cause="b")


def test_analyse_refusals(world, people):
    action = _open(world, people)
    with pytest.raises(PermissionDenied, match="Chỉ người thực hiện Chủ"):
        action_analyse_cause(
            actor=world.users["sibling", Role.OFFICER], instance=action, whys=["a"], root_cause="b"
        )
    with pytest.raises(ValidationError) as refused:
        action_analyse_cause(
            actor=people["officer"],
            instance=action,
            whys=["", " "],
            fishbone={"luck": ["x"]},
            root_cause="",
        )
    errors = refused.value.message_dict
    assert set(errors) == {"whys", "root_cause", "fishbone"}
    assert "“luck”" in errors["fishbone"][0]
    assert CorrectiveAction.objects.get(pk=action.pk).state == ActionState.OPEN
    # The agency's officer may analyse in the owner's stead.
    action_analyse_cause(actor=people["officer"], instance=action, whys=["a"], root_cause="b")


def test_plan_refuses_a_past_due_date_and_an_empty_plan(world, people):
    action = _analysed(world, people)
    with pytest.raises(ValidationError) as refused:
        action_plan(actor=people["owner"], instance=action, plan=" ", due_date=_days(-1))
    assert set(refused.value.message_dict) == {"plan", "due_date"}
    assert "đã qua" in refused.value.message_dict["due_date"][0]


def test_implement_by_the_owner_with_evidence_files(world, people):
    action = _planned(world, people)
    with pytest.raises(PermissionDenied, match="Chỉ người thực hiện Chủ báo cáo"):
        action_implement(actor=people["officer"], instance=action, implementation="x")
    with pytest.raises(ValidationError, match="kết quả thực hiện"):
        action_implement(actor=people["owner"], instance=action, implementation=" ")
    bad = SimpleUploadedFile("bien-ban.pdf", b"not a pdf")
    with pytest.raises(ValidationError, match="không phải là tệp .pdf"):
        action_implement(actor=people["owner"], instance=action, implementation="x", files=[bad])
    good = SimpleUploadedFile("bien-ban.pdf", factories.pdf_bytes())
    action = action_implement(
        actor=people["owner"], instance=action, implementation="Đã sửa.", files=[good]
    )
    assert action.state == ActionState.IMPLEMENTED
    assert action.implemented_at is not None
    document = action.evidence_documents.get()
    assert document.collection_id == world.node.collection_id
    assert Notification.objects.filter(recipient=people["verifier"]).exists()


# --- Verification and closing -----------------------------------------------------------------


def test_verify_only_by_the_verifier_and_not_too_early(world, people):
    action = _implemented(world, people)
    with pytest.raises(PermissionDenied, match="Chỉ người xác nhận hiệu lực"):
        action_verify(actor=people["officer"], instance=action, effective=True)
    earliest = (_days(30)).strftime("%d/%m/%Y")
    with pytest.raises(ValidationError) as refused:
        action_verify(actor=people["verifier"], instance=action, effective=True)
    assert f"sớm nhất từ ngày {earliest}" in str(refused.value)
    action = _age(action, 30)
    action = action_verify(actor=people["verifier"], instance=action, effective=True, note="Tốt.")
    assert action.state == ActionState.VERIFIED_EFFECTIVE
    assert action.verified_at is not None


def test_a_verifier_no_longer_qualified_is_refused(world, people):
    action = _age(_implemented(world, people), 31)
    AuditorQualification.objects.filter(user=people["verifier"]).update(
        valid_until=_days(-1), qualified_on=datetime.date(2024, 5, 10)
    )
    with pytest.raises(ValidationError, match="chưa có chứng chỉ"):
        action_verify(actor=people["verifier"], instance=action, effective=True)


def test_ineffective_goes_back_to_planning_with_a_note(world, people):
    action = _age(_implemented(world, people), 30)
    with pytest.raises(ValidationError, match="vì sao"):
        action_verify(actor=people["verifier"], instance=action, effective=False)
    Notification.objects.all().delete()
    action = action_verify(
        actor=people["verifier"], instance=action, effective=False, note="Vẫn trễ hạn."
    )
    assert action.state == ActionState.ACTION_PLANNED
    assert action.verification_note == "Vẫn trễ hạn."
    assert Notification.objects.filter(recipient=people["owner"]).exists()
    step = action.steps.order_by("-pk").first()
    assert (step.from_state, step.to_state, step.note) == (
        "implemented",
        "action_planned",
        "Vẫn trễ hạn.",
    )
    # The plan is revised and implemented again.
    action_plan(
        actor=people["owner"], instance=action, plan="Thêm nhắc tự động.", due_date=_days(9)
    )
    action = action_implement(actor=people["owner"], instance=action, implementation="Đã làm.")
    assert action.state == ActionState.IMPLEMENTED


def test_close_closes_the_finding_when_all_its_actions_are_closed(world, people):
    first = _age(_implemented(world, people), 30)
    finding = first.finding
    second = _age(_implemented(world, people, finding=finding), 30)
    for action in (first, second):
        action_verify(actor=people["verifier"], instance=action, effective=True)
    with pytest.raises(PermissionDenied, match="không tự đóng"):
        action_close(actor=people["owner"], instance=first)
    with pytest.raises(PermissionDenied, match="Chỉ cán bộ đầu mối ISO"):
        action_close(actor=world.users["node", Role.STAFF], instance=first)
    action_close(actor=people["leader"], instance=first)
    finding.refresh_from_db()
    assert finding.state == FindingState.ACTION_REQUIRED
    action_close(actor=people["verifier"], instance=second)
    finding.refresh_from_db()
    assert finding.state == FindingState.CLOSED
    with pytest.raises(ValidationError, match="ở trạng thái “Đã đóng”"):
        action_close(actor=people["leader"], instance=first)
    moves = list(
        CorrectiveActionStep.objects.filter(action=first).values_list("to_state", flat=True)
    )
    assert moves == [
        "open",
        "cause_analysed",
        "action_planned",
        "implemented",
        "verified_effective",
        "closed",
    ]


# --- Overdue ------------------------------------------------------------------------------------


def test_overdue_is_derived(world, people):
    action = _planned(world, people)
    CorrectiveAction.objects.filter(pk=action.pk).update(due_date=_days(-3))
    row = with_overdue(CorrectiveAction.objects.all(), TODAY()).get()
    assert row.is_overdue and row.days_overdue == 3
    assert overdue_label(row) == "Quá hạn 3 ngày"
    later = with_overdue(CorrectiveAction.objects.all(), _days(-5)).get()
    assert not later.is_overdue and later.days_overdue == 0
    CorrectiveAction.objects.filter(pk=action.pk).update(state=ActionState.IMPLEMENTED)
    assert not with_overdue(CorrectiveAction.objects.all(), TODAY()).get().is_overdue


# --- The admin: who reaches what -----------------------------------------------------------------


def _inspect(client, action):
    return client.get(reverse("corrective_actions:inspect", args=[action.pk]))


def test_the_owner_reaches_their_action_and_nothing_else(world, people, client):
    mine = _open(world, people)
    other_owner = factories.member(world.unit, Role.STAFF, username="other")
    other = _open(world, people, owner=other_owner)
    client.force_login(people["owner"])
    page = _inspect(client, mine)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hồ sơ TTHC trả kết quả trễ hạn" in text  # the finding's description
    assert "8.5.1" in text
    assert _inspect(client, other).status_code == 404
    listing = client.get(reverse("corrective_actions:index")).content.decode()
    assert mine.code in listing and other.code not in listing
    from qms import permissions

    assert not permissions.has_permission(people["owner"], "finding", "view", mine.finding)
    # The owner acts through the transitions.
    response = client.post(
        reverse("corrective_actions:transition", args=[mine.pk, "analyse"]),
        {"why_1": "Không theo dõi hạn", "root_cause": "Thiếu bước", "fish_people": "A\nB"},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.state == ActionState.CAUSE_ANALYSED
    assert mine.fishbone == {"people": ["A", "B"]}
    assert client.get(reverse("corrective_actions:edit", args=[mine.pk])).status_code in (302, 403)


def test_the_verifier_reaches_the_action_until_verified(world, people, client):
    action = _age(_implemented(world, people), 30)
    client.force_login(people["verifier"])
    assert _inspect(client, action).status_code == 200
    history = reverse("corrective_actions:history", args=[action.pk])
    assert client.get(history).status_code == 200
    response = client.post(
        reverse("corrective_actions:transition", args=[action.pk, "verify"]),
        {"effective": "1", "note": "Đạt."},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.state == ActionState.VERIFIED_EFFECTIVE
    assert _inspect(client, action).status_code == 404


def test_another_agency_sees_nothing(world, people, client):
    action = _implemented(world, people)
    client.force_login(world.users["sibling", Role.OFFICER])
    listing = client.get(reverse("corrective_actions:index"))
    assert action.code not in listing.content.decode()
    export = client.get(reverse("corrective_actions:index") + "?export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert action.code not in cells
    assert _inspect(client, action).status_code == 404
    history = reverse("corrective_actions:history", args=[action.pk])
    assert client.get(history).status_code == 404


def test_evidence_files_open_for_readers_of_the_action_only(world, people, client):
    action = _planned(world, people)
    client.force_login(people["owner"])
    upload = SimpleUploadedFile("bien-ban.pdf", factories.pdf_bytes(), "application/pdf")
    response = client.post(
        reverse("corrective_actions:transition", args=[action.pk, "implement"]),
        {"implementation": "Đã sửa quy trình.", "files": [upload]},
    )
    assert response.status_code == 302
    document = action.evidence_documents.get()
    url = reverse("corrective_action_evidence", args=[action.pk, document.pk])
    inspect = _inspect(client, action).content.decode()
    assert url in inspect
    assert client.get(url).status_code == 200
    client.force_login(people["verifier"])
    assert client.get(url).status_code == 200
    client.force_login(world.users["sibling", Role.OFFICER])
    assert client.get(url).status_code == 404


def test_add_from_a_finding(world, people, client):
    finding = _finding(world)
    client.force_login(people["officer"])
    form = client.get(reverse("corrective_actions:add") + f"?finding={finding.pk}")
    assert form.status_code == 200
    assert f'value="{finding.pk}" selected' in form.content.decode()
    response = client.post(
        reverse("corrective_actions:add"),
        {
            "finding": finding.pk,
            "owner": people["owner"].pk,
            "due_date": _days(15).isoformat(),
            "correction": "Xin lỗi công dân.",
            "verifier": "",
            "verification_wait_days": 30,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    action = CorrectiveAction.objects.get()
    assert action.owner == people["owner"] and action.owner_unit == world.unit


def test_the_inspect_view_shows_the_steps_and_the_overdue_flag(world, people, client):
    action = _planned(world, people)
    CorrectiveAction.objects.filter(pk=action.pk).update(due_date=_days(-2))
    client.force_login(people["officer"])
    text = _inspect(client, action).content.decode()
    assert "Ai chuyển trạng thái, khi nào" in text
    assert "Quá hạn 2 ngày" in text
    assert "Chưa được hướng dẫn" in text and "Con người" in text
    listing = client.get(reverse("corrective_actions:index") + "?overdue=yes").content.decode()
    assert action.code in listing and "Quá hạn 2 ngày" in listing


def test_the_list_costs_the_same_queries_for_few_and_many_actions(world, people, client):
    finding = _finding(world)
    _open(world, people, finding=finding)
    url = reverse("corrective_actions:index")
    for user in (people["officer"], people["owner"]):
        client.force_login(user)
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        for _n in range(6):
            _open(world, people, finding=finding)
        with CaptureQueriesContext(connection) as many:
            assert client.get(url).status_code == 200
        assert len(many) == len(few), user


def test_the_team_of_an_open_audit_reads_the_auditees_actions(world, people):
    from qms import permissions

    action = _open(world, people)
    member = world.users["parent", Role.AUDITOR]
    audit = Audit.objects.create(
        agency=world.node,
        code="DG-Y",
        title="Đánh giá",
        objectives="x",
        criteria="y",
        planned_start=TODAY(),
        planned_end=_days(1),
        lead_auditor=member,
        state=AuditState.PLANNED,
    )
    AuditTeamMember.objects.create(audit=audit, user=member, role=TeamRole.LEAD)
    sibling_auditor = factories.member(world.sibling, Role.AUDITOR, username="teammate")
    AuditTeamMember.objects.create(audit=audit, user=sibling_auditor, role=TeamRole.MEMBER)
    assert not permissions.has_permission(sibling_auditor, "correctiveaction", "view", action)
    Audit.objects.filter(pk=audit.pk).update(state=AuditState.IN_PROGRESS)
    assert permissions.has_permission(sibling_auditor, "correctiveaction", "view", action)
    Audit.objects.filter(pk=audit.pk).update(agency=world.sibling)
    assert not permissions.has_permission(sibling_auditor, "correctiveaction", "view", action)
    Audit.objects.filter(pk=audit.pk).update(agency=world.parent, state=AuditState.CLOSED)
    assert not permissions.has_permission(sibling_auditor, "correctiveaction", "view", action)
