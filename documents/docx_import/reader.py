"""The walk through a Word file's paragraphs and tables: sections, header fields, TTHC and
variants, legal basis and definitions (the step tables themselves: ``steps``)."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from qms.models.catalogue import days_number
from qms.text import fold

from .steps import StepTables, _Problem
from .tables import _distinct, _grid, _header
from .values import (
    _BULLET,
    _CODE_RE,
    _DATE,
    _DOCUMENT_CODE,
    _FIELD,
    _NOTHING,
    _NUMBERING,
    _VARIANT,
    NATIONAL_CODE,
    ImportedDefinition,
    ImportedProcedure,
    ImportedService,
    _clean,
    _date,
    _definition,
    _flat,
    _missing_legal_parts,
    _one_line,
    _quoted,
    _sentence_case,
    parse_legal_document,
)

# --- Headings -----------------------------------------------------------------------------------

SECTIONS = [
    ("purpose", ("muc dich",)),
    ("scope", ("pham vi ap dung", "pham vi")),
    (
        "legal",
        ("can cu phap ly", "tai lieu vien dan", "van ban phap ly", "co so phap ly", "can cu"),
    ),
    (
        "definitions",
        ("dinh nghia", "thuat ngu", "chu viet tat", "tu viet tat", "giai thich tu ngu"),
    ),
    ("content", ("noi dung quy trinh", "trinh tu thuc hien", "quy trinh thuc hien", "noi dung")),
    ("other", ("bieu mau", "ho so luu", "ho so can luu", "luu ho so", "theo doi sua doi")),
]


def _heading(text: str, style_name: str) -> tuple[str | None, str]:
    """(section kind, text after "Label:") when ``text`` is a section heading, else (None, "")."""
    bare = _NUMBERING.sub("", text, count=1)
    head, colon, rest = bare.partition(":")
    folded = re.sub(r"[^a-z0-9]+", " ", fold(head)).strip()
    short = len(folded) <= 60
    for kind, labels in SECTIONS:
        for label in labels:
            if folded == label or (folded.startswith(label + " ") and short and label != "can cu"):
                if kind == "content" and label == "noi dung" and folded != label:
                    continue  # "Nội dung …" in a sentence, not the section
                return kind, rest.strip() if colon else ""
    numbered = _NUMBERING.match(text) is not None
    is_heading_style = style_name.lower().startswith(("heading", "title"))
    capitals = bare.upper() == bare and bare.upper() != bare.lower()
    if (
        not colon
        and short
        and (is_heading_style or (numbered and capitals))
        and not _CODE_RE.search(text)
    ):
        return "other", ""
    return None, ""


class _Context:
    """A TTHC named in the document, with the variant headings seen since its last table."""

    def __init__(self, code: str, name: str):
        self.code, self.name = code, name
        self.tables = 0
        self.candidates: list[tuple[str, str]] = []


class _Reader(StepTables):
    def __init__(self, hours_per_day: Decimal):
        self.hours = hours_per_day
        self.result = ImportedProcedure()
        self.problems: list[_Problem] = []
        self.section: str | None = None
        self.texts = {"purpose": [], "scope": []}
        self.front: list[str] = []
        self.context: _Context | None = None
        self.previous_text = ""
        self.table_number = 0
        self.last_service: ImportedService | None = None
        self.legal_line = 0
        self.definition_line = 0

    # Paragraphs

    def paragraph(self, text: str, style_name: str = "") -> None:
        text = _clean(text)
        if not text:
            return
        kind, inline = _heading(text, style_name)
        if kind == "other" and self.section is None:
            kind = None  # a heading before the first section is the title block's (a "Title")
        if kind:
            self.section = kind
            self.last_service = None
            if kind == "other":  # perhaps a TTHC's name, its code on the next line
                self.previous_text = _NUMBERING.sub("", text, count=1)
            if inline:
                self._section_line(inline)
            return
        if self.last_service is not None and fold(text).startswith("tong"):
            self._total(self.last_service, text, None)
            self.last_service = None
            return
        self.last_service = None
        if self.section is None:
            self._fields(text)
            self.front.append(text)
        self._section_line(text)
        if self.section not in ("legal", "definitions"):
            self._tthc_or_variant(text)
        if self.section in (None, "content", "other"):
            self.previous_text = text  # perhaps a TTHC's name, its code on the next line

    def _section_line(self, text: str) -> None:
        if self.section in self.texts:
            self.texts[self.section].append(text)
        elif self.section == "legal":
            for line in text.split("\n"):
                self._legal(line)
        elif self.section == "definitions":
            for line in text.split("\n"):
                self._definition(line)

    def _fields(self, text: str) -> None:
        for line in text.split("\n"):
            flat = _flat(line)
            matches = list(_FIELD.finditer(flat))
            for index, match in enumerate(matches):
                end = matches[index + 1].start() if index + 1 < len(matches) else len(line)
                value = line[match.end() : end].strip(" ;,")
                label = re.sub(r"\s+", " ", match["label"])
                if not value:
                    continue
                if label in ("lan ban hanh", "ban hanh lan"):
                    digits = re.match(r"\d+", value)
                    if digits and self.result.issue_number is None:
                        self.result.issue_number = int(digits.group(0))
                elif label == "ngay ban hanh":
                    date = _DATE.search(_flat(value))
                    if date and self.result.issued_on is None:
                        self.result.issued_on = _date(date)
                elif label == "ten quy trinh":
                    self.result.title = self.result.title or value
                elif not self.result.code and not _CODE_RE.match(value):
                    self.result.code = value.split()[0].strip(" ;,.")
        if not self.result.code:
            found = _DOCUMENT_CODE.search(text)
            if found:
                self.result.code = found.group(0).strip(" ;,.")

    def _legal(self, line: str) -> None:
        line = _BULLET.sub("", line).strip(" ;,.")
        if not line or fold(line) in _NOTHING:
            return
        self.legal_line += 1
        doc = parse_legal_document(line)
        self.result.legal_basis.append(doc)
        missing = _missing_legal_parts(doc)
        if missing:
            self.problems.append(
                _Problem(
                    _("Căn cứ pháp lý, dòng %(n)d: %(text)s không đọc được %(parts)s")
                    % {"n": self.legal_line, "text": _quoted(line), "parts": ", ".join(missing)}
                )
            )

    def _definition(self, line: str) -> None:
        line = line.strip()
        if not line or fold(_BULLET.sub("", line)).strip(" .;") in _NOTHING:
            return
        self.definition_line += 1
        found = _definition(line)
        if found is None:
            term = _BULLET.sub("", line).strip(" ;.")
            self.result.definitions.append(ImportedDefinition(term, ""))
            self.problems.append(
                _Problem(
                    _("Định nghĩa, dòng %(n)d: %(text)s không tách được thuật ngữ và giải thích")
                    % {"n": self.definition_line, "text": _quoted(line)}
                )
            )
        else:
            self.result.definitions.append(found)

    def _tthc_or_variant(self, text: str, *, service: ImportedService | None = None) -> str:
        """Note a TTHC (by national code) or a variant heading; returns "tthc", "variant" or ""."""
        codes = set(_CODE_RE.findall(text))
        if len(codes) == 1:
            (code,) = codes
            if self.context is None or self.context.code != code:
                self.context = _Context(code, self._tthc_name(text) or self.previous_text)
            return "tthc"
        variant = _VARIANT.match(_one_line(text))
        if variant and self.context is not None and len(text) <= 200:
            label = f"{variant.group(1)}) {variant.group(2)}"
            self.context.candidates.append((variant.group(1), label))
            return "variant"
        return ""

    @staticmethod
    def _tthc_name(text: str) -> str:
        text = _one_line(text)
        flat = _flat(text)
        fragment = re.compile(
            r"[(\[]?\s*(?:ma\s*(?:so\s*)?(?:tthc|thu\s+tuc(?:\s+hanh\s+chinh)?|ho\s+so)?\s*[:.]?"
            r"\s*)?" + NATIONAL_CODE + r"\s*[)\]]?"
        )
        match = fragment.search(flat)
        if match:
            text = text[: match.start()] + " " + text[match.end() :]
        text = _NUMBERING.sub("", text.strip(), count=1)
        text = re.sub(
            r"^\s*(?:tên\s+)?(?:thủ\s+tục(?:\s+hành\s+chính)?|TTHC)\s*:\s*", "", text, flags=re.I
        )
        return re.sub(r"\s+", " ", text).strip(" -–:;,.")

    # Tables

    def table(self, tbl) -> None:
        self.table_number += 1
        grid = _grid(tbl)
        header = _header(grid)
        if header is None:
            self.last_service = None
            cells = [cell.text for row in grid for cell in _distinct(row) if cell.text]
            if self.section == "legal":
                self._legal_table(grid)
            elif self.section == "definitions":
                self._definitions_table(grid)
            elif self.section is None:
                for text in cells:
                    self._fields(text)
                    self.front.extend(text.split("\n"))
            return
        header_row, columns = header
        variant = ""  # a variant written in a row above the header is the table's own
        for row in grid[:header_row]:
            for cell in _distinct(row):
                if cell.text and self._tthc_or_variant(cell.text) == "variant":
                    variant = self.context.candidates.pop()[1]
        self._step_table(grid[header_row + 1 :], columns, variant)

    def _legal_table(self, grid) -> None:
        for row in grid:
            texts = [
                c.text for c in _distinct(row) if c.text and not re.fullmatch(r"\d+\.?", c.text)
            ]
            joined = " ".join(_one_line(t) for t in texts)
            folded = fold(joined)
            if not joined or any(k in folded for k in ("ten van ban", "so, ky hieu", "trich yeu")):
                continue
            self._legal(joined)

    def _definitions_table(self, grid) -> None:
        for row in grid:
            texts = [
                c.text for c in _distinct(row) if c.text and not re.fullmatch(r"\d+\.?", c.text)
            ]
            if len(texts) < 2:
                continue
            folded = fold(" ".join(texts[:2]))
            if any(k in folded for k in ("viet tat", "thuat ngu", "giai thich", "dien giai")):
                continue
            self.definition_line += 1
            self.result.definitions.append(
                ImportedDefinition(_one_line(texts[0]), _one_line(texts[1]))
            )

    # The end

    def finish(self) -> ImportedProcedure:
        result = self.result
        # A variant from a paragraph needs a second table of the same TTHC to be one.
        by_context: dict[int, list[ImportedService]] = {}
        for service in result.services:
            by_context.setdefault(id(service.context), []).append(service)
        for services in by_context.values():
            if len(services) == 1 and services[0].variant_source == "paragraph":
                services[0].variant = ""
        for service in result.services:
            if service.stated_total is not None and service.stated_total != service.total:
                self.problems.append(
                    _Problem(
                        _(
                            "dòng Tổng cộng: ghi %(stated)s ngày làm việc nhưng các bước cộng lại "
                            "%(total)s ngày"
                        )
                        % {
                            "stated": days_number(service.stated_total),
                            "total": days_number(service.total),
                        },
                        service,
                    )
                )
            if not service.tthc_code:
                self.problems.append(
                    _Problem(
                        _("không tìm thấy mã TTHC (ví dụ “Mã TTHC: 1.001806”) trước bảng"), service
                    )
                )
        seen = {}
        for service in result.services:
            key = (service.tthc_code, fold(service.variant))
            if service.tthc_code and key in seen:
                self.problems.append(
                    _Problem(
                        _("cùng TTHC với bảng %(other)d mà không ghi trường hợp (a), b) …)")
                        % {"other": seen[key]},
                        service,
                    )
                )
            seen.setdefault(key, service.table)
        result.purpose = "\n".join(self.texts["purpose"])
        result.scope = "\n".join(self.texts["scope"])
        if not result.title:
            result.title = self._title()
        result.title = _sentence_case(_one_line(result.title))
        missing = []
        if not result.code:
            missing.append(_("Không tìm thấy mã tài liệu (ví dụ “Mã hiệu: QT-05/STP”)."))
        if not result.title:
            names = {s.tthc_name for s in result.services if s.tthc_name}
            if len(names) == 1:
                result.title = _("Quy trình %(name)s") % {"name": names.pop()}
                missing.append(
                    _("Không tìm thấy tên quy trình: tạm đặt %(title)s theo tên TTHC.")
                    % {"title": _quoted(result.title)}
                )
            else:
                missing.append(_("Không tìm thấy tên quy trình."))
        if not result.purpose:
            missing.append(_("Không tìm thấy mục “Mục đích”."))
        if not result.scope:
            missing.append(_("Không tìm thấy mục “Phạm vi áp dụng”."))
        result.problems = missing + [p.render() for p in self.problems]
        return result

    def _title(self) -> str:
        generic = (
            "quy trinh",
            "quy trinh noi bo",
            "quy trinh noi bo giai quyet thu tuc hanh chinh",
            "quy trinh giai quyet thu tuc hanh chinh",
        )
        for index, text in enumerate(self.front):
            folded = fold(text).strip(" .:")
            if not folded.startswith("quy trinh") or _FIELD.search(_flat(text)):
                continue
            if folded in generic:
                following = next(
                    (
                        t
                        for t in self.front[index + 1 :]
                        if not _FIELD.search(_flat(t)) and not _CODE_RE.search(t)
                    ),
                    "",
                )
                if not following:
                    continue
                following = _sentence_case(following)
                return (
                    f"{_sentence_case(text).rstrip(' .:')} {following[:1].lower()}{following[1:]}"
                )
            return text
        return ""
