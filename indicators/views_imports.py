"""Plain admin views of one import: its progress as JSON (polled by the import's page while the
task runs) and its error report as CSV or XLSX (line, column, value, reason), for whoever may
read the import (a 404 for anyone else, as the import's page)."""

import csv
import io

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from indicators.models import DossierImport
from indicators.rules import IMPORT
from indicators.selectors_imports import error_report_rows, import_progress
from qms import permissions
from qms.exports import safe_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def readable_import(request, pk) -> DossierImport:
    """The import if the person may read it (view, or change as its officer), else a 404."""
    imp = get_object_or_404(DossierImport.objects.select_related("agency"), pk=pk)
    user = request.user
    if not any(
        permissions.has_permission(user, IMPORT, action, imp)
        for action in (permissions.VIEW, permissions.CHANGE)
    ):
        raise Http404
    return imp


def progress_json(request, pk):
    """``import_progress``: state, state_label, percent, rows_done, total_rows, rejected_count,
    finished, message."""
    imp = readable_import(request, pk)
    response = JsonResponse(import_progress(imp))
    response["Cache-Control"] = "private, no-store"
    return response


def _headings() -> list[str]:
    return [_("Dòng"), _("Cột"), _("Giá trị"), _("Lý do")]


def _rows(imp):
    """(line, column, value, reason); a whole file's rejection comes first, without a line."""
    for line, column, value, reason in error_report_rows(imp):
        yield safe_row(["" if line is None else line, column, value, reason])


def _file_name(imp, extension: str) -> str:
    return f"bao-cao-loi-nhap-{imp.pk}.{extension}"


def error_report(request, pk, fmt):
    """Every rejected row of the import (and the file's own rejection, as the service reports it)
    as a spreadsheet; cells are escaped against formulas (qms.exports)."""
    imp = readable_import(request, pk)
    if fmt == "csv":
        buffer = io.StringIO()
        # A byte-order mark, so spreadsheet programs read the Vietnamese as UTF-8.
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(_headings())
        writer.writerows(_rows(imp))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Dòng bị từ chối"))
        sheet.append(_headings())
        for row in _rows(imp):
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    else:
        raise Http404
    response["Content-Disposition"] = content_disposition_header(True, _file_name(imp, fmt))
    response["Cache-Control"] = "private, no-store"
    return response
