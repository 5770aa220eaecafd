"""Sending the monthly report to the leaders (issue [9] item 7), at most once per agency and month.

On the first working day of a month (``qms.workcal``: weekends and holidays off, make-up
Saturdays on), every reporting body (a province or city, a department, a commune or ward) in
existence that has active leaders of its own gets last month's report
(``indicators.reports.monthly``) in each leader's inbox and by e-mail through the outbox
(``qms.services.notifications.notify``). The beat runs the task every day: before the month's
first working day it does nothing; on that day, or on any later day of the month (a missed run
catches up), it sends what is not yet sent. The ``MonthlyReport`` row (unique per agency and
month) is the claim, created in the same transaction as the notifications: a second run, or two
runs at once, never send a report twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from qms.models import Agency, AgencyKind, Membership, Role
from qms.services.notifications import notify
from qms.workcal import get_calendar

from ..models import MonthlyReport
from ..periods import previous_month
from ..reports.monthly import monthly_figures, monthly_message

logger = logging.getLogger(__name__)

REPORTING_KINDS = (AgencyKind.PROVINCE, AgencyKind.DEPARTMENT, AgencyKind.COMMUNE)


def first_working_day(year: int, month: int) -> dt.date:
    calendar = get_calendar()
    day = dt.date(year, month, 1)
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def leaders_by_agency(agencies, today: dt.date) -> dict[int, list]:
    """``{agency pk: [user, …]}``: the active leaders held on each agency itself (not above)."""
    found: dict[int, dict] = {}
    for membership in (
        Membership.objects.active(today)
        .filter(agency__in=agencies, role=Role.LEADER, user__is_active=True)
        .select_related("user")
        .order_by("user__pk")
    ):
        found.setdefault(membership.agency_id, {})[membership.user_id] = membership.user
    return {pk: list(users.values()) for pk, users in found.items()}


def monthly_reports_send(*, today: dt.date, now: dt.datetime | None = None) -> int:
    """Send last month's report to the leaders of every reporting body not yet sent it, on or
    after the month's first working day. Returns how many reports were sent."""
    if today < first_working_day(today.year, today.month):
        return 0
    now = now or timezone.now()
    month = previous_month(today)
    agencies = list(
        Agency.objects.filter(kind__in=REPORTING_KINDS)
        .valid_on(today)
        .select_related("parent")
        .order_by("path")
    )
    done = set(MonthlyReport.objects.filter(month=month).values_list("agency_id", flat=True))
    leaders = leaders_by_agency([a for a in agencies if a.pk not in done], today)
    sent = 0
    for agency in agencies:
        recipients = leaders.get(agency.pk)
        if agency.pk in done or not recipients:
            continue
        title, body, url = monthly_message(monthly_figures(agency, month, now=now))
        try:
            with transaction.atomic():
                report = MonthlyReport.objects.create(agency=agency, month=month)
                created = notify(recipients=recipients, title=title, body=body, url=url)
                report.recipients = len(created)
                report.save(update_fields=["recipients"])
        except IntegrityError:  # another run claimed it first
            logger.info("monthly report of %s for %s already sent", agency.code, month)
            continue
        sent += 1
    return sent
