"""The leadership dashboard's scorecard ("Bảng điều khiển lãnh đạo", issue [9] items 1, 4, 5, 7)
and its drill-down to the TTHC of a body.

- ``indicators_dashboard`` (``indicators/dashboard/``): the filter (node, period, field, channel,
  all in the URL), the scorecard of ``indicators.selectors_scorecard.scorecard`` with each cell's
  colour in words and an icon (not by colour alone) and its target; a body's name opens the same
  page for that body, the counts open what is behind them (the TTHC page, the findings, the
  corrective actions, the complaints, the reviews, the audit programmes); XLSX and CSV.
- ``indicators_dashboard_procedures`` (``indicators/dashboard/procedures/``): one row per TTHC of
  the node (``procedure_rows``), most late first, each opening the dossiers list on that agency,
  TTHC, received period and "late or pending overdue"; XLSX and CSV.

Both read the metrics' permission (``DashboardPageView``); the form offers only the agencies of
the reader's scope, so a commune's leader never opens another commune.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button

from indicators.dashboard_filter import default_period
from indicators.models.dashboard import HIGHER_IS_BETTER, ScorecardMeasure
from indicators.rules import METRICS
from indicators.selectors_scorecard import (
    AMBER,
    GREEN,
    MEASURES,
    RATES,
    RED,
    Cell,
    ScoreRow,
    on_time_objectives,
    procedure_rows,
    scorecard,
)
from indicators.wagtail_hooks.dashboard_base import DashboardPageView
from indicators.wagtail_hooks.menu import MENU_HOOK
from indicators.wagtail_hooks.metrics import _own_agency
from qms import permissions
from qms.display import EMPTY, format_moment
from qms.exports import Table, table_response
from qms.formats.numbers import format_number, format_percent

FORMATS = ("csv", "xlsx")

HEADINGS = {
    ScorecardMeasure.ON_TIME_MONTH: gettext_lazy("Đúng hạn trong kỳ"),
    ScorecardMeasure.ON_TIME_YEAR: gettext_lazy("Đúng hạn từ đầu năm"),
    ScorecardMeasure.PENDING_OVERDUE: gettext_lazy("Quá hạn chưa giải quyết"),
    ScorecardMeasure.REVIEWS_OVERDUE: gettext_lazy("Quy trình quá hạn rà soát"),
    ScorecardMeasure.AUDITS_DONE: gettext_lazy("Đánh giá nội bộ đã thực hiện / chương trình"),
    ScorecardMeasure.MAJOR_NC: gettext_lazy("Điểm KPH nặng đang mở"),
    ScorecardMeasure.MINOR_NC: gettext_lazy("Điểm KPH nhẹ đang mở"),
    ScorecardMeasure.ACTIONS_OVERDUE: gettext_lazy("Hành động khắc phục quá hạn"),
    ScorecardMeasure.COMPLAINTS_OPEN: gettext_lazy("Phản ánh, kiến nghị chưa trả lời"),
    ScorecardMeasure.SERVICE_INDEX: gettext_lazy("Chỉ số phục vụ (điểm/100)"),
}
COLOUR_WORDS = {
    GREEN: gettext_lazy("Đạt"),
    AMBER: gettext_lazy("Cần chú ý"),
    RED: gettext_lazy("Không đạt"),
    "": gettext_lazy("Chưa có số liệu"),
}
# An icon beside the word, so that the colour is never the only sign.
COLOUR_ICONS = {GREEN: "✔", AMBER: "!", RED: "✖", "": "–"}


def colour_word(colour: str) -> str:
    return str(COLOUR_WORDS[colour])


def value_text(cell: Cell) -> str:
    if cell.value is None:
        return EMPTY
    if cell.is_percent:
        return format_percent(cell.value, 1)
    if cell.measure == ScorecardMeasure.SERVICE_INDEX:
        return format_number(cell.value, 2)
    return format_number(cell.value)


def target_text(cell: Cell) -> str:
    """What green needs: "≥ 95 %", "≤ 0" (the objective's target or the green threshold)."""
    if cell.target is None:
        return EMPTY
    sign = "≥" if cell.measure in HIGHER_IS_BETTER else "≤"
    if cell.is_percent:
        return f"{sign} {format_percent(cell.target, 1)}"
    return f"{sign} {format_number(cell.target)}"


class DashboardFilterMixin:
    """A URL that holds part of the filter (a shared link with only a period) opens on the
    reader's own agency and the current month for what is missing."""

    def _form(self):
        form = super()._form()
        if form.data:
            data = form.data.copy()
            if not data.get("agency"):
                data["agency"] = _own_agency(self.request.user, form.fields["agency"].queryset)
            if not data.get("period"):
                data["period"] = default_period(timezone.localdate())
            form.data = data
        return form

    def export_url(self, export_format: str) -> str:
        return f"{self.request.path}?{self.filter.query()}&export={export_format}"

    def get_header_more_buttons(self):
        if getattr(self, "filter", None) is None:
            return []
        return [
            Button(_("Tải XLSX"), url=self.export_url("xlsx"), icon_name="download", priority=90),
            Button(_("Tải CSV"), url=self.export_url("csv"), icon_name="download", priority=100),
        ]

    def facts(self) -> list[str]:
        return [
            *self.filter.describe(),
            _("Hồ sơ quá hạn chưa giải quyết tính đến %(now)s.") % {"now": format_moment(self.now)},
        ]


def _list_url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


class DashboardView(DashboardFilterMixin, DashboardPageView):
    template_name = "indicators/dashboard/scorecard.html"
    page_title = gettext_lazy("Bảng điều khiển lãnh đạo")
    header_icon = "tasks"

    def get(self, request, *args, **kwargs):
        self.now = timezone.now()
        self.read_filter()
        self.card = None
        if self.filter is not None:
            self.card = scorecard(self.filter, now=self.now, today=timezone.localdate())
            if request.GET.get("export") in FORMATS:
                return table_response(self.table(), self.filename(), request.GET.get("export"))
        return self.render_to_response(self.get_context_data(**kwargs))

    # --- links

    def body_link(self, row: ScoreRow) -> str | None:
        if row.body.own or row.body.agency.pk == self.filter.agency.pk:
            return None
        return f"{self.request.path}?{self.filter.query(agency=row.body.agency)}"

    def cell_link(self, row: ScoreRow, measure: str) -> str | None:
        agency = row.body.agency
        filter_ = self.filter
        pk = agency.pk
        if measure in (*RATES, ScorecardMeasure.PENDING_OVERDUE):
            return f"{reverse('indicators_dashboard_procedures')}?{filter_.query(agency=agency)}"
        if measure == ScorecardMeasure.REVIEWS_OVERDUE:
            return _list_url("procedure_reviews:index", agency=pk, state="overdue")
        if measure == ScorecardMeasure.AUDITS_DONE:
            return _list_url("audit_programmes:index", agency=pk, year=filter_.end.year)
        if measure in (ScorecardMeasure.MAJOR_NC, ScorecardMeasure.MINOR_NC):
            return _list_url("audit_findings:index", agency=pk, kind=measure.value, open="yes")
        if measure == ScorecardMeasure.ACTIONS_OVERDUE:
            return _list_url("corrective_actions:index", agency=pk, overdue="yes")
        if measure == ScorecardMeasure.COMPLAINTS_OPEN:
            return _list_url("complaints:index", agency=pk, state="received")
        if measure == ScorecardMeasure.SERVICE_INDEX:
            return f"{reverse('indicators_service_index')}?{filter_.query(agency=agency)}"
        return None

    # --- what the template shows

    def _cells(self, row: ScoreRow) -> list[dict]:
        cells = []
        for measure in MEASURES:
            cell = row.cells[measure]
            detail = ""
            if cell.denominator:
                detail = f"{format_number(cell.numerator)}/{format_number(cell.denominator)}"
            objective = cell.objective
            cells.append(
                {
                    "value": value_text(cell),
                    "detail": detail,
                    "colour": cell.colour or "none",
                    "word": colour_word(cell.colour),
                    "icon": COLOUR_ICONS[cell.colour],
                    "target": target_text(cell),
                    "target_kind": _("mục tiêu") if objective is not None else _("ngưỡng"),
                    "objective": objective.name if objective is not None else "",
                    "link": self.cell_link(row, measure) if cell.value is not None else None,
                }
            )
        return cells

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        card = self.card
        if card is not None:
            context.update(
                facts=self.facts(),
                headings=[HEADINGS[m] for m in MEASURES],
                rows=[
                    {
                        "label": row.body.label,
                        "link": self.body_link(row),
                        "ended": row.body.ended,
                        "absorbed": ", ".join(a.display_name for a in row.body.absorbed),
                        "cells": self._cells(row),
                    }
                    for row in card.rows
                ],
                total={"label": _("Tổng cộng"), "cells": self._cells(card.total)},
                related=[
                    (
                        _("Theo thủ tục hành chính"),
                        f"{reverse('indicators_dashboard_procedures')}?{self.filter.query()}",
                    ),
                    (_("Biểu đồ"), f"{reverse('indicators_charts')}?{self.filter.query()}"),
                    (
                        _("Chỉ số phục vụ người dân, doanh nghiệp"),
                        f"{reverse('indicators_service_index')}?{self.filter.query()}",
                    ),
                    *self._report_link(),
                ],
                legend=[
                    {"colour": c, "icon": COLOUR_ICONS[c], "word": colour_word(c)}
                    for c in (GREEN, AMBER, RED, "")
                ],
                thresholds=[
                    {
                        "label": HEADINGS[m],
                        "green": target_text(Cell(m, None, target=card.thresholds[m][0])),
                        "amber": target_text(Cell(m, None, target=card.thresholds[m][1])),
                    }
                    for m in MEASURES
                ],
            )
        return context

    def _report_link(self) -> list[tuple[str, str]]:
        """The annual QMS report of the node, for those who may read it (officers, leaders)."""
        from indicators.rules import QMS_REPORT

        agency = self.filter.agency
        if not permissions.can_act_on_agency(
            self.request.user, QMS_REPORT, permissions.VIEW, agency
        ):
            return []
        url = _list_url("indicators_reports", agency=agency.pk, year=self.filter.end.year)
        return [(_("Báo cáo HTQLCL năm (PDF)"), url)]

    # --- export

    def table(self) -> Table:
        headings = [_("Cơ quan, đơn vị"), _("Tình trạng")]
        kinds = ["text", "text"]
        for measure in MEASURES:
            heading = str(HEADINGS[measure])
            headings += [
                heading,
                _("%(measure)s: mục tiêu/ngưỡng xanh") % {"measure": heading},
                _("%(measure)s: đánh giá") % {"measure": heading},
            ]
            kind = _export_kind(measure)
            kinds += [kind, kind, "text"]
        headings.append(_("Mục tiêu chất lượng (tỷ lệ đúng hạn)"))
        kinds.append("text")
        rows = [self._export_row(r, r.body.label) for r in self.card.rows]
        rows.append(self._export_row(self.card.total, _("Tổng cộng")))
        return Table(
            title=_("Bảng điểm"), headings=headings, kinds=kinds, rows=rows, facts=self.facts()
        )

    def _export_row(self, row: ScoreRow, label: str) -> list:
        values = [label, _("Đã kết thúc hoạt động") if row.body.ended else ""]
        objective = None
        for measure in MEASURES:
            cell = row.cells[measure]
            scale = 100 if cell.is_percent else 1
            values += [
                None if cell.value is None else cell.value / scale,
                None if cell.target is None else cell.target / scale,
                colour_word(cell.colour),
            ]
            objective = objective or cell.objective
        values.append(objective.name if objective is not None else "")
        return values

    def filename(self) -> str:
        code = slugify(self.filter.agency.code) or "co-quan"
        return f"bang-diem-{code}-{self.filter.start:%Y%m%d}-{self.filter.end:%Y%m%d}"


def _export_kind(measure) -> str:
    if measure in (*RATES, ScorecardMeasure.AUDITS_DONE):
        return "rate"
    return "points" if measure == ScorecardMeasure.SERVICE_INDEX else "count"


class DashboardProceduresView(DashboardFilterMixin, DashboardPageView):
    template_name = "indicators/dashboard/procedures.html"
    page_title = gettext_lazy("Bảng điều khiển: thủ tục hành chính của cơ quan")
    header_icon = "list-ul"

    def get(self, request, *args, **kwargs):
        self.now = timezone.now()
        self.read_filter()
        self.rows = None
        if self.filter is not None:
            self.rows = procedure_rows(self.filter, now=self.now)
            self.objective = scorecard_objective(self.filter)
            if request.GET.get("export") in FORMATS:
                return table_response(self.table(), self.filename(), request.GET.get("export"))
        return self.render_to_response(self.get_context_data(**kwargs))

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        if getattr(self, "filter", None) is not None:
            items.append(
                {
                    "url": f"{reverse('indicators_dashboard')}?{self.filter.query()}",
                    "label": _("Bảng điều khiển lãnh đạo"),
                }
            )
        return [*items, {"url": "", "label": self.get_page_title()}]

    def dossiers_link(self, row) -> str:
        return _list_url(
            "dossiers:index",
            agency=self.filter.agency.pk,
            procedure=row.procedure.pk,
            received_from=self.filter.start.isoformat(),
            received_to=self.filter.end.isoformat(),
            overdue="late_or_overdue",
        )

    def facts(self) -> list[str]:
        facts = super().facts()
        objective = self.objective
        if objective is not None:
            facts.append(
                _("Mục tiêu chất lượng “%(name)s”: tỷ lệ đúng hạn ≥ %(target)s")
                % {"name": objective.name, "target": format_percent(objective.target, 1)}
            )
        return facts

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        if self.rows is not None:
            context.update(
                facts=self.facts(),
                rows=[
                    {
                        "code": row.procedure.code,
                        "name": row.procedure.name,
                        "resolved": format_number(row.resolved),
                        "late": format_number(row.late),
                        "rate": format_percent(row.on_time_rate, 1)
                        if row.on_time_rate is not None
                        else EMPTY,
                        "pending_overdue": format_number(row.pending_overdue),
                        "step": _("%(code)s – %(unit)s (%(count)s bước quá hạn)")
                        % {
                            "code": row.late_step_code,
                            "unit": row.late_step_unit,
                            "count": format_number(row.late_steps),
                        }
                        if row.late_steps
                        else EMPTY,
                        "link": self.dossiers_link(row)
                        if row.late or row.pending_overdue
                        else None,
                    }
                    for row in self.rows
                ],
                scorecard_url=f"{reverse('indicators_dashboard')}?{self.filter.query()}",
            )
        return context

    def table(self) -> Table:
        headings = [
            _("Mã TTHC"),
            _("Thủ tục hành chính"),
            _("Đã giải quyết"),
            _("Quá hạn"),
            _("Tỷ lệ đúng hạn"),
            _("Quá hạn chưa giải quyết"),
            _("Bước làm quá hạn nhiều nhất"),
            _("Đơn vị, bộ phận"),
            _("Số bước quá hạn"),
        ]
        kinds = ["text", "text", "count", "count", "rate", "count", "text", "text", "count"]
        rows = [
            [
                row.procedure.code,
                row.procedure.name,
                row.resolved,
                row.late,
                None if row.on_time_rate is None else row.on_time_rate / 100,
                row.pending_overdue,
                row.late_step_code,
                row.late_step_unit,
                row.late_steps,
            ]
            for row in self.rows
        ]
        return Table(
            title=_("Thủ tục hành chính"),
            headings=headings,
            kinds=kinds,
            rows=rows,
            facts=self.facts(),
        )

    def filename(self) -> str:
        code = slugify(self.filter.agency.code) or "co-quan"
        return f"tthc-{code}-{self.filter.start:%Y%m%d}-{self.filter.end:%Y%m%d}"


def scorecard_objective(filter_):
    """The node's on-time objective valid at the period's end (the scorecard's target)."""
    return on_time_objectives([filter_.agency.pk], filter_.end).get(filter_.agency.pk)


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.has_permission(request.user, METRICS, permissions.VIEW)


@hooks.register("register_admin_urls")
def register_dashboard_urls():
    return [
        path("indicators/dashboard/", DashboardView.as_view(), name="indicators_dashboard"),
        path(
            "indicators/dashboard/procedures/",
            DashboardProceduresView.as_view(),
            name="indicators_dashboard_procedures",
        ),
    ]


@hooks.register(MENU_HOOK)
def register_dashboard_menu_item():
    return DashboardMenuItem(
        gettext_lazy("Bảng điều khiển lãnh đạo"),
        reverse("indicators_dashboard"),
        icon_name="tasks",
        order=40,
    )
