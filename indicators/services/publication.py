"""Publishing the monthly statistics (transparency, issue [9] item 8) and their errata.

- ``publication_date(month)``: the 5th of the next month, or the next working day on the working
  calendar (a 5th on a Saturday, a Sunday or in the Tết holiday moves on).
- ``publish_month(month=, today=)``: a snapshot of the month's figures for every body that
  reports and had dossiers (``indicators.selectors_publication``), never before the publication
  date. Idempotent: a body's month is published once (the unique (agency, month) constraint
  decides between two runs at once), and an existing snapshot is never changed. The daily task
  ``statistics_publish_due`` calls ``publish_due(today)``, so a missed day catches up.
- ``erratum_publish(actor=, statistic=, reason=)``: the month's figures computed again now (the
  pending overdue as of the original publication moment, so like is compared with like); when
  they differ from the figures in force (the last erratum's, or the snapshot's), a dated erratum
  is published beside the snapshot. Only a leader of the agency or above (``ERRATUM`` ADD), with
  a reason.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import PublishedStatistic, StatisticErratum
from indicators.periods import previous_month
from indicators.rules import ERRATUM
from indicators.selectors_publication import (
    candidate_agencies,
    current_figures,
    has_figures,
    month_bounds,
    month_figures,
    month_label,
)
from qms import permissions
from qms.display import format_day
from qms.workcal import get_calendar

logger = logging.getLogger(__name__)

PUBLICATION_DAY = 5


def publication_date(month: dt.date) -> dt.date:
    """When the figures of the month of ``month`` are published: the 5th of the next month, or
    the first working day after it."""
    _first, last = month_bounds(month)
    day = last + dt.timedelta(days=PUBLICATION_DAY)
    calendar = get_calendar()
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def publish_month(*, month: dt.date, today: dt.date) -> list[PublishedStatistic]:
    """Publish the month of ``month`` for every reporting body with figures and no snapshot yet;
    returns the snapshots made now (each body in its own transaction: one failure does not stop
    the others). Refused before the month's publication date."""
    first, _last = month_bounds(month)
    due = publication_date(first)
    if today < due:
        raise ValidationError(
            _("Số liệu tháng %(month)s công bố từ ngày %(day)s.")
            % {"month": month_label(first), "day": format_day(due)}
        )
    moment = timezone.now()
    made = []
    for agency in candidate_agencies(first, at=moment):
        figures = month_figures(agency, first, at=moment)
        if not has_figures(figures):
            continue
        try:
            with transaction.atomic():
                made.append(
                    PublishedStatistic.objects.create(
                        agency=agency, month=first, published_on=today, figures=figures
                    )
                )
        except IntegrityError:
            # Another run published this body's month first: its snapshot stands.
            logger.info("statistics of %s for %s already published", agency.code, first)
    return made


def publish_due(today: dt.date | None = None) -> list[PublishedStatistic]:
    """The daily task's work: the previous month, once its publication date has come."""
    today = today or timezone.localdate()
    month = previous_month(today)
    if today < publication_date(month):
        return []
    return publish_month(month=month, today=today)


# --- Errata --------------------------------------------------------------------------------------


def erratum_refusal(actor, statistic: PublishedStatistic) -> str | None:
    """Why ``actor`` may not publish an erratum of ``statistic``, or None."""
    if actor is not None and permissions.has_permission(actor, ERRATUM, permissions.ADD, statistic):
        return None
    return _("Chỉ lãnh đạo của “%(agency)s” hoặc cấp trên công bố đính chính số liệu.") % {
        "agency": statistic.agency.name
    }


@transaction.atomic
def erratum_publish(*, actor, statistic: PublishedStatistic, reason: str) -> StatisticErratum:
    """Publish a dated erratum of ``statistic`` with the figures computed again now; refused
    without a reason, to anyone but a leader of the agency or above, and when the figures are
    those already in force ("Số liệu không thay đổi so với lần công bố")."""
    reason = (reason or "").strip()
    refusal = erratum_refusal(actor, statistic)
    if refusal:
        raise PermissionDenied(refusal)
    if not reason:
        raise ValidationError(_("Hãy nêu lý do đính chính."))
    # The lock: two errata of one month at once are published one after the other.
    statistic = (
        PublishedStatistic.objects.select_for_update(of=("self",))
        .select_related("agency")
        .get(pk=statistic.pk)
    )
    figures = month_figures(statistic.agency, statistic.month, at=statistic.published_at)
    if figures == current_figures(statistic):
        raise ValidationError(_("Số liệu không thay đổi so với lần công bố."))
    return StatisticErratum.objects.create(
        statistic=statistic,
        published_on=timezone.localdate(),
        figures=figures,
        reason=reason,
        created_by=actor,
    )


def erratum_transition(*, actor, instance: PublishedStatistic, reason: str) -> StatisticErratum:
    """The admin's "Công bố đính chính"."""
    return erratum_publish(actor=actor, statistic=instance, reason=reason)
