"""Demo checklists, findings and corrective actions (run by ``audits.demo`` after
``demo_audits``), all through the services with the demo users:

- on each open demo audit (``DGNB-02`` in progress, ``DGNB-03`` and ``DGNB-04`` still in progress
  when this runs) the lead generates the checklist and answers its first questions, then records
  the audit's findings, one nonconformity on the first question answered "nonconformity"; the
  auditee's officer opens corrective actions, owned by staff of the auditee's units and verified
  by the audit's lead;
- then ``DGNB-03`` is reported and ``DGNB-04`` reported and closed (``demo_audits.AUDITS``);
- findings of every kind (major NC, minor NC, observation, opportunity), actions in every state
  (open, cause analysed, planned, implemented, verified effective, closed), one overdue, one
  verified ineffective (back to planned, its steps kept);
- a recurrence: Sở Tư pháp's nonconformity of ``DGNB-04`` is closed (its action verified effective
  and closed), then a complaint raises a new one on the same clause and procedure.

Past dates (a verification needs ``verification_wait_days`` after implementation; an overdue
action's due date; when the recurring nonconformity was closed) are set after the service calls
with ``queryset.update()``, since the services stamp "now" and refuse due dates in the past.

Idempotent: an audit that already has findings (or is past "in progress") is left as it is, and
the complaint's finding is found by its description.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from audits import demo_audits
from audits.models import (
    ActionState,
    Audit,
    AuditState,
    ChecklistItem,
    Clause,
    Complaint,
    ComplaintChannel,
    ComplaintKind,
    ComplaintOutcome,
    CorrectiveAction,
    CorrectiveActionStep,
    Finding,
    FindingKind,
    FindingSource,
    ItemResult,
)
from audits.services.actions import (
    action_analyse_cause,
    action_close,
    action_implement,
    action_open,
    action_plan,
    action_verify,
)
from audits.services.audits import audit_close, audit_report
from audits.services.checklists import checklist_answer, checklist_generate
from audits.services.complaints import (
    complaint_answer,
    complaint_raise_finding,
    complaint_record,
)
from audits.services.findings import finding_record, finding_respond_close
from qms.models import Agency

MC, MI, OB, OP = (
    FindingKind.MAJOR_NC,
    FindingKind.MINOR_NC,
    FindingKind.OBSERVATION,
    FindingKind.OPPORTUNITY,
)
# "ineffective": verified ineffective, back to planned; "overdue": planned, due date passed.
INEFFECTIVE, OVERDUE = "ineffective", "overdue"
# The first questions of each checklist answered (the nonconformities' questions apart).
ANSWERS = (
    (ItemResult.CONFORMS, "Đã kiểm tra 10 hồ sơ, đầy đủ phiếu kiểm soát quá trình."),
    (ItemResult.CONFORMS, "Sổ theo dõi hồ sơ cập nhật đến ngày đánh giá."),
    (ItemResult.NOT_APPLICABLE, "Đơn vị không có hoạt động này."),
    (ItemResult.CONFORMS, "Đã phỏng vấn cán bộ tiếp nhận, trả lời đúng quy trình."),
    (ItemResult.CONFORMS, "Biểu mẫu đang dùng đúng lần ban hành hiện hành."),
)
# Per audit: its findings (kind, clause when no checklist question gives one, description,
# evidence, response closing an observation or opportunity, actions as (owner, final state)).
FINDINGS = {
    "DGNB-04": [
        (
            MI,
            "8.5.1",
            "Phiếu kiểm soát quá trình giải quyết hồ sơ không ghi ngày trả kết quả.",
            "3/10 hồ sơ lĩnh vực chứng thực kiểm tra ngẫu nhiên.",
            "",
            [("stp-mc-staff", ActionState.CLOSED)],
        ),
        (
            MC,
            "7.5.3",
            "Hồ sơ đã giải quyết không được lưu trữ theo quy trình; không truy xuất được hồ sơ.",
            "Không tìm thấy 4 hồ sơ quý I trong kho lưu trữ của Phòng.",
            "",
            [
                ("stp-hctp-staff", ActionState.VERIFIED_EFFECTIVE),
                ("stp-mc-staff", INEFFECTIVE),
            ],
        ),
        (
            OB,
            "7.5.2",
            "Một số biểu mẫu đang dùng chưa ghi lần ban hành.",
            "Mẫu phiếu tiếp nhận tại Bộ phận một cửa.",
            "Đã rà soát và in lại biểu mẫu có ghi lần ban hành.",
            [],
        ),
    ],
    "DGNB-03": [
        (
            MI,
            "9.1.3",
            "Chưa phân tích, đánh giá dữ liệu về mức độ hài lòng của người dân theo quý.",
            "Báo cáo quý gần nhất không có số liệu khảo sát.",
            "",
            [
                ("skhcn-qlkh-staff", ActionState.ACTION_PLANNED),
                ("skhcn-vp-staff", ActionState.IMPLEMENTED),
            ],
        ),
        (
            OP,
            "8.2.1",
            "Có thể cung cấp mẫu tờ khai điền sẵn trên cổng dịch vụ công để giảm hồ sơ bổ sung.",
            "",
            "",
            [],
        ),
    ],
    "DGNB-02": [
        (
            MI,
            "8.2.1",
            "Thông tin về thành phần hồ sơ niêm yết tại Bộ phận một cửa chưa cập nhật theo "
            "quyết định công bố mới.",
            "Bảng niêm yết thủ tục cấp giấy phép xây dựng còn theo quyết định cũ.",
            "",
            [
                ("sxd-cpxd-staff", ActionState.OPEN),
                ("sxd-mc-staff", ActionState.CAUSE_ANALYSED),
            ],
        ),
        (
            OB,
            "7.5.3",
            "Sổ theo dõi hồ sơ ghi tay, dễ sai sót khi tổng hợp.",
            "",
            "",
            [],
        ),
    ],
}
COMPLAINT = (
    "Người dân phản ánh giấy tờ trả kết quả không ghi ngày trả, phải đi lại nhiều lần "
    "(phản ánh qua đường dây nóng)."
)
COMPLAINT_OWNER = "stp-mc-staff"
# Days between implementation and verification in the demo (the model's default is 30).
WAIT_DAYS = 14
# When an action set in the past reached each state, in days after its finding.
STEP_DAYS = {
    ActionState.OPEN: 1,
    ActionState.CAUSE_ANALYSED: 2,
    ActionState.ACTION_PLANNED: 3,
    ActionState.IMPLEMENTED: 7,
}


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


def _covers(item: ChecklistItem, number: str) -> bool:
    """``item``'s clause is ``number`` or one of its sub-clauses."""
    return item.clause.number == number or item.clause.number.startswith(number + ".")


def _checklist(audit: Audit, lead) -> list[ChecklistItem]:
    """Generate the checklist and answer its first questions, leaving those on the clauses of
    the audit's nonconformities to ``_nc_item``."""
    if not audit.clauses.exists():
        return []
    checklist_generate(actor=lead, audit=audit)
    items = list(
        ChecklistItem.objects.filter(audit=audit).select_related("clause").order_by("position")
    )
    ncs = [number for kind, number, *_rest in FINDINGS[audit.code] if kind in (MC, MI)]
    others = [i for i in items if not any(_covers(i, n) for n in ncs)]
    for item, (result, notes) in zip(others, ANSWERS, strict=False):
        checklist_answer(actor=lead, item=item, result=result, notes=notes)
    return items


def _nc_item(lead, items, number: str, evidence: str) -> ChecklistItem | None:
    """The first question on clause ``number`` (or a sub-clause) still unanswered, answered
    "nonconformity" with the evidence."""
    item = next((i for i in items if _covers(i, number) and not i.result), None)
    if item is None:
        return None
    item.result = ItemResult.NONCONFORMITY  # taken (the list is not read again)
    return checklist_answer(actor=lead, item=item, result=ItemResult.NONCONFORMITY, notes=evidence)


def _steps_back(action, raised_on: datetime.date) -> None:
    """The steps so far dated in the days after the finding (see ``STEP_DAYS``)."""
    for state, days in STEP_DAYS.items():
        CorrectiveActionStep.objects.filter(action=action, to_state=state).update(
            at=_at(raised_on + datetime.timedelta(days=days))
        )


def _drive(action, target: str, *, officer, raised_on: datetime.date) -> None:
    """Move ``action`` from "open" to ``target`` through the services (owner, verifier, officer);
    the implementation date is set back so the verification is allowed."""
    if target == ActionState.OPEN:
        return
    owner, verifier = action.owner, action.verifier
    action_analyse_cause(
        actor=owner,
        instance=action,
        whys=[
            "Vì cán bộ không ghi đủ thông tin trên phiếu.",
            "Vì quy trình không nêu rõ ai ghi ngày trả kết quả.",
            "Vì quy trình chưa được rà soát sau khi sắp xếp lại bộ máy.",
        ],
        fishbone={
            "people": ["Cán bộ mới chưa được hướng dẫn"],
            "method": ["Quy trình không nêu rõ trách nhiệm ghi phiếu"],
        },
        root_cause="Quy trình chưa phân công rõ trách nhiệm ghi phiếu kiểm soát quá trình.",
    )
    if target == ActionState.CAUSE_ANALYSED:
        return
    action_plan(
        actor=owner,
        instance=action,
        plan="Sửa quy trình, phân công người ghi phiếu; tập huấn lại cán bộ tiếp nhận.",
        due_date=_day(21),
    )
    if target == OVERDUE:
        # Due a week after the finding, 8 days ago: the owner and the agency's leaders are
        # reminded (action_plan refuses a due date in the past, hence the update).
        CorrectiveAction.objects.filter(pk=action.pk).update(
            due_date=raised_on + datetime.timedelta(days=7)
        )
        _steps_back(action, raised_on)
        return
    if target == ActionState.ACTION_PLANNED:
        return
    action_implement(
        actor=owner,
        instance=action,
        implementation="Đã sửa quy trình, phân công người ghi phiếu và tập huấn ngày "
        f"{raised_on + datetime.timedelta(days=6):%d/%m/%Y}.",
    )
    if target == ActionState.IMPLEMENTED:
        return
    # Planned, due and implemented within two weeks of the finding, the wait before verification
    # long passed (the services stamp now and refuse a due date in the past).
    done = raised_on + datetime.timedelta(days=STEP_DAYS[ActionState.IMPLEMENTED])
    CorrectiveAction.objects.filter(pk=action.pk).update(
        implemented_at=_at(done), due_date=raised_on + datetime.timedelta(days=14)
    )
    _steps_back(action, raised_on)
    action.refresh_from_db()
    if target == INEFFECTIVE:
        action_verify(
            actor=verifier,
            instance=action,
            effective=False,
            note="Kiểm tra lại 10 hồ sơ tháng này: vẫn còn 2 hồ sơ thiếu ngày trả kết quả.",
        )
        action_plan(
            actor=owner,
            instance=action,
            plan="Bổ sung bước kiểm tra phiếu trước khi trả kết quả; trưởng bộ phận ký xác nhận.",
            due_date=_day(30),
        )
        return
    action_verify(
        actor=verifier,
        instance=action,
        effective=True,
        note="Kiểm tra 15 hồ sơ sau khi khắc phục: đều ghi đủ ngày trả kết quả.",
    )
    if target == ActionState.VERIFIED_EFFECTIVE:
        return
    action_close(actor=officer, instance=action)


def _findings(audit: Audit, lead, users, items) -> tuple[int, int]:
    officer = users.get(f"{audit.agency.code.lower()}-officer")
    raised_on = min(audit.planned_start + datetime.timedelta(days=1), timezone.localdate())
    clauses = {c.number: c for c in Clause.objects.all()}
    procedure = audit.procedures.order_by("code").first()
    findings = actions = 0
    for kind, number, description, evidence, response, planned in FINDINGS[audit.code]:
        item = _nc_item(lead, items, number, evidence) if kind in (MC, MI) else None
        finding = finding_record(
            actor=lead,
            instance=Finding(
                agency=audit.agency,
                audit=audit,
                checklist_item=item,
                kind=kind,
                source=FindingSource.INTERNAL_AUDIT,
                clause=item.clause if item else clauses.get(number),
                procedure=item.procedure if item else procedure,
                description=description,
                evidence=evidence,
                raised_on=raised_on,
            ),
        )
        findings += 1
        if response:
            finding_respond_close(actor=officer, instance=finding, response=response)
        for owner_name, target in planned:
            action = action_open(
                actor=officer,
                finding=finding,
                owner=users[owner_name],
                due_date=_day(14),
                correction="Bổ sung ngay thông tin còn thiếu trên hồ sơ được phát hiện.",
                verifier=lead,
                verification_wait_days=WAIT_DAYS,
            )
            _drive(action, target, officer=officer, raised_on=raised_on)
            actions += 1
        if any(target == ActionState.CLOSED for _o, target in planned):
            # Verified and closed the day verification was allowed, before the complaint came
            # (the services stamp now).
            closed = _at(raised_on + datetime.timedelta(days=7 + WAIT_DAYS))
            CorrectiveAction.objects.filter(finding=finding).update(
                verified_at=closed, closed_at=closed
            )
            CorrectiveActionStep.objects.filter(
                action__finding=finding,
                to_state__in=(ActionState.VERIFIED_EFFECTIVE, ActionState.CLOSED),
            ).update(at=closed)
            Finding.objects.filter(pk=finding.pk).update(closed_at=closed)
    return findings, actions


def _complaint(users) -> tuple[int, int]:
    """A complaint about Sở Tư pháp on the clause and procedure of its nonconformity closed after
    DGNB-04: a recurrence; its action is overdue."""
    agency = Agency.objects.filter(code="STP").first()
    officer = users.get("stp-officer")
    earlier = (
        Finding.objects.filter(audit__code="DGNB-04", agency=agency, kind=MI)
        .exclude(closed_at=None)
        .first()
    )
    if earlier is None or officer is None or Finding.objects.filter(description=COMPLAINT).exists():
        return 0, 0
    complaint = complaint_record(
        actor=officer,
        instance=Complaint(
            agency=agency,
            kind=ComplaintKind.FEEDBACK,
            channel=ComplaintChannel.PORTAL,
            received_on=_day(-16),
            procedure=earlier.procedure,
            dossier_code="000.00.12.H26-261012-0043",
            content="Hồ sơ chứng thực nộp trực tuyến bị yêu cầu bổ sung hai lần cùng một "
            "giấy tờ, trả kết quả chậm hơn giấy hẹn (Dữ liệu minh họa).",
            complainant_name="Phạm Thị Thu Hà",
            complainant_phone="0912 345 678",
        ),
    )
    finding = complaint_raise_finding(
        actor=officer,
        instance=complaint,
        kind=MI,
        description=COMPLAINT,
        clause=earlier.clause,
        raised_on=_day(-15),
    )
    complaint_answer(
        actor=officer,
        instance=complaint,
        answered_on=_day(-9),
        answer="Sở Tư pháp xin lỗi bà về việc yêu cầu bổ sung trùng lặp; đã chấn chỉnh Bộ phận "
        "một cửa và trả kết quả ngay trong ngày (Dữ liệu minh họa).",
        outcome=ComplaintOutcome.JUSTIFIED,
    )
    verifier = users.get("skhcn-auditor")
    action = action_open(
        actor=officer,
        finding=finding,
        owner=users[COMPLAINT_OWNER],
        due_date=_day(14),
        verifier=verifier,
        verification_wait_days=WAIT_DAYS,
    )
    _drive(action, OVERDUE, officer=officer, raised_on=finding.raised_on)
    return 1, 1


def seed() -> dict:
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__contains="-")}
    created = {"checklist_answers": 0, "findings": 0, "corrective_actions": 0}
    finals = {code: state for code, *_rest, state in demo_audits.AUDITS}
    for code in FINDINGS:
        audit = Audit.objects.select_related("agency", "lead_auditor").filter(code=code).first()
        if audit is None or audit.state != AuditState.IN_PROGRESS or audit.findings.exists():
            continue
        lead = audit.lead_auditor
        items = _checklist(audit, lead)
        findings, actions = _findings(audit, lead, users, items)
        created["checklist_answers"] += (
            ChecklistItem.objects.filter(audit=audit).exclude(result="").count()
        )
        created["findings"] += findings
        created["corrective_actions"] += actions
        if finals.get(code) in ("reported", "closed"):
            audit_report(
                actor=lead,
                instance=audit,
                conclusion="Hệ thống quản lý chất lượng của đơn vị được duy trì, còn một số "
                "điểm không phù hợp cần khắc phục (Dữ liệu minh họa).",
            )
        if finals.get(code) == "closed":
            audit_close(actor=lead, instance=audit)
        # The services stamp today; a demo audit planned in the past ran on its planned dates.
        today = timezone.localdate()
        if audit.planned_start < today:
            ended = finals.get(code) in ("reported", "closed")
            Audit.objects.filter(pk=audit.pk).update(
                actual_start=audit.planned_start,
                actual_end=min(audit.planned_end, today) if ended else None,
            )
    findings, actions = _complaint(users)
    created["findings"] += findings
    created["corrective_actions"] += actions
    created["complaints"] = findings + _complaints(users)
    return created


# Other complaints and feedback of Sở Tư pháp: answered on time, answered late, one waiting
# (kind, channel, received days ago, content, answered days ago or None, outcome).
COMPLAINTS = (
    (
        ComplaintKind.FEEDBACK,
        ComplaintChannel.HOTLINE,
        -40,
        "Đề nghị niêm yết rõ mức phí chứng thực bản sao tại Bộ phận một cửa (Dữ liệu minh họa).",
        -33,
        ComplaintOutcome.JUSTIFIED,
    ),
    (
        ComplaintKind.COMPLAINT,
        ComplaintChannel.LETTER,
        -60,
        "Khiếu nại việc từ chối cấp Phiếu lý lịch tư pháp khi thiếu bản sao CCCD, trong khi "
        "dữ liệu dân cư đã có (Dữ liệu minh họa).",
        -38,
        ComplaintOutcome.PARTLY,
    ),
    (
        ComplaintKind.FEEDBACK,
        ComplaintChannel.PORTAL,
        -3,
        "Phản ánh thời gian chờ tại quầy hộ tịch buổi sáng thứ Hai quá lâu (Dữ liệu minh họa).",
        None,
        "",
    ),
)


def _complaints(users) -> int:
    agency = Agency.objects.filter(code="STP").first()
    officer = users.get("stp-officer")
    if agency is None or officer is None:
        return 0
    made = 0
    for kind, channel, received, content, answered, outcome in COMPLAINTS:
        if Complaint.objects.filter(agency=agency, content=content).exists():
            continue
        complaint = complaint_record(
            actor=officer,
            instance=Complaint(
                agency=agency,
                kind=kind,
                channel=channel,
                received_on=_day(received),
                content=content,
                complainant_name="Người dân (Dữ liệu minh họa)",
            ),
        )
        if answered is not None:
            complaint_answer(
                actor=officer,
                instance=complaint,
                answered_on=_day(answered),
                answer="Sở Tư pháp đã tiếp thu và trả lời bằng văn bản (Dữ liệu minh họa).",
                outcome=outcome,
            )
        made += 1
    return made
