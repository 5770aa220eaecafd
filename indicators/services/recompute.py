"""The explicit, logged recomputation of stored due times and classes (DESIGN.md §5): a calendar
or limit change never moves a stored due time by itself; an officer or leader asks for it.

``recompute_preview`` computes, with today's calendar and the limits in force on each receipt
date, the dossiers of an agency's subtree received in a period, and records what would change
(counts, the calendar version, the first changes as display text) without touching a dossier.
``recompute_apply`` applies it in one transaction: the changed dossiers' clock fields, one
``RECOMPUTED`` event each, the summary tables kept equal (old contribution out, new in), who and
when; it refuses when already applied, when the calendar moved since the preview, or when the
dossiers or limits changed since (preview again), and when the person may not.

Both are logged in Wagtail's history of the recomputation (``indicators.recomputation.*``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry

from qms import permissions
from qms.formats.numbers import format_number
from qms.models import Agency
from qms.models.agencies import subtree_q
from qms.people import person_name
from qms.workcal import WorkingCalendar, get_calendar

from ..clock import compute_many
from ..models import Dossier, DossierEvent, Recomputation
from ..models.dossiers import EventKind, RecomputationState
from ..rules import RECOMPUTATION
from ..selectors_dossiers import field_label, field_text, format_moment
from .bulk import update_many
from .dossiers import Limits, _text, appointment_differs
from .summaries import CONTRIBUTION_FIELDS, Delta, apply_delta

PREVIEW_ACTION = "indicators.recomputation.preview"
APPLY_ACTION = "indicators.recomputation.apply"
MAX_LISTED = 500
CHUNK = 2000


def register_log_actions(actions) -> None:
    """The history's names of the two actions (for a ``register_log_actions`` hook too)."""
    if PREVIEW_ACTION in actions.formatters:
        return
    preview = gettext_lazy("Xem trước tính lại hạn giải quyết")
    apply = gettext_lazy("Áp dụng tính lại hạn giải quyết")
    actions.register_action(PREVIEW_ACTION, preview, preview)
    actions.register_action(APPLY_ACTION, apply, apply)


# Wagtail validates a log entry's action: registered when the service is loaded, before any use.
register_log_actions(log_registry)

# What a recomputation may change, in the order a change is listed.
RECOMPUTED_FIELDS = (
    "limit_days",
    "supplement_rule",
    "clock_started_at",
    "clock_credit_seconds",
    "due_at",
    "due_mismatch",
    "timing",
    "processing_days",
)
# What the clock needs of a dossier.
READ_FIELDS = (
    "key_id",
    "agency_id",
    "procedure_id",
    "code",
    "channel",
    "received_at",
    "received_on",
    "supplement_requested_at",
    "resubmitted_at",
    "resolved_at",
    "resolved_on",
    "outcome",
    "state",
    "appointment_at",
    "supplement_count",
    "digitised",
    "e_result",
    "online_payment",
    "rating",
    "extended_at",
    "calendar_version",
    *RECOMPUTED_FIELDS,
)


@dataclass
class _Walk:
    """What a pass over the period found: counts, the first changes listed, the dossiers whose
    values stand but were computed on another calendar version."""

    examined: int = 0
    changed: int = 0
    listed: list = field(default_factory=list)
    restamped: list = field(default_factory=list)


def _period(agency: Agency, start: dt.date, end: dt.date):
    return Dossier.objects.filter(
        subtree_q([agency.path], "agency__path"), received_on__gte=start, received_on__lte=end
    )


def _chunks(queryset, *, lock: bool) -> Iterator[list[Dossier]]:
    """The period's dossiers in pages by id (locked for update when applying)."""
    last = None
    while True:
        page = queryset.only(*READ_FIELDS).order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        if lock:
            page = page.select_for_update(of=("self",))
        rows = list(page[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def _recomputed(calendar: WorkingCalendar, limits: Limits, rows: list[Dossier]) -> list[dict]:
    """The clock values of ``rows`` on today's calendar and the limits in force on each receipt
    date (the stored limit when the catalogue has none for that day), on the array path the
    import uses."""
    limit = [limits.on(d.procedure_id, d.received_on) or d.limit_days for d in rows]
    rule = [limits.rule(d.procedure_id) for d in rows]
    clocks = compute_many(
        calendar,
        received_at=[d.received_at for d in rows],
        limit_days=limit,
        rule=rule,
        requested_at=[d.supplement_requested_at for d in rows],
        resubmitted_at=[d.resubmitted_at for d in rows],
        resolved_at=[d.resolved_at for d in rows],
        outcome=[d.outcome for d in rows],
    )
    values = []
    for i, dossier in enumerate(rows):
        due_at = clocks.due_at[i]
        values.append(
            {
                "limit_days": limit[i],
                "supplement_rule": str(rule[i]),
                "clock_started_at": clocks.clock_started_at[i],
                "clock_credit_seconds": clocks.clock_credit_seconds[i],
                "due_at": due_at,
                "due_mismatch": appointment_differs(calendar, dossier.appointment_at, due_at),
                "timing": str(clocks.timing[i] or ""),
                "processing_days": clocks.processing_days[i],
            }
        )
    return values


def _differences(dossier: Dossier, values: dict) -> dict:
    return {
        name: (getattr(dossier, name), values[name])
        for name in RECOMPUTED_FIELDS
        if getattr(dossier, name) != values[name]
    }


def _listed(dossier: Dossier, name: str, before, after, calendar) -> dict:
    return {
        "dossier": dossier.pk,
        "code": dossier.code,
        "name": name,
        "field": field_label(name),
        "before": field_text(name, before, calendar=calendar),
        "after": field_text(name, after, calendar=calendar),
        "raw": [_text(before), _text(after)],
    }


def _walk(agency, start, end, calendar: WorkingCalendar, *, on_changed=None) -> _Walk:
    """Recompute the period: count, list the first changes, and hand each page's changed
    dossiers to ``on_changed([(dossier, values, differences)])`` where given (apply, with the
    pages locked)."""
    dossiers = _period(agency, start, end)
    procedure_ids = set(dossiers.order_by().values_list("procedure_id", flat=True).distinct())
    limits = Limits(procedure_ids)
    found = _Walk()
    for rows in _chunks(dossiers, lock=on_changed is not None):
        found.examined += len(rows)
        changed = []
        for dossier, values in zip(rows, _recomputed(calendar, limits, rows), strict=True):
            differences = _differences(dossier, values)
            if not differences:
                if dossier.calendar_version != calendar.version:
                    found.restamped.append(dossier.pk)
                continue
            found.changed += 1
            changed.append((dossier, values, differences))
            for name, (before, after) in differences.items():
                if len(found.listed) < MAX_LISTED:
                    found.listed.append(_listed(dossier, name, before, after, calendar))
        if on_changed is not None and changed:
            on_changed(changed)
    return found


def _refuse_unless_allowed(actor, agency: Agency, action: str, message: str) -> None:
    if not permissions.has_permission(actor, RECOMPUTATION, action, agency):
        raise PermissionDenied(message % {"agency": agency.name})


def recompute_preview(
    *, actor, agency: Agency, period_start: dt.date, period_end: dt.date, reason: str
) -> Recomputation:
    """Record what a recomputation of ``agency``'s subtree's dossiers received from
    ``period_start`` to ``period_end`` would change, without changing any dossier."""
    if agency is None:
        raise ValidationError({"agency": _("Hãy chọn cơ quan, đơn vị.")})
    _refuse_unless_allowed(
        actor,
        agency,
        permissions.ADD,
        _(
            "Chỉ cán bộ đầu mối ISO hoặc lãnh đạo của “%(agency)s” hoặc cấp trên yêu cầu tính "
            "lại hạn giải quyết."
        ),
    )
    errors = {}
    if period_start is None:
        errors["period_start"] = _("Hãy nhập ngày bắt đầu của kỳ.")
    if period_end is None:
        errors["period_end"] = _("Hãy nhập ngày kết thúc của kỳ.")
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = _(
            "Ngày kết thúc (%(end)s) phải từ ngày bắt đầu (%(start)s) trở đi."
        ) % {"end": period_end.strftime("%d/%m/%Y"), "start": period_start.strftime("%d/%m/%Y")}
    if not (reason or "").strip():
        errors["reason"] = _(
            "Hãy ghi lý do tính lại (ví dụ: điều chỉnh lịch làm việc, thay đổi thời hạn)."
        )
    if errors:
        raise ValidationError(errors)
    calendar = get_calendar()
    found = _walk(agency, period_start, period_end, calendar)
    with transaction.atomic():
        recomputation = Recomputation.objects.create(
            agency=agency,
            period_start=period_start,
            period_end=period_end,
            reason=reason.strip(),
            calendar_version=calendar.version,
            examined=found.examined,
            changed=found.changed,
            changes=found.listed,
            requested_by=actor,
        )
        log(
            instance=recomputation,
            action=PREVIEW_ACTION,
            user=actor,
            data={
                "examined": found.examined,
                "changed": found.changed,
                "calendar_version": calendar.version,
            },
        )
    return recomputation


def _contribution(dossier: Dossier) -> dict:
    return {name: getattr(dossier, name) for name in CONTRIBUTION_FIELDS}


def recompute_apply(*, actor, recomputation: Recomputation) -> Recomputation:
    """Apply a previewed recomputation in one transaction (see the module's docstring)."""
    with transaction.atomic():
        recomputation = (
            Recomputation.objects.select_for_update(of=("self",))
            .select_related("agency", "applied_by")
            .get(pk=recomputation.pk)
        )
        agency = recomputation.agency
        _refuse_unless_allowed(
            actor,
            agency,
            permissions.CHANGE,
            _(
                "Chỉ cán bộ đầu mối ISO hoặc lãnh đạo của “%(agency)s” hoặc cấp trên áp dụng "
                "việc tính lại hạn giải quyết."
            ),
        )
        if recomputation.state == RecomputationState.APPLIED:
            raise ValidationError(
                _("Yêu cầu tính lại này đã được áp dụng lúc %(at)s (%(who)s).")
                % {
                    "at": format_moment(recomputation.applied_at),
                    "who": person_name(recomputation.applied_by) or "—",
                }
            )
        calendar = get_calendar()
        if calendar.version != recomputation.calendar_version:
            raise ValidationError(
                _(
                    "Lịch làm việc đã thay đổi từ khi xem trước (phiên bản %(old)s, nay "
                    "%(new)s): hãy xem trước lại để thấy các thay đổi theo lịch hiện hành."
                )
                % {"old": recomputation.calendar_version, "new": calendar.version}
            )
        now = timezone.now()
        delta = Delta()

        def write(changed):
            events, updated = [], []
            for dossier, values, differences in changed:
                delta.add(_contribution(dossier), -1)
                for name, value in values.items():
                    setattr(dossier, name, value)
                old_version = dossier.calendar_version
                dossier.calendar_version = calendar.version
                dossier.updated_at = now
                delta.add(_contribution(dossier))
                updated.append(dossier)
                events.append(
                    DossierEvent(
                        dossier_id=dossier.pk,
                        agency_id=dossier.agency_id,
                        kind=EventKind.RECOMPUTED,
                        at=now,
                        actor=actor,
                        data={
                            "recomputation": recomputation.pk,
                            "changes": {
                                name: [_text(before), _text(after)]
                                for name, (before, after) in differences.items()
                            },
                            "calendar_version": [old_version, calendar.version],
                        },
                    )
                )
            update_many(Dossier, updated, [*RECOMPUTED_FIELDS, "calendar_version", "updated_at"])
            DossierEvent.objects.bulk_create(events, batch_size=2000)

        found = _walk(
            agency,
            recomputation.period_start,
            recomputation.period_end,
            calendar,
            on_changed=write,
        )
        previewed = [(c["dossier"], c["name"], c["raw"]) for c in recomputation.changes]
        now_listed = [(c["dossier"], c["name"], c["raw"]) for c in found.listed]
        if found.changed != recomputation.changed or previewed != now_listed:
            # Rolls the writes above back with the transaction.
            raise ValidationError(
                _(
                    "Hồ sơ hoặc thời hạn giải quyết đã thay đổi từ khi xem trước (xem trước: "
                    "%(before)s hồ sơ thay đổi, nay: %(now)s): hãy xem trước lại."
                )
                % {
                    "before": format_number(recomputation.changed),
                    "now": format_number(found.changed),
                }
            )
        apply_delta(delta)
        for start in range(0, len(found.restamped), 5000):
            Dossier.objects.filter(pk__in=found.restamped[start : start + 5000]).update(
                calendar_version=calendar.version
            )
        recomputation.state = RecomputationState.APPLIED
        recomputation.applied_by = actor
        recomputation.applied_at = now
        recomputation.save(update_fields=["state", "applied_by", "applied_at"])
        log(
            instance=recomputation,
            action=APPLY_ACTION,
            user=actor,
            data={
                "examined": found.examined,
                "changed": found.changed,
                "restamped": len(found.restamped),
                "calendar_version": calendar.version,
            },
        )
    return recomputation
