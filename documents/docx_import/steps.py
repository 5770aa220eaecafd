"""A step table read row by row: steps, variant rows, the total row, and every cell that cannot
be read named (a mixin of the reader, ``reader._Reader``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from qms.text import fold

from .tables import _Cell, _distinct
from .values import (
    _AMOUNT,
    CONTENT,
    DAYS,
    LETTERS,
    OUTPUT,
    RESPONSIBLE,
    STEP,
    CellError,
    ImportedService,
    ImportedStep,
    _days_in,
    _one_line,
    _quoted,
    column_labels,
    parse_days,
)


@dataclass
class _Problem:
    text: str
    service: ImportedService | None = None

    def render(self) -> str:
        return f"{self.service.label}, {self.text}" if self.service else self.text


class StepTables:
    """The reader's step tables (``reader._Reader`` holds the state they use)."""

    def _new_service(self, *, variant: str = "", source: str = "") -> ImportedService:
        context = self.context
        service = ImportedService(
            table=self.table_number,
            tthc_code=context.code if context else "",
            tthc_name=context.name if context else "",
            variant=variant,
            variant_source=source if variant else "",
            context=context,
        )
        return service

    def _paragraph_variant(self) -> str:
        """The variant heading of the next table of the current TTHC: the first heading since its
        previous table lettered as that table's place (a, b, c …), so that lettered lists inside
        a variant (the dossier's papers) are not taken for one."""
        context = self.context
        if context is None:
            return ""
        wanted = LETTERS[context.tables] if context.tables < len(LETTERS) else None
        chosen = next((label for letter, label in context.candidates if letter == wanted), "")
        context.candidates = []
        context.tables += 1
        return chosen

    def _step_table(self, rows, columns, variant: str = "") -> None:
        paragraph_variant = self._paragraph_variant()
        if variant:
            service = self._new_service(variant=variant, source="row")
        else:
            service = self._new_service(variant=paragraph_variant, source="paragraph")
        labels = column_labels()
        step_rows = []  # (service, step, days empty)
        line = 0
        for row in rows:
            line += 1
            cells = _distinct(row)
            texts = [c.text for c in cells]
            if not any(texts):
                continue
            if not service.steps and all(re.fullmatch(r"\(?\d+\)?", t) for t in texts if t):
                continue  # the row numbering the columns: (1) (2) (3) …
            if len(cells) == 1 and len(row) > 1:
                text = cells[0].text
                if fold(text).startswith("tong"):
                    self._total(service, text, line)
                    continue
                found = self._tthc_or_variant(text)
                if found:
                    if service.steps:
                        self._finish(service)
                    if found == "variant":
                        letter, label = self.context.candidates.pop()
                        service = self._new_service(variant=label, source="row")
                    else:
                        service = self._new_service()
                    continue
                self.problems.append(
                    _Problem(
                        _("dòng %(line)d: dòng gộp %(text)s không phải một bước, đã bỏ qua")
                        % {"line": line, "text": _quoted(text)},
                        service,
                    )
                )
                continue
            label_cell = next(
                (
                    row[j]
                    for kind in (STEP, CONTENT)
                    for j in columns.get(kind, [])[:1]
                    if j < len(row) and row[j] is not None
                ),
                cells[0],
            )
            if fold(label_cell.text).startswith("tong"):
                days_cell = self._cell(row, columns, DAYS)[0]
                text = days_cell.text if days_cell and days_cell.key != label_cell.key else ""
                self._total(service, text or " ".join(texts), line)
                continue
            step, days_empty = self._step(service, row, columns, line, labels)
            service.steps.append(step)
            step_rows.append((service, step, days_empty))
        last = {id(s): s.steps[-1] for s, _step, _e in step_rows}
        for owner, step, days_empty in step_rows:
            if days_empty and step is not last[id(owner)]:
                self.problems.append(
                    _Problem(
                        _(
                            "dòng %(line)d (%(code)s), cột %(column)s: ô trống; ghi số ngày hoặc "
                            "“Không tính thời gian”"
                        )
                        % {"line": step.row, "code": step.code, "column": labels[DAYS]},
                        owner,
                    )
                )
        self._finish(service)
        self.last_service = self.result.services[-1] if self.result.services else None

    @staticmethod
    def _cell(row, columns, kind) -> tuple[_Cell | None, str]:
        """The row's cell of column ``kind`` and how it stands: "ok", "nocolumn", "missing" (the
        row ends before it), "merged" (part of a cell begun in another column), "continued"."""
        found = columns.get(kind)
        if not found:
            return None, "nocolumn"
        j = found[0]
        cell = row[j] if j < len(row) else None
        if cell is None:
            return None, "missing"
        if cell.first_column != j:
            return cell, "merged"
        return cell, "continued" if cell.continued else "ok"

    def _step(self, service, row, columns, line, labels):
        def problem(column, message):
            self.problems.append(
                _Problem(
                    _("dòng %(line)d (%(code)s), cột %(column)s: %(message)s")
                    % {"line": line, "code": code, "column": labels[column], "message": message},
                    service,
                )
            )

        def merged_with(cell):
            kinds = [k for k, cols in columns.items() if cell.first_column in cols]
            return labels[kinds[0]] if kinds else str(cell.first_column + 1)

        values = {}
        states = {}
        for kind in (STEP, CONTENT, RESPONSIBLE, DAYS, OUTPUT):
            cell, state = self._cell(row, columns, kind)
            states[kind] = (cell, state)
            values[kind] = cell.text if cell is not None and state != "merged" else ""
        position = len(service.steps) + 1
        code = _one_line(values[STEP])
        if re.fullmatch(r"\d+\.?", code):
            code = _("Bước %(n)s") % {"n": code.rstrip(".")}
        if not code:
            code = _("Bước %(n)d") % {"n": position}
            if states[STEP][1] != "nocolumn":
                problem(STEP, _("ô trống; tạm ghi “%(code)s”") % {"code": code})
        for kind in (CONTENT, RESPONSIBLE, DAYS, OUTPUT):
            cell, state = states[kind]
            if state == "missing":
                problem(kind, _("thiếu ô (dòng có ít ô hơn dòng tiêu đề)"))
            elif state == "merged":
                problem(kind, _("ô gộp với cột %(other)s") % {"other": merged_with(cell)})
            elif state == "nocolumn" and kind in (RESPONSIBLE, DAYS) and position == 1:
                problem(kind, _("bảng không có cột này"))
        for kind in (CONTENT, RESPONSIBLE):
            if states[kind][1] in ("ok", "continued") and not values[kind]:
                problem(kind, _("ô trống"))
        days, days_empty = None, False
        cell, state = states[DAYS]
        if state == "continued" and service.steps:
            problem(
                DAYS,
                _(
                    "ô gộp với dòng trên: thời gian chung %(value)s đã tính cho %(previous)s, "
                    "bước này để trống; hãy chia lại thời gian"
                )
                % {"value": _quoted(cell.text), "previous": service.steps[-1].code},
            )
        elif state in ("ok", "continued"):
            try:
                days = parse_days(cell.text, self.hours)
            except CellError as exc:
                problem(DAYS, str(exc))
            else:
                days_empty = days is None and not fold(cell.text)
        step = ImportedStep(
            row=line,
            code=code,
            content=values[CONTENT],
            responsible=_one_line(values[RESPONSIBLE]),
            days=days,
            output=_one_line(values[OUTPUT]),
        )
        return step, days_empty

    def _total(self, service: ImportedService, text: str, line: int | None) -> None:
        if not re.search(r"\d", text):
            return  # a total row with no number written: nothing to compare
        try:
            service.stated_total = (
                parse_days(text, self.hours)
                if _AMOUNT.match(fold(text).replace(",", ".").strip(" .;:"))
                else _days_in(text, self.hours)
            )
        except CellError as exc:
            where = (
                _("dòng %(line)d (Tổng cộng)") % {"line": line}
                if line
                else _("dòng Tổng cộng dưới bảng")
            )
            self.problems.append(
                _Problem(
                    _("%(where)s, cột %(column)s: %(message)s")
                    % {"where": where, "column": column_labels()[DAYS], "message": exc},
                    service,
                )
            )

    def _finish(self, service: ImportedService) -> None:
        if not service.steps:
            self.problems.append(_Problem(_("bảng các bước không có bước nào"), service))
            return
        self.result.services.append(service)
