"""The dashboard's charts page ("Biểu đồ chỉ số", ``indicators_charts``) and its files
(``indicators_chart_file``: a chart as SVG, PNG or PDF, or its data table as XLSX).

Readers of the metrics only, each for the agencies of their scope (``DashboardPageView``: the
form offers no other, and a file asked for another agency is refused). Every chart shows inline
as SVG (our own matplotlib output, without its XML header) beside its data table (a real table
with a caption); a chart not yet drawn for the current data shows its last drawing with its date,
or the table alone, while the worker draws it (``indicators.services.charts``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from indicators.charts import CHARTS, CONTENT_TYPES, table_of
from indicators.rules import METRICS
from indicators.services.charts import chart_file, chart_panels
from indicators.wagtail_hooks.dashboard_base import DashboardPageView
from indicators.wagtail_hooks.menu import MENU_HOOK
from qms import permissions
from qms.display import format_moment
from qms.exports import download, table_response

FILE_FORMATS = ("svg", "png", "pdf", "xlsx")
REFRESH_SECONDS = 20


def _inline_svg(svg: str, title: str) -> str:
    """The stored SVG with a role and a label for screen readers (the table beside it carries
    the figures)."""
    if not svg.startswith("<svg"):
        return ""
    return mark_safe(f'<svg role="img" aria-label="{escape(title)}"' + svg[len("<svg") :])  # noqa: S308


class ChartsView(DashboardPageView):
    template_name = "indicators/charts/index.html"
    page_title = gettext_lazy("Biểu đồ chỉ số")
    header_icon = "view"

    def get(self, request, *args, **kwargs):
        self.read_filter()
        self.panels = chart_panels(self.filter) if self.filter is not None else []
        return self.render_to_response(self.get_context_data(**kwargs))

    def _file_url(self, key: str, fmt: str) -> str:
        url = reverse("indicators_chart_file", kwargs={"key": key, "fmt": fmt})
        return f"{url}?{self.filter.query()}"

    def _panel(self, panel) -> dict:
        table = panel.table
        links = table.links or [""] * len(table.rows)
        if panel.current:
            state, status = (
                "current",
                _("Biểu đồ vẽ lúc %(moment)s.") % {"moment": format_moment(panel.rendered_at)},
            )
        elif panel.image is not None:
            state, status = (
                "stale",
                _("Biểu đồ vẽ lúc %(moment)s; đang vẽ lại theo số liệu mới.")
                % {"moment": format_moment(panel.rendered_at)},
            )
        else:
            state, status = "missing", _("Biểu đồ đang được vẽ; bảng số liệu ở dưới.")
        return {
            "key": panel.key,
            "title": table.title,
            "note": table.note,
            "headings": table.headings,
            "kinds": table.kinds,
            "rows": [
                {"label": cells[0], "link": link, "cells": cells[1:]}
                for cells, link in zip(table.text_rows(), links, strict=False)
            ],
            "svg": _inline_svg(panel.svg, str(table.title)),
            "state": state,
            "status": status,
            "files": [
                (_("Tải PNG"), self._file_url(panel.key, "png")),
                (_("Tải PDF"), self._file_url(panel.key, "pdf")),
                (_("Tải SVG"), self._file_url(panel.key, "svg")),
                (_("Tải bảng số liệu (XLSX)"), self._file_url(panel.key, "xlsx")),
            ],
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        if self.filter is not None:
            panels = [self._panel(p) for p in self.panels]
            context.update(
                facts=self.filter.describe(),
                panels=panels,
                drawing=any(p["state"] != "current" for p in panels),
                refresh_seconds=REFRESH_SECONDS,
            )
        return context


class ChartFileView(DashboardPageView):
    """A chart as a file: the stored drawing when it is of the current data, else drawn now; the
    data table as XLSX (every cell through ``qms.exports``)."""

    def get(self, request, key, fmt, *args, **kwargs):
        if key not in CHARTS or fmt not in FILE_FORMATS:
            raise Http404
        if self.read_filter() is None:
            if "agency" in self.form.errors:
                raise PermissionDenied
            raise Http404
        f = self.filter
        stem = (
            f"bieu-do-{key.replace('_', '-')}-{slugify(f.agency.code) or 'co-quan'}"
            f"-{f.start:%Y%m%d}-{f.end:%Y%m%d}"
        )
        if fmt == "xlsx":
            table = table_of(key, f)
            return table_response(table.as_export_table(facts=f.describe()), stem, "xlsx")
        return download(chart_file(key, f, fmt), f"{stem}.{fmt}", CONTENT_TYPES[fmt])


class ChartsMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.has_permission(request.user, METRICS, permissions.VIEW)


@hooks.register("register_admin_urls")
def register_charts_urls():
    return [
        path("indicators/dashboard/charts/", ChartsView.as_view(), name="indicators_charts"),
        path(
            "indicators/dashboard/charts/<slug:key>.<slug:fmt>",
            ChartFileView.as_view(),
            name="indicators_chart_file",
        ),
    ]


@hooks.register(MENU_HOOK)
def register_charts_menu_item():
    return ChartsMenuItem(
        gettext_lazy("Biểu đồ chỉ số"),
        reverse("indicators_charts"),
        icon_name="view",
        order=57,
    )
