"""Reads of the core: the agency tree across the 2025 reform, and the working calendar by month."""

import calendar as pycalendar
import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from qms.models import Agency, AgencySuccession, Notification
from qms.workcal import get_calendar


def agency_subtree(agency: Agency):
    """The agency and every unit inside it."""
    return Agency.objects.subtree_of([agency])


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


def file_is_public(obj) -> bool:
    """A document or image is public when a live page references it (Wagtail's reference index:
    foreign keys, chooser blocks and rich-text links of the page's published content)."""
    from wagtail.models import Page, ReferenceIndex

    references = ReferenceIndex.get_references_to(obj).filter(
        base_content_type=ContentType.objects.get_for_model(Page)
    )
    page_ids = [int(pk) for pk in references.values_list("object_id", flat=True) if pk.isdigit()]
    return bool(page_ids) and Page.objects.live().public().filter(pk__in=page_ids).exists()


def calendar_month(year: int, month: int, *, language: str = "vi") -> dict:
    """One month of the working calendar for display: each day, whether it is worked, and why
    (public holiday, official make-up Saturday, or an administrator's override with its document)."""
    working_calendar = get_calendar()
    weeks = [
        [
            {
                "in_month": day.month == month,
                "info": working_calendar.day_info(day, language=language),
            }
            for day in week
        ]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    return {"weeks": weeks, "version": working_calendar.version, "year": year, "month": month}


def unread_notifications(user):
    """The person's unread notifications, newest first (the inbox, its menu item and panel)."""
    return Notification.objects.unread().filter(recipient=user)


def unread_notification_count(user) -> int:
    return unread_notifications(user).count()
