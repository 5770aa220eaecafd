"""Demo procedures for ``manage.py seed_demo`` (found by the core as ``<app>/demo.py``).

Each procedure goes through the real approval workflow as the demo people would take it (the
agency's officer drafts, the responsible unit's leader reviews, the agency's leader approves), so
its issues carry real signatures, frozen forms and numbers. Two or three issues each; one further
draft waits for the leader's approval; step tables are real-shaped (quarter days, a "not counted"
step, totals within the TTHC's limit). Idempotent: a procedure already there is left as it is.
The texts are invented but follow the shape of provincial decisions approving internal procedures.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model

from documents.master_list import add_months
from documents.models import (
    ApprovalDecision,
    IssueStatus,
    ProcedureIssue,
    ProcedurePage,
    ProcedureReview,
    ReviewOutcome,
    ReviewReason,
)
from documents.services.issues import issue_decision_record
from qms import pdf
from qms.models import AdministrativeProcedure, Agency

D = Decimal
RECEIVE = ("Bước 1", "Tiếp nhận, kiểm tra hồ sơ; lập phiếu hẹn trả kết quả", "Bộ phận một cửa")
RETURN = ("Bước cuối", "Trả kết quả cho tổ chức, cá nhân", "Bộ phận một cửa")


def _steps(*rows):
    return [
        {"code": code, "content": content, "responsible": who, "days": days, "output": output}
        for code, content, who, days, output in rows
    ]


NOTARY_V1 = _steps(
    (*RECEIVE, D("0.5"), "Phiếu hẹn"),
    ("Bước 2", "Chuyển hồ sơ về phòng chuyên môn", "Bộ phận một cửa", D("0.25"), ""),
    (
        "Bước 3",
        "Thẩm định hồ sơ, dự thảo quyết định",
        "Phòng Hành chính tư pháp",
        D("7"),
        "Tờ trình",
    ),
    ("Bước 4", "Xem xét, trình ký", "Lãnh đạo phòng", D("0.5"), ""),
    ("Bước 5", "Ký quyết định", "Lãnh đạo Sở", D("1"), "Quyết định"),
    ("Bước 6", "Vào sổ, đóng dấu, chuyển kết quả", "Văn phòng Sở", D("0.5"), ""),
    (*RETURN, None, "Kết quả"),
)
# Issue 2: the appraisal is shortened and the result handed to the one-stop desk the same day.
NOTARY_V2 = [dict(step) for step in NOTARY_V1]
NOTARY_V2[2] = {**NOTARY_V2[2], "days": D("6.5")}
NOTARY_V2[5] = {**NOTARY_V2[5], "days": D("0.25")}
# Issue 3: a step for the on-site check of the office's premises.
NOTARY_V3 = [
    *NOTARY_V2[:3],
    {
        "code": "Bước 3a",
        "content": "Kiểm tra trụ sở Văn phòng công chứng (nếu cần)",
        "responsible": "Phòng Hành chính tư pháp",
        "days": D("0.5"),
        "output": "Biên bản kiểm tra",
    },
    *NOTARY_V2[3:],
]

CARD_V1 = _steps(
    (*RECEIVE, D("0.5"), "Phiếu hẹn"),
    ("Bước 2", "Thẩm định hồ sơ", "Phòng Hành chính tư pháp", D("5"), "Tờ trình"),
    ("Bước 3", "Ký cấp lại Thẻ công chứng viên", "Lãnh đạo Sở", D("1.5"), "Thẻ công chứng viên"),
    ("Bước 4", "Vào sổ, đóng dấu", "Văn phòng Sở", D("0.5"), ""),
    (*RETURN, None, "Kết quả"),
)
CARD_V2 = [dict(step) for step in CARD_V1]
CARD_V2[1] = {**CARD_V2[1], "days": D("4.75"), "content": "Thẩm định hồ sơ, tra cứu sổ đăng ký"}
CARD_V3 = [dict(step) for step in CARD_V2]
CARD_V3[2] = {**CARD_V3[2], "days": D("1.25")}

COMPANY_V1 = _steps(
    (*RECEIVE, D("0.25"), "Phiếu hẹn"),
    (
        "Bước 2",
        "Xem xét tính hợp lệ, cấp mã số doanh nghiệp",
        "Phòng Đăng ký kinh doanh",
        D("2"),
        "",
    ),
    (
        "Bước 3",
        "Ký Giấy chứng nhận đăng ký doanh nghiệp",
        "Lãnh đạo phòng",
        D("0.5"),
        "Giấy chứng nhận",
    ),
    (*RETURN, None, "Kết quả"),
)
COMPANY_V2 = [dict(step) for step in COMPANY_V1]
COMPANY_V2[1] = {**COMPANY_V2[1], "days": D("1.75")}

PERMIT_V1 = _steps(
    (*RECEIVE, D("0.5"), "Phiếu hẹn"),
    (
        "Bước 2",
        "Thẩm định hồ sơ, lấy ý kiến cơ quan liên quan",
        "Phòng Việc làm - An toàn lao động",
        D("7"),
        "",
    ),
    ("Bước 3", "Trình ký giấy phép lao động", "Lãnh đạo phòng", D("1"), ""),
    ("Bước 4", "Ký giấy phép", "Lãnh đạo Sở", D("1"), "Giấy phép lao động"),
    (*RETURN, None, "Kết quả"),
)
PERMIT_V2 = [dict(step) for step in PERMIT_V1]
PERMIT_V2[1] = {**PERMIT_V2[1], "days": D("6.5")}

PROCEDURES = [
    {
        "agency": "STP",
        "unit": "STP-HCTP",
        "code": "QT-01/STP",
        "title": "Quy trình đăng ký hoạt động Văn phòng công chứng",
        "tthc": "2.000789",
        "form": "Mẫu TP-CC-02: Đơn đề nghị đăng ký hoạt động Văn phòng công chứng",
        "issues": [
            (NOTARY_V1, "Ban hành lần đầu"),
            (NOTARY_V2, "Rút ngắn thời gian thẩm định (Bước 3) và vào sổ (Bước 6)"),
            (NOTARY_V3, "Bổ sung Bước 3a kiểm tra trụ sở theo Luật Công chứng 2024"),
        ],
    },
    {
        "agency": "STP",
        "unit": "STP-HCTP",
        "code": "QT-02/STP",
        "title": "Quy trình cấp lại Thẻ công chứng viên",
        "tthc": "1.001756",
        "form": "Mẫu TP-CC-04: Đơn đề nghị cấp lại Thẻ công chứng viên",
        "issues": [
            (CARD_V1, "Ban hành lần đầu"),
            (CARD_V2, "Bổ sung tra cứu sổ đăng ký khi thẩm định"),
        ],
        # Reviewed by the unit's leader, waiting for the agency's leader.
        "pending": (CARD_V3, "Điều chỉnh thời gian ký cấp lại thẻ (Bước 3)"),
    },
    {
        "agency": "STC",
        "unit": "STC-DKKD",
        "code": "QT-01/STC",
        "title": "Quy trình đăng ký thành lập doanh nghiệp tư nhân",
        "tthc": "2.002040",
        "form": "Phụ lục I-1: Giấy đề nghị đăng ký doanh nghiệp tư nhân",
        "issues": [
            (COMPANY_V1, "Ban hành lần đầu"),
            (COMPANY_V2, "Rút ngắn thời gian xem xét hồ sơ (Bước 2)"),
        ],
    },
    {
        "agency": "SNV",
        "unit": "SNV-VL",
        "code": "QT-01/SNV",
        "title": "Quy trình cấp giấy phép lao động cho người lao động nước ngoài",
        "tthc": "1.014199",
        "form": "Mẫu số 11/PLI: Văn bản đề nghị cấp giấy phép lao động",
        "issues": [
            (PERMIT_V1, "Ban hành lần đầu"),
            (PERMIT_V2, "Rút ngắn thời gian thẩm định (Bước 2)"),
        ],
    },
]
# The city issues the civil-status procedures for all its wards and communes (shared), drafted by
# its officer, reviewed by the Department of Justice's civil-status unit, approved by the city's
# leader, both by one decision; Phường Hoàn Kiếm then adopts its own for marriage registration.
CIVIL_LAW = [
    (
        "document",
        {
            "number": "60/2014/QH13",
            "title": "Luật Hộ tịch",
            "issuer": "Quốc hội",
            "issued_on": datetime.date(2014, 11, 20),
            "effective_on": datetime.date(2016, 1, 1),
        },
    ),
    (
        "document",
        {
            "number": "123/2015/NĐ-CP",
            "title": "Quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch",
            "issuer": "Chính phủ",
            "issued_on": datetime.date(2015, 11, 15),
            "effective_on": datetime.date(2016, 1, 1),
        },
    ),
]
CIVIL_CLERK = "Công chức Tư pháp - Hộ tịch"
BIRTH = _steps(
    ("Bước 1", "Tiếp nhận, kiểm tra hồ sơ đăng ký khai sinh", "Bộ phận một cửa", D("0.25"), ""),
    (
        "Bước 2",
        "Ghi Sổ đăng ký khai sinh, trình Chủ tịch Ủy ban nhân dân ký Giấy khai sinh",
        CIVIL_CLERK,
        D("0.25"),
        "Giấy khai sinh",
    ),
    ("Bước 3", "Trả Giấy khai sinh cho người đi đăng ký", "Bộ phận một cửa", None, "Kết quả"),
)
MARRIAGE = _steps(
    ("Bước 1", "Tiếp nhận, kiểm tra hồ sơ đăng ký kết hôn", "Bộ phận một cửa", D("0.25"), ""),
    (
        "Bước 2",
        "Kiểm tra, xác minh điều kiện kết hôn; ghi Sổ đăng ký kết hôn",
        CIVIL_CLERK,
        D("0.5"),
        "Tờ trình",
    ),
    (
        "Bước 3",
        "Ký Giấy chứng nhận kết hôn",
        "Chủ tịch Ủy ban nhân dân",
        D("0.25"),
        "Giấy chứng nhận kết hôn",
    ),
    ("Bước 4", "Trao Giấy chứng nhận kết hôn cho hai bên nam, nữ", CIVIL_CLERK, None, "Kết quả"),
)
# Phường Hoàn Kiếm's own: both parties sign the register at the ward's one-stop centre.
MARRIAGE_WARD = [dict(step) for step in MARRIAGE]
MARRIAGE_WARD[3] = {
    **MARRIAGE_WARD[3],
    "content": "Trao Giấy chứng nhận kết hôn; hai bên ký Sổ đăng ký kết hôn tại Trung tâm phục "
    "vụ hành chính công phường",
}
SHARED_EFFECTIVE = datetime.date(2025, 7, 15)
SHARED = [
    {
        "agency": "HN",
        "unit": "STP-HCTP",
        "code": "QT-01/UBND",
        "title": "Quy trình đăng ký khai sinh (áp dụng chung cấp xã)",
        "tthc": "1.001193",
        "form": "Mẫu TP/HT-2020-KS.1: Tờ khai đăng ký khai sinh",
        "shared": True,
        "legal": CIVIL_LAW,
        "effective": SHARED_EFFECTIVE,
        "issues": [(BIRTH, "Ban hành lần đầu, áp dụng chung cho các xã, phường")],
    },
    {
        "agency": "HN",
        "unit": "STP-HCTP",
        "code": "QT-02/UBND",
        "title": "Quy trình đăng ký kết hôn (áp dụng chung cấp xã)",
        "tthc": "1.000894",
        "form": "Mẫu TP/HT-2020-KH.1: Tờ khai đăng ký kết hôn",
        "shared": True,
        "legal": CIVIL_LAW,
        "effective": SHARED_EFFECTIVE,
        "issues": [(MARRIAGE, "Ban hành lần đầu, áp dụng chung cho các xã, phường")],
    },
]
WARD_ADOPTION = {
    "agency": "PHOANKIEM",
    "unit": "PHOANKIEM",
    "approving": "HN",
    "code": "QT-02/PHK",
    "title": "Quy trình đăng ký kết hôn tại Phường Hoàn Kiếm",
    "tthc": "1.000894",
    "legal": CIVIL_LAW,
}

# Issues before the last took effect on these dates (newest last); the last one today.
PAST_EFFECTIVE = [datetime.date(2024, 3, 15), datetime.date(2025, 7, 1)]


def _person(username: str):
    return get_user_model().objects.get(username=username)


def _form_document(agency: Agency, title: str, officer):
    """A real one-page PDF form in the agency's collection."""
    sheet = pdf.Document(title=title, footer=agency.name)
    sheet.title_block(title.split(":", 1)[-1].strip().upper(), left=[agency.name])
    sheet.paragraph("Kính gửi: " + agency.name)
    sheet.paragraph("Họ và tên người đề nghị: ..................................................")
    sheet.paragraph("Nội dung đề nghị: ..........................................................")
    filename = title.split(":", 1)[0].lower().replace(" ", "-") + ".pdf"
    return get_document_model().objects.create(
        title=title,
        file=ContentFile(sheet.render(), name=filename),
        collection=agency.collection,
        uploaded_by_user=officer,
    )


def _content(spec: dict, tthc, steps, summary: str, form) -> dict:
    return {
        "title": spec["title"],
        "code": spec["code"],
        "responsible_unit": Agency.objects.get(code=spec["unit"]),
        "approving_agency": (
            Agency.objects.get(code=spec["approving"]) if spec.get("approving") else None
        ),
        "shared": spec.get("shared", False),
        "purpose": (
            "Quy định trình tự, thời gian, trách nhiệm giải quyết thủ tục “"
            + tthc.name
            + "” bảo đảm đúng thời hạn, công khai, minh bạch."
        ),
        "scope": "Áp dụng đối với các đơn vị, công chức tham gia giải quyết thủ tục.",
        "legal_basis": spec.get("legal")
        or [
            (
                "document",
                {
                    "number": "46/2024/QH15" if spec["agency"] == "STP" else "118/2025/NĐ-CP",
                    "title": "Luật Công chứng"
                    if spec["agency"] == "STP"
                    else ("Nghị định về thực hiện thủ tục hành chính theo cơ chế một cửa"),
                    "issuer": "Quốc hội" if spec["agency"] == "STP" else "Chính phủ",
                    "issued_on": datetime.date(2024, 11, 26),
                    "effective_on": datetime.date(2025, 7, 1),
                },
            )
        ],
        "definitions": [("definition", {"term": "TTHC", "meaning": "Thủ tục hành chính"})],
        "services": [
            (
                "tthc",
                {
                    "tthc": tthc,
                    "variant": "",
                    "conditions": "",
                    "components": "Theo danh mục thủ tục hành chính được công bố.",
                    "copies": "01 bộ",
                    "where": "Bộ phận tiếp nhận và trả kết quả",
                    "fees": "Theo quy định hiện hành",
                    "steps": [
                        {**step, "form": form if i == 0 else None} for i, step in enumerate(steps)
                    ],
                },
            )
        ],
        "forms": [("form", form)],
        "records": [
            (
                "record",
                {
                    "name": "Hồ sơ giải quyết thủ tục",
                    "keeper": "Phòng chuyên môn",
                    "retention": "05 năm",
                },
            )
        ],
        "change_summary": summary,
    }


def _draft(page: ProcedurePage, content: dict, officer):
    page = ProcedurePage.objects.get(pk=page.pk)
    for name, value in content.items():
        setattr(page, name, value)
    page.full_clean()
    return page.save_revision(user=officer)


def _submit(page: ProcedurePage, officer, reviewer, approver=None):
    page = ProcedurePage.objects.get(pk=page.pk)
    page.get_workflow().start(page, officer)
    for person in (reviewer, approver):
        if person is None:
            break
        state = ProcedurePage.objects.get(pk=page.pk).current_workflow_state.current_task_state
        state.task.specific.on_action(state, person, "approve")


def seed_procedure(spec: dict) -> dict:
    agency = Agency.objects.get(code=spec["agency"])
    if ProcedurePage.objects.filter(agency=agency, code=spec["code"]).exists():
        return {}
    officer = _person(f"{spec['agency'].lower()}-officer")
    reviewer = _person(f"{spec['unit'].lower()}-leader")
    approver = _person(f"{spec.get('approving', spec['agency']).lower()}-leader")
    tthc = AdministrativeProcedure.objects.get(code=spec["tthc"])
    form = _form_document(agency, spec["form"], officer)
    page = None
    for steps, summary in spec["issues"]:
        content = _content(spec, tthc, steps, summary, form)
        if page is None:
            page = agency.page.add_child(
                instance=ProcedurePage(
                    **content, slug=spec["code"].lower().replace("/", "-"), live=False
                )
            )
            page.save_revision(user=officer)
        else:
            _draft(page, content, officer)
        _submit(page, officer, reviewer, approver)
    if "pending" in spec:
        steps, summary = spec["pending"]
        _draft(page, _content(spec, tthc, steps, summary, form), officer)
        _submit(page, officer, reviewer)
    _backdate(page, spec.get("effective"))
    return {"procedures": 1, "issues": page.issues.count()}


def _backdate(page: ProcedurePage, effective: datetime.date | None = None) -> None:
    """Demo only: spread the issues over past dates, as an agency's real history would be (they
    were all published just now), or date a single issue ``effective``. Real issues are never
    edited."""
    issues = list(page.issues.order_by("number"))
    dates = [*PAST_EFFECTIVE[-(len(issues) - 1) :], timezone.localdate()] if len(issues) > 1 else []
    if effective is not None and len(issues) == 1:
        dates = [effective]
    for issue, effective in zip(issues, dates, strict=False):
        ProcedureIssue.objects.filter(pk=issue.pk).update(effective_date=effective)
    for older, newer in zip(issues, issues[1:], strict=False):
        ProcedureIssue.objects.filter(pk=older.pk).update(
            status=IssueStatus.SUPERSEDED,
            superseded_on=ProcedureIssue.objects.get(pk=newer.pk).effective_date,
        )
    # The periodic review counts from the in-force issue's (demo) effective date.
    if issues:
        latest = ProcedureIssue.objects.get(pk=issues[-1].pk)
        ProcedureReview.objects.filter(
            procedure=page, reason=ReviewReason.PERIODIC, outcome=ReviewOutcome.OPEN
        ).update(due_on=add_months(latest.effective_date, page.review_interval_months or 12))


def _decision() -> int:
    """One decision of the Department of Justice that issued both its procedures' latest issues."""
    agency = Agency.objects.get(code="STP")
    decision, created = ApprovalDecision.objects.get_or_create(
        agency=agency,
        number="125/QĐ-STP",
        defaults={"signed_on": timezone.localdate(), "signer": "Giám đốc Sở Tư pháp"},
    )
    for issue in ProcedureIssue.objects.filter(
        procedure__agency=agency, status=IssueStatus.IN_FORCE, decision__isnull=True
    ):
        issue_decision_record(actor=None, issue=issue, decision=decision)
    return int(created)


def _city_decision() -> int:
    """One decision of the city that approved both shared procedures at once."""
    city = Agency.objects.get(code="HN")
    decision, created = ApprovalDecision.objects.get_or_create(
        agency=city,
        number="3456/QĐ-UBND",
        defaults={"signed_on": datetime.date(2025, 7, 10), "signer": "Chủ tịch Ủy ban nhân dân"},
    )
    for issue in ProcedureIssue.objects.filter(
        procedure__agency=city, shared=True, decision__isnull=True
    ):
        issue_decision_record(actor=None, issue=issue, decision=decision)
    return int(created)


def _ward_adoption() -> dict:
    """Phường Hoàn Kiếm adopts the city's marriage procedure as its own (the real adoption path),
    which then takes precedence there; the other wards keep following the city's."""
    from documents.services.adoption import procedure_adopt

    spec = WARD_ADOPTION
    ward = Agency.objects.get(code=spec["agency"])
    if ProcedurePage.objects.filter(agency=ward, code=spec["code"]).exists():
        return {}
    officer = _person("phoankiem-officer")
    source = ProcedurePage.objects.get(agency__code="HN", code="QT-02/UBND")
    page = procedure_adopt(actor=officer, source=source, agency=ward, code=spec["code"])
    tthc = AdministrativeProcedure.objects.get(code=spec["tthc"])
    content = _content(spec, tthc, MARRIAGE_WARD, page.change_summary, None)
    content.update(forms=page.forms, responsible_unit=None)
    _draft(page, content, officer)
    _submit(page, officer, _person("phoankiem-leader"), _person("hn-leader"))
    return {"procedures": 1, "issues": page.issues.count()}


def seed() -> dict:
    from documents import demo_acknowledgements, demo_review

    created = {"procedures": 0, "issues": 0}
    for spec in [*PROCEDURES, *SHARED]:
        for key, count in seed_procedure(spec).items():
            created[key] += count
    for key, count in _ward_adoption().items():
        created[key] += count
    created["decisions"] = _decision() + _city_decision()
    for module in (demo_review, demo_acknowledgements):
        for key, count in module.seed().items():
            created[key] = created.get(key, 0) + count
    return created
