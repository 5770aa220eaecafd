"""Reading an agency's existing procedure from Word (.docx): a pure reader, no database.

``read_procedure_docx(fileobj)`` returns an ``ImportedProcedure``: the header fields (document code
such as QT-05/STP, title, issue number), purpose, scope, legal basis (each line parsed into number,
title, issuer and date where possible), definitions, and one ``ImportedService`` per step table,
in the shape of DESIGN.md §7: each table belongs to the TTHC named before it by its national code
(“Mã TTHC: 1.001806”), or to one of its variants (“a) …”, “b) …”, as paragraphs before each table
or as a merged row inside it). A step table is recognised by its header (folded with
``qms.text.fold``, in any column order): Bước / Nội dung công việc / Đơn vị, người thực hiện
(Trách nhiệm) / Thời gian (ngày làm việc) / Kết quả, biểu mẫu. A total row (“Tổng cộng”, “Tổng thời
gian”) is read and compared with the steps, never imported as a step.

Every cell that cannot be read becomes a problem naming the table, row, column and raw text, e.g.
“Bảng 2 (TTHC 1.001806), dòng 3 (Bước 3), cột Thời gian: “ba ngày” không đọc được số ngày”. Tables
are numbered as they come in the document (every table counts, so the officer finds it in Word);
rows are counted from the first row under the header. A file that is not a .docx, or that holds no
step table, raises ``DocxImportError`` and nothing is read.

Merged cells: a cell merged across columns belongs to its first column; a cell merged down rows
repeats its text (a unit responsible for several steps), except a time cell, whose time is counted
once, on the first step, and named as a problem on the others. Word's automatic list numbering is
not text in the file, so a variant lettered by it (rather than typed “a)”) is not recognised.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from anyascii import anyascii
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from qms.models.catalogue import days_number
from qms.text import fold, nfc

# A .docx is a zip; its parts may expand this many times over the upload cap, no more (a small zip
# that unpacks to gigabytes would fill the worker's memory), as qms.tabular does for XLSX.
MAX_EXPANSION = 30
HOURS_PER_DAY = Decimal(8)
NATIONAL_CODE = r"(?<![\d.])\d\.\d{6}(?:\.\d{3}\.\d{2}\.\d{2}\.[A-Z0-9]+)?(?![\d])"
_CODE_RE = re.compile(NATIONAL_CODE)
# Vietnamese lists run a) b) c) d) đ) e) g) h) i) k) …
LETTERS = tuple("abcdđeghiklmnopqrstuvxy")
_VARIANT = re.compile(r"^\s*([a-zđ])\)\s*(\S.*?)[\s:;.]*$")
_NUMBERING = re.compile(r"^\s*(?:[IVXLCDM]+\.|\d+(?:\.\d+)*\.?\)?)\s*[-–.:]?\s*")
_BULLET = re.compile(r"^\s*(?:[-–—+•*·▪●○]+|\d+[.)]|[a-zđ]\))\s*")
_NOTHING = {"khong", "khong co", "khong ap dung", "khong quy dinh"}

STEP, CONTENT, RESPONSIBLE, DAYS, OUTPUT = "step", "content", "responsible", "days", "output"


def column_labels() -> dict[str, str]:
    return {
        STEP: _("Bước"),
        CONTENT: _("Nội dung công việc"),
        RESPONSIBLE: _("Đơn vị, người thực hiện"),
        DAYS: _("Thời gian"),
        OUTPUT: _("Kết quả, biểu mẫu"),
    }


class DocxImportError(ValidationError):
    """The file as a whole cannot be imported (not a .docx, damaged, too large, no step table)."""


class CellError(ValueError):
    """A cell could not be read; ``str(error)`` says why."""


@dataclass
class ImportedStep:
    row: int
    code: str
    content: str
    responsible: str
    days: Decimal | None
    output: str


@dataclass
class ImportedService:
    table: int
    tthc_code: str = ""
    tthc_name: str = ""
    variant: str = ""
    steps: list[ImportedStep] = field(default_factory=list)
    stated_total: Decimal | None = None
    # How the variant was found: "row" (a merged row inside the table) or "paragraph".
    variant_source: str = field(default="", repr=False, compare=False)
    context: object = field(default=None, repr=False, compare=False)

    @property
    def total(self) -> Decimal:
        return sum((s.days for s in self.steps if s.days is not None), Decimal("0"))

    @property
    def label(self) -> str:
        if not self.tthc_code:
            return _("Bảng %(n)d (chưa rõ TTHC)") % {"n": self.table}
        name = self.tthc_code + (f" – {self.variant}" if self.variant else "")
        return _("Bảng %(n)d (TTHC %(tthc)s)") % {"n": self.table, "tthc": name}


@dataclass
class ImportedLegalDocument:
    text: str
    number: str = ""
    title: str = ""
    issuer: str = ""
    issued_on: datetime.date | None = None
    effective_on: datetime.date | None = None


@dataclass
class ImportedDefinition:
    term: str
    meaning: str


@dataclass
class ImportedProcedure:
    code: str = ""
    title: str = ""
    issue_number: int | None = None
    issued_on: datetime.date | None = None
    purpose: str = ""
    scope: str = ""
    legal_basis: list[ImportedLegalDocument] = field(default_factory=list)
    definitions: list[ImportedDefinition] = field(default_factory=list)
    services: list[ImportedService] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# --- Text helpers ---------------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    """NFC, no-break spaces as spaces, single spaces inside lines, no empty lines."""
    lines = (re.sub(r"[ \t\xa0\u200b]+", " ", line).strip() for line in nfc(text).splitlines())
    return "\n".join(line for line in lines if line)


def _one_line(text: str) -> str:
    return " ".join(text.split("\n"))


def _flat(text: str) -> str:
    """``text`` folded character by character, keeping its length (positions stay valid), for
    regular expressions whose matches are then cut from the original text."""
    out = []
    for char in text:
        folded = anyascii(char).lower()
        out.append(
            folded if len(folded) == 1 else (char.lower() if len(char.lower()) == 1 else " ")
        )
    return "".join(out)


def _quoted(text: str, limit: int = 80) -> str:
    text = _one_line(text)
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"


def _sentence_case(text: str) -> str:
    """An all-capitals title ("QUY TRÌNH CẤP …") as a sentence ("Quy trình cấp …")."""
    if text.upper() != text or text.lower() == text:
        return text
    lowered = text.lower()
    return lowered[:1].upper() + lowered[1:]


# --- Working days ---------------------------------------------------------------------------------

_AMOUNT = re.compile(r"^(?P<num>\d+(?:\.\d+)?|\d+\s*/\s*\d+)\s*(?P<unit>[a-z ]*?)\s*$")
_NOT_COUNTED = ("khong tinh", "khong quy dinh", "khong ap dung")


def _tidy(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def parse_days(text: str, hours_per_day: Decimal = HOURS_PER_DAY) -> Decimal | None:
    """A step's time as officers write it, in working days: "0,5 ngày làm việc", "0,25", "07
    ngày", "01 ngày làm việc", "1/2 ngày", "4 giờ" (office hours), "01 buổi" (half a day). None
    for "Không tính thời gian" or an empty cell. Raises ``CellError`` otherwise."""
    folded = fold(text).strip(" .;:")
    if folded in ("", "-", "--", "---"):
        return None
    if any(folded.startswith(p) for p in _NOT_COUNTED):
        return None
    folded = folded.replace(",", ".")
    for candidate in (folded, re.sub(r"\(.*?\)", " ", folded).strip(" .;:")):
        match = _AMOUNT.match(candidate)
        if match:
            break
    else:
        raise CellError(_("%(value)s không đọc được số ngày") % {"value": _quoted(text)})
    number, unit = match["num"], match["unit"].strip()
    try:
        if "/" in number:
            top, bottom = (Decimal(part) for part in number.split("/"))
            amount = top / bottom
        else:
            amount = Decimal(number)
    except (InvalidOperation, ArithmeticError):
        raise CellError(_("%(value)s không đọc được số ngày") % {"value": _quoted(text)}) from None
    if unit in ("", "ngay", "ngay lam viec", "ngay lv", "nlv", "ngay lam viec thuc te"):
        days = amount
    elif unit in ("gio", "gio lam viec", "h", "tieng"):
        days = amount / hours_per_day
    elif unit in ("buoi", "buoi lam viec"):
        days = amount / 2
    else:
        raise CellError(_("%(value)s không đọc được số ngày") % {"value": _quoted(text)})
    return _tidy(days)


def _days_in(text: str, hours_per_day: Decimal) -> Decimal | None:
    """The first amount of days (or hours) written inside a sentence ("Tổng: 10 ngày làm việc")."""
    match = re.search(r"(\d+(?:[.,]\d+)?|\d+\s*/\s*\d+)\s*(ngay|gio|buoi)", fold(text))
    if match is None:
        raise CellError(_("%(value)s không đọc được số ngày") % {"value": _quoted(text)})
    return parse_days(match.group(0), hours_per_day)


# --- Header fields, legal basis, definitions ---------------------------------------------------------

_FIELD = re.compile(
    r"(?P<label>ma\s+(?:hieu|so|tai\s+lieu|quy\s+trinh)|ky\s+hieu|so\s+hieu|lan\s+ban\s+hanh"
    r"|ban\s+hanh\s+lan|ten\s+quy\s+trinh|ngay\s+ban\s+hanh)\s*[:]\s*"
)
_DOCUMENT_CODE = re.compile(r"\bQT[\s.-]*\d+[\w./-]*")
_DATE = re.compile(
    r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})|(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})"
)


def _date(match) -> datetime.date | None:
    day, month, year = (int(g) for g in match.groups() if g is not None)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


_LEGAL_NUMBER = re.compile(
    r"(?:\bso\s+(?:hieu\s+)?)?(?P<number>\b\d+[a-z]?/(?:\d{4}/)?[a-z][a-z0-9.\-/]*[a-z0-9]"
    r"|\btcvn\s+(?:iso\s+)?[\d.:\-]+)"
)
_LEGAL_DATE = re.compile(r"\bngay\s+(?:" + _DATE.pattern + r")")
_LEGAL_EFFECTIVE = re.compile(
    r"(?:co\s+)?hieu\s+luc(?:\s+thi\s+hanh)?\s+(?:tu|ke\s+tu)\s+ngay\s+(?:" + _DATE.pattern + r")"
)
_LEGAL_ISSUER = re.compile(
    r"\bcua\s+(?P<issuer>.+?)(?=\s+(?:quy\s+dinh|huong\s+dan|ve\s|ban\s+hanh|sua\s+doi|bo\s+sung"
    r"|phe\s+duyet|cong\s+bo|thay\s+the|hop\s+nhat|bai\s+bo)|\s*[;,.]?\s*$|\s*[;,(])"
)


def parse_legal_document(text: str) -> ImportedLegalDocument:
    """One line of the legal basis ("Luật Công chứng số 46/2024/QH15 ngày 26/11/2024 của Quốc
    hội"): number, title (the kind of document and its subject), issuer and dates where written;
    what is not found stays empty."""
    text = _BULLET.sub("", _one_line(_clean(text))).strip(" ;,.")
    doc = ImportedLegalDocument(text=text)
    flat = _flat(text)
    cut = []  # spans of the original taken by the parts found
    number = _LEGAL_NUMBER.search(flat)
    if number:
        doc.number = text[number.start("number") : number.end("number")]
        cut.append(number.span())
    effective = _LEGAL_EFFECTIVE.search(flat)
    if effective:
        doc.effective_on = _date(_DATE.search(flat, effective.start()))
        cut.append(effective.span())
    issued = _LEGAL_DATE.search(flat)
    if issued and (effective is None or issued.start() < effective.start()):
        doc.issued_on = _date(_DATE.search(flat, issued.start()))
        cut.append(issued.span())
    issuer = _LEGAL_ISSUER.search(flat)
    if issuer:
        doc.issuer = text[issuer.start("issuer") : issuer.end("issuer")].strip(" ;,.")
        cut.append(issuer.span())
    kept, position = [], 0
    for start, end in sorted(cut):
        if start >= position:
            kept.append(text[position:start])
            position = end
    kept.append(text[position:])
    title = re.sub(r"\s+", " ", " ".join(kept)).strip(" ;,.-–")
    doc.title = title or text
    return doc


def _missing_legal_parts(doc: ImportedLegalDocument) -> list[str]:
    parts = []
    if not doc.number:
        parts.append(_("số, ký hiệu"))
    if not doc.issued_on:
        parts.append(_("ngày ban hành"))
    if not doc.issuer:
        parts.append(_("cơ quan ban hành"))
    return parts


def _definition(text: str) -> ImportedDefinition | None:
    text = _BULLET.sub("", _one_line(text)).strip(" ;.")
    for separator in (":", " – ", " - ", " — ", " là "):
        term, found, meaning = text.partition(separator)
        if found and term.strip() and meaning.strip():
            return ImportedDefinition(term.strip(), meaning.strip(" ;."))
    return None


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


# --- The reader ---------------------------------------------------------------------------------


@dataclass
class _Problem:
    text: str
    service: ImportedService | None = None

    def render(self) -> str:
        return f"{self.service.label}, {self.text}" if self.service else self.text


class _Context:
    """A TTHC named in the document, with the variant headings seen since its last table."""

    def __init__(self, code: str, name: str):
        self.code, self.name = code, name
        self.tables = 0
        self.candidates: list[tuple[str, str]] = []


class _Reader:
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


def _blocks(document):
    """The paragraphs and tables of the document's body in order (content controls opened)."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = document.element.body
    parent = document._body

    def walk(element):
        for child in element.iterchildren():
            if child.tag == qn("w:p"):
                yield Paragraph(child, parent)
            elif child.tag == qn("w:tbl"):
                yield Table(child, parent)
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    yield from walk(content)

    yield from walk(body)


def _style_name(paragraph) -> str:
    try:
        return paragraph.style.name or ""
    except Exception:  # a damaged styles part: the style only helps to find headings
        return ""


def _open(fileobj, name: str, max_bytes: int):
    import docx

    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    data = fileobj.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DocxImportError(
            _("Tệp “%(name)s” vượt giới hạn %(limit)s.")
            % {"name": name, "limit": filesizeformat(max_bytes)}
        )
    not_docx = _(
        "Tệp “%(name)s” không phải là tệp Word .docx (có thể tệp bị hỏng hoặc bị đổi tên): hãy "
        "mở bằng Word và lưu lại dưới dạng “Word Document (*.docx)”."
    ) % {"name": name}
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DocxImportError(
            _(
                "Tệp “%(name)s” là tệp Word cũ (.doc): hãy mở bằng Word và lưu lại dưới dạng "
                "“Word Document (*.docx)”."
            )
            % {"name": name}
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise DocxImportError(not_docx) from None
    names = {info.filename for info in infos}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise DocxImportError(not_docx)
    if sum(info.file_size for info in infos) > max_bytes * MAX_EXPANSION:
        raise DocxImportError(_("Tệp “%(name)s” giải nén ra quá lớn để đọc.") % {"name": name})
    try:
        return docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds (KeyError, ValueError, XML syntax errors)
        raise DocxImportError(not_docx) from None


def read_procedure_docx(
    fileobj,
    *,
    name: str | None = None,
    hours_per_day: Decimal = HOURS_PER_DAY,
    max_bytes: int | None = None,
) -> ImportedProcedure:
    """Read a procedure from the .docx ``fileobj`` (a binary file or a Django upload). Raises
    ``DocxImportError`` when the file is not a .docx or holds no step table."""
    name = name or getattr(fileobj, "name", None) or "tệp"
    max_bytes = max_bytes or settings.QMS_UPLOAD_MAX_BYTES
    document = _open(fileobj, name, max_bytes)
    reader = _Reader(hours_per_day)
    # The page header often carries the code and the issue ("Mã hiệu: QT-05/STP / Lần ban hành").
    for section in document.sections:
        try:
            header = section.header
            for paragraph in header.paragraphs:
                reader._fields(_clean(paragraph.text))
            for table in header.tables:
                for row in _grid(table._tbl):
                    for cell in _distinct(row):
                        reader._fields(cell.text)
        except Exception:  # a damaged header part: the body is what matters
            continue
    from docx.table import Table

    for block in _blocks(document):
        if isinstance(block, Table):
            reader.table(block._tbl)
        else:
            reader.paragraph(block.text, _style_name(block))
    if not any(s.steps for s in reader.result.services) and not _any_step_table(document):
        raise DocxImportError(
            _(
                "Không tìm thấy bảng các bước trong tệp “%(name)s”: cần một bảng có dòng tiêu đề "
                "với các cột Bước, Nội dung công việc, Đơn vị/người thực hiện (Trách nhiệm), Thời "
                "gian (ngày làm việc), Kết quả/biểu mẫu."
            )
            % {"name": name}
        )
    result = reader.finish()
    if not result.services:
        raise DocxImportError(
            _("Bảng các bước trong tệp “%(name)s” không có bước nào đọc được: %(problems)s")
            % {"name": name, "problems": " ".join(result.problems)}
        )
    return result


def _any_step_table(document) -> bool:
    from docx.table import Table

    return any(
        isinstance(block, Table) and _header(_grid(block._tbl)) is not None
        for block in _blocks(document)
    )
