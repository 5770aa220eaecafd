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
- an export written by hand passes each cell through ``safe_cell`` (or a row through ``safe_row``).
"""

from __future__ import annotations

import functools

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
