"""Admin page of the on-time metrics ("Chỉ số giải quyết hồ sơ"), in the "Hồ sơ và chỉ số" group.

The person chooses an agency among those whose metrics they may read ("dossiermetrics"), with its
units or alone, a period (a month, a quarter, a year, or days from–to) and a grouping (TTHC, field,
channel, child agencies, day, month, quarter, year, or none); the page shows the table of
``indicators.selectors.metrics`` with a total row, Vietnamese headers and percentages as the reader
writes them, and exports the same table to XLSX or CSV (every cell through ``qms.exports``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput
from wagtail.admin.widgets.button import Button

from indicators.periods import clean_period, period_choices
from indicators.rules import METRICS
from indicators.selectors import (
    DAY,
    GROUPING_LABELS,
    GROUPINGS,
    MetricRow,
    metrics,
)
from indicators.selectors_dossiers import format_moment
from indicators.wagtail_hooks.menu import MENU_HOOK
from qms import permissions
from qms.display import EMPTY, format_day
from qms.exports import safe_row
from qms.formats.numbers import format_number, format_percent
from qms.models import Agency

OWN, SUBTREE = "own", "subtree"
MAX_DAYS_BY_DAY = 366


# --- The columns of the table ------------------------------------------------------------------


@dataclass(frozen=True)
class MetricColumn:
    name: str
    heading: object
    kind: str  # "count", "rate" or "days"

    def value(self, row: MetricRow):
        return getattr(row, self.name)

    def text(self, row: MetricRow) -> str:
        value = self.value(row)
        if value is None:
            return EMPTY
        if self.kind == "rate":
            return format_percent(value, 1, ratio=True)
        if self.kind == "days":
            return format_number(value, 2)
        return format_number(value)


COLUMNS = (
    MetricColumn("received", gettext_lazy("Tiếp nhận"), "count"),
    MetricColumn("resolved", gettext_lazy("Đã giải quyết"), "count"),
    MetricColumn("early", gettext_lazy("Trước hạn"), "count"),
    MetricColumn("on_time", gettext_lazy("Đúng hạn"), "count"),
    MetricColumn("late", gettext_lazy("Quá hạn"), "count"),
    MetricColumn("on_time_rate", gettext_lazy("Tỷ lệ đúng hạn"), "rate"),
    MetricColumn("withdrawn", gettext_lazy("Rút hồ sơ"), "count"),
    MetricColumn("pending", gettext_lazy("Đang giải quyết"), "count"),
    MetricColumn("pending_overdue", gettext_lazy("Quá hạn chưa giải quyết"), "count"),
    MetricColumn(
        "mean_processing_days", gettext_lazy("Thời gian xử lý bình quân (ngày làm việc)"), "days"
    ),
    MetricColumn("p90", gettext_lazy("Phân vị 90 thời gian xử lý (ngày làm việc)"), "days"),
    MetricColumn("supplement_rate", gettext_lazy("Tỷ lệ yêu cầu bổ sung"), "rate"),
    MetricColumn("online_share", gettext_lazy("Tỷ lệ nộp trực tuyến"), "rate"),
    MetricColumn("digitised_share", gettext_lazy("Tỷ lệ hồ sơ được số hóa"), "rate"),
)

LABEL_HEADINGS = {
    None: gettext_lazy("Cơ quan, đơn vị"),
    "agency": gettext_lazy("Cơ quan, đơn vị"),
    "procedure": gettext_lazy("Thủ tục hành chính"),
    "field": gettext_lazy("Lĩnh vực"),
    "channel": gettext_lazy("Kênh nộp"),
    "day": gettext_lazy("Ngày"),
    "month": gettext_lazy("Tháng"),
    "quarter": gettext_lazy("Quý"),
    "year": gettext_lazy("Năm"),
}


# --- The form ----------------------------------------------------------------------------------


class MetricsForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Cơ quan, đơn vị"),
        queryset=Agency.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Bạn không được xem chỉ số của cơ quan này; hãy chọn trong danh sách."
            )
        },
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Phạm vi"),
        choices=[
            (SUBTREE, gettext_lazy("Gồm các đơn vị trực thuộc")),
            (OWN, gettext_lazy("Chỉ hồ sơ của chính cơ quan")),
        ],
    )
    period = forms.ChoiceField(
        label=gettext_lazy("Kỳ báo cáo"),
        help_text=gettext_lazy(
            "Một năm, quý hoặc tháng; hoặc “Khoảng ngày tự chọn” rồi nhập từ ngày, đến ngày."
        ),
    )
    start = forms.DateField(label=gettext_lazy("Từ ngày"), required=False, widget=AdminDateInput)
    end = forms.DateField(label=gettext_lazy("Đến ngày"), required=False, widget=AdminDateInput)
    group_by = forms.ChoiceField(
        label=gettext_lazy("Nhóm theo"),
        required=False,
        choices=[(key or "", GROUPING_LABELS[key]) for key in GROUPINGS],
    )

    def __init__(self, *args, agencies, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["agency"].label_from_instance = lambda a: a.display_name
        self.fields["period"].choices = period_choices(today)

    def clean(self):
        data = super().clean()
        clean_period(self, data)
        bounds = data.get("bounds")
        too_long = bounds and (bounds[1] - bounds[0]).days + 1 > MAX_DAYS_BY_DAY
        if too_long and data.get("group_by") == DAY:
            self.add_error(
                "group_by",
                _("Nhóm theo ngày chỉ dùng cho kỳ không quá %(days)d ngày.")
                % {"days": MAX_DAYS_BY_DAY},
            )
        return data


def _own_agency(user, offered):
    """The agency the page opens on: where the person holds a reading role, else the top one."""
    offered_ids = set(offered.values_list("pk", flat=True))
    readers = permissions.allowed_roles(METRICS, permissions.VIEW)
    for membership in permissions.active_memberships(user):
        if membership.role in readers and membership.agency_id in offered_ids:
            return membership.agency_id
    first = offered.order_by("path").first()
    return first.pk if first else None


# --- The page ------------------------------------------------------------------------------------


class MetricsFilterView(WagtailAdminTemplateMixin, TemplateView):
    """A page for the readers of the metrics filtered by ``form_class`` (agency, scope, period
    …), opened on the reader's own agency and this year (plus ``initial_extra``): the metrics
    page and "Theo bước xử lý"."""

    form_class = None
    initial_extra: dict = {}

    def dispatch(self, request, *args, **kwargs):
        if not permissions.has_permission(request.user, METRICS, permissions.VIEW):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def _form(self):
        user = self.request.user
        today = timezone.localdate()
        offered = permissions.assignable_agencies(user, METRICS, permissions.VIEW).select_related(
            "parent"
        )
        data = self.request.GET.copy()
        data.pop("export", None)
        if not data:
            data = QueryDict(mutable=True)
            data.update(
                {
                    "agency": _own_agency(user, offered) or "",
                    "scope": SUBTREE,
                    "period": f"y-{today.year}",
                    **self.initial_extra,
                }
            )
        return self.form_class(data, agencies=offered.order_by("path"), today=today)


class MetricsView(MetricsFilterView):
    template_name = "indicators/metrics.html"
    page_title = gettext_lazy("Chỉ số giải quyết hồ sơ")
    header_icon = "table"
    FORMATS = ("csv", "xlsx")
    form_class = MetricsForm
    initial_extra = {"group_by": "procedure"}

    def get(self, request, *args, **kwargs):
        self.form = self._form()
        self.now = timezone.now()
        self.table = None
        if self.form.is_valid():
            self.table = self._table(self.form.cleaned_data)
        export = request.GET.get("export")
        if export in self.FORMATS and self.table is not None:
            return self._export(export)
        return self.render_to_response(self.get_context_data(**kwargs))

    def _table(self, data) -> dict:
        agency = data["agency"]
        start, end = data["bounds"]
        group_by = data.get("group_by") or None
        subtree = data["scope"] != OWN
        rows = metrics(agency, start, end, group_by=group_by, subtree=subtree, now=self.now)
        total = rows[0] if group_by is None else None
        if group_by is not None:
            [total] = metrics(agency, start, end, subtree=subtree, now=self.now)
            total.label = _("Tổng cộng")
        return {
            "agency": agency,
            "start": start,
            "end": end,
            "group_by": group_by,
            "subtree": subtree,
            "rows": rows,
            "total": total,
            "empty": total.is_empty,
        }

    # --- what the template shows

    def _cells(self, row: MetricRow) -> list[str]:
        return [column.text(row) for column in COLUMNS]

    def _row_link(self, row: MetricRow) -> str | None:
        table = self.table
        if (
            table["group_by"] == "agency"
            and row.agency is not None
            and row.agency != table["agency"]
        ):
            query = self.form.data.copy()
            query["agency"] = row.agency.pk
            return f"{self.request.path}?{query.urlencode()}"
        if table["group_by"] == "procedure":
            query = QueryDict(mutable=True)
            query.update(
                {
                    "agency": table["agency"].pk,
                    "procedure": row.key,
                    "received_from": table["start"].isoformat(),
                    "received_to": table["end"].isoformat(),
                }
            )
            return f"{reverse('dossiers:index')}?{query.urlencode()}"
        return None

    def _export_url(self, export_format: str) -> str:
        query = self.form.data.copy()
        query["export"] = export_format
        return f"{self.request.path}?{query.urlencode()}"

    def get_header_more_buttons(self):
        if self.table is None or self.table["empty"]:
            return []
        return [
            Button(_("Tải XLSX"), url=self._export_url("xlsx"), icon_name="download", priority=90),
            Button(_("Tải CSV"), url=self._export_url("csv"), icon_name="download", priority=100),
        ]

    def _facts(self) -> list[str]:
        table = self.table
        return [
            _("Cơ quan, đơn vị: %(name)s (%(scope)s)")
            % {
                "name": table["agency"].display_name,
                "scope": _("gồm các đơn vị trực thuộc")
                if table["subtree"]
                else _("chỉ hồ sơ của chính cơ quan"),
            },
            _("Kỳ báo cáo: %(start)s – %(end)s")
            % {"start": format_day(table["start"]), "end": format_day(table["end"])},
            _("Nhóm theo: %(grouping)s") % {"grouping": GROUPING_LABELS[table["group_by"]]},
            _("Số hồ sơ đang giải quyết tính đến %(now)s.") % {"now": format_moment(self.now)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        table = self.table
        if table is not None:
            context.update(
                table=table,
                facts=self._facts(),
                label_heading=LABEL_HEADINGS[table["group_by"]],
                headings=[column.heading for column in COLUMNS],
                rows=[
                    {"label": r.label, "link": self._row_link(r), "cells": self._cells(r)}
                    for r in table["rows"]
                ],
                total={"label": table["total"].label, "cells": self._cells(table["total"])}
                if table["group_by"] is not None
                else None,
                pending_note=_(
                    "Đang giải quyết và quá hạn chưa giải quyết: các hồ sơ chưa trả kết quả tính "
                    "đến %(now)s, tiếp nhận đến hết ngày %(end)s (khi nhóm theo thời gian: tiếp "
                    "nhận trong từng kỳ)."
                )
                % {"now": format_moment(self.now), "end": format_day(table["end"])},
            )
        return context

    # --- exports

    def _export_rows(self):
        table = self.table
        rows = list(table["rows"])
        if table["group_by"] is not None:
            rows.append(table["total"])
        return rows

    def _filename(self, extension: str) -> str:
        table = self.table
        code = slugify(table["agency"].code) or "co-quan"
        return f"chi-so-ho-so-{code}-{table['start']:%Y%m%d}-{table['end']:%Y%m%d}.{extension}"

    def _export(self, export_format: str) -> HttpResponse:
        headings = [str(LABEL_HEADINGS[self.table["group_by"]])] + [str(c.heading) for c in COLUMNS]
        facts = self._facts()
        if export_format == "csv":
            buffer = io.StringIO()
            buffer.write("\ufeff")  # Excel reads Vietnamese CSV as UTF-8 only with the mark
            writer = csv.writer(buffer)
            for fact in facts:
                writer.writerow(safe_row([fact]))
            writer.writerow([])
            writer.writerow(safe_row(headings))
            for row in self._export_rows():
                writer.writerow(safe_row([row.label, *self._csv_cells(row)]))
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                self._xlsx(facts, headings),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{self._filename(export_format)}"'
        return response

    def _csv_cells(self, row: MetricRow) -> list:
        cells = []
        for column in COLUMNS:
            value = column.value(row)
            cells.append(value if column.kind == "count" else column.text(row).replace(EMPTY, ""))
        return cells

    def _xlsx(self, facts, headings) -> bytes:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=_("Chỉ số"))
        for fact in facts:
            sheet.append(safe_row([fact]))
        sheet.append([])
        bold = []
        for heading in safe_row(headings):
            cell = WriteOnlyCell(sheet, value=heading)
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        for row in self._export_rows():
            cells = [WriteOnlyCell(sheet, value=safe_row([row.label])[0])]
            for column in COLUMNS:
                value = column.value(row)
                if isinstance(value, Decimal):
                    value = float(value)
                cell = WriteOnlyCell(sheet, value=value)
                if column.kind == "rate" and value is not None:
                    cell.number_format = "0.0%"
                elif column.kind == "days" and value is not None:
                    cell.number_format = "0.00"
                cells.append(cell)
            sheet.append(cells)
        output = io.BytesIO()
        book.save(output)
        return output.getvalue()


class MetricsMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.has_permission(request.user, METRICS, permissions.VIEW)


@hooks.register("register_admin_urls")
def register_metrics_urls():
    return [path("indicators/metrics/", MetricsView.as_view(), name="indicators_metrics")]


@hooks.register(MENU_HOOK)
def register_metrics_menu_item():
    return MetricsMenuItem(
        gettext_lazy("Chỉ số giải quyết hồ sơ"),
        reverse("indicators_metrics"),
        icon_name="table",
        order=50,
    )
