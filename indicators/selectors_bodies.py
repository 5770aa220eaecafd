"""The bodies a report shows below a node, across the 2025 reform (DESIGN.md §5).

Every dashboard figure of a node (the scorecard, the charts' rankings, the service index, the
annual report) is a sum over rows: the node's own records, then one row per child with its whole
subtree rolled up (Σ counts, rates divided once). The reform bends the tree:

- a body **merged** into another, or **renamed**, rolls its history (its own records and its
  units') into its successor's row, following a chain of successions to the last successor;
- a body that was **split** (or whose tasks were transferred) keeps its history under its own
  name and under the parent it had, shown as ended once it no longer exists;
- nothing counts twice: every agency's records land in exactly one row.

A succession is followed only when its successor lies inside the node being read: a report of
a former body itself still shows its own history. Predecessors outside the node whose successor
is inside it (a former ward of an abolished district merged into a new ward) are read too:
``Bodies.paths`` lists the subtrees to read, ``Bodies.row_of(agency_id)`` places a record.

    bodies = reporting_bodies(city, start, end)
    for values in DailySummary.objects.filter(bodies.scope_q(), …).values("agency_id")…:
        row = bodies.row_of(values["agency_id"])
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from qms.collation import vi_sort_key
from qms.models import Agency
from qms.models.agencies import AgencySuccession, SuccessionKind, path_within, subtree_q

# Successions that carry a body's history into its successor.
ROLLED = (SuccessionKind.MERGE, SuccessionKind.RENAME)


@dataclass
class Body:
    """One row of a report: ``agency`` with its subtree (``own``: the node's own records only),
    and the former bodies rolled into it."""

    agency: Agency
    own: bool = False
    ended: bool = False
    absorbed: list[Agency] = field(default_factory=list)

    @property
    def key(self) -> tuple[int, bool]:
        return (self.agency.pk, self.own)

    @property
    def label(self) -> str:
        name = self.agency.display_name
        if self.own:
            return _("%(name)s (hồ sơ của chính cơ quan)") % {"name": name}
        if self.ended:
            return _("%(name)s (đã kết thúc hoạt động)") % {"name": name}
        return name


@dataclass
class Bodies:
    root: Agency
    start: dt.date
    end: dt.date
    rows: list[Body]
    paths: list[str]
    _row_of: dict[int, Body]

    def row_of(self, agency_id: int) -> Body | None:
        """The row an agency's records count in (None: outside the node)."""
        return self._row_of.get(agency_id)

    def scope_q(self, lookup: str = "agency__path") -> Q:
        """The records to read: the node's subtree and the subtrees rolled into it."""
        return subtree_q(self.paths, lookup)

    def agency_ids(self) -> set[int]:
        return set(self._row_of)

    def members(self, body: Body) -> list[int]:
        """The agencies whose records count in ``body``."""
        return [pk for pk, row in self._row_of.items() if row is body]


def _last(successors: dict[int, int], pk: int) -> int:
    seen = {pk}
    while pk in successors and successors[pk] not in seen:
        pk = successors[pk]
        seen.add(pk)
    return pk


def _rolled_into(root: Agency) -> tuple[dict[int, int], list[str]]:
    """(predecessor id → its last successor, for the successions whose last successor lies
    inside ``root``; the subtrees to read: the node's and those of such predecessors outside it),
    in one query. A merge and a rename carry history; the earliest succession of a body wins."""
    successors: dict[int, int] = {}
    paths: dict[int, str] = {}
    rows = AgencySuccession.objects.filter(kind__in=ROLLED).order_by("effective_date", "pk")
    for predecessor, before, successor, after in rows.values_list(
        "predecessor_id", "predecessor__path", "successor_id", "successor__path"
    ):
        successors.setdefault(predecessor, successor)
        paths[predecessor], paths[successor] = before, after
    rolled = {}
    for predecessor in successors:
        last = _last(successors, predecessor)
        if last != predecessor and path_within(paths[last], root.path):
            rolled[predecessor] = last
    outside = {paths[p] for p in rolled if not path_within(paths[p], root.path)}
    return rolled, [root.path, *sorted(outside)]


def reporting_paths(root: Agency) -> list[str]:
    """The subtrees whose records count for ``root`` (one query): ``subtree_q(paths, …)``."""
    return _rolled_into(root)[1]


def reporting_bodies(root: Agency, start: dt.date, end: dt.date) -> Bodies:
    """The rows of ``root`` for the days ``start`` to ``end``: its own records first, then its
    children (current ones and ended ones) in Vietnamese order. Rows with nothing to show are
    the caller's to drop (``Body.ended`` and no data)."""
    rolled, paths = _rolled_into(root)
    nodes = {a.pk: a for a in Agency.objects.filter(subtree_q(paths)).select_related("parent")}

    def position(agency: Agency, depth: int = 0) -> Agency:
        """Where an agency's records count: the successor of its nearest rolled ancestor."""
        for pk in reversed(agency.ancestor_ids()):
            if pk in rolled and rolled[pk] != pk and depth < 8:
                target = nodes.get(rolled[pk])
                if target is not None and not path_within(target.path, agency.path):
                    return position(target, depth + 1)
            if pk == root.pk:
                break
        return agency

    own = Body(agency=root, own=True)
    children: dict[int, Body] = {}
    for agency in nodes.values():
        if agency.parent_id == root.pk:
            children[agency.pk] = Body(
                agency=agency,
                ended=agency.valid_to is not None and agency.valid_to < end,
            )
    row_of: dict[int, Body] = {}
    for agency in nodes.values():
        place = position(agency)
        if place.pk == root.pk or not path_within(place.path, root.path):
            body = own
        else:
            body = children.get(place.ancestor_ids()[root.depth])
            if body is None:  # a child outside the loaded nodes (cannot happen in a sound tree)
                continue
        row_of[agency.pk] = body
        if agency.pk in rolled and place.pk != agency.pk:
            body.absorbed.append(agency)
    # A child whose history went to a successor has no row of its own.
    used = {id(body) for body in row_of.values()}
    rows = [own] + sorted(
        (b for b in children.values() if id(b) in used),
        key=lambda b: vi_sort_key(b.agency.name),
    )
    for body in rows:
        body.absorbed.sort(key=lambda a: vi_sort_key(a.name))
    return Bodies(root=root, start=start, end=end, rows=rows, paths=paths, _row_of=row_of)
