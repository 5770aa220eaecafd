"""The synthetic data generator shared by benchmarks (and by tests that need volume): seeded, so
every run builds the same data. Extend it here rather than writing a second one."""

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
