"""Reads of the yearly audit programme: a quarter's days, the units of the programme's scope, the
coverage matrix (units × clauses 4–10, and the TTHC of the quality system's scope) with its gaps,
and the progress per quarter (planned, scheduled, done, cancelled).

Everything here is computed for a batch of programmes in a fixed number of queries (the list
shows a progress and a gap count per row at the same cost for few and many rows); the single
programme's page asks the same functions with one programme.

Coverage (ISO 9001 clause 9.2.2 a; Decision 101/2018: the whole system audited at least once a
year): the rows are the units of the quality system's scope (the units named by the registers of
the programme's body and of the agencies inside it, and the agencies holding them; without any
register, the body and every unit inside it), valid during the year; a cell (unit, top-level
clause) is covered when an entry of the programme for that very unit lists the clause or one of
its sub-clauses, or the audit linked to the entry (not cancelled) has it; a TTHC of the system's
scope (``selectors_register.scope_procedures``: the TTHC in the registers of the scope body and its
units) is covered when an entry lists it or the linked audit's procedure pages carry it.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from audits.models import (
    AuditProgramme,
    AuditState,
    Clause,
    ProgrammeEntry,
    QualitySystem,
)
from qms.models import AdministrativeProcedure, Agency
from qms.models.agencies import path_within, subtree_q

TOP_CLAUSES = tuple(str(n) for n in range(4, 11))
DONE_STATES = (AuditState.REPORTED, AuditState.CLOSED)


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """The first and the last day of ``quarter`` (1–4) of ``year``."""
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    following = (
        datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, 3 * quarter + 1, 1)
    )
    return start, following - datetime.timedelta(days=1)


def top_clauses() -> list[Clause]:
    """The columns of the matrix: clauses 4 to 10 of the catalogue, in order."""
    return list(Clause.objects.filter(number__in=TOP_CLAUSES).order_by("sort_key"))


def top_number(number: str) -> str:
    return number.split(".", 1)[0]


def _year_q(year: int, prefix: str = "") -> Q:
    """Agencies valid at some time during ``year``."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": last})
    ) & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": first}))


def scope_units(agency: Agency, year: int) -> list[Agency]:
    """The rows of the matrix for a programme of ``agency`` in ``year``: the units of the quality
    system's scope (see ``_units_of``), in the tree's order."""
    return _units_of([(agency, year)])[agency.pk, year][0]


def procedure_tthc_ids(page) -> set[int]:
    """The TTHC a procedure page carries (its step tables' ``tthc`` blocks), without loading
    them."""
    ids = set()
    for block in page.services.raw_data or []:
        value = block.get("value") or {}
        pk = value.get("tthc") if isinstance(value, dict) else None
        if pk:
            ids.add(int(pk))
    return ids


def entries_with_scope(queryset=None):
    """Entries with what their coverage and progress need (auditee, clauses, TTHC, the linked
    audit with its clauses and procedure pages) prefetched."""
    queryset = ProgrammeEntry.objects.all() if queryset is None else queryset
    return queryset.select_related(
        "auditee__parent", "audit__agency", "programme__agency"
    ).prefetch_related(
        Prefetch("clauses", queryset=Clause.objects.only("pk", "number", "sort_key")),
        Prefetch(
            "administrative_procedures", queryset=AdministrativeProcedure.objects.order_by("code")
        ),
        Prefetch("audit__clauses", queryset=Clause.objects.only("pk", "number", "sort_key")),
        "audit__procedures",
    )


def entry_clause_numbers(entry) -> set[str]:
    """The top-level clauses an entry covers (its own, and its linked audit's unless cancelled)."""
    numbers = {top_number(c.number) for c in entry.clauses.all()}
    audit = entry.audit
    if audit is not None and audit.state != AuditState.CANCELLED:
        numbers |= {top_number(c.number) for c in audit.clauses.all()}
    return numbers


def entry_tthc_ids(entry) -> set[int]:
    ids = {p.pk for p in entry.administrative_procedures.all()}
    audit = entry.audit
    if audit is not None and audit.state != AuditState.CANCELLED:
        for page in audit.procedures.all():
            ids |= procedure_tthc_ids(page)
    return ids


def entry_status(entry) -> str:
    """ "planned" (no audit yet), "scheduled" (audit planned or in progress), "done" (reported or
    closed) or "cancelled"."""
    audit = entry.audit
    if audit is None:
        return "planned"
    if audit.state in DONE_STATES:
        return "done"
    if audit.state == AuditState.CANCELLED:
        return "cancelled"
    return "scheduled"


@dataclass
class Coverage:
    clauses: list  # the columns (Clause 4..10)
    rows: list  # [(agency, [(clause, covered: bool)])]
    unit_gaps: list  # [(agency, clause)] not covered, in row then column order
    procedures: list  # [(tthc, covered: bool)] of the system's scope, by code
    procedure_gaps: list  # [tthc] not covered
    # the rows are the units of the registers (False: no register yet, the body and all its units)
    rows_from_registers: bool = True

    @property
    def gap_count(self) -> int:
        return len(self.unit_gaps) + len(self.procedure_gaps)


@dataclass
class Progress:
    # quarter (1–4) -> {"planned": n entries, "scheduled", "done", "cancelled", "unscheduled"}
    quarters: dict = field(default_factory=dict)

    def total(self, key: str) -> int:
        return sum(q[key] for q in self.quarters.values())

    @property
    def planned(self) -> int:
        return self.total("planned")

    @property
    def done(self) -> int:
        return self.total("done")


def _empty_quarter() -> dict:
    return {"planned": 0, "unscheduled": 0, "scheduled": 0, "done": 0, "cancelled": 0}


def progress_of(entries) -> Progress:
    progress = Progress(quarters={q: _empty_quarter() for q in (1, 2, 3, 4)})
    for entry in entries:
        row = progress.quarters[entry.quarter]
        row["planned"] += 1
        status = entry_status(entry)
        row["unscheduled" if status == "planned" else status] += 1
    return progress


def _scope_tthc(programmes) -> dict[int, list]:
    """programme pk -> the TTHC of its system's scope (as ``scope_procedures(agency)``: those in
    the registers of the scope body and its units), by code; one query for the batch."""
    paths = sorted({p.agency.path for p in programmes})
    if not paths:
        return {}
    through = QualitySystem.administrative_procedures.through
    rows = (
        through.objects.filter(subtree_q(paths, "qualitysystem__agency__path"))
        .values_list("qualitysystem__agency__path", "administrativeprocedure_id")
        .distinct()
    )
    by_path = defaultdict(set)
    for path, pk in rows:
        by_path[path].add(pk)
    wanted = set().union(*by_path.values()) if by_path else set()
    tthc = {
        t.pk: t
        for t in AdministrativeProcedure.objects.filter(pk__in=wanted).only("pk", "code", "name")
    }
    result = {}
    for programme in programmes:
        ids = set()
        for path, pks in by_path.items():
            if path.startswith(programme.agency.path):
                ids |= pks
        result[programme.pk] = sorted((tthc[i] for i in ids), key=lambda t: (t.code, t.pk))
    return result


def _valid_in(agency: Agency, year: int) -> bool:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (agency.valid_from is None or agency.valid_from <= end) and (
        agency.valid_to is None or agency.valid_to >= start
    )


def _units_of(keys) -> dict[tuple[int, int], tuple[list, bool]]:
    """(body pk, year) -> (the rows of the matrix, whether registers gave them), for a batch of
    (body, year) in two queries.

    The rows are the units of the quality system's scope: the units named by the registers
    (``QualitySystem.units``) of the body and of the agencies inside it, and the agencies holding
    those registers, valid during the year, in the tree's order. A register counts when its
    holder is valid during the year; without any, the rows are the body and every unit inside it
    valid during the year (nobody has said yet what the system covers)."""
    keys = list(keys)
    paths = sorted({agency.path for agency, _year in keys})
    if not paths:
        return {}
    registers = defaultdict(set)  # holder (pk, path) -> the pks of its units
    for path, holder, unit in QualitySystem.objects.filter(
        subtree_q(paths, "agency__path")
    ).values_list("agency__path", "agency_id", "units"):
        registers[holder, path].update({holder} | ({unit} if unit else set()))
    valid = Q(pk__in=[])
    for year in {year for _agency, year in keys}:
        valid |= _year_q(year)
    agencies = list(
        Agency.objects.filter(subtree_q(paths, "path"))
        .filter(valid)
        .select_related("parent")
        .order_by("path")
    )
    holders = {a.pk: a for a in agencies}
    result = {}
    for body, year in keys:
        inside = [a for a in agencies if path_within(a.path, body.path) and _valid_in(a, year)]
        wanted = set()
        for (holder, path), units in registers.items():
            held = holders.get(holder)
            if held is not None and path_within(path, body.path) and _valid_in(held, year):
                wanted |= units
        if wanted:
            result[body.pk, year] = ([a for a in inside if a.pk in wanted], True)
        else:
            result[body.pk, year] = (inside, False)
    return result


def _units(programmes) -> dict[int, tuple[list, bool]]:
    """programme pk -> the rows of its matrix and whether registers gave them (``_units_of``)."""
    rows = _units_of({(p.agency, p.year) for p in programmes})
    return {p.pk: rows[p.agency.pk, p.year] for p in programmes}


def summaries(programmes) -> dict[int, tuple[Coverage, Progress]]:
    """programme pk -> (coverage, progress), for a batch of programmes in a fixed number of
    queries whatever their number and their entries'."""
    programmes = list(programmes)
    if not programmes:
        return {}
    entries = defaultdict(list)
    for entry in entries_with_scope(
        ProgrammeEntry.objects.filter(programme__in=[p.pk for p in programmes])
    ):
        entries[entry.programme_id].append(entry)
    clauses = top_clauses()
    units = _units(programmes)
    scope_tthc = _scope_tthc(programmes)
    result = {}
    for programme in programmes:
        own = entries[programme.pk]
        covered_cells = defaultdict(set)
        covered_tthc = set()
        for entry in own:
            covered_cells[entry.auditee_id] |= entry_clause_numbers(entry)
            covered_tthc |= entry_tthc_ids(entry)
        rows, unit_gaps = [], []
        row_units, from_registers = units[programme.pk]
        for agency in row_units:
            cells = []
            for clause in clauses:
                covered = clause.number in covered_cells[agency.pk]
                cells.append((clause, covered))
                if not covered:
                    unit_gaps.append((agency, clause))
            rows.append((agency, cells))
        procedures = [(t, t.pk in covered_tthc) for t in scope_tthc[programme.pk]]
        coverage = Coverage(
            clauses=clauses,
            rows=rows,
            unit_gaps=unit_gaps,
            procedures=procedures,
            procedure_gaps=[t for t, covered in procedures if not covered],
            rows_from_registers=from_registers,
        )
        result[programme.pk] = (coverage, progress_of(own))
    return result


def coverage(programme: AuditProgramme) -> Coverage:
    return summaries([programme])[programme.pk][0]


def progress(programme: AuditProgramme) -> Progress:
    return summaries([programme])[programme.pk][1]


def programme_entries(programme: AuditProgramme) -> list:
    """The programme's entries with their scope, by quarter then unit."""
    return list(
        entries_with_scope(programme.entries.all()).order_by("quarter", "auditee__path", "pk")
    )
