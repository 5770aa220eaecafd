"""How admin lists, detail pages and exports show values: yes/no in words, a dash for nothing,
numbers in the reader's language, text columns sorted in Vietnamese alphabetical order.

Wagtail prints a model's booleans raw: ``True``/``False`` in list cells of ``list_display`` and on
the inspect view, and as the tooltip of its ``BooleanColumn``; exports write ``True``/``False``.
The mixins below, placed in the bases of the scoped views (``qms.viewsets``), give every list,
detail page and export of every app the same words; ``yes_no`` and ``empty`` are the one home of
those words for code that formats a value by hand.
"""

import decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column

from qms.collation import vi_order
from qms.formats.numbers import format_number

EMPTY = "—"


def yes_no(value) -> str:
    """``"Có"``/``"Không"`` for a boolean, the dash for ``None`` (not known)."""
    if value is None:
        return EMPTY
    return str(_("Có") if value else _("Không"))


def format_day(day) -> str:
    """A date as Vietnamese write it, dd/mm/yyyy (also in English: the agencies' documents do),
    the dash for none."""
    return day.strftime("%d/%m/%Y") if day else EMPTY


def format_moment(moment) -> str:
    """A moment in local time as Vietnamese write it, "24/01/2025 15:00"; the dash for none."""
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else EMPTY


def empty(value):
    """The dash for a value that is not there (``None``, ``""``), the value otherwise."""
    return EMPTY if value is None or value == "" else value


def display_value(value):
    """A value as a person reads it: yes/no, a dash for nothing, numbers in the active language."""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, float | decimal.Decimal):
        return format_number(value)
    return empty(value)


def _field_at(model, path: str):
    """The model field a lookup path (``"user__first_name"``) ends on, or None."""
    field = None
    for name in path.split(LOOKUP_SEP):
        if model is None:
            return None
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field


class YesNoColumn(Column):
    """A boolean as a mark with its word (✓ Có / ✗ Không), a dash when not known."""

    cell_template_name = "qms/tables/yes_no_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["word"] = yes_no(context["value"])
        return context


class ValueColumn(Column):
    """A list cell that shows a dash for nothing and numbers in the reader's language."""

    cell_template_name = "qms/tables/value_cell.html"

    def get_value(self, instance):
        return display_value(super().get_value(instance))


class DisplayIndexMixin:
    """For an index view: columns of ``list_display`` show words, not raw values; sorting a text
    column sorts in Vietnamese alphabetical order; exports write words and local numbers."""

    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        if column_class is Column:
            field = _field_at(self.model, field_name)
            is_boolean = isinstance(field, models.BooleanField)
            column_class = YesNoColumn if is_boolean else ValueColumn
        return super()._get_custom_column(field_name, column_class, **kwargs)

    def order_queryset(self, queryset):
        ordering = self.ordering
        terms = list(ordering) if isinstance(ordering, list | tuple) else [ordering]
        if not any(isinstance(term, str) and self._is_text(term) for term in terms):
            return super().order_queryset(queryset)
        return queryset.order_by(*(self._collated(term) for term in terms), "pk")

    def _is_text(self, term: str) -> bool:
        field = _field_at(self.model, term.removeprefix("-"))
        return isinstance(field, models.CharField | models.TextField) and not field.choices

    def _collated(self, term):
        if isinstance(term, str) and self._is_text(term):
            return vi_order(term.removeprefix("-"), descending=term.startswith("-"))
        return term

    def preprocess_field_value(self, field, value, export_format):
        if isinstance(value, bool) or value is None:
            value = yes_no(value) if value is not None else ""
        elif export_format == "csv" and isinstance(value, float | decimal.Decimal):
            # XLSX keeps the number (the spreadsheet formats it); CSV is text read by people.
            value = format_number(value)
        return super().preprocess_field_value(field, value, export_format)


class DisplayInspectMixin:
    """For an inspect view: booleans as words, a dash for nothing, numbers in the language."""

    def get_field_display_value(self, field_name, field):
        return display_value(super().get_field_display_value(field_name, field))
