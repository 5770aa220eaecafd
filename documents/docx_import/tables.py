"""The tables of a Word file as grids of cells (merged cells resolved), and the header that
makes one a step table."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qms.text import fold

from .values import CONTENT, DAYS, OUTPUT, RESPONSIBLE, STEP, _clean

# --- Tables ---------------------------------------------------------------------------------------


@dataclass
class _Cell:
    key: tuple[int, int]  # (row, position) of the cell that holds the text
    text: str
    first_column: int
    continued: bool  # the lower part of a cell merged down rows


def _tc_text(tc) -> str:
    from docx.text.paragraph import Paragraph

    return _clean("\n".join(Paragraph(p, None).text for p in tc.p_lst))


def _grid(tbl) -> list[list[_Cell | None]]:
    """The table as rows of grid cells: a cell merged across columns appears once per column,
    one merged down rows appears in each row (``continued`` below the first); grid columns a row
    does not reach are None."""
    grid: list[list[_Cell | None]] = []
    for r, tr in enumerate(tbl.tr_lst):
        row: list[_Cell | None] = [None] * (tr.grid_before or 0)
        for i, tc in enumerate(tr.tc_lst):
            start = len(row)
            above = grid[-1][start] if grid and start < len(grid[-1]) else None
            if tc.vMerge == "continue" and above is not None:
                cell = _Cell(above.key, above.text, start, True)
            else:
                cell = _Cell((r, i), _tc_text(tc), start, False)
            row.extend([cell] * max(1, tc.grid_span or 1))
        grid.append(row)
    return grid


def _distinct(row) -> list[_Cell]:
    seen, cells = set(), []
    for cell in row:
        if cell is not None and cell.key not in seen:
            seen.add(cell.key)
            cells.append(cell)
    return cells


def _column_kind(text: str) -> str | None:
    folded = re.sub(r"[^a-z0-9 ]", " ", fold(text))
    folded = re.sub(r"\s+", " ", folded).strip()
    if not folded:
        return None
    if folded.startswith("buoc") or folded in ("tt", "stt", "so tt"):
        return STEP
    if "thoi gian" in folded or "thoi han" in folded:
        return DAYS
    if any(k in folded for k in ("ket qua", "bieu mau", "san pham", "ho so luu")):
        return OUTPUT
    if any(
        k in folded
        for k in ("trach nhiem", "nguoi thuc hien", "don vi", "bo phan", "can bo", "chu tri")
    ):
        return RESPONSIBLE
    if any(k in folded for k in ("noi dung", "cong viec", "trinh tu", "mo ta", "dien giai")):
        return CONTENT
    return None


def _header(grid) -> tuple[int, dict[str, list[int]]] | None:
    """(row index, kind -> grid columns) of a step table's header, within its first rows."""
    for r, row in enumerate(grid[:4]):
        columns: dict[str, list[int]] = {}
        for cell in _distinct(row):
            kind = _column_kind(cell.text)
            if kind:
                columns.setdefault(kind, []).append(cell.first_column)
        if CONTENT in columns and len({STEP, RESPONSIBLE, DAYS} & set(columns)) >= 2:
            return r, columns
    return None
