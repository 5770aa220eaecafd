"""The yearly audit programme (issue 9 point 2): the coverage matrix and its gaps listed exactly,
the entries' priority and its reasons (open major nonconformity, recurrence, never or long not
audited, on-time rate from a registered provider), approval by a leader who did not prepare it and
never of an empty programme, approved entries locked until returned to draft, scheduling an entry's
audit prefilled (or linking one), progress per quarter, the unscheduled-audit reminder at most
once, the admin screens' scoping (list, inspect, history, export) and their flat query counts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.models import (
    Audit,
    AuditorQualification,
    AuditProgramme,
    AuditState,
    Clause,
    EntryPriority,
    Finding,
    FindingKind,
    FindingSource,
    FindingState,
    ProgrammeEntry,
    ProgrammeState,
    QualitySystem,
    SystemReminder,
    SystemReminderKind,
)
from audits.selectors_programme import coverage, progress, quarter_bounds
from audits.selectors_register import scope_procedures
from audits.services.auditors import qualification_save
from audits.services.programme import (
    entry_delete,
    entry_priority,
    entry_save,
    entry_schedule,
    programme_approve,
    programme_refresh_priorities,
    programme_reminders_send,
    programme_reopen,
    programme_save,
)
from qms import providers
from qms.models import AgencyKind, Notification, Role
from qms.services.memberships import membership_create
from tests import factories
from tests.documents.authz_rules import procedure as procedure_page

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
NBSP = "\u00a0"


def _clauses(*numbers):
    return list(Clause.objects.filter(number__in=numbers))


def _programme(world, *, agency=None, year=YEAR, actor=None, objectives="Đánh giá toàn hệ thống"):
    return programme_save(
        actor=actor or world.users["node", Role.OFFICER],
        instance=AuditProgramme(agency=agency or world.node, year=year, objectives=objectives),
    )


def _entry(programme, auditee, *, quarter=1, clauses=(), tthc=(), actor=None, note=""):
    return entry_save(
        actor=actor,
        instance=ProgrammeEntry(programme=programme, auditee=auditee, quarter=quarter, note=note),
        clauses=_clauses(*clauses),
        administrative_procedures=list(tthc),
    )


def _approve(world, programme, actor=None):
    return programme_approve(
        actor=actor or world.users["node", Role.LEADER], instance=programme, note="Đồng ý."
    )


def _register(agency, tthc, units=()):
    system = QualitySystem.objects.create(
        agency=agency, scope="Giải quyết thủ tục hành chính", quality_policy="Phục vụ nhân dân"
    )
    system.administrative_procedures.set(tthc)
    system.units.set(units)
    return system


def _by_path(*agencies):
    """The agencies in the tree's order (paths of primary keys, as the matrix orders its rows)."""
    return sorted(agencies, key=lambda a: a.path)


def _qualified_auditor(world, relation="parent"):
    user = world.users[relation, Role.AUDITOR]
    if not AuditorQualification.objects.filter(user=user).exists():
        qualification_save(
            actor=None,
            instance=AuditorQualification(
                user=user,
                agency=getattr(world, relation),
                training="Đánh giá viên nội bộ TCVN ISO 9001:2015",
                qualified_on=datetime.date(2024, 5, 10),
            ),
        )
    return user


def _audit(world, auditee, *, code, state=AuditState.PLANNED, start=None, clauses=(), end=None):
    start = start or datetime.date(YEAR, 5, 4)
    audit = Audit.objects.create(
        agency=auditee,
        code=code,
        title="Đánh giá nội bộ",
        objectives="Mục tiêu",
        criteria="TCVN ISO 9001:2015",
        planned_start=start,
        planned_end=end or start + datetime.timedelta(days=1),
        actual_end=end if state in (AuditState.REPORTED, AuditState.CLOSED) else None,
        lead_auditor=_qualified_auditor(world),
        state=state,
    )
    audit.clauses.set(_clauses(*clauses))
    return audit


def _finding(agency, code, kind, *, state=FindingState.ACTION_REQUIRED, raised_on=None, **extra):
    extra.setdefault("source", FindingSource.COMPLAINT)
    return Finding.objects.create(
        agency=agency,
        code=code,
        kind=kind,
        description="Hồ sơ trả kết quả không có phiếu kiểm soát.",
        raised_on=raised_on or timezone.localdate() - datetime.timedelta(days=30),
        state=state,
        **extra,
    )


# --- Coverage: gaps listed exactly ----------------------------------------------------------------


def test_the_coverage_matrix_lists_exactly_the_uncovered_cells_and_tthc(world):
    # The rows are the units of the system's scope: those the registers in the subtree name, and
    # the agencies holding the registers; not the office nobody registered, nor a unit dissolved
    # before the year.
    office = factories.agency(
        name="Văn phòng Sở thử", kind=AgencyKind.UNIT, parent=world.node, code="STP-VP"
    )
    desk = factories.agency(
        name="Bộ phận một cửa thử", kind=AgencyKind.ONE_STOP, parent=world.node, code="STP-MC"
    )
    dissolved = factories.agency(
        name="Phòng đã giải thể",
        kind=AgencyKind.UNIT,
        parent=world.node,
        code="STP-CU",
        valid_to=datetime.date(YEAR - 1, 12, 31),
    )
    t1 = factories.tthc(code="1.000001", name="Đăng ký khai sinh", agencies=[world.node])
    t2 = factories.tthc(code="1.000002", name="Đăng ký kết hôn", agencies=[world.node])
    t3 = factories.tthc(code="1.000003", name="Chứng thực bản sao", agencies=[world.unit])
    t4 = factories.tthc(code="1.000004", name="Thủ tục của sở khác", agencies=[world.sibling])
    _register(world.node, [t1, t2], units=[desk, dissolved])
    _register(world.unit, [t3])  # no units named: its holder is a row all the same
    _register(world.sibling, [t4], units=[world.sibling])
    programme = _programme(world)
    # Clause 5 by its sub-clause 5.1; clause 9 by the linked audit's 9.1.
    node_entry = _entry(programme, world.node, clauses=("4", "5.1"), tthc=[t1])
    _entry(programme, world.unit, quarter=3, clauses=("8.5.1",))
    _entry(programme, desk, quarter=2, clauses=("4", "5", "7.1", "8", "9"))
    # The office's entry covers nothing of the matrix (a cell needs an entry for that very unit).
    _entry(programme, office, quarter=4, clauses=("6", "10"))
    audit = _audit(world, world.node, code="DG-LINK", clauses=("9.1",))
    ProgrammeEntry.objects.filter(pk=node_entry.pk).update(audit=audit)
    # A sibling's entry in its own programme covers nothing here.
    other = _programme(world, agency=world.sibling, actor=world.users["sibling", Role.OFFICER])
    _entry(other, world.sibling, clauses=("6", "7"), tthc=[t2])

    result = coverage(programme)

    assert [c.number for c in result.clauses] == ["4", "5", "6", "7", "8", "9", "10"]
    rows = _by_path(world.node, world.unit, desk)
    assert [a for a, _cells in result.rows] == rows
    assert result.rows_from_registers
    gaps = {
        "STP": ["6", "7", "8", "10"],
        "STP-HC": ["4", "5", "6", "7", "9", "10"],
        "STP-MC": ["6", "10"],
    }
    assert [(a.code, c.number) for a, c in result.unit_gaps] == [
        (a.code, number) for a in rows for number in gaps[a.code]
    ]
    assert [(t.code, t.name) for t in result.procedure_gaps] == [
        ("1.000002", "Đăng ký kết hôn"),
        ("1.000003", "Chứng thực bản sao"),
    ]
    assert [t.pk for t, _c in result.procedures] == list(
        scope_procedures(world.node).values_list("pk", flat=True)
    )
    assert result.gap_count == 14
    # The province's programme: the registers inside it (the node's, the unit's, the sibling's).
    province = coverage(_programme(world, agency=world.parent, actor=world.admin))
    assert [a for a, _c in province.rows] == _by_path(world.node, world.unit, desk, world.sibling)


def test_without_a_register_the_rows_are_the_body_and_its_units_valid_during_the_year(world):
    office = factories.agency(
        name="Văn phòng Sở thử", kind=AgencyKind.UNIT, parent=world.node, code="STP-VP"
    )
    factories.agency(
        name="Phòng thành lập năm sau",
        kind=AgencyKind.UNIT,
        parent=world.node,
        code="STP-MOI",
        valid_from=datetime.date(YEAR + 1, 1, 1),
    )
    dissolved = factories.agency(
        name="Phòng đã giải thể",
        kind=AgencyKind.UNIT,
        parent=world.node,
        code="STP-CU",
        valid_to=datetime.date(YEAR - 1, 12, 31),
    )
    # Neither a register outside the subtree nor one held by a unit gone before the year counts.
    _register(world.sibling, [], units=[world.sibling])
    _register(dissolved, [], units=[dissolved])
    programme = _programme(world)
    _entry(programme, office, clauses=("4", "5", "6", "7", "8", "9", "10"))

    result = coverage(programme)

    assert not result.rows_from_registers
    assert [a for a, _c in result.rows] == _by_path(world.node, world.unit, office)
    assert [(a.code, [c for _clause, c in cells]) for a, cells in result.rows] == [
        (a.code, [a == office] * 7) for a in _by_path(world.node, world.unit, office)
    ]
    assert len(result.unit_gaps) == 14 and result.procedures == []


def test_a_cancelled_linked_audit_covers_nothing_but_an_audited_procedure_page_does(world):
    t1 = factories.tthc(code="1.000011", name="Cấp phiếu lý lịch tư pháp", agencies=[world.node])
    t2 = factories.tthc(code="1.000012", name="Đăng ký nuôi con nuôi", agencies=[world.node])
    _register(world.node, [t1, t2])
    page = world.node.page.add_child(
        instance=procedure_page(world.node, title="Quy trình lý lịch", code="QT-11/STP", tthc=t1)
    )
    programme = _programme(world)
    first = _entry(programme, world.node, quarter=2)
    second = _entry(programme, world.node, quarter=3)
    done = _audit(world, world.node, code="DG-PAGE", state=AuditState.CLOSED, clauses=("4",))
    done.procedures.set([page])
    cancelled = _audit(world, world.node, code="DG-CAN", state=AuditState.CANCELLED, clauses=("5",))
    ProgrammeEntry.objects.filter(pk=first.pk).update(audit=done)
    ProgrammeEntry.objects.filter(pk=second.pk).update(audit=cancelled)

    result = coverage(programme)

    node_gaps = [c.number for a, c in result.unit_gaps if a == world.node]
    assert node_gaps == ["5", "6", "7", "8", "9", "10"]
    assert [t.code for t in result.procedure_gaps] == ["1.000012"]


def test_the_programme_page_shows_the_matrix_legend_gaps_and_progress(world, client):
    t1 = factories.tthc(code="1.000021", name="Đăng ký khai tử", agencies=[world.node])
    _register(world.node, [t1], units=[world.node, world.unit])
    programme = _programme(world)
    _entry(programme, world.node, clauses=("4", "5", "6", "7", "8", "9", "10"))
    client.force_login(world.users["node", Role.LEADER])
    response = client.get(reverse("audit_programmes:inspect", args=[programme.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Chú giải" in text and "chưa có (khoảng trống)" in text
    assert text.count('class="qms-covered"') == 7  # the node's row
    assert text.count('class="qms-gap"') == 7  # the unit's row
    assert "Đơn vị trong phạm vi hệ thống" in text
    # Compact cells: a mark, the words for screen readers only, the unit and clause on hover.
    assert 'title="Phòng Hành chính thử — Sở Tư pháp thử – Điều 10: chưa có (khoảng trống)"' in text
    assert '—<span class="w-sr-only"> chưa có</span></td>' in text
    assert "visuallyhidden" not in text
    assert "1.000021 – Đăng ký khai tử" in text
    assert "0/1 đã thực hiện" in text
    for raw in ("True", "False", "None"):
        assert f">{raw}<" not in text and f"> {raw} <" not in text
    listing = client.get(reverse("audit_programmes:index")).content.decode()
    assert "0/1 đã thực hiện" in listing and "8 khoảng trống" in listing


# --- Priority ---------------------------------------------------------------------------------------


def test_an_open_major_nonconformity_and_a_recurrence_make_the_entry_high(world):
    _finding(world.unit, "PH-2026-3", FindingKind.MAJOR_NC)
    _finding(world.node, "PH-2026-7", FindingKind.MAJOR_NC)
    _finding(world.node, "PH-2026-8", FindingKind.MAJOR_NC, state=FindingState.CLOSED)
    old = _finding(
        world.node,
        "PH-2025-1",
        FindingKind.MINOR_NC,
        state=FindingState.CLOSED,
        raised_on=timezone.localdate() - datetime.timedelta(days=200),
    )
    _finding(world.node, "PH-2026-9", FindingKind.MINOR_NC, recurrence_of=old)
    programme = _programme(world)
    entry = _entry(programme, world.node)
    assert entry.priority == EntryPriority.HIGH
    assert entry.priority_reasons[:2] == [
        "2 điểm không phù hợp nặng chưa đóng (PH-2026-3, PH-2026-7)",
        "1 điểm không phù hợp lặp lại trong 12 tháng (PH-2026-9)",
    ]
    assert "1 điểm không phù hợp nhẹ chưa đóng (PH-2026-9)" in entry.priority_reasons


def test_never_audited_is_medium_and_the_handled_tthc_are_a_reason(world):
    factories.tthc(code="1.000031", agencies=[world.node])
    factories.tthc(code="1.000032", agencies=[world.unit])
    factories.tthc(code="1.000033", agencies=[world.sibling])
    entry = _entry(_programme(world), world.node)
    assert entry.priority == EntryPriority.MEDIUM
    assert entry.priority_reasons == ["Chưa từng được đánh giá", "Xử lý 2 thủ tục hành chính"]


def test_audited_long_ago_is_medium_and_recently_is_normal(world):
    old_end = timezone.localdate() - datetime.timedelta(days=500)
    _audit(
        world,
        world.node,
        code="DG-OLD",
        state=AuditState.CLOSED,
        start=old_end - datetime.timedelta(days=2),
        end=old_end,
    )
    programme = _programme(world)
    entry = _entry(programme, world.node)
    assert entry.priority == EntryPriority.MEDIUM
    assert entry.priority_reasons == [f"Chưa được đánh giá từ {old_end:%d/%m/%Y}"]
    # An audit of the body above covers the unit too; a recent one leaves it normal.
    recent = timezone.localdate() - datetime.timedelta(days=20)
    _audit(
        world,
        world.parent,
        code="DG-NEW",
        state=AuditState.REPORTED,
        start=recent - datetime.timedelta(days=1),
        end=recent,
    )
    unit_entry = _entry(programme, world.unit)
    assert (unit_entry.priority, unit_entry.priority_reasons) == (EntryPriority.NORMAL, [])


def test_an_on_time_rate_under_95_percent_from_the_provider_is_high(world, monkeypatch):
    asked = []

    def fake(agency, start, end):
        asked.append((agency, start, end))
        if agency == world.node:
            return {"resolved": 1000, "early": 500, "on_time": 412, "late": 88}
        return {"resolved": 200, "early": 150, "on_time": 45, "late": 5}

    monkeypatch.setitem(providers._providers, providers.ON_TIME_PERFORMANCE, [fake])
    _audit(world, world.parent, code="DG-R", state=AuditState.CLOSED, start=timezone.localdate())
    programme = _programme(world)
    entry = _entry(programme, world.node)
    assert entry.priority == EntryPriority.HIGH
    assert entry.priority_reasons == [f"Tỷ lệ đúng hạn 12 tháng qua 91,2{NBSP}%"]
    today = timezone.localdate()
    assert asked[0] == (world.node, today - datetime.timedelta(days=365), today)
    # 97,5 %: no reason.
    unit_entry = _entry(programme, world.unit)
    assert unit_entry.priority_reasons == []


def test_a_quality_objective_missed_in_the_last_12_months_is_high(world, monkeypatch):
    monkeypatch.setitem(providers._providers, providers.ON_TIME_PERFORMANCE, [lambda *a: None])
    _audit(world, world.parent, code="DG-R", state=AuditState.CLOSED, start=timezone.localdate())
    old = timezone.localdate() - datetime.timedelta(days=400)
    _finding(
        world.node,
        "PH-2025-01",
        FindingKind.MINOR_NC,
        state=FindingState.CLOSED,
        raised_on=old,
        source=FindingSource.OBJECTIVE_BREACH,
    )
    programme = _programme(world)
    entry = _entry(programme, world.node)
    assert entry.priority == EntryPriority.NORMAL  # a breach older than 12 months, closed
    breach = _finding(world.node, "PH-2026-21", FindingKind.MINOR_NC, state=FindingState.CLOSED)
    breach.source = FindingSource.OBJECTIVE_BREACH
    breach.save()
    priority, reasons = entry_priority(entry)
    assert priority == EntryPriority.HIGH
    assert reasons == ["1 lần không đạt mục tiêu chất lượng trong 12 tháng (PH-2026-21)"]


def test_no_on_time_answer_gives_no_reason_and_no_error(world, monkeypatch):
    monkeypatch.setitem(providers._providers, providers.ON_TIME_PERFORMANCE, [lambda *a: None])
    priority, reasons = entry_priority(ProgrammeEntry(auditee=world.node, quarter=1))
    assert priority == EntryPriority.MEDIUM
    assert not any("đúng hạn" in r for r in reasons)


def test_refresh_recomputes_the_priorities_of_an_approved_programme(world):
    programme = _programme(world)
    entry = _entry(programme, world.node)
    _approve(world, programme)
    assert entry.priority == EntryPriority.MEDIUM
    _finding(world.node, "PH-2026-11", FindingKind.MAJOR_NC)
    changed = programme_refresh_priorities(
        actor=world.users["parent", Role.AUDITOR], instance=programme
    )
    entry.refresh_from_db()
    assert changed == 1
    assert entry.priority == EntryPriority.HIGH
    assert entry.priority_reasons[0] == "1 điểm không phù hợp nặng chưa đóng (PH-2026-11)"
    assert entry.history.first().history_user == world.users["parent", Role.AUDITOR]
    with pytest.raises(PermissionDenied):
        programme_refresh_priorities(actor=world.users["node", Role.STAFF], instance=programme)


# --- Preparing and approving ---------------------------------------------------------------------


def test_officers_and_auditors_of_the_scope_or_above_prepare_others_are_refused(world):
    for relation, role in (("node", Role.AUDITOR), ("parent", Role.OFFICER)):
        programme = _programme(world, actor=world.users[relation, role], year=YEAR + 1)
        assert programme.created_by == world.users[relation, role]
        assert programme.history.first().history_user == world.users[relation, role]
        programme.delete()
    for relation, role in (("node", Role.LEADER), ("node", Role.STAFF), ("sibling", Role.OFFICER)):
        with pytest.raises(PermissionDenied, match="Sở Tư pháp thử"):
            _programme(world, actor=world.users[relation, role])
    _programme(world)
    with pytest.raises(ValidationError) as caught:
        _programme(world)
    assert caught.value.message_dict["year"] == [
        f"“Sở Tư pháp thử” đã có chương trình đánh giá năm {YEAR}."
    ]


def test_an_auditee_outside_the_scope_is_refused_by_name(world):
    programme = _programme(world)
    with pytest.raises(ValidationError) as caught:
        _entry(programme, world.sibling)
    assert caught.value.message_dict["auditee"] == [
        "“Sở Tài chính thử” không thuộc phạm vi “Sở Tư pháp thử” của chương trình."
    ]
    with pytest.raises(PermissionDenied):
        _entry(programme, world.node, actor=world.users["sibling", Role.OFFICER])


def test_approval_by_a_leader_who_did_not_prepare_it_and_never_empty(world):
    both = factories.member(world.node, Role.OFFICER, username="officer_leader")
    membership_create(
        actor=None,
        user=both,
        agency=world.node,
        role=Role.LEADER,
        start_date=datetime.date(2020, 1, 1),
    )
    programme = _programme(world, actor=both)
    with pytest.raises(PermissionDenied, match="chưa có cuộc đánh giá dự kiến nào"):
        _approve(world, programme)
    _entry(programme, world.node, actor=both)
    with pytest.raises(PermissionDenied, match="không tự phê duyệt"):
        _approve(world, programme, actor=both)
    for relation, role in (
        ("node", Role.OFFICER),
        ("node", Role.AUDITOR),
        ("sibling", Role.LEADER),
    ):
        with pytest.raises(PermissionDenied, match="Chỉ lãnh đạo"):
            _approve(world, programme, actor=world.users[relation, role])
    unit_leader = factories.member(world.unit, Role.LEADER, username="unit_leader")
    with pytest.raises(PermissionDenied, match="Chỉ lãnh đạo"):
        _approve(world, programme, actor=unit_leader)
    Notification.objects.all().delete()
    leader = world.users["parent", Role.LEADER]
    _approve(world, programme, actor=leader)
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.APPROVED
    assert (programme.approved_by, programme.approval_note) == (leader, "Đồng ý.")
    assert programme.history.first().history_user == leader
    assert list(Notification.objects.values_list("recipient", flat=True)) == [both.pk]


def test_approved_entries_are_locked_until_returned_to_draft(world, client):
    programme = _programme(world)
    entry = _entry(programme, world.node, clauses=("4",))
    _approve(world, programme)
    officer = world.users["node", Role.OFFICER]
    entry.quarter = 2
    with pytest.raises(PermissionDenied, match="đã được phê duyệt"):
        entry_save(actor=officer, instance=entry)
    with pytest.raises(PermissionDenied, match="đã được phê duyệt"):
        _entry(programme, world.unit, actor=officer)
    with pytest.raises(PermissionDenied, match="đã được phê duyệt"):
        entry_delete(actor=officer, instance=entry)
    client.force_login(officer)
    response = client.get(reverse("programme_entries:edit", args=[entry.pk]))
    assert response.status_code == 302
    response = client.post(reverse("programme_entries:delete", args=[entry.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("programme_entries:inspect", args=[entry.pk])
    assert ProgrammeEntry.objects.filter(pk=entry.pk).exists()
    assert ProgrammeEntry.objects.get(pk=entry.pk).quarter == 1
    # Return to draft: a reason is required; staff and the sibling's leader may not.
    with pytest.raises(ValidationError) as caught:
        programme_reopen(actor=officer, instance=programme, reason=" ")
    assert "reason" in caught.value.message_dict
    for relation, role in (("node", Role.STAFF), ("sibling", Role.LEADER), ("node", Role.AUDITOR)):
        with pytest.raises(PermissionDenied):
            programme_reopen(
                actor=world.users[relation, role], instance=programme, reason="Bổ sung"
            )
    programme_reopen(actor=officer, instance=programme, reason="Bổ sung đơn vị mới sáp nhập")
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.DRAFT and programme.approved_by is None
    assert programme.history.first().history_change_reason == "Bổ sung đơn vị mới sáp nhập"
    entry.refresh_from_db()
    entry.quarter = 2
    entry_save(actor=officer, instance=entry)
    assert ProgrammeEntry.objects.get(pk=entry.pk).quarter == 2
    # It needs approval again.
    assert not ProgrammeEntry.objects.get(pk=entry.pk).programme.approved_at
    _approve(world, programme)
    assert AuditProgramme.objects.get(pk=programme.pk).state == ProgrammeState.APPROVED


def test_a_leader_returns_an_approved_programme_to_draft(world):
    programme = _programme(world)
    _entry(programme, world.node)
    _approve(world, programme)
    programme_reopen(
        actor=world.users["parent", Role.LEADER], instance=programme, reason="Thay đổi tổ chức"
    )
    assert AuditProgramme.objects.get(pk=programme.pk).state == ProgrammeState.DRAFT


# --- Scheduling -------------------------------------------------------------------------------------


def test_schedule_plans_the_audit_prefilled_from_the_entry(world):
    t1 = factories.tthc(code="1.000041", name="Đăng ký khai sinh", agencies=[world.node])
    t2 = factories.tthc(code="1.000042", name="Đăng ký kết hôn", agencies=[world.node])
    pages = []
    for code, tthc in (("QT-41/STP", t1), ("QT-42/STP", t2)):
        page = world.node.page.add_child(
            instance=procedure_page(world.node, title=f"Quy trình {code}", code=code, tthc=tthc)
        )
        factories.procedure_publish(page)
        pages.append(page)
    programme = _programme(world)
    entry = _entry(programme, world.node, quarter=4, clauses=("8.5.1", "9.1"), tthc=[t1])
    officer = world.users["parent", Role.OFFICER]
    lead = _qualified_auditor(world)
    with pytest.raises(PermissionDenied, match="chưa được phê duyệt"):
        entry_schedule(actor=officer, instance=entry, lead_auditor=lead)
    _approve(world, programme)
    first, last = quarter_bounds(YEAR, 4)
    with pytest.raises(ValidationError) as caught:
        entry_schedule(
            actor=officer,
            instance=entry,
            lead_auditor=lead,
            planned_start=datetime.date(YEAR, 9, 30),
            planned_end=first,
        )
    assert caught.value.message_dict["planned_start"] == [
        f"Ngày 30/09/{YEAR} nằm ngoài quý IV/{YEAR} (01/10/{YEAR}–31/12/{YEAR})."
    ]
    with pytest.raises(ValidationError) as caught:
        entry_schedule(actor=officer, instance=entry)
    assert "lead_auditor" in caught.value.message_dict
    assert not Audit.objects.exists()

    audit = entry_schedule(
        actor=officer,
        instance=entry,
        lead_auditor=lead,
        planned_start=datetime.date(YEAR, 10, 12),
        planned_end=datetime.date(YEAR, 10, 13),
    )
    entry.refresh_from_db()
    assert entry.audit == audit
    assert audit.agency == world.node and audit.state == AuditState.PLANNED
    assert audit.code == f"DGNB-{YEAR}-Q4-{entry.pk}"
    assert audit.title == f"Đánh giá nội bộ Sở Tư pháp thử quý IV/{YEAR}"
    assert (audit.planned_start, audit.planned_end) == (
        datetime.date(YEAR, 10, 12),
        datetime.date(YEAR, 10, 13),
    )
    assert sorted(c.number for c in audit.clauses.all()) == ["8.5.1", "9.1"]
    assert [p.pk for p in audit.procedures.all()] == [pages[0].pk]
    assert audit.lead_auditor == lead and audit.created_by == officer
    assert entry.history.first().history_user == officer
    assert progress(programme).quarters[4]["scheduled"] == 1
    with pytest.raises(PermissionDenied, match="đã có cuộc đánh giá"):
        entry_schedule(actor=officer, instance=entry, lead_auditor=lead)


def test_schedule_keeps_the_audit_services_independence_rule(world):
    programme = _programme(world)
    entry = _entry(programme, world.node, quarter=4)
    _approve(world, programme)
    staff_auditor = world.users["node", Role.STAFF]
    membership_create(
        actor=None,
        user=staff_auditor,
        agency=world.parent,
        role=Role.AUDITOR,
        start_date=datetime.date(2020, 1, 1),
    )
    qualification_save(
        actor=None,
        instance=AuditorQualification(
            user=staff_auditor,
            agency=world.parent,
            training="Đánh giá viên nội bộ",
            qualified_on=datetime.date(2024, 5, 10),
        ),
    )
    with pytest.raises(ValidationError, match="không độc lập"):
        entry_schedule(
            actor=world.users["parent", Role.OFFICER], instance=entry, lead_auditor=staff_auditor
        )
    assert ProgrammeEntry.objects.get(pk=entry.pk).audit is None


def test_schedule_links_an_existing_audit_of_the_auditee_that_year(world):
    programme = _programme(world)
    entry = _entry(programme, world.node, quarter=2)
    _approve(world, programme)
    officer = world.users["node", Role.OFFICER]
    elsewhere = _audit(world, world.sibling, code="DG-STC")
    last_year = _audit(world, world.node, code="DG-OLD", start=datetime.date(YEAR - 1, 5, 4))
    for wrong in (elsewhere, last_year):
        with pytest.raises(ValidationError, match=wrong.code):
            entry_schedule(actor=officer, instance=entry, audit=wrong)
    audit = _audit(world, world.node, code="DG-STP")
    assert entry_schedule(actor=officer, instance=entry, audit=audit) == audit
    assert ProgrammeEntry.objects.get(pk=entry.pk).audit == audit
    assert Audit.objects.count() == 3


def test_the_schedule_screen_offers_the_quarter_and_plans_the_audit(world, client):
    programme = _programme(world)
    entry = _entry(programme, world.node, quarter=3, clauses=("4",))
    _approve(world, programme)
    lead = _qualified_auditor(world)
    officer = world.users["parent", Role.OFFICER]
    client.force_login(officer)
    url = reverse("programme_entries:transition", args=[entry.pk, "schedule"])
    page = client.get(url)
    assert page.status_code == 200
    assert f"01/07/{YEAR}" in page.content.decode() or f"{YEAR}-07-01" in page.content.decode()
    response = client.post(
        url,
        {
            "lead_auditor": lead.pk,
            "planned_start": f"{YEAR}-08-03",
            "planned_end": f"{YEAR}-08-04",
            "code": "DG-Q3",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.audit.code == "DG-Q3"


# --- Progress ---------------------------------------------------------------------------------------


def test_progress_counts_planned_scheduled_done_and_cancelled_per_quarter(world, client):
    programme = _programme(world)
    states = {
        1: [AuditState.CLOSED, AuditState.REPORTED, None],
        2: [AuditState.IN_PROGRESS, AuditState.CANCELLED],
        3: [AuditState.PLANNED],
        4: [None, None],
    }
    n = 0
    for quarter, rows in states.items():
        for state in rows:
            entry = _entry(programme, world.node if n % 2 else world.unit, quarter=quarter)
            if state:
                n += 1
                audit = _audit(world, entry.auditee, code=f"DG-P{n}", state=state)
                ProgrammeEntry.objects.filter(pk=entry.pk).update(audit=audit)
            n += 1
    result = progress(programme)
    assert result.quarters == {
        1: {"planned": 3, "unscheduled": 1, "scheduled": 0, "done": 2, "cancelled": 0},
        2: {"planned": 2, "unscheduled": 0, "scheduled": 1, "done": 0, "cancelled": 1},
        3: {"planned": 1, "unscheduled": 0, "scheduled": 1, "done": 0, "cancelled": 0},
        4: {"planned": 2, "unscheduled": 2, "scheduled": 0, "done": 0, "cancelled": 0},
    }
    assert (result.planned, result.done) == (8, 2)
    client.force_login(world.users["node", Role.OFFICER])
    assert "2/8 đã thực hiện" in client.get(reverse("audit_programmes:index")).content.decode()


# --- Reminders --------------------------------------------------------------------------------------


def test_the_unscheduled_reminder_goes_once_and_only_for_approved_unscheduled_current_entries(
    world,
):
    officer = world.users["node", Role.OFFICER]
    preparer = world.users["node", Role.AUDITOR]
    programme = _programme(world, actor=preparer)
    q1 = _entry(programme, world.node, quarter=1)
    q2 = _entry(programme, world.unit, quarter=2)
    _entry(programme, world.node, quarter=3)  # starts in more than 30 days
    scheduled = _entry(programme, world.unit, quarter=2)
    _approve(world, programme)
    ProgrammeEntry.objects.filter(pk=scheduled.pk).update(
        audit=_audit(world, world.unit, code="DG-SCH")
    )
    draft = _programme(world, agency=world.sibling, actor=world.users["sibling", Role.OFFICER])
    _entry(draft, world.sibling, quarter=2)
    earlier = _programme(world, year=YEAR - 1)
    _entry(earlier, world.node, quarter=4)
    _approve(world, earlier)  # its quarters have ended
    Notification.objects.all().delete()

    today = datetime.date(YEAR, 3, 10)
    assert programme_reminders_send(today) == 2
    rows = SystemReminder.objects.filter(kind=SystemReminderKind.PROGRAMME_UNSCHEDULED)
    assert sorted(rows.values_list("subject", "key")) == sorted(
        [(f"entry:{q1.pk}", f"{YEAR}-Q1"), (f"entry:{q2.pk}", f"{YEAR}-Q2")]
    )
    recipients = sorted(Notification.objects.values_list("recipient", flat=True))
    assert recipients == sorted([officer.pk, preparer.pk] * 2)
    assert programme_reminders_send(today) == 0
    assert programme_reminders_send(datetime.date(YEAR, 3, 11)) == 0
    assert Notification.objects.count() == 4
    # Ended: the first quarter's entry is not reminded again after 31/03 (nor anything then).
    assert programme_reminders_send(datetime.date(YEAR, 4, 2)) == 0


# --- Admin screens: scoping, export, history, query counts -----------------------------------------


def test_the_screens_are_scoped_to_the_programmes_scope(world, client):
    programme = _programme(world, objectives="Chương trình bí mật của Sở Tư pháp")
    entry = _entry(programme, world.node, note="Ghi chú bí mật")
    sibling_officer = world.users["sibling", Role.OFFICER]
    client.force_login(sibling_officer)
    assert "bí mật" not in client.get(reverse("audit_programmes:index")).content.decode()
    for name, pk in (
        ("audit_programmes:inspect", programme.pk),
        ("audit_programmes:history", programme.pk),
        ("programme_entries:inspect", entry.pk),
        ("programme_entries:history", entry.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404
    export = client.get(reverse("audit_programmes:index") + "?export=csv")
    assert "bí mật" not in b"".join(export.streaming_content).decode()
    staff = world.users["node", Role.STAFF]
    client.force_login(staff)
    assert client.get(reverse("audit_programmes:index")).status_code in (302, 403)

    client.force_login(world.users["parent", Role.LEADER])
    assert "bí mật" in client.get(reverse("audit_programmes:index")).content.decode()
    export = client.get(reverse("audit_programmes:index") + "?export=csv")
    text = b"".join(export.streaming_content).decode()
    assert "Chương trình bí mật của Sở Tư pháp" in text and "0/1 đã thực hiện" in text
    assert client.get(reverse("audit_programmes:history", args=[programme.pk])).status_code == 200
    entries = client.get(reverse("programme_entries:index") + "?export=csv")
    assert "Ghi chú bí mật" in b"".join(entries.streaming_content).decode()


def test_the_add_screen_prefills_the_programme_and_saves_through_the_service(world, client):
    programme = _programme(world)
    officer = world.users["node", Role.OFFICER]
    client.force_login(officer)
    url = reverse("programme_entries:add") + f"?programme={programme.pk}"
    assert client.get(url).status_code == 200
    clause = Clause.objects.get(number="8.5.1")
    response = client.post(
        url,
        {"programme": programme.pk, "auditee": world.unit.pk, "quarter": 2, "clauses": [clause.pk]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = ProgrammeEntry.objects.get(programme=programme)
    assert (entry.auditee, entry.quarter) == (world.unit, 2)
    assert [c.number for c in entry.clauses.all()] == ["8.5.1"]
    assert entry.priority == EntryPriority.MEDIUM


def _list_queries(client, user, url):
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_lists_cost_the_same_queries_for_few_and_many_programmes(world, client):
    officer = world.users["node", Role.OFFICER]
    leader = world.users["parent", Role.LEADER]
    t1 = factories.tthc(code="1.000051", agencies=[world.node])
    _register(world.node, [t1])
    first = _programme(world)
    entry = _entry(first, world.node, clauses=("4",), tthc=[t1])
    # One linked audit from the start: its clauses and pages are read once for any number.
    audit = _audit(world, world.node, code="DG-Q0", clauses=("9",))
    ProgrammeEntry.objects.filter(pk=entry.pk).update(audit=audit)
    urls = [reverse("audit_programmes:index"), reverse("programme_entries:index")]
    few = {(u.pk, url): _list_queries(client, u, url) for u in (officer, leader) for url in urls}
    for n in range(1, 5):
        programme = _programme(world, year=YEAR - n)
        for quarter in (1, 2, 3):
            entry = _entry(
                programme,
                world.unit if quarter % 2 else world.node,
                quarter=quarter,
                clauses=("5", "8.5.1"),
                tthc=[t1],
            )
            if quarter == 2:
                audit = _audit(world, world.node, code=f"DG-Q{n}", clauses=("9",))
                ProgrammeEntry.objects.filter(pk=entry.pk).update(audit=audit)
        if n % 2:  # drafts too: the leader's row menu asks whether each may be approved
            _approve(world, programme)
    many = {(u.pk, url): _list_queries(client, u, url) for u in (officer, leader) for url in urls}
    assert many == few


# --- Demo data --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.mark.slow
def test_the_demo_programmes_leave_gaps_and_await_approval(seeded, client):
    from django.contrib.auth import get_user_model

    from audits import demo_programme

    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="hn-")}
    current = AuditProgramme.objects.get(agency__code="HN", year=YEAR)
    assert current.state == ProgrammeState.APPROVED
    assert (current.created_by, current.approved_by) == (users["hn-auditor"], users["hn-leader"])
    assert {e.quarter for e in current.entries.all()} == {1, 2, 3, 4}
    linked = set(current.entries.exclude(audit=None).values_list("audit__code", flat=True))
    assert linked and all(code.startswith("DGNB-") for code in linked)
    assert "DGNB-05" not in linked  # cancelled
    assert current.entries.filter(priority=EntryPriority.HIGH).exists()
    # The rows are the registers' units (the city; Sở Tư pháp and the units its register names):
    # mostly green, a few cells left out on purpose, and one TTHC.
    result = coverage(current)
    assert [a.code for a, _c in result.rows] == ["HN", "STP", "STP-VP", "STP-HCTP", "STP-MC"]
    assert [(a.code, c.number) for a, c in result.unit_gaps] == [
        ("HN", "10"),
        ("STP-VP", "8"),
        ("STP-VP", "9"),
    ]
    assert len(result.procedure_gaps) == 1

    upcoming = AuditProgramme.objects.get(agency__code="HN", year=YEAR + 1)
    assert upcoming.state == ProgrammeState.DRAFT
    assert upcoming.created_by == users["hn-officer"] and upcoming.entries.exists()
    upcoming_gaps = coverage(upcoming)
    assert {a.code for a, _c in upcoming_gaps.unit_gaps} == {"STP-VP"}
    assert len(upcoming_gaps.unit_gaps) == 7 and len(upcoming_gaps.procedure_gaps) == 1
    assert demo_programme.seed() == {"audit_programmes": 0, "programme_entries": 0}

    client.force_login(users["hn-leader"])
    url = reverse("audit_programmes:transition", args=[upcoming.pk, "approve"])
    assert client.post(url, {"note": "Đồng ý"}).status_code == 302
    assert AuditProgramme.objects.get(pk=upcoming.pk).state == ProgrammeState.APPROVED
    page = client.get(reverse("audit_programmes:inspect", args=[upcoming.pk])).content.decode()
    gap = upcoming_gaps.procedure_gaps[0]
    assert f"{gap.code} – {gap.name}" in page
