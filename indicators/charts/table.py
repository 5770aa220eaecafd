"""The data table of a chart: what it is drawn from, shown beside it (accessible) and exported.

``kinds`` name each column's kind as ``qms.exports.NUMBER_FORMATS`` keys ("count", "rate", "days",
"points") or "text"; rates are fractions (0 to 1), ``None`` is no value. ``data_hash`` identifies
the data a drawing was made from (the chart cache compares it, ``indicators.services.charts``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from qms.display import EMPTY
from qms.exports import Table
from qms.formats.numbers import format_number, format_percent


def _canonical(value):
    if isinstance(value, Decimal | float):
        return format(Decimal(str(value)).normalize(), "f")
    if value is None or isinstance(value, bool | int):
        return value
    return str(value)


def cell_text(value, kind: str) -> str:
    """A cell as a person reads it: the decimal comma, percentages, a dash for no value."""
    if value is None or value == "":
        return EMPTY
    if kind == "rate":
        return format_percent(value, 1, ratio=True)
    if kind in ("days", "points"):
        return format_number(value, 2)
    if kind == "count":
        return format_number(value)
    return str(value)


@dataclass
class ChartTable:
    key: str
    title: str
    headings: list[str]
    kinds: list[str]
    rows: list[list]
    note: str = ""
    # Optional links of the rows' first cell (drill-down), one per row ("" for none); not hashed.
    links: list[str] = field(default_factory=list)

    def data_hash(self) -> str:
        """sha256 of a canonical JSON of the headings and rows (and the title and note, which
        the drawing shows too)."""
        payload = {
            "title": str(self.title),
            "note": str(self.note),
            "headings": [str(h) for h in self.headings],
            "rows": [[_canonical(v) for v in row] for row in self.rows],
        }
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def is_empty(self) -> bool:
        return not self.rows

    def column(self, index: int) -> list:
        return [row[index] for row in self.rows]

    def text_rows(self) -> list[list[str]]:
        """The rows as a page shows them."""
        return [
            [cell_text(value, self.kinds[i]) for i, value in enumerate(row)] for row in self.rows
        ]

    def as_export_table(self, facts=()) -> Table:
        return Table(
            title=str(self.title),
            headings=[str(h) for h in self.headings],
            rows=[list(row) for row in self.rows],
            kinds=list(self.kinds),
            facts=[*facts, *([str(self.note)] if self.note else [])],
        )
