"""``manage.py service_account create --agency STP --name "Một cửa STP"`` and
``manage.py service_account revoke --name … | --prefix …``: thin wrappers over
``indicators.services.service_accounts`` (run as the system, for administrators with shell
access). The token's plaintext is printed once, on creation; only its digest is stored."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.services.service_accounts import service_account_create, tokens_revoke
from qms.models import Agency


class Command(BaseCommand):
    help = _("Tài khoản dịch vụ của hệ thống một cửa cho API hồ sơ: tạo, thu hồi token.")

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        create = commands.add_parser("create", help=_("Tạo tài khoản dịch vụ và một token"))
        create.add_argument("--agency", required=True, help=_("Mã cơ quan, ví dụ STP"))
        create.add_argument("--name", required=True, help=_("Tên, ví dụ «Một cửa STP»"))
        revoke = commands.add_parser("revoke", help=_("Thu hồi token"))
        revoke.add_argument("--name", help=_("Tên của token (tên tài khoản dịch vụ)"))
        revoke.add_argument("--prefix", help=_("Tiền tố của token (hiện trong trang quản trị)"))

    def handle(self, *args, action, **options):
        try:
            if action == "create":
                self._create(options["agency"], options["name"])
            else:
                self._revoke(options.get("name"), options.get("prefix"))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def _create(self, code, name):
        agency = Agency.objects.filter(code=code.strip().upper()).first()
        if agency is None:
            raise CommandError(_("Không có cơ quan, đơn vị mang mã «%s».") % code)
        created = service_account_create(actor=None, agency=agency, name=name)
        self.stdout.write(
            _("Tài khoản dịch vụ «%(user)s», cán bộ đầu mối của %(agency)s.")
            % {"user": created.user.get_username(), "agency": agency.name}
        )
        self.stdout.write(_("Token (chỉ hiện một lần, hãy lưu ngay):"))
        self.stdout.write(created.plaintext)

    def _revoke(self, name, prefix):
        revoked = tokens_revoke(name=name, prefix=prefix)
        if not revoked:
            raise CommandError(_("Không có token nào còn hiệu lực khớp điều kiện."))
        for token in revoked:
            self.stdout.write(_("Đã thu hồi %s") % token)
