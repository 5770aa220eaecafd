"""Reads of one dossier for people: its timeline (the append-only events in order, each with what
changed and who or which import did it) and its clock explained in plain Vietnamese sentences (the
limit in force, where the clock started, the supplement rule, the holidays, make-up days and
overrides crossed, the extension, the result, the calendar version). Plain data: the admin page
renders it as it is.

Also the one way dossier values are shown as text (``values.field_text``), used by the
recomputation's list of changes. Modules: ``values`` (text), ``timeline``, ``explanation``,
``steps`` (the process-control sheet).
"""

from .explanation import clock_explanation, clock_start
from .steps import step_sheet
from .timeline import timeline
from .values import days_text, field_label, field_text, format_day_long, format_moment

__all__ = [
    "clock_explanation",
    "clock_start",
    "days_text",
    "field_label",
    "field_text",
    "format_day_long",
    "format_moment",
    "step_sheet",
    "timeline",
]
