"""Demo internal audits (run by ``audits.demo``): the city's ISO officer plans one audit in each
state, the auditors of one department auditing another (each demo auditor holds only the auditor
role, so they are independent of every other department, and qualified: ``demo_auditors`` runs
first): planned (next month), in progress, reported, closed and cancelled. The audits to be
reported or closed are left in progress here: their team fills the checklist and records findings
while the audit is open, then reports and closes it (``demo_findings``, run next). Idempotent: an
audit whose code exists is left as it is."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from audits.models import Audit, Clause
from audits.selectors_audits import procedures_for_scope
from audits.services.audits import audit_cancel, audit_plan, audit_start
from qms.models import Agency

PLANNER = "hn-officer"
CLAUSES = ("7.5", "8.2", "8.5.1", "9.1")
# (code, auditee, lead, member, days from today to the planned start, final state)
AUDITS = [
    ("DGNB-01", "STC", "stp-auditor", "sxd-auditor", 30, "planned"),
    ("DGNB-02", "SXD", "stc-auditor", "skhcn-auditor", 0, "in_progress"),
    ("DGNB-03", "SKHCN", "sxd-auditor", "stp-auditor", -10, "reported"),
    ("DGNB-04", "STP", "skhcn-auditor", "stc-auditor", -40, "closed"),
    ("DGNB-05", "SNNMT", "stp-auditor", None, 60, "cancelled"),
]


def seed() -> dict:
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__endswith="-auditor")}
    planner = User.objects.filter(username=PLANNER).first()
    if planner is None:
        return {"audits": 0}
    clauses = list(Clause.objects.filter(number__in=CLAUSES))
    today = timezone.localdate()
    created = 0
    for code, auditee_code, lead_name, member_name, offset, state in AUDITS:
        auditee = Agency.objects.filter(code=auditee_code).first()
        lead = users.get(lead_name)
        if Audit.objects.filter(code=code).exists() or auditee is None or lead is None:
            continue
        start = today + datetime.timedelta(days=offset)
        member = users.get(member_name) if member_name else None
        audit = audit_plan(
            actor=planner,
            instance=Audit(
                agency=auditee,
                code=code,
                title=f"Đánh giá nội bộ {auditee.name} năm {start.year}",
                objectives=(
                    "Xác định mức độ phù hợp của hệ thống quản lý chất lượng với TCVN ISO "
                    "9001:2015 và hiệu lực của các quy trình giải quyết thủ tục hành chính."
                ),
                criteria="TCVN ISO 9001:2015; các quy trình nội bộ đang áp dụng; Dữ liệu minh họa.",
                planned_start=start,
                planned_end=start + datetime.timedelta(days=2),
                lead_auditor=lead,
            ),
            team=[member] if member else [],
            clauses=clauses,
            procedures=list(procedures_for_scope(auditee)[:3]),
        )
        if state == "cancelled":
            audit_cancel(
                actor=planner, instance=audit, reason="Đơn vị đang sắp xếp lại tổ chức bộ máy."
            )
        if state in ("in_progress", "reported", "closed"):
            audit_start(actor=lead, instance=audit)
        created += 1
    return {"audits": created}
