"""Reads of the core: the agency tree across the 2025 reform, and the working calendar by month."""

import calendar as pycalendar
import datetime

import holidays
from django.utils import timezone

from qms.models import Agency, AgencySuccession, CalendarOverride
from qms.workcal import get_calendar


def agency_subtree(agency: Agency):
    """The agency and every unit inside it."""
    return Agency.objects.filter(path__startswith=agency.path)


def agency_current_successors(agency: Agency, *, on: datetime.date | None = None) -> list[Agency]:
    """Where a body's work went: follow successions (merge, split, rename) until agencies that are
    valid on ``on``; a body still valid is its own answer."""
    on = on or timezone.localdate()
    result, seen, frontier = [], set(), [agency]
    while frontier:
        current = frontier.pop()
        if current.pk in seen:
            continue
        seen.add(current.pk)
        successors = [
            s.successor
            for s in AgencySuccession.objects.filter(
                predecessor=current, effective_date__lte=on
            ).select_related("successor")
        ]
        if successors:
            frontier.extend(successors)
        elif current.is_valid_on(on):
            result.append(current)
    return sorted(result, key=lambda a: a.path)


def agency_rollup_ids(agency: Agency) -> set[int]:
    """Agencies whose records count for ``agency``: its subtree plus, recursively, the bodies that
    were merged or split into it (and their subtrees), so pre-reform data still rolls up."""
    ids: set[int] = set()
    frontier = [agency]
    while frontier:
        current = frontier.pop()
        subtree = set(agency_subtree(current).values_list("pk", flat=True))
        new = subtree - ids
        if not new and current.pk in ids:
            continue
        ids |= subtree
        frontier.extend(
            s.predecessor
            for s in AgencySuccession.objects.filter(successor_id__in=new).select_related(
                "predecessor"
            )
            if s.predecessor_id not in ids
        )
    return ids


def calendar_month(year: int, month: int, *, language: str = "vi") -> dict:
    """One month of the working calendar for display: each day, whether it is worked, and why
    (public holiday, official make-up Saturday, or an administrator's override with its document)."""
    working_calendar = get_calendar()
    names = holidays.Vietnam(years=year, language="vi" if language == "vi" else "en_US")
    overrides = {
        o.date: o for o in CalendarOverride.objects.filter(date__year=year, date__month=month)
    }
    weeks = []
    for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        days = []
        for day in week:
            override = overrides.get(day)
            days.append(
                {
                    "date": day,
                    "in_month": day.month == month,
                    "working": working_calendar.is_working_day(day),
                    "holiday": names.get(day),
                    "makeup": day in names.weekend_workdays,
                    "override": override,
                }
            )
        weeks.append(days)
    return {"weeks": weeks, "version": working_calendar.version, "year": year, "month": month}
