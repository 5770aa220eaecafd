"""The minutes of a management review (biên bản họp xem xét của lãnh đạo) as a PDF through the
core helper ``qms.pdf``: the title block, the agency, the period, the day held, the chair, the
attendees and the others, each input section of 9.3.2 as it was frozen (facts as a two-column
table, items as bullets), the decisions, the resource needs, the findings raised, and the
signature blocks of the secretary (the ISO officer who prepared it) and of the chair.

A review not yet held prints the same with its inputs compiled as of today (the papers of the
meeting), marked "Dự kiến". ``minutes_view`` serves it at
``admin/management_reviews/<pk>/minutes.pdf`` to whoever may read the review (others get a 404).
"""

from __future__ import annotations

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audits.models import FindingKind, FindingState, ManagementReview, ReviewState
from audits.rules_reviews import REVIEW
from audits.selectors_reviews import inputs_of
from qms import pdf, permissions
from qms.display import EMPTY, format_day
from qms.people import person_name


def _as_of(review: ManagementReview, inputs: dict) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(inputs.get("as_of") or "")
    except ValueError:
        return review.held_on


def _section(doc: pdf.Document, section: dict) -> None:
    doc.subheading(section.get("title", ""))
    facts = section.get("facts") or []
    items = section.get("items") or []
    if facts:
        doc.table(
            [[_("Nội dung"), _("Số liệu")], *([label, value] for label, value in facts)],
            widths=(4, 1.8),
            align=("left", "right"),
        )
    if items:
        doc.bullets(items)
    elif not facts or section.get("empty"):
        doc.paragraph(section.get("empty") or EMPTY, italic=True)


def _findings(doc: pdf.Document, review: ManagementReview) -> None:
    findings = list(review.findings.select_related("clause").order_by("code"))
    if not findings:
        doc.paragraph(_("Cuộc họp không nêu vấn đề nào cần xử lý."))
        return
    rows = [[_("Số hiệu"), _("Loại"), _("Mô tả"), _("Điều khoản"), _("Trạng thái")]]
    for f in findings:
        rows.append(
            [
                pdf.Cell(f.code, bold=True),
                FindingKind(f.kind).label,
                f.description,
                f.clause.number if f.clause_id else EMPTY,
                FindingState(f.state).label,
            ]
        )
    doc.table(rows, widths=(2.1, 1.8, 4.4, 1.2, 1.6))


def minutes_document(review: ManagementReview, today: datetime.date | None = None) -> pdf.Document:
    agency = review.agency
    held = review.state == ReviewState.HELD
    today = today or timezone.localdate()
    inputs = inputs_of(review, today)
    title = _("Biên bản họp xem xét của lãnh đạo: %(title)s") % {"title": review.title}
    doc = pdf.Document(title=title, author=agency.name, subject=review.title, footer=title)
    issuers = [agency.parent.name.upper()] if agency.parent_id else []
    doc.title_block(
        _("BIÊN BẢN HỌP XEM XÉT CỦA LÃNH ĐẠO") + "\n" + review.title.upper(),
        left=[*issuers, agency.name.upper()],
        right=[
            (_("Ngày họp"), format_day(review.held_on) if held else _("chưa họp")),
            (_("Trạng thái"), ReviewState(review.state).label),
        ],
        subtitle=_("Theo điều 9.3 TCVN ISO 9001:2015"),
    )
    doc.heading(_("1. THÔNG TIN CHUNG"))
    attendees = [
        person_name(p) for p in review.attendees.order_by("last_name", "first_name", "username")
    ]
    meeting_day = (
        format_day(review.held_on)
        if held
        else _("%(day)s (dự kiến)") % {"day": format_day(review.planned_on)}
    )
    doc.table(
        [
            [_("Nội dung"), _("Thông tin")],
            [_("Cơ quan, đơn vị"), agency.display_name],
            [
                _("Kỳ xem xét"),
                f"{format_day(review.period_start)} – {format_day(review.period_end)}",
            ],
            [_("Ngày họp"), meeting_day],
            [_("Chủ trì"), person_name(review.chair) if review.chair_id else EMPTY],
            [_("Thành phần tham dự"), "\n".join(attendees) or EMPTY],
            [_("Thành phần khác"), review.other_attendees or EMPTY],
        ],
        widths=(1.6, 5),
    )
    doc.heading(_("2. ĐẦU VÀO XEM XÉT (ĐIỀU 9.3.2)"))
    if held:
        caption = _("Đầu vào đã chốt ngày %(day)s.") % {"day": format_day(_as_of(review, inputs))}
    else:
        caption = _("Tổng hợp đến ngày %(day)s; số liệu được chốt khi ghi nhận cuộc họp.") % {
            "day": format_day(today)
        }
    doc.paragraph(caption, italic=True)
    for section in inputs.get("sections", []):
        _section(doc, section)
    doc.heading(_("3. KẾT LUẬN, QUYẾT ĐỊNH (ĐIỀU 9.3.3)"))
    doc.paragraph(review.decisions or EMPTY)
    doc.heading(_("4. NHU CẦU NGUỒN LỰC"))
    doc.paragraph(review.resource_needs or EMPTY)
    doc.heading(_("5. CÁC VẤN ĐỀ CẦN XỬ LÝ"))
    _findings(doc, review)
    doc.space(6)
    secretary = review.created_by
    doc.table(
        [
            [_("Thư ký cuộc họp"), _("Chủ trì cuộc họp")],
            [pdf.Cell(_("(Ký, ghi rõ họ tên)"), italic=True, align="center")] * 2,
            ["\n\n\n", "\n\n\n"],
            [
                pdf.Cell(person_name(secretary) if secretary else "", bold=True, align="center"),
                pdf.Cell(
                    person_name(review.chair) if review.chair_id else "",
                    bold=True,
                    align="center",
                ),
            ],
        ],
        widths=(1, 1),
    )
    return doc


def minutes_pdf(review: ManagementReview) -> bytes:
    """The minutes in Vietnamese (the agency's record) whatever the reader's language."""
    with translation.override("vi"):
        return minutes_document(review).render()


def minutes_view(request, pk):
    review = get_object_or_404(
        ManagementReview.objects.select_related("agency__parent", "chair", "created_by"), pk=pk
    )
    if not permissions.has_permission(request.user, REVIEW, permissions.VIEW, review):
        raise Http404
    day = review.held_on or review.planned_on
    return pdf.response(minutes_pdf(review), f"bien-ban-xem-xet-cua-lanh-dao-{day.isoformat()}.pdf")
