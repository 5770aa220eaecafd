"""The synthetic data generator shared by benchmarks, tests that need volume and the demo: seeded,
so every run builds the same data. Extend it here rather than writing a second one.

- ``agency_tree``: a province with departments, units and communes (in the database).
- ``catalogue``: TTHC with limits of 0.25-30 working days (some changed over time, some pausing
  the clock on a supplement) and who handles them: ``catalogue_create`` (synthetic, saved),
  ``catalogue_from_db`` / ``catalogue_from_fixture`` (an existing catalogue).
- ``dossiers.lives``: dossiers with their whole life on the working calendar (seasons and Tết,
  ~3 % late, supplements, extensions, withdrawals, refusals, stuck ones, channels, flags,
  ratings, step sheets for issue [8]).
- ``records.observed`` / ``records.records``: what a source shows at a moment, as DossierRecords.
- ``files.write_csv`` / ``files.write_xlsx``: the one-stop export, streamed (shape documented
  there); ``database.load``: straight into the database through ``upsert``.

Typical use::

    province = agency_tree(departments=3, units_per_department=2, communes=4)
    catalogue = catalogue_create(province, procedures=40, seed=1)
    lives_ = lives(100_000, seed=1, catalogue=catalogue, first=date(2025, 1, 1),
                   last=date(2026, 6, 30), calendar=get_calendar())
    load(lives_, now=datetime(2026, 6, 30, 17, tzinfo=tz))
"""

import datetime as dt
import random
from decimal import Decimal


def random_moments(
    count: int, *, seed: int, tz, first=dt.date(2024, 1, 1), last=dt.date(2026, 12, 31)
):
    """``count`` aware datetimes spread over [first, last], nights, weekends and holidays included."""
    rng = random.Random(seed)
    start = dt.datetime.combine(first, dt.time(0, 0), tzinfo=tz)
    span = (
        int((dt.datetime.combine(last, dt.time(0, 0), tzinfo=tz) - start).total_seconds()) + 86400
    )
    return [start + dt.timedelta(seconds=rng.randrange(span)) for _ in range(count)]


def random_day_counts(count: int, *, seed: int, max_days: int = 30) -> list[Decimal]:
    """Statutory-limit-like working-day counts in quarter-day steps (0, 0.25 … ``max_days``)."""
    rng = random.Random(seed)
    return [Decimal(rng.randint(0, max_days * 4)) / 4 for _ in range(count)]


def agency_tree(*, departments: int, units_per_department: int, communes: int, code_prefix="G"):
    """Create a province with departments, their units and communes; returns the province."""
    from qms.models import Agency, AgencyKind
    from qms.services.agencies import agency_create

    def create(**fields):
        return agency_create(actor=None, agency=Agency(**fields))

    province = create(
        code=f"{code_prefix}", name=f"Tỉnh tổng hợp {code_prefix}", kind=AgencyKind.PROVINCE
    )
    for d in range(departments):
        dept = create(
            code=f"{code_prefix}-S{d:03d}",
            name=f"Sở tổng hợp {d}",
            kind=AgencyKind.DEPARTMENT,
            parent=province,
        )
        for u in range(units_per_department):
            create(
                code=f"{code_prefix}-S{d:03d}-P{u:02d}",
                name=f"Phòng {u} của Sở {d}",
                kind=AgencyKind.UNIT,
                parent=dept,
            )
    for c in range(communes):
        create(
            code=f"{code_prefix}-X{c:04d}",
            name=f"Xã tổng hợp {c}",
            kind=AgencyKind.COMMUNE,
            parent=province,
            valid_from=dt.date(2025, 7, 1),
        )
    return province


from .catalogue import (  # noqa: E402 (the functions above stay importable from here)
    AgencySpec,
    Handling,
    ProcedureSpec,
    catalogue_create,
    catalogue_from_db,
    catalogue_from_fixture,
    catalogue_save,
    procedure_specs,
    tree_agencies,
)
from .database import Loaded, load, upsert_records  # noqa: E402
from .dossiers import Life, lives, tet  # noqa: E402
from .files import export_row, write_csv, write_xlsx  # noqa: E402
from .records import Observed, observed, record, records  # noqa: E402
from .steps import Step, step_plan  # noqa: E402

__all__ = [
    "AgencySpec",
    "Handling",
    "Life",
    "Loaded",
    "Observed",
    "ProcedureSpec",
    "Step",
    "agency_tree",
    "catalogue_create",
    "catalogue_from_db",
    "catalogue_from_fixture",
    "catalogue_save",
    "export_row",
    "lives",
    "load",
    "observed",
    "procedure_specs",
    "random_day_counts",
    "random_moments",
    "record",
    "records",
    "step_plan",
    "tet",
    "tree_agencies",
    "upsert_records",
    "write_csv",
    "write_xlsx",
]
