"""A dossier's timeline: its append-only events in order, each with what changed and who or
which import did it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from qms.models import AdministrativeProcedure
from qms.people import person_name

from ..models import Dossier, DossierEvent
from ..models.dossiers import EventKind
from .values import field_label, field_text, format_moment


def _event_notes(event: DossierEvent) -> list[str]:
    data = event.data or {}
    notes = []
    if event.kind == EventKind.EXTENDED and data.get("extended_due_at"):
        notes.append(
            _("Hẹn trả lại: %(at)s")
            % {"at": field_text("extended_due_at", data["extended_due_at"])}
        )
    if event.kind in (EventKind.RESOLVED, EventKind.REFUSED) and data.get("timing"):
        notes.append(_("Đánh giá: %(timing)s") % {"timing": field_text("timing", data["timing"])})
    if event.kind == EventKind.RECOMPUTED and data.get("recomputation"):
        notes.append(_("Theo yêu cầu tính lại hạn số %(id)s.") % {"id": data["recomputation"]})
    return notes


def timeline(dossier: Dossier) -> list[dict]:
    """The dossier's events in order, each a dict: ``kind``, ``label``, ``at`` (aware datetime),
    ``at_text``, ``changes`` ([{field, before, after}] as text), ``notes`` (sentences),
    ``by`` (the import and/or the person, as text), ``import_id``, ``actor_id``,
    ``recomputation_id``. Three queries whatever the number of events."""
    events = list(
        DossierEvent.objects.filter(dossier_id=dossier.pk)
        .select_related("dossier_import", "actor")
        .order_by("at", "id")
    )
    procedure_ids = {
        int(value)
        for event in events
        for value in (event.data or {}).get("changes", {}).get("procedure_id", [])
        if str(value).isdigit()
    }
    procedures = (
        dict(AdministrativeProcedure.objects.filter(pk__in=procedure_ids).values_list("pk", "code"))
        if procedure_ids
        else {}
    )
    entries = []
    for event in events:
        data = event.data or {}
        changes = [
            {
                "field": field_label(name),
                "before": field_text(name, pair[0], procedures=procedures),
                "after": field_text(name, pair[1], procedures=procedures),
            }
            for name, pair in data.get("changes", {}).items()
        ]
        by = []
        if event.dossier_import_id:
            source = event.dossier_import
            by.append(
                _("Lần nhập số %(id)s (tệp “%(file)s”)")
                % {"id": event.dossier_import_id, "file": source.file_name}
            )
        if event.actor_id:
            by.append(person_name(event.actor))
        entries.append(
            {
                "kind": event.kind,
                "label": str(EventKind(event.kind).label),
                "at": event.at,
                "at_text": format_moment(event.at),
                "changes": changes,
                "notes": _event_notes(event),
                "by": " · ".join(by),
                "import_id": event.dossier_import_id,
                "actor_id": event.actor_id,
                "recomputation_id": data.get("recomputation"),
            }
        )
    return entries
