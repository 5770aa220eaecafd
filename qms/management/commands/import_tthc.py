"""``manage.py import_tthc FILE [--dry-run]``: load the TTHC catalogue from a CSV or XLSX file.

A thin wrapper over ``qms.services.catalogue.catalogue_import``; runs as the system (no actor),
so it is for administrators with shell access. Exits non-zero when the file is rejected.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qms.services.catalogue import catalogue_import
from qms.tabular import TabularError


class Command(BaseCommand):
    help = _(
        "Nhập danh mục thủ tục hành chính (TTHC) từ tệp CSV (UTF-8 hoặc Windows-1258) hoặc XLSX,"
        " tất cả hoặc không gì cả."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("Đường dẫn tệp CSV hoặc XLSX"))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Chỉ kiểm tra và đếm, không ghi vào cơ sở dữ liệu."),
        )

    def handle(self, *args, file, dry_run, **options):
        try:
            result = catalogue_import(actor=None, file=file, dry_run=dry_run)
        except FileNotFoundError as exc:
            raise CommandError(_("Không tìm thấy tệp %s") % file) from exc
        except TabularError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(
                _("Tệp bị từ chối: %d lỗi, không ghi gì.") % len(exc.messages)
            ) from exc
        self.stdout.write(self.style.SUCCESS(result.summary()))
