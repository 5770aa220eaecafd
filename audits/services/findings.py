"""Findings: record, change, respond to and close them; recurrence; the state a nonconformity
takes from its corrective actions (DESIGN.md §4)."""

from django.db import transaction
from django.utils import timezone

from audits.models import ActionState, Finding, FindingState


@transaction.atomic
def finding_sync_state(*, finding: Finding, actor=None) -> Finding:
    """A nonconformity's state from its actions: closed when it has actions and all are closed,
    otherwise "action required". Called by the corrective-action services after each move.
    Observations and opportunities close with a response instead (untouched here)."""
    finding = Finding.objects.select_for_update(of=("self",)).get(pk=finding.pk)
    if not finding.is_nonconformity:
        return finding
    states = list(finding.actions.values_list("state", flat=True))
    wanted = (
        FindingState.CLOSED
        if states and all(s == ActionState.CLOSED for s in states)
        else FindingState.ACTION_REQUIRED
    )
    if finding.state != wanted:
        finding.state = wanted
        finding.closed_at = timezone.now() if wanted == FindingState.CLOSED else None
        finding._history_user = actor
        finding.save(update_fields=["state", "closed_at"])
    return finding
