"""The dashboard's charts (issue [9] item 3): each chart is a data table read for a dashboard
filter (``data``) and a matplotlib drawing of that table only (``draw``).

    table = CHARTS["ranking"].data(filter, now)      # cheap: from the summaries and records
    svg = render("ranking", filter, "svg")           # or render_table(table, "png")

Drawings are cached per chart, filter and data version (``ChartImage``) and drawn by a worker:
``indicators.services.charts``. The page and the file downloads: ``wagtail_hooks/charts.py``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import data, draw
from .table import ChartTable, cell_text

FORMATS = ("svg", "png", "pdf")
CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    data: Callable  # (DashboardFilter, now: datetime) -> ChartTable
    draw: Callable  # (ChartTable) -> matplotlib Figure


def _charts() -> dict[str, Chart]:
    charts = [
        Chart(
            "on_time_trend",
            _("Tỷ lệ đúng hạn theo tháng"),
            data.on_time_trend,
            draw.draw_on_time_trend,
        ),
        Chart("ranking", _("Xếp hạng đơn vị"), data.ranking, draw.draw_ranking),
        Chart(
            "late_pareto",
            _("Thủ tục có nhiều hồ sơ quá hạn"),
            data.late_pareto,
            draw.draw_late_pareto,
        ),
        Chart("bottleneck", _("Điểm nghẽn theo bộ phận"), data.bottleneck, draw.draw_bottleneck),
        Chart(
            "findings_by_clause",
            _("Phát hiện theo điều khoản"),
            data.findings_by_clause,
            draw.draw_findings_by_clause,
        ),
        Chart(
            "actions_by_age",
            _("Hành động khắc phục theo tuổi"),
            data.actions_by_age,
            draw.draw_actions_by_age,
        ),
        Chart(
            "document_review",
            _("Tình trạng rà soát quy trình"),
            data.document_review,
            draw.draw_document_review,
        ),
        Chart(
            "online_digitised",
            _("Trực tuyến và số hóa"),
            data.online_digitised,
            draw.draw_online_digitised,
        ),
        Chart(
            "service_index",
            _("Chỉ số phục vụ (766)"),
            data.service_index,
            draw.draw_service_index,
        ),
    ]
    return {chart.key: chart for chart in charts}


CHARTS: dict[str, Chart] = _charts()


def table_of(key: str, dashboard_filter, now: dt.datetime | None = None) -> ChartTable:
    return CHARTS[key].data(dashboard_filter, now or timezone.now())


def _svg_text(raw: bytes) -> str:
    """The SVG element alone (no XML declaration or DOCTYPE), to place inline in a page."""
    text = raw.decode("utf-8")
    return text[text.index("<svg") :]


def render_table(table: ChartTable, formats=FORMATS) -> dict[str, bytes]:
    """The drawing of ``table`` in each of ``formats`` (one figure, saved once per format)."""
    from matplotlib import rc_context

    with rc_context(draw.RC):
        figure = CHARTS[table.key].draw(table)
        found = {}
        for fmt in formats:
            buffer = io.BytesIO()
            metadata = (
                {"Date": None} if fmt == "svg" else {"CreationDate": None} if fmt == "pdf" else {}
            )
            figure.savefig(buffer, format=fmt, dpi=draw.DPI, metadata=metadata)
            found[fmt] = buffer.getvalue()
        figure.clear()
    if "svg" in found:
        found["svg"] = _svg_text(found["svg"]).encode("utf-8")
    return found


def render(key: str, dashboard_filter, fmt: str, *, now: dt.datetime | None = None) -> bytes:
    """Chart ``key`` for the filter as ``fmt`` ("svg", "png" or "pdf"), drawn now (no cache)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    return render_table(table_of(key, dashboard_filter, now), (fmt,))[fmt]


def filter_from_query(query: str):
    """The ``DashboardFilter`` a canonical query string (``DashboardFilter.query()``) names, or
    None when it names no agency or no valid period (the worker's way back from ``params``)."""
    from qms.models import Agency

    from ..dashboard_filter import DashboardFilter
    from ..periods import RANGE, period_bounds

    values = QueryDict(query)
    agency = Agency.objects.filter(pk=values.get("agency") or None).first()
    period = values.get("period", "")
    if agency is None or not period:
        return None
    if period == RANGE:
        try:
            bounds = (
                dt.date.fromisoformat(values.get("start", "")),
                dt.date.fromisoformat(values.get("end", "")),
            )
        except ValueError:
            return None
    else:
        bounds = period_bounds(period)
    if bounds is None:
        return None
    return DashboardFilter(
        agency=agency,
        start=bounds[0],
        end=bounds[1],
        period=period,
        field=values.get("field", ""),
        channel=values.get("channel", ""),
    )


__all__ = [
    "CHARTS",
    "CONTENT_TYPES",
    "FORMATS",
    "Chart",
    "ChartTable",
    "cell_text",
    "filter_from_query",
    "render",
    "render_table",
    "table_of",
]
