"""Demo data of the QMS register (scope, policy), risks and opportunities, conformity announcements
and external inspections (run by ``audits.demo.seed``, idempotent), all through the services with
the demo users:

- the registers of Hà Nội (``HN``, its shared procedures' TTHC) and of its Department of Justice
  (``STP``, with its units and the TTHC they handle), each with its quality policy;
- five risks and opportunities of Sở Tư pháp and the city, scored, with owners, one closed;
- Sở Tư pháp's conformity announcement, its signed decision in the department's collection;
- an inspection of Sở Tư pháp by the Department of Science and Technology concluded 5 weeks ago
  (its report due in about 3 weeks) with a minor nonconformity (its corrective action planned,
  owned by staff of the department's administrative-justice unit) and an observation.

Dates are relative to today. Idempotent: a register, a risk (by title), an announcement (by
number) or an inspection (by conclusion number) already there is left as it is.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model

from audits.models import (
    Clause,
    ConformityAnnouncement,
    ExternalInspection,
    FindingKind,
    QualitySystem,
    Risk,
    RiskKind,
)
from audits.selectors_register import procedures_allowed, units_allowed
from audits.services.actions import action_analyse_cause, action_open, action_plan
from audits.services.register import (
    announcement_save,
    inspection_record_finding,
    inspection_save,
    quality_system_save,
    risk_close,
    risk_save,
)
from qms.models import Agency
from qms.services.files import agency_collection_ensure

# TTHC of the city's shared procedures (documents/demo.py), when the catalogue has them.
CITY_TTHC = ("1.001193", "1.000894")
REGISTERS = {
    "HN": {
        "officer": "hn-officer",
        "scope": (
            "Hoạt động giải quyết thủ tục hành chính thuộc thẩm quyền của Ủy ban nhân dân thành "
            "phố và các quy trình nội bộ dùng chung cho cấp xã (Dữ liệu minh họa)."
        ),
        "exclusions": (
            "Điều 8.3 Thiết kế và phát triển sản phẩm, dịch vụ – không áp dụng vì trình tự, thủ "
            "tục do văn bản quy phạm pháp luật quy định."
        ),
        "policy": (
            "Ủy ban nhân dân thành phố Hà Nội cam kết giải quyết thủ tục hành chính công khai, "
            "minh bạch, đúng hạn; lấy sự hài lòng của người dân, doanh nghiệp làm thước đo chất "
            "lượng phục vụ."
        ),
        "policy_days_ago": 400,
    },
    "STP": {
        "officer": "stp-officer",
        "scope": (
            "Giải quyết thủ tục hành chính lĩnh vực công chứng, luật sư, hộ tịch, chứng thực tại "
            "Sở Tư pháp, Văn phòng Sở, Phòng Hành chính tư pháp và Bộ phận tiếp nhận và trả kết "
            "quả (Dữ liệu minh họa)."
        ),
        "exclusions": (
            "Điều 8.3 Thiết kế và phát triển – không áp dụng vì quy trình giải quyết do pháp "
            "luật quy định; điều 7.1.5.2 Liên kết chuẩn đo lường – không có thiết bị đo."
        ),
        "policy": (
            "Sở Tư pháp thành phố Hà Nội: chuyên nghiệp – liêm chính – đúng hẹn; 100% hồ sơ được "
            "hướng dẫn một lần, đầy đủ; không để hồ sơ quá hạn mà không có thư xin lỗi."
        ),
        "policy_days_ago": 300,
    },
}
# (agency, officer, kind, title, likelihood, impact, treatment, owner, review in days, closed)
RISKS = (
    (
        "STP",
        "stp-officer",
        RiskKind.RISK,
        "Quy trình chưa cập nhật kịp khi Luật Công chứng 2024 và văn bản hướng dẫn có hiệu lực",
        4,
        4,
        "Rà soát văn bản pháp luật hằng tháng; sửa đổi quy trình trong 3 tháng kể từ ngày văn "
        "bản có hiệu lực (Quyết định 101/2018/QĐ-TTg).",
        "stp-officer",
        30,
        False,
    ),
    (
        "STP",
        "stp-officer",
        RiskKind.RISK,
        "Hồ sơ cấp lại Thẻ công chứng viên trả kết quả quá hạn vào dịp nghỉ Tết",
        3,
        4,
        "Lập lịch trực, phân công người xử lý thay; nhắc hạn trên phần mềm một cửa trước 2 ngày.",
        "stp-hctp-officer",
        60,
        False,
    ),
    (
        "STP",
        "stp-officer",
        RiskKind.RISK,
        "Mất dữ liệu hồ sơ điện tử khi chuyển đổi phần mềm một cửa",
        2,
        5,
        "Sao lưu hằng ngày; chạy song song hai hệ thống 1 tháng; kiểm tra đối chiếu số hồ sơ.",
        "stp-mc-officer",
        45,
        False,
    ),
    (
        "STP",
        "stp-officer",
        RiskKind.OPPORTUNITY,
        "Cung cấp dịch vụ công trực tuyến toàn trình cho thủ tục cấp lại Thẻ công chứng viên",
        4,
        3,
        "Số hóa biểu mẫu, kết nối thanh toán trực tuyến; hướng dẫn người dân qua cổng dịch vụ "
        "công.",
        "stp-vp-officer",
        90,
        False,
    ),
    (
        "STP",
        "stp-officer",
        RiskKind.RISK,
        "Thiếu biểu mẫu tờ khai in sẵn tại Bộ phận một cửa",
        2,
        2,
        "Đã bổ sung quầy biểu mẫu và mã QR tải tờ khai.",
        "stp-mc-officer",
        None,
        True,
    ),
    (
        "HN",
        "hn-officer",
        RiskKind.RISK,
        "Tỷ lệ hồ sơ trễ hạn tăng tại các phường sau sắp xếp đơn vị hành chính năm 2025",
        4,
        4,
        "Theo dõi tỷ lệ đúng hạn theo tuần; tập huấn lại cán bộ một cửa cấp xã; áp dụng quy "
        "trình dùng chung.",
        "hn-officer",
        30,
        False,
    ),
)
ANNOUNCEMENT_NUMBER = "125/QĐ-STP"
INSPECTION_NUMBER = "215/KL-SKHCN"
NC_TEXT = (
    "Chưa xác định và đánh giá rủi ro, cơ hội cho hoạt động chứng thực tại Bộ phận tiếp nhận "
    "và trả kết quả (điều 6.1)."
)
OBSERVATION_TEXT = (
    "Sổ theo dõi văn bản đến chưa ghi rõ lần ban hành của tài liệu bên ngoài; nên cập nhật "
    "danh mục tài liệu bên ngoài định kỳ."
)


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _registers(users) -> int:
    created = 0
    for code, spec in REGISTERS.items():
        agency = Agency.objects.filter(code=code).first()
        officer = users.get(spec["officer"])
        if (
            agency is None
            or officer is None
            or QualitySystem.objects.filter(agency=agency).exists()
        ):
            continue
        allowed = procedures_allowed(agency)
        if code == "HN":
            procedures = list(allowed.filter(code__in=CITY_TTHC)) or list(allowed[:3])
            units = [agency]
        else:
            procedures = list(allowed.order_by("code"))
            units = list(units_allowed(agency).order_by("path"))
        quality_system_save(
            actor=officer,
            instance=QualitySystem(
                agency=agency,
                scope=spec["scope"],
                exclusions=spec["exclusions"],
                quality_policy=spec["policy"],
                policy_issued_on=_day(-spec["policy_days_ago"]),
            ),
            units=units,
            procedures=procedures,
        )
        created += 1
    return created


def _risks(users) -> int:
    created = 0
    for code, actor, kind, title, likelihood, impact, treatment, owner, review, closed in RISKS:
        agency = Agency.objects.filter(code=code).first()
        officer = users.get(actor)
        if (
            agency is None
            or officer is None
            or Risk.objects.filter(agency=agency, title=title).exists()
        ):
            continue
        risk = risk_save(
            actor=officer,
            instance=Risk(
                agency=agency,
                kind=kind,
                title=title,
                likelihood=likelihood,
                impact=impact,
                treatment=treatment,
                owner=users.get(owner),
                review_on=_day(review) if review else None,
            ),
        )
        if closed:
            risk_close(actor=officer, instance=risk, closed_on=_day(-20))
        created += 1
    return created


def _document(agency, title: str, filename: str, actor):
    document = get_document_model()(
        title=title,
        file=ContentFile(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", name=filename),
        collection=agency_collection_ensure(agency),
        uploaded_by_user=actor,
    )
    document.save()
    return document


def _announcement(users) -> int:
    agency = Agency.objects.filter(code="STP").first()
    officer = users.get("stp-officer")
    if (
        agency is None
        or officer is None
        or ConformityAnnouncement.objects.filter(agency=agency, number=ANNOUNCEMENT_NUMBER).exists()
    ):
        return 0
    announcement_save(
        actor=officer,
        instance=ConformityAnnouncement(
            agency=agency,
            announced_on=_day(-200),
            number=ANNOUNCEMENT_NUMBER,
            document=_document(
                agency,
                f"Quyết định công bố hệ thống quản lý chất lượng {ANNOUNCEMENT_NUMBER}",
                "quyet-dinh-cong-bo-iso-stp.pdf",
                officer,
            ),
            posted_at=(
                "Trụ sở Sở Tư pháp và Cổng thông tin điện tử của Sở (mục Hệ thống quản lý chất "
                "lượng)"
            ),
            note="Công bố phù hợp TCVN ISO 9001:2015 (Dữ liệu minh họa).",
        ),
    )
    return 1


def _inspection(users) -> tuple[int, int, int]:
    agency = Agency.objects.filter(code="STP").first()
    officer = users.get("stp-officer")
    owner = users.get("stp-hctp-staff")
    if (
        agency is None
        or officer is None
        or owner is None
        or ExternalInspection.objects.filter(
            agency=agency, conclusion_number=INSPECTION_NUMBER
        ).exists()
    ):
        return 0, 0, 0
    inspection = inspection_save(
        actor=officer,
        instance=ExternalInspection(
            agency=agency,
            inspecting_body="Sở Khoa học và Công nghệ thành phố Hà Nội",
            inspected_on=_day(-45),
            conclusion_number=INSPECTION_NUMBER,
            concluded_on=_day(-35),
            summary=(
                "Sở Tư pháp đã xây dựng, áp dụng, duy trì hệ thống quản lý chất lượng phù hợp "
                "TCVN ISO 9001:2015; còn 01 điểm không phù hợp nhẹ và 01 khuyến nghị (Dữ liệu "
                "minh họa)."
            ),
        ),
    )
    nc = inspection_record_finding(
        actor=officer,
        instance=inspection,
        kind=FindingKind.MINOR_NC,
        description=NC_TEXT,
        clause=Clause.objects.filter(number="6.1").first(),
    )
    inspection_record_finding(
        actor=officer,
        instance=inspection,
        kind=FindingKind.OBSERVATION,
        description=OBSERVATION_TEXT,
        clause=Clause.objects.filter(number="7.5.3").first(),
    )
    action = action_open(
        actor=officer,
        finding=nc,
        owner=owner,
        due_date=_day(20),
        correction="Bổ sung ngay bảng nhận diện rủi ro của Bộ phận tiếp nhận và trả kết quả.",
    )
    action_analyse_cause(
        actor=officer,
        instance=action,
        whys=[
            "Vì sao chưa đánh giá rủi ro? Bộ phận mới được tổ chức lại.",
            "Vì sao bộ phận mới chưa đánh giá? Chưa được giao trách nhiệm cập nhật sổ rủi ro.",
        ],
        root_cause="Chưa phân công trách nhiệm cập nhật sổ rủi ro khi tổ chức lại bộ phận.",
    )
    action_plan(
        actor=officer,
        instance=action,
        plan=(
            "Giao Phòng Hành chính tư pháp cập nhật sổ rủi ro, cơ hội của Bộ phận tiếp nhận và "
            "trả kết quả; rà soát hằng quý."
        ),
        due_date=_day(20),
    )
    return 1, 2, 1


def seed() -> dict:
    users = {u.username: u for u in get_user_model().objects.filter(username__contains="-")}
    inspections, findings, actions = _inspection(users)
    return {
        "quality_systems": _registers(users),
        "risks": _risks(users),
        "conformity_announcements": _announcement(users),
        "external_inspections": inspections,
        "findings": findings,
        "corrective_actions": actions,
    }
