"""An issue of a procedure printed as Vietnamese agencies print their ISO procedures (qms.pdf).

The head names the body (its superior above it) as it was named when the issue went live, the
procedure's code, title, issue number and effective date; then who drafted, reviewed and
approved it and when, the decision that issued it, the record of changes up to this issue, and
the sections: purpose, scope, legal basis, definitions, and for each TTHC its details and step
table with the total ("Không tính thời gian" for a step whose time is not counted) and its
swimlane diagram (documents.diagram), the forms and the records kept. Everything is read from the
issue as issued (documents.issue_content), so the same issue always prints the same bytes,
whatever later happens to the agency's files.
"""

from __future__ import annotations

import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from documents.diagram import diagram_drawings, diagram_words
from documents.issue_content import SERVICE_DETAILS, IssueContent, issue_content
from documents.models import IssueStatus, ProcedureIssue
from qms import pdf
from qms.models.catalogue import days_number, working_days_label
from qms.people import person_name

# The room a diagram leaves on its page for the heading kept with it (points).
DIAGRAM_HEADING = 30


def _date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%d/%m/%Y")


def _name_on(agency, moment: datetime.datetime) -> str:
    """The agency's name at ``moment`` (its history), so a reprint of an old issue after a rename
    or a merger names the body that issued it; its name today when its history does not reach
    back that far."""
    try:
        return agency.history.as_of(moment).name
    except agency.DoesNotExist:
        return agency.name


def _issuers(issue: ProcedureIssue) -> list[str]:
    """The issuing body's superior (if any) and the body, named as when the issue went live."""
    agency = issue.procedure.agency
    issued_at = issue.created_at
    names = [_name_on(agency.parent, issued_at)] if agency.parent_id else []
    return [*names, _name_on(agency, issued_at)]


def _head(doc: pdf.Document, issue: ProcedureIssue, issuers: list[str]) -> None:
    if issue.status == IssueStatus.SUPERSEDED:
        doc.paragraph(
            _("BẢN KHÔNG CÒN HIỆU LỰC: đã được thay thế từ ngày %(date)s.")
            % {"date": _date(issue.superseded_on)},
            bold=True,
            align="center",
        )
    elif issue.status == IssueStatus.WITHDRAWN:
        doc.paragraph(
            _("BẢN KHÔNG CÒN HIỆU LỰC: đã bãi bỏ ngày %(date)s.")
            % {"date": _date(issue.withdrawn_at)},
            bold=True,
            align="center",
        )
    doc.title_block(
        _("QUY TRÌNH") + "\n" + issue.title.upper(),
        left=[name.upper() for name in issuers],
        right=[
            (_("Mã hiệu"), issue.code),
            (_("Lần ban hành"), f"{issue.number:02d}"),
            (_("Ngày hiệu lực"), _date(issue.effective_date)),
        ],
    )


def _signatures(doc: pdf.Document, issue: ProcedureIssue) -> None:
    doc.table(
        [
            [_("Trách nhiệm"), _("Soạn thảo"), _("Xem xét"), _("Phê duyệt")],
            [
                pdf.Cell(_("Họ và tên"), bold=True),
                person_name(issue.drafted_by),
                person_name(issue.reviewed_by),
                person_name(issue.approved_by),
            ],
            [
                pdf.Cell(_("Ngày"), bold=True),
                _date(issue.drafted_at),
                _date(issue.reviewed_at),
                _date(issue.approved_at),
            ],
        ],
        widths=(1, 1.3, 1.3, 1.3),
        align=("left", "center", "center", "center"),
    )
    decision = issue.decision
    if decision is not None:
        doc.paragraph(
            _("Ban hành kèm theo Quyết định số %(number)s ngày %(date)s (người ký: %(signer)s).")
            % {
                "number": decision.number,
                "date": _date(decision.signed_on),
                "signer": decision.signer,
            },
            italic=True,
        )


def _changes(doc: pdf.Document, issue: ProcedureIssue) -> None:
    """The record of changes (theo dõi sửa đổi) up to this issue: later issues do not change it."""
    earlier = ProcedureIssue.objects.filter(
        procedure_id=issue.procedure_id, number__lte=issue.number
    ).order_by("number")
    doc.subheading(_("THEO DÕI SỬA ĐỔI TÀI LIỆU"))
    doc.table(
        [[_("Lần ban hành"), _("Ngày hiệu lực"), _("Tóm tắt nội dung sửa đổi")]]
        + [[f"{i.number:02d}", _date(i.effective_date), i.change_summary] for i in earlier],
        widths=(1.2, 1.4, 6),
        align=("center", "center", "left"),
    )


def _paragraphs(doc: pdf.Document, text: str) -> None:
    lines = [line for line in (text or "").splitlines() if line.strip()]
    for line in lines or ["—"]:
        doc.paragraph(line)


def _service(doc: pdf.Document, number: str, service, effective: datetime.date) -> None:
    doc.subheading(f"{number}. {service.label}")
    for name, label in SERVICE_DETAILS:
        value = service.details.get(name)
        if value:
            doc.paragraph(f"{label}: {value}")
    limit = service.tthc.time_limit_on(effective)
    if limit is not None:
        doc.paragraph(
            _("Thời hạn giải quyết theo quy định: %(limit)s.")
            % {"limit": working_days_label(limit.working_days)}
        )
    rows = [
        [
            _("Bước"),
            _("Nội dung công việc"),
            _("Đơn vị, người thực hiện"),
            _("Thời gian (ngày làm việc)"),
            _("Kết quả, biểu mẫu"),
        ]
    ]
    for step in service.steps:
        output = "\n".join(
            part for part in (step.output, step.form and f"{_('Mẫu')}: {step.form}") if part
        )
        rows.append([step.code, step.content, step.responsible, step.days_label, output])
    rows.append([_("Tổng thời gian giải quyết"), "", "", days_number(service.total_days), ""])
    last = len(rows) - 1
    doc.table(
        rows,
        widths=(1.1, 4, 2.2, 1.4, 2.2),
        bold_rows=(-1,),
        spans=[((0, last), (2, last))],
        align=("left", "left", "left", "center", "left"),
    )
    if service.steps:
        _diagram(doc, service)


def _diagram(doc: pdf.Document, service) -> None:
    """The step table as a swimlane diagram, in parts that each fit a page (with its heading)."""
    doc.subheading(_("Sơ đồ quy trình"))
    words = diagram_words(service.steps)
    for drawing in diagram_drawings(service.steps, doc.width, doc.height - DIAGRAM_HEADING):
        doc.drawing(drawing, *words)
        words = ()


def _content(doc: pdf.Document, content: IssueContent) -> None:
    issue = content.issue
    doc.heading(_("1. MỤC ĐÍCH"))
    _paragraphs(doc, content.page.purpose)
    doc.heading(_("2. PHẠM VI ÁP DỤNG"))
    _paragraphs(doc, content.page.scope)
    doc.heading(_("3. CĂN CỨ PHÁP LÝ"))
    if content.sections["legal_basis"]:
        doc.bullets(content.sections["legal_basis"])
    else:
        doc.paragraph("—")
    doc.heading(_("4. ĐỊNH NGHĨA, CHỮ VIẾT TẮT"))
    if content.definitions:
        doc.table(
            [[_("Thuật ngữ, chữ viết tắt"), _("Giải thích")]]
            + [[d.get("term", ""), d.get("meaning", "")] for d in content.definitions],
            widths=(1, 3),
        )
    else:
        doc.paragraph("—")
    doc.heading(_("5. NỘI DUNG QUY TRÌNH"))
    for index, service in enumerate(content.services, start=1):
        _service(doc, f"5.{index}", service, issue.effective_date)
    doc.heading(_("6. BIỂU MẪU"))
    if content.forms:
        doc.table(
            [[_("TT"), _("Tên biểu mẫu")]]
            + [[str(i), title] for i, title in enumerate(content.forms, start=1)],
            widths=(0.6, 8),
            align=("center", "left"),
        )
    else:
        doc.paragraph("—")
    doc.heading(_("7. HỒ SƠ CẦN LƯU"))
    if content.records:
        doc.table(
            [[_("TT"), _("Hồ sơ cần lưu"), _("Nơi lưu"), _("Thời gian lưu")]]
            + [
                [str(i), r["name"], r["keeper"], r["retention"]]
                for i, r in enumerate(content.records, start=1)
            ],
            widths=(0.6, 5, 2.4, 1.6),
            align=("center", "left", "left", "left"),
        )
    else:
        doc.paragraph("—")


def issue_document(issue: ProcedureIssue) -> pdf.Document:
    """The printed issue as a ``qms.pdf.Document`` (``issue_pdf`` renders it)."""
    content = issue_content(issue)
    issuers = _issuers(issue)
    doc = pdf.Document(
        title=f"{issue.code} – {issue.title}",
        author=issuers[-1],
        subject=_("Lần ban hành %(number)d") % {"number": issue.number},
        footer=_("%(code)s – Lần ban hành %(number)02d – Hiệu lực từ %(date)s")
        % {"code": issue.code, "number": issue.number, "date": _date(issue.effective_date)},
    )
    _head(doc, issue, issuers)
    _signatures(doc, issue)
    _changes(doc, issue)
    _content(doc, content)
    return doc


def issue_pdf(issue: ProcedureIssue) -> bytes:
    """The issue as a PDF file (A4); the same issue always gives the same bytes. It is the
    agency's official text, so it is printed in Vietnamese whatever the reader's language."""
    with translation.override("vi"):
        return issue_document(issue).render()


def issue_pdf_filename(issue: ProcedureIssue) -> str:
    return f"{issue.code}-lan-{issue.number:02d}.pdf"
