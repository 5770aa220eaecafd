"""Reads of the core: the agency tree across the 2025 reform (and as the public sees it), and the
working calendar by month."""

import calendar as pycalendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from qms import providers
from qms.collation import vi_sorted
from qms.models import Agency, AgencyKind, AgencySuccession, Notification
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


# The bodies the public knows by name; units inside them appear on their body's own page.
PUBLIC_AGENCY_KINDS = (AgencyKind.PROVINCE, AgencyKind.DEPARTMENT, AgencyKind.COMMUNE)


@dataclass
class PublicAgency:
    """An agency on the public site: its page's URL (None until it has a live page) and the
    public agencies under it, grouped by kind ("Sở, ban, ngành", then "Xã, phường, đặc khu")."""

    agency: Agency
    url: str | None
    groups: list[tuple[str, list["PublicAgency"]]] = field(default_factory=list)


def _public_page_url(agency: Agency, request) -> str | None:
    page = providers.ask_first(providers.AGENCY_PAGE, agency)
    if page is None or not getattr(page, "live", False):
        return None  # no link rather than a link to nothing
    return page.get_url(request)


def public_agency_tree(*, day: datetime.date | None = None, request=None) -> list[PublicAgency]:
    """Provinces, departments and communes in force on ``day`` as a tree: each under its nearest
    public ancestor, siblings by kind and then in Vietnamese alphabetical order."""
    day = day or timezone.localdate()
    agencies = Agency.objects.valid_on(day).filter(kind__in=PUBLIC_AGENCY_KINDS)
    nodes = {a.path: PublicAgency(a, _public_page_url(a, request)) for a in agencies}
    roots, children = [], defaultdict(list)
    for node in nodes.values():
        ids = node.agency.path.strip("/").split("/")
        above = [f"/{'/'.join(ids[:n])}/" for n in range(len(ids) - 1, 0, -1)]  # nearest first
        parent = next((path for path in above if path in nodes), None)
        (children[parent] if parent else roots).append(node)
    kinds = {kind: i for i, kind in enumerate(PUBLIC_AGENCY_KINDS)}
    labels = dict(AgencyKind.choices)
    for path, node in nodes.items():
        by_kind = defaultdict(list)
        for child in vi_sorted(children[path], key=lambda n: n.agency.name):
            by_kind[child.agency.kind].append(child)
        node.groups = [(labels[k], by_kind[k]) for k in sorted(by_kind, key=kinds.get)]
    return vi_sorted(roots, key=lambda n: n.agency.name)
