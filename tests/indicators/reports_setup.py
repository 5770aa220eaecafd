"""A small world for the report tests: a city after the 2025 reform with a former district (split,
ended 30/06/2025), a former ward of it merged into ward A, ward A with a unit, ward B; dossiers of
2024-2026 (generated with a fixed seed), procedures issued and revised in 2025, audits,
inspections, findings, corrective actions, complaints, objectives and reviews in and around 2025.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from audits.models import (
    ActionState,
    Audit,
    AuditState,
    Complaint,
    ComplaintKind,
    ComplaintState,
    CorrectiveAction,
    ExternalInspection,
    Finding,
    FindingKind,
    FindingSource,
    FindingState,
    ManagementReview,
    ReviewState,
)
from indicators.models import ObjectiveEvaluation, QualityObjective
from indicators.models.dossiers import Channel, Outcome
from indicators.services.dossiers import DossierRecord, upsert
from qms.models import AgencyKind, Role
from qms.models.agencies import AgencySuccession, SuccessionKind
from qms.workcal import get_calendar
from tests import factories as f

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ENDED, REFORM = dt.date(2025, 6, 30), dt.date(2025, 7, 1)
YEAR = 2025
NOW = dt.datetime(2026, 1, 15, 10, 0, tzinfo=TZ)


def at(day: dt.date, hour=9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def dossiers(place, procedures, first: dt.date, last: dt.date, n: int, rng, prefix: str) -> None:
    """``n`` dossiers of ``place`` received between ``first`` and ``last``: resolved early, on
    time or late, refused, withdrawn, or still pending (some long past their due time)."""
    records = []
    span = (last - first).days
    for i in range(n):
        received = at(first + dt.timedelta(days=rng.randrange(span + 1)), rng.choice((8, 10, 14)))
        fate = rng.random()
        fields = {}
        if fate < 0.75:
            fields = {
                "resolved_at": received + dt.timedelta(days=rng.choice((1, 2, 3, 4, 6, 9))),
                "outcome": Outcome.REFUSED if rng.random() < 0.1 else Outcome.ISSUED,
            }
        elif fate < 0.8:
            fields = {"resolved_at": received + dt.timedelta(days=2), "outcome": Outcome.WITHDRAWN}
        records.append(
            DossierRecord(
                line=i + 2,
                agency_id=place.pk,
                code=f"{prefix}-{i:04d}",
                procedure_id=rng.choice(procedures).pk,
                channel=rng.choice(list(Channel.values)),
                received_at=received,
                **fields,
            )
        )
    result = upsert(records, calendar=get_calendar())
    assert result.problems == []


def build(monkeypatch, *, with_dossiers=True):
    from tests.indicators.steps_setup import issue_procedures

    city = f.agency(name="Thành phố Thử", kind=AgencyKind.PROVINCE, code="TPT")
    district = f.agency(
        name="Quận Cũ", kind=AgencyKind.DISTRICT, parent=city, code="QCU", valid_to=ENDED
    )
    old_ward = f.agency(
        name="Phường Cũ", kind=AgencyKind.COMMUNE, parent=district, code="PCU", valid_to=ENDED
    )
    ward_a = f.agency(
        name="Phường Hoàn Kiếm Thử",
        kind=AgencyKind.COMMUNE,
        parent=city,
        code="PHKT",
        valid_from=REFORM,
    )
    unit_a = f.agency(name="Bộ phận một cửa", kind=AgencyKind.ONE_STOP, parent=ward_a, code="PHKT1")
    ward_b = f.agency(
        name="Phường Ba Đình Thử",
        kind=AgencyKind.COMMUNE,
        parent=city,
        code="PBDT",
        valid_from=REFORM,
    )
    dept = f.agency(name="Sở Tư pháp Thử", parent=city, code="STPT")
    for successor in (ward_a, ward_b):
        AgencySuccession.objects.create(
            predecessor=district,
            successor=successor,
            kind=SuccessionKind.SPLIT,
            effective_date=REFORM,
        )
    AgencySuccession.objects.create(
        predecessor=old_ward, successor=ward_a, kind=SuccessionKind.MERGE, effective_date=REFORM
    )
    civil = f.tthc(code="1.900001", name="Đăng ký khai sinh thử", working_days=5)
    land = f.tthc(
        code="1.900002", name="Chứng thực bản sao thử", working_days=2, field="Chứng thực"
    )
    people = {
        (place.code, role): f.member(place, role, username=f"{place.code.lower()}-{role}")
        for place in (city, ward_a, ward_b, dept)
        for role in (Role.LEADER, Role.OFFICER, Role.STAFF, Role.AUDITOR)
    }
    if with_dossiers:
        rng = random.Random(12)
        procs = [civil, land]
        dossiers(district, procs, dt.date(2025, 1, 2), ENDED, 25, rng, "QCU")
        dossiers(old_ward, procs, dt.date(2024, 11, 1), ENDED, 40, rng, "PCU")
        dossiers(ward_a, procs, REFORM, dt.date(2026, 1, 10), 60, rng, "PHKT")
        dossiers(unit_a, procs, REFORM, dt.date(2025, 12, 31), 30, rng, "PHKT1")
        dossiers(ward_b, procs, REFORM, dt.date(2026, 1, 10), 50, rng, "PBDT")
        dossiers(dept, procs, dt.date(2024, 12, 1), dt.date(2026, 1, 10), 50, rng, "STPT")

    issues = issue_procedures(ward_a, civil, monkeypatch)  # issued 03/03/2025, revised 02/06/2025

    lead = people["STPT", Role.AUDITOR]
    audits = {}
    for place, code, start, state in (
        (ward_a, "DG-A-2025", dt.date(2025, 9, 10), AuditState.CLOSED),
        (ward_b, "DG-B-2025", dt.date(2025, 10, 1), AuditState.REPORTED),
        (old_ward, "DG-C-2025", dt.date(2025, 3, 5), AuditState.CLOSED),
        (ward_a, "DG-A-2024", dt.date(2024, 9, 10), AuditState.CLOSED),
        (ward_a, "DG-A-HUY", dt.date(2025, 11, 10), AuditState.CANCELLED),
    ):
        audits[code] = Audit.objects.create(
            agency=place,
            code=code,
            title=f"Đánh giá nội bộ {place.name}",
            objectives="Đánh giá sự phù hợp",
            criteria="TCVN ISO 9001:2015",
            planned_start=start,
            planned_end=start + dt.timedelta(days=2),
            state=state,
            lead_auditor=lead,
        )
    inspection = ExternalInspection.objects.create(
        agency=ward_a,
        inspecting_body="Sở Khoa học và Công nghệ",
        inspected_on=dt.date(2025, 11, 20),
        concluded_on=dt.date(2025, 11, 25),
        conclusion_number="KL-01/2025",
        summary="Cơ bản duy trì hệ thống; còn hai điểm cần khắc phục.",
        report_due_on=dt.date(2026, 1, 25),
    )
    findings = []
    n = 0

    def finding(place, kind, day, *, audit=None, inspection=None, state=FindingState.OPEN, text=""):
        nonlocal n
        n += 1
        item = Finding.objects.create(
            agency=place,
            code=f"PH-T-{n:03d}",
            kind=kind,
            source=FindingSource.EXTERNAL_INSPECTION
            if inspection
            else FindingSource.INTERNAL_AUDIT,
            audit=audit,
            external_inspection=inspection,
            description=text or f"Phát hiện số {n} tại {place.name}",
            raised_on=day,
            state=state,
        )
        findings.append(item)
        return item

    nc1 = finding(
        ward_a,
        FindingKind.MINOR_NC,
        dt.date(2025, 9, 11),
        audit=audits["DG-A-2025"],
        text="Chưa cập nhật sổ theo dõi hồ sơ trễ hạn; thiếu phiếu xin lỗi người dân.",
    )
    nc2 = finding(ward_a, FindingKind.MAJOR_NC, dt.date(2025, 9, 11), audit=audits["DG-A-2025"])
    finding(ward_a, FindingKind.OBSERVATION, dt.date(2025, 9, 11), audit=audits["DG-A-2025"])
    finding(unit_a, FindingKind.MINOR_NC, dt.date(2025, 11, 20), inspection=inspection)
    finding(ward_b, FindingKind.MINOR_NC, dt.date(2025, 10, 2), audit=audits["DG-B-2025"])
    finding(old_ward, FindingKind.OPPORTUNITY, dt.date(2025, 3, 6), audit=audits["DG-C-2025"])
    old = finding(
        ward_a,
        FindingKind.MINOR_NC,
        dt.date(2024, 9, 11),
        audit=audits["DG-A-2024"],
        state=FindingState.CLOSED,
    )
    owner = people["PHKT", Role.STAFF]
    actions = []
    for i, (nc, state, due, created, closed) in enumerate(
        (
            (nc1, ActionState.ACTION_PLANNED, dt.date(2025, 12, 1), dt.date(2025, 9, 20), None),
            (
                nc2,
                ActionState.CLOSED,
                dt.date(2025, 10, 30),
                dt.date(2025, 9, 20),
                dt.date(2025, 11, 2),
            ),
            (nc2, ActionState.IMPLEMENTED, dt.date(2025, 10, 1), dt.date(2025, 9, 21), None),
            (
                old,
                ActionState.CLOSED,
                dt.date(2024, 11, 1),
                dt.date(2024, 9, 20),
                dt.date(2025, 1, 5),
            ),
            (nc2, ActionState.OPEN, dt.date(2026, 3, 1), dt.date(2026, 1, 5), None),
        )
    ):
        action = CorrectiveAction.objects.create(
            finding=nc, code=f"HD-T-{i}", state=state, owner=owner, owner_unit=ward_a, due_date=due
        )
        CorrectiveAction.objects.filter(pk=action.pk).update(
            created_at=at(created), closed_at=at(closed) if closed else None
        )
        actions.append(action)
    ward_b_nc = Finding.objects.get(agency=ward_b)
    CorrectiveAction.objects.create(
        finding=ward_b_nc,
        code="HD-T-B",
        state=ActionState.OPEN,
        owner=people["PBDT", Role.STAFF],
        owner_unit=ward_b,
        due_date=dt.date(2025, 11, 1),
    )
    complaints = []
    for i, (place, received, due, answered, state) in enumerate(
        (
            (
                ward_a,
                dt.date(2025, 3, 1),
                dt.date(2025, 3, 14),
                dt.date(2025, 3, 10),
                ComplaintState.ANSWERED,
            ),
            (
                ward_a,
                dt.date(2025, 8, 1),
                dt.date(2025, 8, 15),
                dt.date(2025, 8, 20),
                ComplaintState.ANSWERED,
            ),
            (unit_a, dt.date(2025, 12, 20), dt.date(2026, 1, 5), None, ComplaintState.RECEIVED),
            (
                old_ward,
                dt.date(2025, 2, 1),
                dt.date(2025, 2, 14),
                dt.date(2025, 2, 10),
                ComplaintState.ANSWERED,
            ),
            (
                ward_a,
                dt.date(2024, 12, 20),
                dt.date(2025, 1, 6),
                dt.date(2025, 1, 5),
                ComplaintState.ANSWERED,
            ),
            (ward_a, dt.date(2025, 12, 30), dt.date(2026, 1, 20), None, ComplaintState.RECEIVED),
            (ward_b, dt.date(2025, 5, 1), dt.date(2025, 5, 14), None, ComplaintState.RECEIVED),
        )
    ):
        complaints.append(
            Complaint.objects.create(
                agency=place,
                code=f"PA-T-{i}",
                kind=ComplaintKind.FEEDBACK,
                received_on=received,
                due_on=due,
                answered_on=answered,
                state=state,
                content="Phản ánh về thời gian giải quyết",
            )
        )
    objective = QualityObjective.objects.create(
        agency=ward_a,
        name="Tỷ lệ hồ sơ giải quyết đúng hạn",
        metric="on_time_rate",
        target=95,
        valid_from=dt.date(2025, 7, 1),
    )
    for month, actual, met in ((10, 96, True), (11, 93, False), (12, None, None)):
        ObjectiveEvaluation.objects.create(
            objective=objective,
            period_start=dt.date(2025, month, 1),
            period_end=dt.date(2025, month, 28),
            actual=actual,
            met=met,
        )
    review = ManagementReview.objects.create(
        agency=ward_a,
        title="Xem xét của lãnh đạo năm 2025",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        planned_on=dt.date(2025, 12, 20),
        held_on=dt.date(2025, 12, 22),
        chair=people["PHKT", Role.LEADER],
        state=ReviewState.HELD,
        decisions="Duy trì hệ thống; bổ sung nhân lực cho bộ phận một cửa.",
    )
    ManagementReview.objects.create(
        agency=ward_b,
        title="Xem xét của lãnh đạo phường Ba Đình",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        planned_on=dt.date(2026, 1, 20),
        chair=people["PBDT", Role.LEADER],
        state=ReviewState.PLANNED,
    )
    return locals()
