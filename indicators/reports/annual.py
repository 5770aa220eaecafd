"""The annual QMS report of an agency (issue [9] item 7) as a PDF, with the core's PDF helper and
fonts: "Báo cáo kết quả duy trì, cải tiến hệ thống quản lý chất lượng năm yyyy" (Decision
101/2018/QĐ-TTg: the system is maintained and improved every year, with an internal audit and a
management review at least once a year).

    doc = annual_report(agency, 2026)
    return pdf.response(doc.render(), "bao-cao-iso-STP-2026.pdf")

The figures come from ``annual_data.annual_figures`` (their definitions are written there); the
service index from ``indicators.selectors_index.service_index`` and the charts from
``indicators.charts.render`` (PNG, the filter of the year).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from qms import pdf
from qms.display import EMPTY, format_day
from qms.formats.numbers import format_number, format_percent
from qms.models import Agency

from .annual_data import AnnualFigures, annual_figures

LEGAL_BASIS = (
    "Quyết định số 101/2018/QĐ-TTg ngày 21/12/2018 của Thủ tướng Chính phủ quy định về áp dụng "
    "Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2015 vào hoạt động của "
    "các cơ quan, tổ chức thuộc hệ thống hành chính nhà nước"
)
# The charts of the dashboard printed in the report, in this order (keys of indicators.charts).
CHART_KEYS = (
    "on_time_trend",
    "ranking",
    "late_pareto",
    "bottleneck",
    "online_digitised",
    "findings_by_clause",
    "actions_by_age",
    "document_review",
    "service_index",
)
RIGHT, CENTER = "right", "center"


def _n(value) -> str:
    return format_number(value or 0)


def _rate(value) -> str:
    return EMPTY if value is None else format_percent(value, 1, ratio=True)


def _short(text: str, length: int = 300) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def title_of(year: int) -> str:
    return _("BÁO CÁO KẾT QUẢ DUY TRÌ, CẢI TIẾN HỆ THỐNG QUẢN LÝ CHẤT LƯỢNG NĂM %(year)d") % {
        "year": year
    }


def annual_report(agency: Agency, year: int, *, now: dt.datetime | None = None) -> pdf.Document:
    """The annual report of ``agency`` (with its units and the former bodies rolled into it)
    for ``year``, as a document ready to ``render()``."""
    figures = annual_figures(agency, year, now=now)
    doc = pdf.Document(
        title=title_of(year).capitalize(),
        author=agency.name,
        subject=_("Báo cáo hệ thống quản lý chất lượng"),
        footer=_("%(agency)s – Báo cáo HTQLCL năm %(year)d")
        % {"agency": agency.name, "year": year},
    )
    _head(doc, figures)
    _documents(doc, figures)
    _audits(doc, figures)
    _actions(doc, figures)
    _complaints(doc, figures)
    _objectives(doc, figures)
    _reviews(doc, figures)
    _on_time(doc, figures)
    _index(doc, figures)
    _charts(doc, figures)
    return doc


def _head(doc: pdf.Document, f: AnnualFigures) -> None:
    agency = f.agency
    left = [agency.parent.name.upper()] if agency.parent_id else []
    doc.title_block(
        title_of(f.year),
        left=[*left, agency.name.upper()],
        right=[
            (_("Năm báo cáo"), str(f.year)),
            (_("Kỳ báo cáo"), f"{format_day(f.start)} – {format_day(f.end)}"),
            (_("Lập ngày"), format_day(f.today)),
        ],
    )
    doc.paragraph(_("Căn cứ %(basis)s.") % {"basis": LEGAL_BASIS}, italic=True)
    scope = _(
        "Phạm vi: %(agency)s và các đơn vị trực thuộc. Số liệu lập từ hệ thống qms lúc %(now)s."
    ) % {"agency": agency.display_name, "now": timezone.localtime(f.now).strftime("%d/%m/%Y %H:%M")}
    doc.paragraph(scope)
    absorbed = [a for body in f.bodies.rows for a in body.absorbed]
    if absorbed:
        doc.paragraph(
            _("Gồm số liệu của các cơ quan đã sáp nhập, đổi tên (sắp xếp năm 2025): %(names)s.")
            % {"names": "; ".join(a.name for a in absorbed)}
        )
    ended = [body.agency.name for body in f.bodies.rows if body.ended]
    if ended:
        doc.paragraph(
            _("Cơ quan đã kết thúc hoạt động, giữ số liệu dưới tên cũ: %(names)s.")
            % {"names": "; ".join(ended)}
        )


def _documents(doc: pdf.Document, f: AnnualFigures) -> None:
    doc.heading(_("1. TÀI LIỆU, QUY TRÌNH BAN HÀNH VÀ SỬA ĐỔI TRONG NĂM"))
    doc.paragraph(
        _("Ban hành mới: %(new)s quy trình; sửa đổi, bổ sung: %(revised)s lần; bãi bỏ: %(gone)s.")
        % {"new": _n(f.issued), "revised": _n(f.revised), "gone": _n(len(f.withdrawn))}
    )
    if not f.issues and not f.withdrawn:
        doc.paragraph(_("Không có quy trình nào được ban hành, sửa đổi hay bãi bỏ trong năm."))
        return
    rows = [[_("Mã hiệu"), _("Tên quy trình"), _("Lần"), _("Hiệu lực"), _("Nội dung")]]
    for issue in f.issues:
        what = _("Ban hành mới") if issue.number == 1 else _short(issue.change_summary, 160)
        rows.append(
            [issue.code, issue.title, str(issue.number), format_day(issue.effective_date), what]
        )
    for issue in f.withdrawn:
        rows.append(
            [
                issue.code,
                issue.title,
                str(issue.number),
                format_day(timezone.localdate(issue.withdrawn_at)),
                _("Bãi bỏ: %(reason)s") % {"reason": _short(issue.withdrawal_reason, 140)},
            ]
        )
    doc.table(rows, widths=(2, 4.5, 0.8, 1.6, 4), align=("left", "left", CENTER, CENTER))


def _counts(item) -> str:
    return _("%(major)s nặng, %(minor)s nhẹ, %(other)s khác") % {
        "major": _n(item.n_major),
        "minor": _n(item.n_minor),
        "other": _n(item.n_other),
    }


def _audits(doc: pdf.Document, f: AnnualFigures) -> None:
    from audits.models import AuditState, FindingKind

    doc.heading(_("2. ĐÁNH GIÁ NỘI BỘ, KIỂM TRA VÀ CÁC PHÁT HIỆN"))
    done = sum(1 for a in f.audits if a.state in (AuditState.REPORTED, AuditState.CLOSED))
    cancelled = sum(1 for a in f.audits if a.state == AuditState.CANCELLED)
    doc.paragraph(
        _(
            "Cuộc đánh giá nội bộ trong năm: %(total)s, đã thực hiện (đã báo cáo hoặc kết thúc): "
            "%(done)s, đã hủy: %(cancelled)s. Đợt kiểm tra của cơ quan có thẩm quyền: "
            "%(inspections)s."
        )
        % {
            "total": _n(len(f.audits)),
            "done": _n(done),
            "cancelled": _n(cancelled),
            "inspections": _n(len(f.inspections)),
        }
    )
    if f.audits:
        doc.subheading(_("Đánh giá nội bộ"))
        rows = [
            [
                _("Số hiệu"),
                _("Đơn vị được đánh giá"),
                _("Thời gian"),
                _("Trạng thái"),
                _("Phát hiện"),
            ]
        ]
        for audit in f.audits:
            begin = audit.actual_start or audit.planned_start
            finish = audit.actual_end or audit.planned_end
            rows.append(
                [
                    audit.code,
                    audit.agency.display_name,
                    f"{format_day(begin)} – {format_day(finish)}",
                    audit.get_state_display(),
                    _counts(audit),
                ]
            )
        doc.table(rows, widths=(2, 4, 3, 2.2, 3))
    if f.inspections:
        doc.subheading(_("Kiểm tra việc áp dụng ISO"))
        rows = [
            [_("Cơ quan kiểm tra"), _("Đơn vị"), _("Ngày kiểm tra"), _("Kết luận"), _("Phát hiện")]
        ]
        for inspection in f.inspections:
            rows.append(
                [
                    inspection.inspecting_body,
                    inspection.agency.display_name,
                    format_day(inspection.inspected_on),
                    _short(inspection.summary, 200) or inspection.conclusion_number or EMPTY,
                    _counts(inspection),
                ]
            )
        doc.table(rows, widths=(3, 3, 2, 4, 3))
    doc.subheading(_("Phát hiện ghi nhận trong năm"))
    doc.table(
        [
            [_("Loại phát hiện"), _("Số lượng")],
            *([str(kind.label), _n(f.findings_by_kind.get(kind.value))] for kind in FindingKind),
            [_("Tổng cộng"), _n(sum(f.findings_by_kind.values()))],
        ],
        widths=(5, 2),
        bold_rows=(-1,),
        align=("left", RIGHT),
    )
    if f.nonconformities:
        rows = [
            [_("Số hiệu"), _("Loại"), _("Điều khoản"), _("Đơn vị"), _("Nội dung"), _("Trạng thái")]
        ]
        for finding in f.nonconformities:
            rows.append(
                [
                    finding.code,
                    finding.get_kind_display(),
                    finding.clause.number if finding.clause_id else EMPTY,
                    finding.agency.display_name,
                    _short(finding.description, 240),
                    finding.get_state_display(),
                ]
            )
        doc.table(rows, widths=(2, 2, 1.4, 3, 5, 2))


def _actions(doc: pdf.Document, f: AnnualFigures) -> None:
    a = f.actions
    doc.heading(_("3. HÀNH ĐỘNG KHẮC PHỤC"))
    doc.table(
        [
            [_("Chỉ tiêu"), _("Số lượng")],
            [_("Mở trong năm"), _n(a.opened)],
            [_("Đã đóng trong năm"), _n(a.closed)],
            [_("Chưa đóng tại ngày lập báo cáo"), _n(a.not_closed)],
            [_("Quá hạn chưa thực hiện tại ngày lập báo cáo"), _n(a.overdue)],
        ],
        widths=(5, 2),
        align=("left", RIGHT),
    )


def _complaints(doc: pdf.Document, f: AnnualFigures) -> None:
    c = f.complaints
    doc.heading(_("4. KHIẾU NẠI, PHẢN ÁNH, KIẾN NGHỊ"))
    doc.table(
        [
            [_("Chỉ tiêu"), _("Số lượng")],
            [_("Tiếp nhận trong năm"), _n(c.received)],
            [_("Đã trả lời trong năm"), _n(c.answered)],
            [_("Trong đó trả lời đúng hạn"), _n(c.answered_on_time)],
            [_("Tỷ lệ trả lời đúng hạn"), _rate(c.on_time_rate)],
            [_("Chưa trả lời tại ngày lập báo cáo"), _n(c.pending)],
            [_("Trong đó đã quá hạn trả lời"), _n(c.pending_overdue)],
        ],
        widths=(5, 2),
        align=("left", RIGHT),
    )


def _objectives(doc: pdf.Document, f: AnnualFigures) -> None:
    from ..selectors_objectives import result_label
    from ..services.objectives import format_measure, month_label, target_label

    doc.heading(_("5. MỤC TIÊU CHẤT LƯỢNG VÀ KẾT QUẢ THỰC HIỆN"))
    if not f.objectives:
        doc.paragraph(_("Chưa thiết lập mục tiêu chất lượng áp dụng trong năm."))
        return
    rows = [[_("Mục tiêu"), _("Đơn vị"), _("Chỉ tiêu"), _("Tháng đạt / đã đánh giá")]]
    monthly = [[_("Mục tiêu"), _("Tháng"), _("Thực hiện"), _("Kết quả")]]
    for objective, evaluations in f.objectives:
        judged = [e for e in evaluations if e.met is not None]
        met = sum(1 for e in judged if e.met)
        rows.append(
            [
                objective.name,
                objective.agency.display_name,
                target_label(objective),
                f"{met}/{len(judged)}" if judged else _("Chưa đánh giá"),
            ]
        )
        for evaluation in evaluations:
            monthly.append(
                [
                    objective.name,
                    month_label(evaluation.period_start),
                    format_measure(objective.metric, evaluation.actual) or EMPTY,
                    result_label(evaluation.met),
                ]
            )
    doc.table(rows, widths=(5, 3.5, 2, 2.5), align=("left", "left", CENTER, CENTER))
    if len(monthly) > 1:
        doc.subheading(_("Kết quả từng tháng"))
        doc.table(monthly, widths=(6, 1.5, 2, 2), align=("left", CENTER, RIGHT, CENTER))


def _reviews(doc: pdf.Document, f: AnnualFigures) -> None:
    doc.heading(_("6. XEM XÉT CỦA LÃNH ĐẠO"))
    if not f.reviews:
        doc.paragraph(_("Chưa tổ chức cuộc họp xem xét của lãnh đạo trong năm."))
        return
    for review in f.reviews:
        doc.subheading(
            _("%(title)s – họp ngày %(day)s (%(agency)s)")
            % {
                "title": review.title,
                "day": format_day(review.held_on),
                "agency": review.agency.display_name,
            }
        )
        doc.paragraph(review.decisions or _("(không ghi kết luận)"))


def _metric_cells(row) -> list[str]:
    return [
        _n(row.received),
        _n(row.resolved),
        _n(row.early + row.on_time),
        _n(row.late),
        _rate(row.on_time_rate),
        _n(row.pending_overdue),
    ]


def _on_time(doc: pdf.Document, f: AnnualFigures) -> None:
    doc.heading(_("7. KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"))
    total = f.total
    target = (
        _("; chỉ tiêu: ≥ %(t)s") % {"t": format_percent(f.on_time_target, 1)}
        if f.on_time_target is not None
        else ""
    )
    doc.paragraph(
        _(
            "Tiếp nhận %(received)s hồ sơ, đã giải quyết %(resolved)s, trong đó trước hạn và đúng "
            "hạn %(in_time)s, quá hạn %(late)s; tỷ lệ đúng hạn %(rate)s%(target)s. Hồ sơ chưa giải "
            "quyết đã quá hạn tại ngày lập báo cáo: %(overdue)s."
        )
        % {
            "received": _n(total.received),
            "resolved": _n(total.resolved),
            "in_time": _n(total.early + total.on_time),
            "late": _n(total.late),
            "rate": _rate(total.on_time_rate),
            "target": target,
            "overdue": _n(total.pending_overdue),
        }
    )
    heads = [
        _("Tiếp nhận"),
        _("Đã giải quyết"),
        _("Trước hạn, đúng hạn"),
        _("Quá hạn"),
        _("Tỷ lệ đúng hạn"),
        _("Quá hạn chưa giải quyết"),
    ]
    numbers = ("left", *([RIGHT] * 6))
    doc.subheading(_("Theo tháng"))
    doc.table(
        [[_("Tháng"), *heads]]
        + [[row.label, *_metric_cells(row)] for row in f.months]
        + [[_("Cả năm"), *_metric_cells(total)]],
        widths=(2.2, 1.6, 1.6, 1.8, 1.4, 1.6, 1.8),
        bold_rows=(-1,),
        align=numbers,
    )
    if f.procedures:
        doc.subheading(_("Theo thủ tục hành chính"))
        doc.table(
            [[_("Thủ tục hành chính"), *heads]]
            + [[row.label, *_metric_cells(row)] for row in f.procedures],
            widths=(5, 1.3, 1.3, 1.5, 1.2, 1.4, 1.5),
            align=numbers,
        )


def _index(doc: pdf.Document, f: AnnualFigures) -> None:
    doc.heading(_("8. CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (QUYẾT ĐỊNH 766/QĐ-TTg)"))
    from indicators.selectors_index import service_index

    result = service_index(f.agency, f.start, f.end, today=f.today)
    if result.scheme is None:
        doc.paragraph(_("Chưa có bộ chỉ số áp dụng cho kỳ báo cáo."), italic=True)
        return
    rows = [[_("Nhóm chỉ số"), _("Điểm tối đa"), _("Điểm đạt"), _("Điểm bị mất")]]
    for group in result.groups:
        lost = None if group.points is None else group.max_points - group.points
        rows.append(
            [
                f"{group.number}. {group.name}",
                format_number(group.max_points, 2),
                EMPTY if group.points is None else format_number(group.points, 2),
                EMPTY if lost is None else format_number(lost, 2),
            ]
        )
    rows.append(
        [
            _("Tổng điểm"),
            format_number(result.max_total, 2),
            EMPTY if result.total is None else format_number(result.total, 2),
            EMPTY if result.total is None else format_number(result.max_total - result.total, 2),
        ]
    )
    doc.table(rows, widths=(6, 1.6, 1.6, 1.6), bold_rows=(-1,), align=("left", RIGHT, RIGHT, RIGHT))
    losing = result.by_points_lost()[:10]
    if losing:
        doc.subheading(_("Các chỉ số bị mất điểm nhiều nhất"))
        doc.table(
            [[_("Chỉ số"), _("Điểm tối đa"), _("Điểm bị mất"), _("Cách tính")]]
            + [
                [
                    f"{i.code} {i.name}",
                    format_number(i.points_max, 2),
                    format_number(i.lost, 2),
                    _("Nhập tay") if i.entered else _("Tính từ số liệu"),
                ]
                for i in losing
            ],
            widths=(6, 1.5, 1.5, 2),
            align=("left", RIGHT, RIGHT, CENTER),
        )


def _charts(doc: pdf.Document, f: AnnualFigures) -> None:
    doc.heading(_("9. BIỂU ĐỒ"))
    from indicators.charts import CHARTS, render
    from indicators.dashboard_filter import DashboardFilter

    chart_filter = DashboardFilter(agency=f.agency, start=f.start, end=f.end, period=f"y-{f.year}")
    for key in CHART_KEYS:
        chart = CHARTS.get(key)
        if chart is None:
            continue
        title = str(getattr(chart, "title", key))
        doc.subheading(title)
        doc.image(render(key, chart_filter, "png", now=f.now), words=[title])
