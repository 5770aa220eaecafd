"""Generated dossiers straight into the database, through the one write path
(``indicators.services.dossiers.upsert``) in chunks, so the summary tables stay right."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice

from .dossiers import Life
from .records import records


@dataclass
class Loaded:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + len(self.problems)


def upsert_records(recs: Iterable, *, calendar=None, chunk: int = 5000, actor=None) -> Loaded:
    """Upsert ``recs`` (DossierRecords, at most one per dossier) ``chunk`` at a time, each chunk
    in its own transaction (nested in the caller's when there is one)."""
    from django.db import transaction

    from indicators.services.dossiers import upsert
    from qms.workcal import get_calendar

    calendar = calendar or get_calendar()
    loaded = Loaded()
    iterator = iter(recs)
    while batch := list(islice(iterator, chunk)):
        with transaction.atomic():
            result = upsert(batch, calendar=calendar, actor=actor)
        loaded.new += len(result.new)
        loaded.updated += len(result.updated)
        loaded.unchanged += len(result.unchanged)
        loaded.problems += result.problems
    return loaded


def load(
    lives: Iterable[Life], now: dt.datetime, *, calendar=None, chunk: int = 5000, actor=None
) -> Loaded:
    """Write ``lives`` as a source shows them at ``now`` (those received by then)."""
    return upsert_records(records(lives, now), calendar=calendar, chunk=chunk, actor=actor)
