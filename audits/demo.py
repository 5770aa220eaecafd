"""Demo data of audits for ``manage.py seed_demo`` (found by the core as ``<app>/demo.py``): each
subject's own module, run in order; each is idempotent and returns the counts it created.

The clause catalogue and the bank's questions are reference data loaded by migration 0002; a
database emptied since (``manage.py flush``, a test that flushes its tables) has none, so the demo
loads them again first, from that migration's frozen data."""

import importlib

from django.apps import apps
from django.db import transaction

from audits import (
    demo_auditors,
    demo_audits,
    demo_findings,
    demo_programme,
    demo_register,
    demo_reviews,
)
from audits.models import Clause


@transaction.atomic
def clause_catalogue_ensure() -> int:
    """Load the ISO 9001 clauses and the bank's questions when the catalogue is empty; returns
    the number of clauses loaded (0 when they were there)."""
    if Clause.objects.exists():
        return 0
    data = importlib.import_module("audits.migrations.0002_iso9001_clauses")
    data.load(apps, None)
    return Clause.objects.count()


def seed() -> dict:
    loaded = clause_catalogue_ensure()
    created = {"clauses": loaded} if loaded else {}
    for module in (
        demo_auditors,
        demo_audits,
        demo_findings,
        demo_register,
        demo_programme,
        demo_reviews,
    ):
        for key, count in module.seed().items():
            created[key] = created.get(key, 0) + count
    return created
