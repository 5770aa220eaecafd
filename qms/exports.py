"""Spreadsheet exports that cannot be turned against the people who open them (CSV injection).

A cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (after any leading spaces, tabs or line
breaks), or with a tab or a carriage return, is a formula to Excel and LibreOffice: a membership note
or a page title typed as ``=HYPERLINK(…)`` would run on the reader's machine. ``safe_cell`` prefixes
such text with an apostrophe, as the OWASP guidance on CSV injection advises, in CSV and XLSX alike
(an XLSX reader gets the same text, typed as a string); numbers and dates keep their types.

Every export goes through it:
- ``SafeExportMixin``, first among the bases of the scoped index view (``qms.viewsets``), escapes
  the value each field finally gets, after any formatting a later mixin adds;
- ``escape_wagtail_exports()`` (called once from ``QmsConfig.ready``) does the same for the export
  views Wagtail owns and qms cannot subclass: reports (site history, aging pages, workflows), form
  submissions, redirects;
- an export written by hand passes each cell through ``safe_cell`` (or a row through ``safe_row``);
  a table of a page (a dashboard's scorecard, a chart's data) is best written with ``Table`` and
  ``table_xlsx`` / ``table_csv`` / ``table_response``, which do it.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r")
QUOTE = "'"


def safe_cell(value):
    """``value`` with an apostrophe in front when a spreadsheet would read it as a formula.

    Idempotent: an escaped value starts with the apostrophe and is left alone.
    """
    if not isinstance(value, str):
        return value
    if value.startswith(CONTROL_STARTS) or value.lstrip().startswith(FORMULA_STARTS):
        return QUOTE + value
    return value


def safe_row(values):
    """Each cell of a row through ``safe_cell`` (a list for csv.writer, a dict for DictWriter)."""
    if isinstance(values, dict):
        return {key: safe_cell(value) for key, value in values.items()}
    return [safe_cell(value) for value in values]


class SafeExportMixin:
    """For a view with Wagtail's ``SpreadsheetExportMixin``: escape every value written to a cell.

    ``preprocess_field_value`` is the one method through which both ``write_csv_row`` and
    ``generate_xlsx_row`` pass each value.
    """

    def preprocess_field_value(self, field, value, export_format):
        return safe_cell(super().preprocess_field_value(field, value, export_format))


def _escaping(preprocess):
    @functools.wraps(preprocess)
    def preprocess_field_value(self, field, value, export_format):
        return safe_cell(preprocess(self, field, value, export_format))

    preprocess_field_value.escapes_formulas = True
    return preprocess_field_value


def escape_wagtail_exports() -> None:
    """Escape the cells of Wagtail's own export views too (idempotent, called at start-up)."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    current = SpreadsheetExportMixin.preprocess_field_value
    if not getattr(current, "escapes_formulas", False):
        SpreadsheetExportMixin.preprocess_field_value = _escaping(current)


# --- Tables written by hand ------------------------------------------------------------------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How a column's numbers are shown in a workbook: a count, a rate (a fraction shown as a
# percentage), a number of days, points; "text" for anything else.
NUMBER_FORMATS = {"count": "0", "rate": "0.0%", "days": "0.00", "points": "0.00"}


@dataclass
class Table:
    """A table to export: its sheet ``title``, ``facts`` (lines written above it: the agency,
    the period, the filter), column ``headings`` with their ``kinds`` (``NUMBER_FORMATS`` keys or
    "text") and ``rows`` of plain values (numbers as int / Decimal / float, rates as fractions,
    None for no value)."""

    title: str
    headings: Sequence[str]
    rows: Iterable[Sequence[object]]
    kinds: Sequence[str] = ()
    facts: Sequence[str] = ()


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def table_xlsx(*tables: Table) -> bytes:
    """A workbook with one sheet per table, every text cell through ``safe_cell``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    for table in tables:
        # A sheet title is at most 31 characters, without []:*?/\
        title = "".join(c for c in str(table.title) if c not in "[]:*?/\\")[:31] or "Sheet"
        sheet = book.create_sheet(title=title)
        for fact in table.facts:
            sheet.append(safe_row([str(fact)]))
        if table.facts:
            sheet.append([])
        header = []
        for heading in safe_row([str(h) for h in table.headings]):
            cell = WriteOnlyCell(sheet, value=heading)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        kinds = list(table.kinds)
        for row in table.rows:
            cells = []
            for index, value in enumerate(row):
                cell = WriteOnlyCell(sheet, value=safe_cell(_plain(value)))
                kind = kinds[index] if index < len(kinds) else "text"
                if kind in NUMBER_FORMATS and isinstance(cell.value, int | float):
                    cell.number_format = NUMBER_FORMATS[kind]
                cells.append(cell)
            sheet.append(cells)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def table_csv(table: Table) -> str:
    """The table as CSV text for Excel (with the UTF-8 mark), every cell through ``safe_cell``;
    rates as fractions, as in the workbook."""
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads Vietnamese CSV as UTF-8 only with the mark
    writer = csv.writer(buffer)
    for fact in table.facts:
        writer.writerow(safe_row([str(fact)]))
    if table.facts:
        writer.writerow([])
    writer.writerow(safe_row([str(h) for h in table.headings]))
    for row in table.rows:
        writer.writerow(safe_row(["" if v is None else _plain(v) for v in row]))
    return buffer.getvalue()


def download(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    """An attachment response (the file name as given: ASCII, e.g. from ``slugify``)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_response(table: Table, filename_stem: str, export_format: str) -> HttpResponse:
    """``table`` downloaded as ``<stem>.xlsx`` or ``<stem>.csv``."""
    if export_format == "csv":
        return download(table_csv(table), f"{filename_stem}.csv", "text/csv; charset=utf-8")
    return download(table_xlsx(table), f"{filename_stem}.xlsx", XLSX_TYPE)
