"""Reads of complaints: the on-time counts per agency and period (for the national service
index, Decision 766/QĐ-TTg: the share of complaints and feedback handled on time), the flag of
one complaint (on time, late, overdue, pending)."""

import datetime

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import Complaint, ComplaintState
from qms.models import Agency
from qms.models.agencies import subtree_q


def timeliness_label(complaint, today: datetime.date | None = None) -> str:
    """ "Đúng hạn" / "Trễ hạn" for an answered complaint, "Quá hạn" for one pending past its due
    day, "Trong hạn" for one pending within it, "—" for a withdrawn one."""
    today = today or timezone.localdate()
    if complaint.state == ComplaintState.ANSWERED:
        return _("Đúng hạn") if complaint.answered_on <= complaint.due_on else _("Trễ hạn")
    if complaint.state == ComplaintState.RECEIVED:
        return _("Quá hạn") if complaint.due_on < today else _("Trong hạn")
    return "—"


def _counts(start, end, today):
    answered = Q(state=ComplaintState.ANSWERED, answered_on__gte=start, answered_on__lte=end)
    return dict(
        on_time=Count("pk", filter=answered & Q(answered_on__lte=F("due_on"))),
        late=Count("pk", filter=answered & Q(answered_on__gt=F("due_on"))),
        pending_overdue=Count(
            "pk",
            filter=Q(state=ComplaintState.RECEIVED, received_on__lte=end, due_on__lt=today),
        ),
    )


def on_time_counts(
    start: datetime.date,
    end: datetime.date,
    *,
    agencies=None,
    today: datetime.date | None = None,
) -> dict[int, dict[str, int]]:
    """Per agency (its own complaints, not its units'): answered on time and late among those
    answered within [start, end], and pending overdue (received by ``end``, not answered, past
    the due day ``today``). One query; agencies without complaints are left out."""
    today = today or timezone.localdate()
    queryset = Complaint.objects.all()
    if agencies is not None:
        queryset = queryset.filter(agency__in=agencies)
    rows = queryset.values("agency_id").annotate(**_counts(start, end, today))
    return {
        row["agency_id"]: {k: row[k] for k in ("on_time", "late", "pending_overdue")}
        for row in rows
        if row["on_time"] or row["late"] or row["pending_overdue"]
    }


def subtree_on_time_counts(
    agency: Agency, start: datetime.date, end: datetime.date, *, today=None
) -> dict[str, int]:
    """The same counts for ``agency`` and every unit inside it, added (never averaged), with the
    rate on time / answered (None when nothing was answered)."""
    today = today or timezone.localdate()
    queryset = Complaint.objects.filter(subtree_q([agency.path], "agency__path"))
    counts = queryset.aggregate(**_counts(start, end, today))
    answered = counts["on_time"] + counts["late"]
    counts["rate"] = counts["on_time"] / answered if answered else None
    return counts
