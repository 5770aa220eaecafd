"""A dossier's process-control sheet for people: each step with its unit, when it was handed in
and out, the time allotted and used, its class, and the step that made the dossier late."""

from __future__ import annotations

from django.utils.translation import gettext as _

from qms.display import EMPTY, format_day
from qms.formats.numbers import format_number

from ..models.dossiers import Timing
from ..selectors_steps import late_step, sheet
from .values import format_moment


def _days(value) -> str:
    return EMPTY if value is None else format_number(value, 2)


def step_sheet(dossier) -> dict:
    """``rows`` (dicts of text: code, unit, handed_in, handed_out, allotted, used, overrun,
    timing, and ``late_cause`` for the step that made the dossier late), ``late_step`` (that
    step's code and unit as text, or "") and ``procedure`` (the issue and variant measured
    against). Two queries."""
    steps = sheet(dossier.pk)
    cause = late_step(dossier, steps)
    service = None
    if steps and steps[0].issue_service_id:
        from documents.models import IssueService

        service = (
            IssueService.objects.select_related("issue")
            .filter(pk=steps[0].issue_service_id)
            .first()
        )
    rows = []
    for step in steps:
        rows.append(
            {
                "code": step.code,
                "unit": step.unit,
                "handed_in": format_moment(step.handed_in_at),
                "handed_out": format_moment(step.handed_out_at),
                "allotted": _days(step.allotted_days)
                if step.allotted_days is not None
                else (_("Không tính thời gian") if service else EMPTY),
                "used": _days(step.used_days),
                "overrun": _days(step.overrun_days),
                "timing": str(Timing(step.timing).label) if step.timing else EMPTY,
                "late": step.timing == Timing.LATE,
                "late_cause": cause is not None and step.pk == cause.pk,
            }
        )
    procedure = ""
    if service is not None:
        procedure = _("Quy trình %(code)s (ban hành lần %(number)s, hiệu lực từ %(day)s)") % {
            "code": service.issue.code,
            "number": service.issue.number,
            "day": format_day(service.issue.effective_date),
        }
        if service.variant:
            procedure += " · " + service.variant
    return {
        "rows": rows,
        "late_step": f"{cause.code} · {cause.unit}" if cause else "",
        "procedure": procedure,
    }
