"""Admin page "Theo bước xử lý": per step and unit of the process-control sheets, over a period,
for an agency (with its units or alone) and optionally one TTHC (``selectors_steps.step_stats``):
steps, measured, early, on time, late, the on-time share and the mean overrun; exported to XLSX
through ``qms.exports``. Readers of the metrics ("dossiermetrics") see it."""

from __future__ import annotations

import io

from django import forms
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button

from indicators.rules import METRICS
from indicators.selectors_steps import StepStat, step_stats
from indicators.wagtail_hooks.menu import MENU_HOOK
from indicators.wagtail_hooks.metrics import OWN, MetricsFilterView, MetricsForm
from qms import permissions
from qms.display import EMPTY, format_day
from qms.exports import safe_row
from qms.formats.numbers import format_number, format_percent
from qms.models import AdministrativeProcedure

COLUMNS = (
    ("count", gettext_lazy("Số lượt"), "count"),
    ("measured", gettext_lazy("Được đo"), "count"),
    ("early", gettext_lazy("Trước hạn"), "count"),
    ("on_time", gettext_lazy("Đúng hạn"), "count"),
    ("late", gettext_lazy("Trễ hạn"), "count"),
    ("on_time_share", gettext_lazy("Tỷ lệ đúng hạn"), "rate"),
    ("mean_overrun", gettext_lazy("Vượt bình quân (ngày làm việc)"), "days"),
)


def _text(value, kind) -> str:
    if value is None:
        return EMPTY
    if kind == "rate":
        return format_percent(value, 1, ratio=True)
    if kind == "days":
        return format_number(value, 2)
    return format_number(value)


class StepsForm(MetricsForm):
    procedure = forms.ModelChoiceField(
        label=gettext_lazy("Thủ tục hành chính"),
        queryset=AdministrativeProcedure.objects.all(),
        required=False,
        empty_label=gettext_lazy("Tất cả thủ tục"),
        error_messages={
            "invalid_choice": gettext_lazy("Không có thủ tục này; hãy chọn trong danh sách.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["group_by"]
        self.fields["procedure"].label_from_instance = lambda p: f"{p.code} · {p.name}"


class StepsView(MetricsFilterView):
    template_name = "indicators/steps.html"
    page_title = gettext_lazy("Theo bước xử lý")
    header_icon = "list-ol"
    form_class = StepsForm

    def get(self, request, *args, **kwargs):
        self.form = self._form()
        self.table = None
        if self.form.is_valid():
            data = self.form.cleaned_data
            start, end = data["bounds"]
            procedure = data.get("procedure")
            self.table = {
                "agency": data["agency"],
                "start": start,
                "end": end,
                "procedure": procedure,
                "subtree": data["scope"] != OWN,
                "rows": step_stats(
                    data["agency"],
                    start,
                    end,
                    procedure_id=procedure.pk if procedure else None,
                    subtree=data["scope"] != OWN,
                ),
            }
        if request.GET.get("export") == "xlsx" and self.table is not None:
            return self._export()
        return self.render_to_response(self.get_context_data(**kwargs))

    def _facts(self) -> list[str]:
        table = self.table
        facts = [
            _("Cơ quan, đơn vị: %(name)s (%(scope)s)")
            % {
                "name": table["agency"].display_name,
                "scope": _("gồm các đơn vị trực thuộc")
                if table["subtree"]
                else _("chỉ hồ sơ của chính cơ quan"),
            },
            _("Hồ sơ tiếp nhận từ %(start)s đến %(end)s")
            % {"start": format_day(table["start"]), "end": format_day(table["end"])},
        ]
        if table["procedure"] is not None:
            facts.append(
                _("Thủ tục hành chính: %(code)s · %(name)s")
                % {"code": table["procedure"].code, "name": table["procedure"].name}
            )
        return facts

    def get_header_more_buttons(self):
        if not self.table or not self.table["rows"]:
            return []
        query = self.form.data.copy()
        query["export"] = "xlsx"
        url = f"{self.request.path}?{query.urlencode()}"
        return [Button(_("Tải XLSX"), url=url, icon_name="download", priority=90)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        if self.table is not None:
            context.update(
                table=self.table,
                facts=self._facts(),
                headings=[heading for _name, heading, _kind in COLUMNS],
                rows=[
                    {
                        "code": row.code,
                        "unit": row.unit,
                        "late": row.late > 0,
                        "cells": [
                            _text(getattr(row, name), kind) for name, _heading, kind in COLUMNS
                        ],
                    }
                    for row in self.table["rows"]
                ],
            )
        return context

    def _export(self) -> HttpResponse:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=_("Theo bước xử lý"))
        for fact in self._facts():
            sheet.append(safe_row([fact]))
        sheet.append([])
        sheet.append(
            safe_row([_("Bước"), _("Đơn vị, bộ phận xử lý"), *(str(h) for _n, h, _k in COLUMNS)])
        )
        row: StepStat
        for row in self.table["rows"]:
            values = [getattr(row, name) for name, _heading, _kind in COLUMNS]
            values = [float(v) if v is not None and not isinstance(v, int) else v for v in values]
            sheet.append([*safe_row([row.code, row.unit]), *values])
        output = io.BytesIO()
        book.save(output)
        table = self.table
        code = slugify(table["agency"].code) or "co-quan"
        name = f"theo-buoc-{code}-{table['start']:%Y%m%d}-{table['end']:%Y%m%d}.xlsx"
        response = HttpResponse(
            output.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class StepsMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.has_permission(request.user, METRICS, permissions.VIEW)


@hooks.register("register_admin_urls")
def register_steps_urls():
    return [path("indicators/steps/", StepsView.as_view(), name="indicators_steps")]


@hooks.register(MENU_HOOK)
def register_steps_menu_item():
    return StepsMenuItem(
        gettext_lazy("Theo bước xử lý"),
        reverse("indicators_steps"),
        icon_name="list-ol",
        order=55,
    )
