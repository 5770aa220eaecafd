"""What the Word import reads, and how a cell's text becomes a value: the records it returns,
working days as officers write them, a line of the legal basis, a definition."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from anyascii import anyascii
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from qms.text import fold, nfc

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
