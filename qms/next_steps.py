"""The dashboard's welcome: what qms is, what each role does, and what to do next.

The next steps are a named question (``providers.NEXT_STEPS``): the core answers it here for its
own screens, and each app adds the steps of the screens it brings, so the list grows with the
product without the core naming any app.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qms import permissions, providers
from qms.models import Role
from qms.providers import NextStep

ADMIN = "admin"

ABOUT = _(
    "qms giúp cơ quan hành chính nhà nước xây dựng, áp dụng và duy trì hệ thống quản lý chất "
    "lượng theo TCVN ISO 9001:2015 cho việc giải quyết thủ tục hành chính: quy trình nội bộ, "
    "đánh giá nội bộ, hành động khắc phục và kết quả giải quyết hồ sơ."
)

# One line per role, in the order a person reads them (the widest duty first).
ROLE_LINES = {
    ADMIN: _("Quản trị hệ thống: cơ quan, đơn vị, danh mục TTHC, lịch làm việc và tác vụ định kỳ."),
    Role.LEADER: _(
        "Lãnh đạo: phê duyệt quy trình, theo dõi kết quả giải quyết hồ sơ của các đơn vị trực "
        "thuộc, chủ trì xem xét của lãnh đạo."
    ),
    Role.OFFICER: _(
        "Cán bộ đầu mối ISO: giữ quy trình và danh mục TTHC của đơn vị luôn cập nhật, phân công "
        "vai trò, theo dõi hành động khắc phục."
    ),
    Role.AUDITOR: _(
        "Đánh giá viên nội bộ: lập kế hoạch và thực hiện đánh giá nội bộ, xác nhận hiệu lực của "
        "hành động khắc phục."
    ),
    Role.STAFF: _(
        "Công chức, viên chức: đọc quy trình đang áp dụng, thực hiện hành động khắc phục được giao."
    ),
}


def roles_today(user) -> frozenset[str]:
    """The roles the user holds today, with ``"admin"`` for an administrator."""
    roles = {m.role for m in permissions.active_memberships(user)}
    if permissions.is_admin(user):
        roles.add(ADMIN)
    return frozenset(roles)


def role_lines(roles: frozenset[str]) -> list[str]:
    return [line for role, line in ROLE_LINES.items() if role in roles]


def next_steps(user) -> list[NextStep]:
    """Every provider's steps for the user, first things first, one step per screen."""
    roles = roles_today(user)
    steps = [
        step for answer in providers.ask_all(providers.NEXT_STEPS, user, roles) for step in answer
    ]
    seen, unique = set(), []
    for step in sorted(steps, key=lambda s: s.order):
        if step.url not in seen:
            seen.add(step.url)
            unique.append(step)
    return unique


def core_next_steps(user, roles: frozenset[str]) -> list[NextStep]:
    """The core's screens: agencies, memberships, the TTHC catalogue, the calendar, the inbox."""
    steps = []

    def step(order, text, url_name):
        steps.append(NextStep(text=text, url=reverse(url_name), order=order))

    if ADMIN in roles:
        step(10, _("Cập nhật cơ quan, đơn vị và quan hệ kế thừa sau sắp xếp"), "agencies:index")
        step(20, _("Nhập danh mục thủ tục hành chính (CSV, XLSX)"), "qms_tthc_import")
        step(30, _("Khai báo ngày nghỉ, ngày làm bù của lịch làm việc"), "calendar_overrides:index")
        step(40, _("Bổ nhiệm lãnh đạo và đánh giá viên của các đơn vị"), "memberships:index")
        step(
            50,
            _("Kiểm tra các tác vụ định kỳ (nhắc việc, gửi thư)"),
            "admin:django_celery_beat_periodictask_changelist",
        )
    if Role.OFFICER in roles:
        step(10, _("Rà soát danh mục TTHC và thời hạn giải quyết đang áp dụng"), "tthc:index")
        step(20, _("Phân công vai trò cho cán bộ, công chức của đơn vị"), "memberships:index")
        step(30, _("Kiểm tra lịch làm việc: ngày nghỉ, ngày làm bù"), "qms_working_calendar")
    if Role.LEADER in roles:
        step(
            20, _("Xem phân công vai trò của đơn vị và các đơn vị trực thuộc"), "memberships:index"
        )
        step(30, _("Đọc các thông báo cần xử lý"), "qms_inbox")
    if Role.AUDITOR in roles:
        step(30, _("Tìm hiểu cơ cấu các đơn vị sẽ được đánh giá"), "agencies:index")
        step(40, _("Tra cứu TTHC và thời hạn giải quyết làm căn cứ đánh giá"), "tthc:index")
    if Role.STAFF in roles:
        step(40, _("Tra cứu TTHC và thời hạn giải quyết đang áp dụng"), "tthc:index")
        step(50, _("Xem lịch làm việc: ngày nghỉ, ngày làm bù"), "qms_working_calendar")
    return steps


providers.register(providers.NEXT_STEPS, core_next_steps)
