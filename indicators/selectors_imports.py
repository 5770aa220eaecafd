"""Reads of the one-stop imports: the progress of an import (the admin's progress bar polls it as
JSON) and its error report (every rejected row with line, column, value and reason)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from qms.formats.numbers import format_number

from .models import DossierImport, ImportMode, ImportRowError, ImportState
from .models.imports import FINISHED_STATES


def import_message(imp: DossierImport) -> str:
    """What the import is doing or how it ended, in one sentence for the person watching."""
    n = {
        "done": format_number(imp.rows_done),
        "total": format_number(imp.total_rows),
        "new": format_number(imp.new_count),
        "updated": format_number(imp.updated_count),
        "unchanged": format_number(imp.unchanged_count),
        "rejected": format_number(imp.rejected_count),
        "written_new": format_number(imp.written_new),
        "written_updated": format_number(imp.written_updated),
        "error": imp.file_error,
    }
    state = imp.state
    if state == ImportState.UPLOADED:
        return _("Đã tải tệp lên, đang chờ kiểm tra.")
    if state == ImportState.CHECKING:
        if not imp.total_rows:
            return _("Đang đọc tệp…")
        return (
            _("Đang kiểm tra: %(done)s/%(total)s dòng, %(rejected)s dòng bị từ chối đến lúc này.")
            % n
        )
    if state == ImportState.CHECKED:
        return (
            _(
                "Đã kiểm tra %(total)s dòng: %(new)s hồ sơ mới, %(updated)s cập nhật, "
                "%(unchanged)s không đổi, %(rejected)s dòng bị từ chối. Chưa ghi gì: hãy xác "
                "nhận ghi tất cả hoặc chỉ các dòng hợp lệ, hoặc hủy."
            )
            % n
        )
    if state == ImportState.REJECTED:
        return _("Tệp bị từ chối, không dòng nào được ghi: %(error)s") % n
    if state == ImportState.APPLYING:
        return (
            _(
                "Đang ghi: %(done)s/%(total)s dòng, %(written_new)s hồ sơ mới, %(written_updated)s cập nhật."
            )
            % n
        )
    if state == ImportState.APPLIED:
        return (
            _(
                "Đã ghi: %(written_new)s hồ sơ mới, %(written_updated)s cập nhật; %(rejected)s "
                "dòng bị từ chối không được ghi."
            )
            % n
        )
    if state == ImportState.CANCELLED:
        if imp.mode == ImportMode.ALL_OR_NOTHING and imp.rejected_count:
            return (
                _(
                    "Không ghi gì: tệp có %(rejected)s dòng bị từ chối và đã chọn “tất cả hoặc "
                    "không ghi gì”, nên lần nhập đã bị hủy. Sửa các dòng trong báo cáo lỗi rồi "
                    "tải tệp lên lại, hoặc chọn chỉ ghi các dòng hợp lệ ở lần nhập sau."
                )
                % n
            )
        return _("Đã hủy, không ghi gì.")
    if state == ImportState.FAILED:
        if imp.confirmed_at is None:
            return _(
                "Lỗi hệ thống khi kiểm tra tệp, chưa ghi gì; quản trị viên đã được báo. Có thể "
                "chạy lại việc kiểm tra."
            )
        if not imp.checkpoint_line:
            return _(
                "Lỗi hệ thống khi ghi dữ liệu, chưa dòng nào được ghi; quản trị viên đã được "
                "báo. Có thể chạy lại."
            )
        return _(
            "Lỗi hệ thống khi ghi dữ liệu; các dòng đến dòng %(line)s của tệp đã được ghi và "
            "được giữ. Chạy lại sẽ ghi tiếp từ dòng sau, không ghi lại dòng nào."
        ) % {"line": imp.checkpoint_line}
    return ""


def import_progress(imp: DossierImport) -> dict:
    """The progress of ``imp`` for the JSON endpoint the admin's progress bar polls."""
    return {
        "state": imp.state,
        "state_label": str(imp.get_state_display()),
        "percent": imp.percent,
        "rows_done": imp.rows_done,
        "total_rows": imp.total_rows,
        "rejected_count": imp.rejected_count,
        "finished": imp.state in FINISHED_STATES,
        "message": import_message(imp),
    }


def error_report_rows(imp: DossierImport) -> Iterator[tuple[int | None, str, str, str]]:
    """(line, column, value, reason) of every problem of ``imp``, in the file's order; a file
    refused whole gives its reasons first, with no line."""
    if imp.state == ImportState.REJECTED and imp.file_error:
        for reason in imp.file_error.splitlines():
            if reason.strip():
                yield (None, "", "", reason)
    rows = (
        ImportRowError.objects.filter(dossier_import=imp)
        .order_by("line", "pk")
        .values_list("line", "field", "value", "message")
    )
    yield from rows.iterator(chunk_size=2000)
