"""Drawing the dashboard's charts with matplotlib (the Agg backend, no pyplot state): one function
per chart, ``(table: ChartTable) -> Figure``, drawn from the chart's data table only.

Vietnamese labels, months as "10/2026", the decimal comma on axes and value labels (tick
formatters through ``qms.formats.numbers``), DejaVu Sans (ships with matplotlib and covers
Vietnamese), a fixed size of 8 × 4.5 inches (800 × 450 pixels at 100 dpi)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from django.utils.translation import gettext as _  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from qms.formats.numbers import format_number, format_percent  # noqa: E402

from .table import ChartTable  # noqa: E402

WIDTH, HEIGHT, DPI = 8, 4.5, 100
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.fonttype": "none",  # text stays text in the SVG (searchable, read by screen readers)
    "svg.hashsalt": "qms-charts",  # stable ids: the same data gives the same file
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.unicode_minus": False,
}
BLUE, GREEN, AMBER, RED, GREY = "#1f5fa8", "#2e7d32", "#e0a100", "#c62828", "#7a7a7a"
STATE_COLOURS = ("#c62828", "#ef6c00", "#e0a100", "#1f5fa8", "#2e7d32", "#7a7a7a")

percent_axis = FuncFormatter(lambda value, _pos: format_percent(value, 0, ratio=True))
number_axis = FuncFormatter(lambda value, _pos: format_number(round(value, 2)))


def _short(text, size: int = 42) -> str:
    text = str(text)
    return text if len(text) <= size else text[: size - 1] + "…"


def _percent(value) -> str:
    return format_percent(value, 1, ratio=True) if value is not None else ""


def figure(table: ChartTable) -> tuple[Figure, object]:
    fig = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    axes = fig.add_subplot()
    fig.suptitle(str(table.title), fontsize=11, fontweight="bold")
    return fig, axes


def _empty(fig, axes) -> Figure:
    axes.set_axis_off()
    axes.text(
        0.5,
        0.5,
        _("Không có số liệu trong kỳ"),
        ha="center",
        va="center",
        fontsize=12,
        color=GREY,
        transform=axes.transAxes,
    )
    return fig


def _months_axis(axes, labels: list[str]) -> None:
    axes.set_xticks(range(len(labels)))
    axes.set_xticklabels(labels, rotation=45, ha="right")


def draw_on_time_trend(table: ChartTable) -> Figure:
    fig, axes = figure(table)
    labels = table.column(0)
    rates = table.column(4)
    targets = table.column(5)
    if not any(r is not None for r in rates):
        return _empty(fig, axes)
    xs = range(len(labels))
    points = [(x, float(r)) for x, r in zip(xs, rates, strict=True) if r is not None]
    axes.plot(
        [p[0] for p in points],
        [p[1] for p in points],
        marker="o",
        color=BLUE,
        label=table.headings[4],
    )
    for x, rate in points:
        axes.annotate(
            _percent(rate),
            (x, rate),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=7,
        )
    axes.step(
        list(xs),
        [float(t) for t in targets],
        where="mid",
        linestyle="--",
        color=RED,
        label=table.headings[5],
    )
    low = min([p[1] for p in points] + [float(t) for t in targets])
    axes.set_ylim(max(0.0, low - 0.08), 1.04)  # room above 100 % for the labels
    axes.set_yticks([tick for tick in axes.get_yticks() if -1e-9 <= tick <= 1 + 1e-9])
    axes.set_ylim(max(0.0, low - 0.08), 1.04)
    axes.yaxis.set_major_formatter(percent_axis)
    _months_axis(axes, labels)
    axes.legend(loc="lower left", fontsize=8, frameon=False)
    axes.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def draw_ranking(table: ChartTable) -> Figure:
    fig, axes = figure(table)
    if table.is_empty:
        return _empty(fig, axes)
    rows = table.rows[-25:]  # the worst 25 when there are more
    labels = [_short(r[0], 36) for r in rows][::-1]
    rates = [float(r[3]) for r in rows][::-1]
    ys = range(len(rows))
    colours = [GREEN if r >= 0.95 else AMBER if r >= 0.9 else RED for r in rates]
    axes.barh(ys, rates, color=colours)
    axes.set_yticks(list(ys))
    axes.set_yticklabels(labels, fontsize=7 if len(rows) > 12 else 8)
    for y, rate in zip(ys, rates, strict=True):
        axes.text(rate + 0.005, y, _percent(rate), va="center", fontsize=7)
    axes.set_xlim(0, 1.12)
    axes.xaxis.set_major_formatter(percent_axis)
    axes.set_xlabel(table.headings[3])
    fig.tight_layout()
    return fig


def draw_late_pareto(table: ChartTable) -> Figure:
    fig, axes = figure(table)
    if table.is_empty:
        return _empty(fig, axes)
    labels = [_short(str(r[0]).split(" – ")[0], 16) for r in table.rows]
    lates = [r[1] for r in table.rows]
    cumulative = [float(r[3]) for r in table.rows]
    xs = list(range(len(labels)))
    axes.bar(xs, lates, color=BLUE, label=table.headings[1])
    axes.set_ylabel(table.headings[1])
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(number_axis)
    axes.set_xticks(xs)
    axes.set_xticklabels(labels, rotation=45, ha="right", fontsize=7)
    line = axes.twinx()
    line.spines["right"].set_visible(True)
    line.plot(xs, cumulative, color=RED, marker="o", label=table.headings[3])
    line.axhline(0.8, color=GREY, linestyle=":", linewidth=1)
    for x, share in zip(xs, cumulative, strict=True):
        line.annotate(
            _percent(share),
            (x, share),
            textcoords="offset points",
            xytext=(0, 5),
            ha="center",
            fontsize=6,
        )
    line.set_ylim(0, 1.1)
    line.yaxis.set_major_formatter(percent_axis)
    line.set_ylabel(table.headings[3])
    fig.tight_layout()
    return fig


def draw_bottleneck(table: ChartTable) -> Figure:
    fig, axes = figure(table)
    if table.is_empty:
        return _empty(fig, axes)
    rows = table.rows[::-1]
    ys = list(range(len(rows)))
    axes.barh(ys, [r[2] for r in rows], color=RED)
    axes.set_yticks(ys)
    axes.set_yticklabels([_short(r[0], 40) for r in rows], fontsize=7)
    for y, row in zip(ys, rows, strict=True):
        axes.text(
            row[2],
            y,
            "  " + _("%(days)s ngày vượt") % {"days": format_number(row[3], 2)},
            va="center",
            fontsize=7,
        )
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_formatter(number_axis)
    axes.set_xlabel(table.headings[2])
    axes.set_xlim(0, max(r[2] for r in rows) * 1.35 + 0.5)
    fig.tight_layout()
    return fig


def draw_online_digitised(table: ChartTable) -> Figure:
    fig, axes = figure(table)
    labels = table.column(0)
    if not any(table.column(1)):
        return _empty(fig, axes)
    xs = range(len(labels))
    for index, colour in ((4, BLUE), (5, GREEN)):
        points = [
            (x, float(v)) for x, v in zip(xs, table.column(index), strict=True) if v is not None
        ]
        axes.plot(
            [p[0] for p in points],
            [p[1] for p in points],
            marker="o",
            color=colour,
            label=table.headings[index],
        )
        for x, value in points:
            axes.annotate(
                _percent(value),
                (x, value),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=6,
                color=colour,
            )
    axes.set_ylim(0, 1.1)
    axes.yaxis.set_major_formatter(percent_axis)
    _months_axis(axes, labels)
    axes.legend(loc="upper left", fontsize=8, frameon=False)
    axes.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def _stacked(table: ChartTable, columns: list[int], colours, *, horizontal: bool) -> Figure:
    fig, axes = figure(table)
    if table.is_empty:
        return _empty(fig, axes)
    rows = table.rows[::-1] if horizontal else table.rows
    positions = list(range(len(rows)))
    base = [0] * len(rows)
    for column, colour in zip(columns, colours, strict=False):
        values = [row[column] for row in rows]
        if not any(values):
            continue
        if horizontal:
            axes.barh(positions, values, left=base, color=colour, label=table.headings[column])
        else:
            axes.bar(positions, values, bottom=base, color=colour, label=table.headings[column])
        base = [b + v for b, v in zip(base, values, strict=True)]
    labels = [_short(row[0], 36 if horizontal else 18) for row in rows]
    counts = axes.xaxis if horizontal else axes.yaxis
    counts.set_major_locator(MaxNLocator(integer=True))
    counts.set_major_formatter(number_axis)
    if horizontal:
        axes.set_yticks(positions)
        axes.set_yticklabels(labels, fontsize=7)
    else:
        axes.set_xticks(positions)
        axes.set_xticklabels(labels, fontsize=8)
    axes.legend(fontsize=7, frameon=False, loc="best")
    fig.tight_layout()
    return fig


def draw_findings_by_clause(table: ChartTable) -> Figure:
    fig, axes = figure(table)
    if table.is_empty:
        return _empty(fig, axes)
    xs = list(range(len(table.rows)))
    width = 0.4
    axes.bar(
        [x - width / 2 for x in xs], table.column(1), width, color=BLUE, label=table.headings[1]
    )
    axes.bar(
        [x + width / 2 for x in xs], table.column(2), width, color=RED, label=table.headings[2]
    )
    axes.set_xticks(xs)
    axes.set_xticklabels(
        [str(r[0]).split(" ")[0] for r in table.rows], rotation=45 if len(xs) > 10 else 0
    )
    axes.set_xlabel(table.headings[0])
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(number_axis)
    axes.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def draw_actions_by_age(table: ChartTable) -> Figure:
    columns = list(range(1, len(table.headings) - 1))
    return _stacked(table, columns, STATE_COLOURS, horizontal=False)


def draw_document_review(table: ChartTable) -> Figure:
    return _stacked(table, [1, 2, 3], (GREEN, AMBER, RED), horizontal=True)


def draw_service_index(table: ChartTable) -> Figure:
    fig, axes = figure(table)
    groups = [row for row in table.rows[:-1]]
    if not groups:
        return _empty(fig, axes)
    total = table.rows[-1]
    rows = groups[::-1]
    ys = list(range(len(rows)))
    axes.barh(ys, [float(r[1]) for r in rows], color="#e6e6e6", label=table.headings[1])
    axes.barh(
        ys, [float(r[2] or 0) for r in rows], color=BLUE, height=0.55, label=table.headings[2]
    )
    axes.set_yticks(ys)
    axes.set_yticklabels([_short(r[0], 40) for r in rows], fontsize=8)
    for y, row in zip(ys, rows, strict=True):
        text = (
            f"{format_number(row[2], 2)} / {format_number(row[1], 2)}"
            if row[2] is not None
            else _("chưa có số liệu")
        )
        axes.text(float(row[1]) + 0.3, y, text, va="center", fontsize=8)
    axes.set_xlim(0, max(float(r[1]) for r in rows) * 1.45)
    axes.xaxis.set_major_formatter(number_axis)
    axes.set_xlabel(
        _("Tổng: %(total)s / %(max)s điểm")
        % {
            "total": format_number(total[2], 2) if total[2] is not None else "—",
            "max": format_number(total[1], 2),
        }
    )
    axes.legend(fontsize=7, frameon=False, loc="lower right")
    fig.tight_layout()
    return fig
