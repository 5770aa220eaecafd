"""The audit report (báo cáo đánh giá nội bộ) as a PDF through the core helper ``qms.pdf``: the
title block, the auditee, dates, objectives, criteria, scope (clauses, procedures), the team, the
checklist's results counted, the findings grouped by clause, the team's conclusion and the
signature blocks of the lead auditor and the auditee's leader. ``audit_report_view`` serves it at
``admin/audits/<pk>/report.pdf`` to whoever may read the audit (others get a 404)."""

from __future__ import annotations

from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _

from audits.models import Audit, AuditState, FindingKind, ItemResult, TeamRole
from audits.rules_audits import AUDIT
from audits.selectors_findings import findings_by_clause
from qms import pdf, permissions
from qms.display import EMPTY, format_day
from qms.models import Membership, Role
from qms.people import person_name


def _auditee_leader(audit: Audit):
    row = (
        Membership.objects.active()
        .filter(agency=audit.agency, role=Role.LEADER, acting=False)
        .select_related("user")
        .order_by("start_date", "pk")
        .first()
    )
    return row.user if row else None


def _list(doc: pdf.Document, items: list[str]) -> None:
    if items:
        doc.bullets(items)
    else:
        doc.paragraph(EMPTY)


def _checklist(doc: pdf.Document, audit: Audit) -> None:
    counts = dict(
        audit.checklist.order_by()
        .values("result")
        .annotate(n=Count("pk"))
        .values_list("result", "n")
    )
    if not counts:
        return
    doc.heading(_("5. KẾT QUẢ PHIẾU ĐÁNH GIÁ"))
    rows = [[_("Kết quả"), _("Số câu hỏi")]]
    for result in ItemResult:
        rows.append([result.label, str(counts.get(result.value, 0))])
    rows.append([_("Tổng cộng"), str(sum(counts.values()))])
    doc.table(rows, widths=(4, 1.5), bold_rows=(-1,), align=("left", "right"))


def _findings(doc: pdf.Document, audit: Audit, number: int) -> None:
    doc.heading(_("%(n)d. CÁC PHÁT HIỆN") % {"n": number})
    groups = findings_by_clause(audit)
    if not groups:
        doc.paragraph(_("Không có phát hiện."))
        return
    for clause, findings in groups:
        if clause is None:
            doc.subheading(_("Không gắn điều khoản"))
        else:
            doc.subheading(_("Điều khoản %(clause)s") % {"clause": str(clause)})
        rows = [[_("Số hiệu"), _("Loại"), _("Mô tả và bằng chứng"), _("Quy trình")]]
        for f in findings:
            text = f.description
            if f.evidence:
                text += "\n" + _("Bằng chứng: %(evidence)s") % {"evidence": f.evidence}
            if f.recurrence_of_id:
                text += "\n" + _("Lặp lại phát hiện %(code)s.") % {"code": f.recurrence_of.code}
            if f.procedure_issue_id:
                issue = f.procedure_issue
                reference = _("%(code)s, lần ban hành %(number)02d") % {
                    "code": issue.code,
                    "number": issue.number,
                }
            elif f.procedure_id:
                reference = f.procedure.code
            else:
                reference = EMPTY
            rows.append([pdf.Cell(f.code, bold=True), FindingKind(f.kind).label, text, reference])
        doc.table(rows, widths=(2.1, 1.6, 4.6, 1.7))


def audit_report_document(audit: Audit) -> pdf.Document:
    agency = audit.agency
    doc = pdf.Document(
        title=_("Báo cáo đánh giá nội bộ %(code)s") % {"code": audit.code},
        author=agency.name,
        subject=audit.title,
        footer=_("Báo cáo đánh giá nội bộ %(code)s") % {"code": audit.code},
    )
    issuers = [agency.parent.name.upper()] if agency.parent_id else []
    doc.title_block(
        _("BÁO CÁO ĐÁNH GIÁ NỘI BỘ") + "\n" + audit.title.upper(),
        left=[*issuers, agency.name.upper()],
        right=[
            (_("Số hiệu"), audit.code),
            (_("Trạng thái"), AuditState(audit.state).label),
        ],
    )
    doc.heading(_("1. THÔNG TIN CHUNG"))
    doc.table(
        [
            [_("Nội dung"), _("Thông tin")],
            [_("Đơn vị được đánh giá"), agency.display_name],
            [
                _("Thời gian dự kiến"),
                f"{format_day(audit.planned_start)} – {format_day(audit.planned_end)}",
            ],
            [
                _("Thời gian thực tế"),
                f"{format_day(audit.actual_start)} – {format_day(audit.actual_end)}",
            ],
            [_("Mục tiêu"), audit.objectives or EMPTY],
            [_("Chuẩn mực đánh giá"), audit.criteria or EMPTY],
        ],
        widths=(1.6, 5),
    )
    doc.heading(_("2. PHẠM VI ĐÁNH GIÁ"))
    clauses = [str(c) for c in audit.clauses.order_by("sort_key")]
    doc.subheading(_("Điều khoản"))
    _list(doc, clauses)
    procedures = [f"{p.code} – {p.title}" for p in audit.procedures.order_by("code")]
    doc.subheading(_("Quy trình"))
    _list(doc, procedures)
    doc.heading(_("3. ĐOÀN ĐÁNH GIÁ"))
    team = audit.team.select_related("user").order_by("role", "pk")
    doc.table(
        [[_("TT"), _("Họ và tên"), _("Vai trò")]]
        + [
            [str(i), person_name(m.user), TeamRole(m.role).label]
            for i, m in enumerate(team, start=1)
        ],
        widths=(0.6, 4, 2),
        align=("center", "left", "left"),
    )
    doc.heading(_("4. KẾT LUẬN CỦA ĐOÀN ĐÁNH GIÁ"))
    doc.paragraph(audit.conclusion or EMPTY)
    has_checklist = audit.checklist.exists()
    _checklist(doc, audit)
    _findings(doc, audit, 6 if has_checklist else 5)
    leader = _auditee_leader(audit)
    doc.space(6)
    doc.table(
        [
            [_("Trưởng đoàn đánh giá"), _("Lãnh đạo đơn vị được đánh giá")],
            [pdf.Cell(_("(Ký, ghi rõ họ tên)"), italic=True, align="center")] * 2,
            ["\n\n\n", "\n\n\n"],
            [
                pdf.Cell(person_name(audit.lead_auditor), bold=True, align="center"),
                pdf.Cell(person_name(leader) if leader else "", bold=True, align="center"),
            ],
        ],
        widths=(1, 1),
    )
    return doc


def audit_report_pdf(audit: Audit) -> bytes:
    """The report in Vietnamese (the agency's record) whatever the reader's language."""
    with translation.override("vi"):
        return audit_report_document(audit).render()


def audit_report_view(request, pk):
    audit = get_object_or_404(Audit.objects.select_related("agency__parent", "lead_auditor"), pk=pk)
    if not permissions.has_permission(request.user, AUDIT, permissions.VIEW, audit):
        raise Http404
    return pdf.response(audit_report_pdf(audit), f"bao-cao-danh-gia-{audit.code}.pdf")
