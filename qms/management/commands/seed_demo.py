"""``manage.py seed_demo``: an invented Hanoi-shaped city after the 1 Jul 2025 reform, for dev and demos.

Builds the city, six departments with their units, four post-reform wards/communes, one abolished
district with its successors, the TTHC catalogue of ``qms/fixtures/demo_tthc.csv`` (loaded through
the import service, the one way the catalogue gets in), one demo user per role on every node
(city, departments, their units, wards; not the dissolved district), a superuser ``admin``, and a
few notifications in the demo users' inboxes.

Idempotent: every row is keyed on a code or username, so a second run changes nothing. Passwords are
set only when a user is created, so an account whose password someone changed keeps it.

The agencies and people are invented; the TTHC codes follow the national format and many are real
codes from the national portal, but names, limits and legal bases are demo data, not a reference.
The shared password is for development only, which is why the command refuses to run unless DEBUG
or the test settings are on (``--force`` overrides, for a throwaway demo server).
"""

import datetime
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from qms.models import (
    AdministrativeProcedure,
    Agency,
    AgencyKind,
    AgencySuccession,
    Membership,
    Notification,
    OutboundEmail,
    Role,
    SuccessionKind,
    TimeLimit,
)
from qms.people import person_name
from qms.services.agencies import agency_create, agency_update
from qms.services.catalogue import catalogue_import
from qms.services.memberships import membership_create
from qms.services.notifications import notify

CORE_COUNTS = {"agencies", "successions", "users", "memberships", "notifications"}
# Development only: printed by the command and documented here on purpose.
DEMO_PASSWORD = "demo-qms-2025"
DEMO_EMAIL_DOMAIN = "demo.qms.invalid"  # .invalid never resolves, so no demo mail leaves
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "demo_tthc.csv"

REFORM_DATE = datetime.date(2025, 7, 1)
DISTRICT_END = datetime.date(2025, 6, 30)
# Resolution of the NA Standing Committee arranging Hanoi's commune-level units (16 Jun 2025).
REFORM_BASIS = "Nghị quyết 1656/NQ-UBTVQH15"

CITY = ("HN", "Ủy ban nhân dân thành phố Hà Nội")

U, ONE_STOP = AgencyKind.UNIT, AgencyKind.ONE_STOP
DEPARTMENTS = [
    (
        "STP",
        "Sở Tư pháp",
        [
            ("STP-VP", "Văn phòng Sở", U),
            ("STP-HCTP", "Phòng Hành chính tư pháp", U),
            ("STP-MC", "Bộ phận tiếp nhận và trả kết quả", ONE_STOP),
        ],
    ),
    (
        "STC",
        "Sở Tài chính",
        [
            ("STC-VP", "Văn phòng Sở", U),
            ("STC-DKKD", "Phòng Đăng ký kinh doanh", U),
            ("STC-MC", "Bộ phận tiếp nhận và trả kết quả", ONE_STOP),
        ],
    ),
    (
        "SXD",
        "Sở Xây dựng",
        [
            ("SXD-VP", "Văn phòng Sở", U),
            ("SXD-CPXD", "Phòng Cấp phép xây dựng", U),
            ("SXD-MC", "Bộ phận tiếp nhận và trả kết quả", ONE_STOP),
        ],
    ),
    (
        "SNNMT",
        "Sở Nông nghiệp và Môi trường",
        [
            ("SNNMT-VP", "Văn phòng Sở", U),
            ("SNNMT-QLDD", "Phòng Quản lý đất đai", U),
            ("SNNMT-CCMT", "Chi cục Bảo vệ môi trường", U),
        ],
    ),
    (
        "SKHCN",
        "Sở Khoa học và Công nghệ",
        [
            ("SKHCN-VP", "Văn phòng Sở", U),
            ("SKHCN-QLKH", "Phòng Quản lý khoa học", U),
        ],
    ),
    (
        "SNV",
        "Sở Nội vụ",
        [
            ("SNV-VP", "Văn phòng Sở", U),
            ("SNV-VL", "Phòng Việc làm - An toàn lao động", U),
            ("SNV-MC", "Bộ phận tiếp nhận và trả kết quả", ONE_STOP),
        ],
    ),
]

# Real post-reform names (Nghị quyết 1656/NQ-UBTVQH15).
WARDS = [
    ("PHOANKIEM", "Phường Hoàn Kiếm"),
    ("PCUANAM", "Phường Cửa Nam"),
    ("PBADINH", "Phường Ba Đình"),
    ("XSOCSON", "Xã Sóc Sơn"),
]

# The old district's wards went to Hoàn Kiếm and Cửa Nam, and Cửa Đông / Đồng Xuân in part to Ba
# Đình: one body divided among several successors, hence "split".
DISTRICT = ("QHOANKIEM", "Quận Hoàn Kiếm (cũ)")
DISTRICT_SUCCESSORS = ["PHOANKIEM", "PCUANAM", "PBADINH"]

# Invented names, combined deterministically so every run gives each username the same person.
# A Vietnamese name is family name, middle name, given name; the middle name often tells a man
# ("Văn", "Đức") from a woman ("Thị"), so middle and given names come from the same list.
FAMILY = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Phan",
    "Huỳnh",
]  # fmt: skip
MEN = (
    ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Công"],
    ["An", "Bình", "Dũng", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Nam", "Phong", "Quân", "Sơn",
     "Trung", "Tuấn", "Việt", "Thắng"],
)  # fmt: skip
WOMEN = (
    ["Thị", "Thu", "Ngọc", "Phương", "Thanh", "Minh", "Kim"],
    ["Châu", "Giang", "Hà", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Thảo", "Trang",
     "Vân", "Yến", "Hạnh", "Nhung"],
)  # fmt: skip
ADMIN_NAME = ("Đinh Công", "Thành")

# A few inbox messages, so the demo's inbox is not empty: (username, title, body, admin URL name).
# The 2026 make-up day is real (Government Office: Fri 2 Jan off, Sat 10 Jan worked).
WELCOME = "Chào mừng đến với qms"
DEMO_NOTIFICATIONS = [
    (
        "stp-officer",
        WELCOME,
        "Bắt đầu từ trang tổng quan: rà soát danh mục TTHC và thời hạn giải quyết của Sở Tư pháp, "
        "rồi phân công vai trò cho cán bộ của Sở.",
        "wagtailadmin_home",
    ),
    (
        "stp-officer",
        "Danh mục thủ tục hành chính đã được cập nhật",
        "Quản trị hệ thống đã nhập lại danh mục TTHC; hãy kiểm tra thời hạn giải quyết các thủ tục "
        "Sở Tư pháp đang giải quyết.",
        "tthc:index",
    ),
    (
        "stp-officer",
        "Lịch làm việc năm 2026 có ngày làm bù",
        "Thứ Bảy 10/01/2026 là ngày làm việc bù cho ngày nghỉ Thứ Sáu 02/01/2026 (Tết Dương lịch).",
        "qms_working_calendar",
    ),
    (
        "stp-leader",
        WELCOME,
        "Trang tổng quan cho biết vai trò của đồng chí và những việc cần làm tiếp.",
        "wagtailadmin_home",
    ),
    (
        "stp-leader",
        "Phân công vai trò tại Sở Tư pháp",
        "{officer} được phân công làm cán bộ đầu mối ISO của Sở Tư pháp từ ngày 01/07/2025.",
        "memberships:index",
    ),
    (
        "stp-auditor",
        WELCOME,
        "Tra cứu cơ cấu các đơn vị và danh mục TTHC trước khi lập kế hoạch đánh giá nội bộ.",
        "agencies:index",
    ),
    (
        "stp-staff",
        WELCOME,
        "Tra cứu các thủ tục hành chính và thời hạn giải quyết đang áp dụng.",
        "tthc:index",
    ),
    (
        "phoankiem-officer",
        WELCOME,
        "Bắt đầu từ trang tổng quan: rà soát danh mục TTHC cấp xã và phân công vai trò cho "
        "cán bộ của phường.",
        "wagtailadmin_home",
    ),
    (
        "admin",
        "Danh mục thủ tục hành chính đã được nhập",
        "Dữ liệu minh họa: danh mục TTHC và thời hạn giải quyết đã được nạp; kiểm tra lại cơ quan "
        "giải quyết của từng thủ tục.",
        "tthc:index",
    ),
]


def _demo_recipients() -> set[str]:
    return {row[0] for row in DEMO_NOTIFICATIONS}


def demo_username(agency_code: str, role: str) -> str:
    return f"{agency_code.lower()}-{role}"


def demo_full_name(index: int) -> tuple[str, str]:
    """(last_name, first_name) of the index-th demo person: family and middle names ("Họ"), then
    the given name ("Tên"), as Django's forms label them; ``qms.people.person_name`` reads them
    "Nguyễn Văn An". Every index below 112 gives a different person."""
    middles, givens = (MEN, WOMEN)[index % 2]
    k = index // 2
    family = FAMILY[(k * 3 + index) % len(FAMILY)]
    return f"{family} {middles[k % len(middles)]}", givens[(k * 5) % len(givens)]


class Command(BaseCommand):
    help = _("Tạo dữ liệu minh họa (thành phố, sở, phường/xã, TTHC, người dùng); chạy lại an toàn.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Chạy cả khi DEBUG tắt (chỉ cho máy chủ trình diễn dùng một lần)."),
        )

    def handle(self, *args, force=False, **options):
        if not (settings.DEBUG or getattr(settings, "TESTING", False) or force):
            raise CommandError(
                _(
                    "seed_demo tạo tài khoản với mật khẩu công khai: chỉ chạy khi DEBUG bật "
                    "hoặc thêm --force trên máy chủ trình diễn."
                )
            )
        with transaction.atomic():
            self.created = {
                "agencies": 0,
                "successions": 0,
                "users": 0,
                "memberships": 0,
                "notifications": 0,
            }
            nodes = self._agencies()
            catalogue = catalogue_import(actor=None, file=FIXTURE)
            self._users(nodes)
            self._notifications()
            self._apps_demo()
            # The demo people have no mailbox (.invalid): what the apps' demo steps queued for
            # them (a workflow's notices) stays in their inboxes only.
            OutboundEmail.objects.filter(to__endswith=f"@{DEMO_EMAIL_DOMAIN}").delete()
        self._summary(catalogue)

    def _apps_demo(self) -> None:
        """Each installed app adds its own demo records (``<app>/demo.py``: ``seed() -> dict`` of
        counts created), found like its beat schedules: the core names no app."""
        for config in apps.get_app_configs():
            name = f"{config.name}.demo"
            try:
                module = import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            for key, count in module.seed().items():
                self.created[key] = self.created.get(key, 0) + count

    # -- agencies -------------------------------------------------------------------------------

    def _agency(self, code, name, kind, parent=None, valid_from=None, valid_to=None) -> Agency:
        wanted = {
            "name": name,
            "kind": kind,
            "parent": parent,
            "valid_from": valid_from,
            "valid_to": valid_to,
        }
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            self.created["agencies"] += 1
            return agency_create(actor=None, agency=Agency(code=code, **wanted))
        if all(getattr(agency, key) == value for key, value in wanted.items()):
            return agency  # untouched: no save, no history row on a re-run
        for key, value in wanted.items():
            setattr(agency, key, value)
        return agency_update(actor=None, agency=agency)

    def _agencies(self) -> list[Agency]:
        """Create the tree; return the nodes that get demo users (every node but the old district)."""
        city = self._agency(*CITY, AgencyKind.PROVINCE)
        nodes = [city]
        for code, name, units in DEPARTMENTS:
            department = self._agency(code, name, AgencyKind.DEPARTMENT, city)
            nodes.append(department)
            for unit_code, unit_name, unit_kind in units:
                nodes.append(self._agency(unit_code, unit_name, unit_kind, department))
        wards = {
            code: self._agency(code, name, AgencyKind.COMMUNE, city, valid_from=REFORM_DATE)
            for code, name in WARDS
        }
        nodes.extend(wards.values())
        district = self._agency(*DISTRICT, AgencyKind.DISTRICT, city, valid_to=DISTRICT_END)
        for code in DISTRICT_SUCCESSORS:
            _, created = AgencySuccession.objects.get_or_create(
                predecessor=district,
                successor=wards[code],
                defaults={
                    "kind": SuccessionKind.SPLIT,
                    "effective_date": REFORM_DATE,
                    "legal_basis": REFORM_BASIS,
                },
            )
            self.created["successions"] += created
        return nodes

    # -- people ---------------------------------------------------------------------------------

    def _user(self, username, *, last_name, first_name, superuser=False):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "last_name": last_name,
                "first_name": first_name,
                "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        if created:
            # Only on creation: a demo user whose password was changed keeps the new one.
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            self.created["users"] += 1
        elif (user.last_name, user.first_name) != (last_name, first_name):
            # Demo data of an older run (names once stored the other way round).
            user.last_name, user.first_name = last_name, first_name
            user.save(update_fields=["last_name", "first_name"])
        return user

    def _users(self, nodes: list[Agency]) -> None:
        last_name, first_name = ADMIN_NAME
        self._user("admin", last_name=last_name, first_name=first_name, superuser=True)
        index = 0
        for agency in nodes:
            for role in Role.values:
                last_name, first_name = demo_full_name(index)
                index += 1
                user = self._user(
                    demo_username(agency.code, role), last_name=last_name, first_name=first_name
                )
                exists = Membership.objects.filter(
                    user=user, agency=agency, role=role, start_date=REFORM_DATE
                ).exists()
                if not exists:
                    membership_create(
                        actor=None, user=user, agency=agency, role=role, start_date=REFORM_DATE
                    )
                    self.created["memberships"] += 1

    def _notifications(self) -> None:
        """The demo inbox, through the one way notifications are made (no e-mail: the demo
        addresses never resolve). A message already there is not sent again."""
        User = get_user_model()
        people = {u.username: u for u in User.objects.filter(username__in=_demo_recipients())}
        officer = person_name(people.get("stp-officer"))
        for username, title, body, url_name in DEMO_NOTIFICATIONS:
            user = people.get(username)
            if user is None or Notification.objects.filter(recipient=user, title=title).exists():
                continue
            notify(
                recipients=[user],
                title=title,
                body=body.format(officer=officer),
                url=reverse(url_name),
                email=False,
            )
            self.created["notifications"] += 1

    # -- report ---------------------------------------------------------------------------------

    def _summary(self, catalogue) -> None:
        User = get_user_model()
        lines = [
            _("Dữ liệu minh họa đã sẵn sàng."),
            _("Cơ quan, đơn vị: %(total)d (mới %(new)d); kế thừa: %(succ)d (mới %(succ_new)d)")
            % {
                "total": Agency.objects.count(),
                "new": self.created["agencies"],
                "succ": AgencySuccession.objects.count(),
                "succ_new": self.created["successions"],
            },
            _("TTHC: %(total)d, thời hạn: %(limits)d. Nhập danh mục: %(import)s")
            % {
                "total": AdministrativeProcedure.objects.count(),
                "limits": TimeLimit.objects.count(),
                "import": catalogue.summary(),
            },
            _("Người dùng: %(total)d (mới %(new)d); phân công vai trò: %(ms)d (mới %(ms_new)d)")
            % {
                "total": User.objects.count(),
                "new": self.created["users"],
                "ms": Membership.objects.count(),
                "ms_new": self.created["memberships"],
            },
            _("Thông báo minh họa: %(total)d (mới %(new)d)")
            % {"total": Notification.objects.count(), "new": self.created["notifications"]},
            *(
                _("Dữ liệu minh họa của các phân hệ, mới tạo: %(counts)s")
                % {"counts": ", ".join(f"{key} {count}" for key, count in app_counts.items())}
                for app_counts in [{k: v for k, v in self.created.items() if k not in CORE_COUNTS}]
                if app_counts
            ),
            _(
                "Tên đăng nhập: <mã đơn vị>-<vai trò>, ví dụ stp-officer, phoankiem-leader; "
                "quản trị: admin. Mật khẩu chung (chỉ dùng thử): %(password)s"
            )
            % {"password": DEMO_PASSWORD},
        ]
        for line in lines:
            self.stdout.write(line)
