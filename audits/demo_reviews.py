"""Demo data of management reviews (run by ``audits.demo.seed`` after the register and the
programme, idempotent), all through the services with the demo users of Hà Nội (``HN``):

- LAST year's review, held in mid-December of last year, chaired by ``hn-leader``, prepared and
  recorded by ``hn-officer`` with the city's staff and the Department of Justice's leader and
  officer attending; its inputs of 9.3.2 compiled as of that day (records dated later are left
  out by the selector) and frozen; its decisions and resource needs; one minor nonconformity
  raised at the meeting with its corrective action (owned by ``hn-staff``, cause analysed and
  planned);
- THIS year's review, PLANNED about 10 days from today, prepared by ``hn-officer`` with
  ``hn-leader`` as chair (a browser test has the officer record it as held).

Idempotent: a review of the city with the same title is left as it is.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from audits.models import (
    Clause,
    Complaint,
    ComplaintKind,
    ComplaintOutcome,
    FindingKind,
    ManagementReview,
)
from audits.services.actions import action_analyse_cause, action_open, action_plan
from audits.services.complaints import complaint_answer, complaint_record
from audits.services.reviews import review_hold, review_raise_finding, review_save
from qms.models import Agency

PEOPLE = ("hn-officer", "hn-leader", "hn-staff", "stp-leader", "stp-officer")
OTHERS = "Đại diện Văn phòng Ủy ban nhân dân thành phố; chuyên gia tư vấn ISO (Dữ liệu minh họa)."
LAST_DECISIONS = (
    "1. Hệ thống quản lý chất lượng của thành phố cơ bản phù hợp, hiệu lực; duy trì áp dụng "
    "TCVN ISO 9001:2015.\n"
    "2. Giao Văn phòng cập nhật sổ rủi ro, cơ hội của các đơn vị trước ngày 31/3; theo dõi tỷ "
    "lệ hồ sơ đúng hạn hằng quý.\n"
    "3. Cơ hội cải tiến: số hóa sổ theo dõi hồ sơ, thư xin lỗi điện tử khi trả kết quả trễ hạn "
    "(Dữ liệu minh họa)."
)
LAST_RESOURCES = (
    "Bồi dưỡng thêm 02 đánh giá viên nội bộ; kinh phí duy trì hệ thống năm tới theo dự toán "
    "(Dữ liệu minh họa)."
)
NC_TEXT = (
    "Chưa đo lường sự hài lòng của người dân theo kế hoạch: khảo sát quý III, IV không thực "
    "hiện (Dữ liệu minh họa)."
)


# Last year's feedback to Sở Tư pháp, so that last year's review has something to weigh:
# (received, answered, content) as (month, day) of that year.
LAST_YEAR_COMPLAINTS = (
    ((3, 10), (3, 17), "Đề nghị bố trí thêm ghế chờ tại Bộ phận một cửa (Dữ liệu minh họa)."),
    (
        (6, 2),
        (6, 9),
        "Phản ánh biểu mẫu đăng ký kết hôn trên cổng chưa cập nhật (Dữ liệu minh họa).",
    ),
    (
        (9, 15),
        (10, 20),
        "Khiếu nại việc trả Phiếu lý lịch tư pháp chậm so với giấy hẹn (Dữ liệu minh họa).",
    ),
)


def _last_year_complaints(users, year) -> None:
    """Recorded and answered through the services on their days of last year."""
    agency = Agency.objects.filter(code="STP").first()
    officer = users.get("stp-officer")
    if agency is None or officer is None:
        return
    for (rm, rd), (am, ad), content in LAST_YEAR_COMPLAINTS:
        if Complaint.objects.filter(agency=agency, content=content).exists():
            continue
        complaint = complaint_record(
            actor=officer,
            instance=Complaint(
                agency=agency,
                kind=ComplaintKind.FEEDBACK,
                received_on=datetime.date(year, rm, rd),
                content=content,
            ),
        )
        complaint_answer(
            actor=officer,
            instance=complaint,
            answered_on=datetime.date(year, am, ad),
            answer="Sở Tư pháp đã tiếp thu, khắc phục và trả lời bằng văn bản (Dữ liệu minh họa).",
            outcome=ComplaintOutcome.JUSTIFIED,
        )


def _last_year(users, city, today) -> tuple[int, int, int]:
    year = today.year - 1
    title = f"Xem xét của lãnh đạo năm {year}"
    if ManagementReview.objects.filter(agency=city, title=title).exists():
        return 0, 0, 0
    officer = users["hn-officer"]
    held_on = datetime.date(year, 12, 15)
    review = review_save(
        actor=officer,
        instance=ManagementReview(
            agency=city,
            title=title,
            period_start=datetime.date(year, 1, 1),
            period_end=datetime.date(year, 12, 31),
            planned_on=held_on,
            chair=users["hn-leader"],
            other_attendees=OTHERS,
        ),
        attendees=[users[name] for name in PEOPLE if name in users and name != "hn-leader"],
    )
    _last_year_complaints(users, year)
    # Held in the past: the selector compiles the inputs as of that day.
    review = review_hold(
        actor=officer,
        instance=review,
        held_on=held_on,
        decisions=LAST_DECISIONS,
        resource_needs=LAST_RESOURCES,
    )
    finding = review_raise_finding(
        actor=officer,
        instance=review,
        kind=FindingKind.MINOR_NC,
        description=NC_TEXT,
        clause=Clause.objects.filter(number="9.1.2").first(),
    )
    owner = users.get("hn-staff") or officer
    due = today + datetime.timedelta(days=30)
    action = action_open(
        actor=officer,
        finding=finding,
        owner=owner,
        due_date=due,
        correction="Thực hiện ngay khảo sát sự hài lòng còn thiếu tại Bộ phận một cửa.",
    )
    action_analyse_cause(
        actor=officer,
        instance=action,
        whys=[
            "Vì sao không khảo sát? Chưa giao người phụ trách sau khi sắp xếp lại bộ máy.",
            "Vì sao chưa giao? Kế hoạch khảo sát không ghi trách nhiệm cụ thể.",
        ],
        root_cause="Kế hoạch đo lường sự hài lòng không phân công người thực hiện từng quý.",
    )
    action_plan(
        actor=officer,
        instance=action,
        plan=(
            "Sửa kế hoạch đo lường sự hài lòng: giao Bộ phận một cửa khảo sát hằng quý, Văn "
            "phòng tổng hợp báo cáo lãnh đạo."
        ),
        due_date=due,
    )
    return 1, 1, 1


def _this_year(users, city, today) -> int:
    title = f"Xem xét của lãnh đạo năm {today.year}"
    if ManagementReview.objects.filter(agency=city, title=title).exists():
        return 0
    review_save(
        actor=users["hn-officer"],
        instance=ManagementReview(
            agency=city,
            title=title,
            period_start=datetime.date(today.year, 1, 1),
            period_end=datetime.date(today.year, 12, 31),
            planned_on=today + datetime.timedelta(days=10),
            chair=users["hn-leader"],
            other_attendees=OTHERS,
        ),
        attendees=[users[name] for name in PEOPLE if name in users and name != "hn-leader"],
    )
    return 1


def seed() -> dict:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=PEOPLE)}
    city = Agency.objects.filter(code="HN").first()
    if city is None or "hn-officer" not in users or "hn-leader" not in users:
        return {}
    today = timezone.localdate()
    reviews, findings, actions = _last_year(users, city, today)
    reviews += _this_year(users, city, today)
    return {
        "management_reviews": reviews,
        "findings": findings,
        "corrective_actions": actions,
    }
