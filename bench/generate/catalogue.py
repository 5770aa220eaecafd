"""Who handles which TTHC, under which limits: the catalogue the dossier generator draws from.

Plain data (``AgencySpec``, ``ProcedureSpec``, ``Handling``) so that files can be generated
without a database; ``catalogue_save`` writes synthetic procedures to the database and
``catalogue_from_db`` / ``catalogue_from_fixture`` read an existing catalogue (the demo's).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
from bisect import bisect_right
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

# Statutory limits in working days and how often they occur (quarter-day steps, 0.25-30 days).
LIMITS = (
    ("0.25", 3), ("0.5", 6), ("0.75", 1), ("1", 8), ("1.5", 2), ("2", 5), ("3", 10), ("4", 2),
    ("5", 12), ("7", 8), ("10", 10), ("12", 3), ("15", 8), ("20", 5), ("25", 1), ("30", 3),
)  # fmt: skip
FIELDS = (
    "Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng", "Đăng ký kinh doanh", "Lao động",
    "Khoa học và công nghệ", "Môi trường", "Giáo dục", "Y tế",
)  # fmt: skip
# When the synthetic limits took effect, and when some of them changed (the 2025 reform).
FIRST_EFFECTIVE = dt.date(2020, 1, 1)
CHANGE_DAYS = (dt.date(2025, 1, 1), dt.date(2025, 7, 1), dt.date(2026, 1, 1))
# Online shares by the TTHC's online service level (the rest: counter, post, public post).
ONLINE_SHARE = {"full": 0.72, "partial": 0.38, "none": 0.03}


@dataclass(frozen=True)
class AgencySpec:
    """A body that receives dossiers, with the units its step sheets name."""

    code: str
    id: int | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    reception: str = ""  # the one-stop desk's code (the body's own when it has none)
    units: tuple[str, ...] = ()  # units that handle the dossiers (the body's own when none)
    kind: str = ""  # qms.models.AgencyKind: communes and districts get commune-level TTHC


@dataclass(frozen=True)
class ProcedureSpec:
    code: str
    limits: tuple[tuple[dt.date, Decimal], ...]  # (effective from, working days), by date
    rule: str = "restart"  # or "pause" (indicators.models.dossiers.SupplementRule)
    online_share: float = 0.45
    late_share: float = 0.03
    popularity: float = 1.0
    id: int | None = None
    name: str = ""
    field: str = ""
    level: str = "province"
    online_level: str = "partial"

    def limit_on(self, day: dt.date) -> Decimal | None:
        index = bisect_right([d for d, _ in self.limits], day)
        return self.limits[index - 1][1] if index else None


@dataclass(frozen=True)
class Handling:
    """One agency handling one TTHC, and how many dossiers it gets relative to the others."""

    agency: AgencySpec
    procedure: ProcedureSpec
    weight: float

    @property
    def first_day(self) -> dt.date:
        first = self.procedure.limits[0][0]
        return max(first, self.agency.valid_from) if self.agency.valid_from else first

    @property
    def last_day(self) -> dt.date | None:
        return self.agency.valid_to


def _stable(text: str) -> random.Random:
    """A generator seeded by a text (the same on every run and machine)."""
    return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big"))


def _popularity(limit: Decimal) -> float:
    # Short procedures (birth registration, certification) are by far the most frequent.
    if limit <= 1:
        return 6.0
    if limit <= 5:
        return 2.5
    return 1.0


def _late_share(rng: random.Random) -> float:
    """Per TTHC: most are almost never late, a few often (mean about 3 %)."""
    return min(0.3, rng.betavariate(1.1, 30.0))


def procedure_specs(
    count: int, *, seed: int, code_start: int = 900_001, commune_share: float = 0.4
) -> list[ProcedureSpec]:
    """``count`` synthetic TTHC (codes ``9.xxxxxx`` from ``code_start``): limits of 0.25 to 30
    working days, about one in five with a second limit that took effect later (a changed limit),
    about one in ten pausing the clock for a supplement instead of restarting it."""
    rng = random.Random(seed)
    values = [Decimal(v) for v, _ in LIMITS]
    weights = [w for _, w in LIMITS]
    specs = []
    for i in range(count):
        limit = rng.choices(values, weights)[0]
        limits = [(FIRST_EFFECTIVE, limit)]
        if rng.random() < 0.2:
            changed = rng.choice(CHANGE_DAYS)
            # Reforms mostly shorten the limit; keep the quarter-day step.
            factor = Decimal(rng.choice(("0.5", "0.75", "1.5")))
            new = min(max(Decimal("0.25"), (limit * factor * 4).to_integral_value() / 4), 30)
            if new == limit:
                new = limit + 1 if limit < 30 else limit - 5
            limits.append((changed, new))
        level = "commune" if rng.random() < commune_share else "province"
        online_level = rng.choices(("full", "partial", "none"), (3, 5, 2))[0]
        specs.append(
            ProcedureSpec(
                code=f"9.{code_start + i:06d}",
                limits=tuple(limits),
                rule="pause" if rng.random() < 0.1 else "restart",
                online_share=ONLINE_SHARE[online_level] * rng.uniform(0.8, 1.2),
                late_share=_late_share(rng),
                popularity=_popularity(limit) * rng.lognormvariate(0, 0.6),
                name=f"Thủ tục tổng hợp {code_start + i}",
                field=rng.choice(FIELDS),
                level=level,
                online_level=online_level,
            )
        )
    return specs


def tree_agencies(root) -> list[AgencySpec]:
    """The bodies of ``root``'s subtree that receive dossiers (departments, communes, districts
    and the root itself), each with its one-stop desk and units from the tree."""
    from qms.models import Agency, AgencyKind
    from qms.models.agencies import subtree_q

    nodes = list(Agency.objects.filter(subtree_q([root.path])).order_by("path"))
    children: dict[int, list] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    receiving = {
        AgencyKind.PROVINCE,
        AgencyKind.DEPARTMENT,
        AgencyKind.COMMUNE,
        AgencyKind.DISTRICT,
    }
    specs = []
    for node in nodes:
        if node.kind not in receiving:
            continue
        below = children.get(node.pk, [])
        desks = [c.code for c in below if c.kind == AgencyKind.ONE_STOP]
        units = tuple(c.code for c in below if c.kind == AgencyKind.UNIT)
        specs.append(
            AgencySpec(
                code=node.code,
                id=node.pk,
                valid_from=node.valid_from,
                valid_to=node.valid_to,
                reception=desks[0] if desks else node.code,
                units=units or (node.code,),
                kind=node.kind,
            )
        )
    return specs


def assign(
    agencies: list[AgencySpec], procedures: list[ProcedureSpec], *, seed: int
) -> list[Handling]:
    """Commune-level TTHC go to every commune (or district), the others to one department or
    two; each agency gets a size so that volumes differ between bodies."""
    rng = random.Random(seed)
    local = [a for a in agencies if _is_local(a)] or agencies
    central = [a for a in agencies if not _is_local(a)] or agencies
    size = {a.code: rng.lognormvariate(0, 0.5) for a in agencies}
    handlings = []
    for procedure in procedures:
        if procedure.level == "commune":
            chosen = local
        else:
            chosen = rng.sample(central, min(len(central), rng.choice((1, 1, 1, 2))))
        for agency in chosen:
            handlings.append(Handling(agency, procedure, procedure.popularity * size[agency.code]))
    return handlings


def _is_local(agency: AgencySpec) -> bool:
    return agency.kind in ("commune", "district")


def catalogue_save(handlings: list[Handling]) -> list[Handling]:
    """Write the procedures of ``handlings`` (with their limits, clock rules and handling agencies)
    to the database; returns the handlings with the procedures' ids. Agencies must exist."""
    from indicators.models import ClockRule
    from qms.models import AdministrativeProcedure, HandlingAgency, TimeLimit

    saved: dict[str, ProcedureSpec] = {}
    for handling in handlings:
        spec = handling.procedure
        if spec.code in saved:
            continue
        procedure = AdministrativeProcedure.objects.create(
            code=spec.code,
            name=spec.name or spec.code,
            field=spec.field or FIELDS[0],
            level=spec.level,
            online_level=spec.online_level,
        )
        TimeLimit.objects.bulk_create(
            TimeLimit(procedure=procedure, working_days=days, effective_from=day)
            for day, days in spec.limits
        )
        if spec.rule == "pause":
            ClockRule.objects.create(procedure=procedure, supplement_rule="pause")
        saved[spec.code] = replace(spec, id=procedure.pk)
    HandlingAgency.objects.bulk_create(
        [HandlingAgency(procedure_id=saved[h.procedure.code].id, agency_id=h.agency.id)
         for h in handlings],
        ignore_conflicts=True,
    )  # fmt: skip
    return [replace(h, procedure=saved[h.procedure.code]) for h in handlings]


def catalogue_create(root, *, procedures: int, seed: int, code_start: int = 900_001):
    """Synthetic TTHC for the agencies under ``root`` (e.g. from ``agency_tree``), saved."""
    specs = procedure_specs(procedures, seed=seed, code_start=code_start)
    return catalogue_save(assign(tree_agencies(root), specs, seed=seed + 1))


def _procedure_from(code, limits, rule, online_level, *, id=None, name="", field="", level=""):
    rng = _stable(code)
    first = limits[0][1]
    return ProcedureSpec(
        code=code,
        limits=tuple(limits),
        rule=rule,
        online_share=ONLINE_SHARE.get(online_level, 0.4),
        late_share=_late_share(rng),
        popularity=_popularity(first) * rng.lognormvariate(0, 0.4),
        id=id,
        name=name,
        field=field,
        level=level,
        online_level=online_level,
    )


def catalogue_from_db(agencies: list[AgencySpec], *, extra=()) -> list[Handling]:
    """The handlings recorded in the catalogue for ``agencies`` (HandlingAgency rows), with the
    stored limits and clock rules; ``extra``: more (agency code, TTHC code) pairs, e.g. a former
    district that handled its wards' procedures before the reform."""
    from indicators.models import ClockRule
    from qms.models import AdministrativeProcedure, HandlingAgency

    by_code = {a.code: a for a in agencies}
    by_id = {a.id: a for a in agencies}
    pairs = set(
        HandlingAgency.objects.filter(agency_id__in=list(by_id)).values_list(
            "procedure_id", "agency_id"
        )
    )
    wanted_codes = {tthc for _agency, tthc in extra}
    extra_ids = dict(
        AdministrativeProcedure.objects.filter(code__in=wanted_codes).values_list("code", "pk")
    )
    for agency_code, tthc in extra:
        if agency_code in by_code and tthc in extra_ids:
            pairs.add((extra_ids[tthc], by_code[agency_code].id))
    procedure_ids = {p for p, _a in pairs}
    rules = dict(
        ClockRule.objects.filter(procedure_id__in=procedure_ids).values_list(
            "procedure_id", "supplement_rule"
        )
    )
    specs = {}
    for procedure in AdministrativeProcedure.objects.filter(pk__in=procedure_ids).prefetch_related(
        "time_limits"
    ):
        limits = sorted((t.effective_from, t.working_days) for t in procedure.time_limits.all())
        if not limits:
            continue
        specs[procedure.pk] = _procedure_from(
            procedure.code,
            limits,
            rules.get(procedure.pk, "restart"),
            procedure.online_level,
            id=procedure.pk,
            name=procedure.name,
            field=procedure.field,
            level=procedure.level,
        )
    return [
        Handling(by_id[a], specs[p], specs[p].popularity * _stable(by_id[a].code).uniform(0.6, 1.6))
        for p, a in sorted(pairs)
        if p in specs
    ]


def catalogue_from_fixture(path: Path, agencies: list[AgencySpec]) -> list[Handling]:
    """The handlings of a catalogue CSV (``qms/fixtures/demo_tthc.csv``: code, working_days,
    effective_from dd/mm/yyyy, online_level, handling_agencies a;b) for ``agencies``, without a
    database (ids left empty): for files whose content must not depend on a database."""
    by_code = {a.code: a for a in agencies}
    limits: dict[str, list] = {}
    info: dict[str, dict] = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            day, month, year = (int(p) for p in row["effective_from"].split("/"))
            days = Decimal(row["working_days"].replace(",", "."))
            limits.setdefault(row["code"], []).append((dt.date(year, month, day), days))
            level = row["online_level"].strip()
            level = {"Trực tuyến toàn trình": "full", "Trực tuyến một phần": "partial"}.get(
                level, level if level in ONLINE_SHARE else "none"
            )
            info[row["code"]] = {
                "online_level": level,
                "agencies": [c.strip() for c in row["handling_agencies"].split(";")],
            }
    handlings = []
    for code, rows in limits.items():
        spec = _procedure_from(code, sorted(rows), "restart", info[code]["online_level"])
        for agency_code in info[code]["agencies"]:
            if agency_code in by_code:
                agency = by_code[agency_code]
                weight = spec.popularity * _stable(agency.code).uniform(0.6, 1.6)
                handlings.append(Handling(agency, spec, weight))
    return handlings
