"""Demo data of the yearly audit programme and its entries (run by ``audits.demo.seed`` after the
demo audits, findings and registers; idempotent), all through the services with the demo users:

- this year's programme of Hà Nội prepared by the city's internal auditor ``hn-auditor`` and
  approved by ``hn-leader``: one entry per unit of the system's scope (the matrix's rows: the city,
  and Sở Tư pháp with the units its register names, after ``demo_register``) over the four
  quarters with all clauses 4–10 and the TTHC of the registers, and one per department audited
  this year, linked to its demo audit (``DGNB-…``, not the cancelled one); the matrix is mostly
  green but for the gaps left on purpose: clause 10 not planned for the city itself, clauses 8 and
  9 not planned for Sở Tư pháp's "Văn phòng Sở", and the last TTHC of the registers that no
  linked audit covers;
- next year's programme as a draft prepared by the city's ISO officer ``hn-officer``, with the
  city, its departments and Sở Tư pháp's registered units but its "Văn phòng Sở" (a row of gaps),
  and one TTHC less, awaiting ``hn-leader``'s approval.

Idempotent: a programme already there (by scope and year) is left as it is.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone

from audits.models import Audit, AuditProgramme, AuditState, Clause, ProgrammeEntry
from audits.selectors_programme import procedure_tthc_ids, scope_units
from audits.selectors_register import scope_procedures
from audits.services.programme import (
    entry_save,
    entry_schedule,
    programme_approve,
    programme_save,
)
from qms.models import Agency, AgencyKind

SCOPE = "HN"
PREPARER, NEXT_PREPARER, APPROVER = "hn-auditor", "hn-officer", "hn-leader"
ALL_CLAUSES = ("4", "5", "6", "7", "8", "9", "10")
# This year's clauses left out on purpose: a few red cells of the matrix.
NOT_PLANNED = {"HN": ("10",), "STP-VP": ("8", "9")}
LEFT_OUT = "STP-VP"  # next year's draft forgets it: a whole row of gaps
OBJECTIVES = (
    "Đánh giá toàn bộ hệ thống quản lý chất lượng theo TCVN ISO 9001:2015 ít nhất một lần trong "
    "năm (Quyết định 101/2018/QĐ-TTg), ưu tiên đơn vị có điểm không phù hợp chưa đóng và tỷ lệ "
    "giải quyết đúng hạn thấp (Dữ liệu minh họa)."
)


def _quarter_of(day) -> int:
    return (day.month - 1) // 3 + 1


def _tthc_of(agency, tthc_by_agency, keep) -> list:
    return [t for t in tthc_by_agency.get(agency.pk, []) if t.pk in keep]


def _tthc_by_agency(scope) -> dict:
    """agency pk -> the TTHC of its own register (the units' registers name them too)."""
    from audits.models import QualitySystem

    found = {}
    for system in QualitySystem.objects.filter(agency__path__startswith=scope.path):
        found[system.agency_id] = list(system.administrative_procedures.order_by("code"))
    return found


def _this_year(users, scope, year) -> int:
    preparer, approver = users.get(PREPARER), users.get(APPROVER)
    if preparer is None or approver is None:
        return 0
    if AuditProgramme.objects.filter(agency=scope, year=year).exists():
        return 0
    programme = programme_save(
        actor=preparer,
        instance=AuditProgramme(agency=scope, year=year, objectives=OBJECTIVES),
    )
    by_agency = _tthc_by_agency(scope)
    clauses = list(Clause.objects.filter(number__in=ALL_CLAUSES))
    audits = {
        a.agency_id: a
        for a in Audit.objects.filter(code__startswith="DGNB-", planned_start__year=year)
        .exclude(state=AuditState.CANCELLED)
        .order_by("planned_start")
    }
    # The last TTHC of the scope that no linked demo audit's procedure pages carry is a gap.
    audited = set()
    for audit in audits.values():
        for page in audit.procedures.all():
            audited |= procedure_tthc_ids(page)
    scope_tthc = list(scope_procedures(scope))
    keep = {t.pk for t in scope_tthc}
    unaudited = [t for t in scope_tthc if t.pk not in audited]
    if unaudited:
        keep.discard(unaudited[-1].pk)
    created = 0
    linked = []
    rows = scope_units(scope, year)
    audited_bodies = Agency.objects.filter(pk__in=audits).exclude(pk__in=[a.pk for a in rows])
    unscheduled = 0
    for agency in sorted([*rows, *audited_bodies], key=lambda a: a.path):
        audit = audits.get(agency.pk)
        if audit is not None:
            quarter = _quarter_of(audit.planned_start)
        else:  # the units without an audit yet spread over the four quarters
            quarter, unscheduled = unscheduled % 4 + 1, unscheduled + 1
        left_out = NOT_PLANNED.get(agency.code, ())
        own = [c for c in clauses if c.number not in left_out]
        entry = entry_save(
            actor=preparer,
            instance=ProgrammeEntry(
                programme=programme,
                auditee=agency,
                quarter=quarter,
                note="Đánh giá theo kế hoạch năm (Dữ liệu minh họa).",
            ),
            clauses=own,
            administrative_procedures=_tthc_of(agency, by_agency, keep),
        )
        created += 1
        if audit is not None:
            linked.append((entry, audit))
    programme_approve(
        actor=approver,
        instance=programme,
        note="Đồng ý chương trình; ưu tiên các đơn vị có mức ưu tiên cao.",
    )
    for entry, audit in linked:
        entry_schedule(actor=preparer, instance=entry, audit=audit)
    return created


def _next_year(users, scope, year) -> int:
    preparer = users.get(NEXT_PREPARER)
    if preparer is None or AuditProgramme.objects.filter(agency=scope, year=year).exists():
        return 0
    programme = programme_save(
        actor=preparer,
        instance=AuditProgramme(agency=scope, year=year, objectives=OBJECTIVES),
    )
    tthc = list(scope_procedures(scope))
    keep = {t.pk for t in tthc[1:]}  # the first TTHC is a gap
    by_agency = _tthc_by_agency(scope)
    clauses = list(Clause.objects.filter(number__in=ALL_CLAUSES))
    created = 0
    departments = Agency.objects.filter(parent=scope, kind=AgencyKind.DEPARTMENT).order_by("code")
    bodies = [scope, *departments]
    bodies += [a for a in scope_units(scope, year) if a not in bodies and a.code != LEFT_OUT]
    for n, agency in enumerate(bodies):
        if not agency.is_valid_on(timezone.localdate()):
            continue
        entry_save(
            actor=preparer,
            instance=ProgrammeEntry(
                programme=programme,
                auditee=agency,
                quarter=n % 4 + 1,
                note="Dự kiến (Dữ liệu minh họa).",
            ),
            clauses=clauses,
            administrative_procedures=_tthc_of(agency, by_agency, keep),
        )
        created += 1
    return created


def seed() -> dict:
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=(PREPARER, NEXT_PREPARER, APPROVER))
    }
    scope = Agency.objects.filter(code=SCOPE).first()
    if scope is None:
        return {}
    year = timezone.localdate().year
    before = AuditProgramme.objects.count()
    entries = _this_year(users, scope, year) + _next_year(users, scope, year + 1)
    return {
        "audit_programmes": AuditProgramme.objects.count() - before,
        "programme_entries": entries,
    }
