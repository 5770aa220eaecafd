"""One reader for every CSV/XLSX import: size cap, encoding, delimiter, NFC, errors by line and column.

``open_table(file)`` takes a path, a binary file or a Django upload, decides CSV or XLSX by content,
and returns a ``Table``: its header (folded with ``qms.text.fold``) and, when iterated, one record
``(line, {column: value})`` per non-blank row, read lazily so that a file of 100 000 rows is never
held in memory as rows. Values are NFC strings; an XLSX date cell stays a ``datetime``. As in
``csv.DictReader``, cells beyond the header are listed under the key ``None``.

A CSV file is UTF-8 (with or without BOM) or, failing that strictly, Windows-1258, which Vietnamese
offices still produce; the delimiter is a comma, a semicolon (Excel in a Vietnamese locale) or a tab.
Every problem is worded one way, ``problem()``: "Dòng N, cột «x»: … (giá trị «…»)", and a rejected
file raises ``TabularError`` carrying the list. ``parse_date`` and ``parse_decimal`` read the cells
people type (31/12/2025, "0,5").
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from qms.text import fold, nfc

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
CSV = "csv"
XLSX = "xlsx"
UTF8 = "utf-8"
WINDOWS_1258 = "cp1258"
ENCODING_NAMES = {UTF8: "UTF-8", WINDOWS_1258: "Windows-1258"}
DELIMITERS = (",", ";", "\t")
DATE_FORMAT = "%d/%m/%Y"
# An XLSX file is a zip; its parts may expand this many times over the file's own cap, no more
# (a small zip that unpacks to gigabytes would otherwise fill the memory of the worker).
XLSX_MAX_EXPANSION = 30
_SHOWN = 80  # characters of a cell value quoted in an error message

# UTF-8 bytes of the Vietnamese letters with tone marks (U+1E00-U+1EFF: ạ ả ấ ầ ế ệ ọ ố ộ ủ ứ ữ …).
# Read as Windows-1258 they are "á" followed by two symbols, which no Vietnamese text contains, so a
# file in which they appear is UTF-8 at least in part.
_UTF8_VIETNAMESE = re.compile(rb"\xe1[\xb8-\xbb][\x80-\xbf]")
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_NO_VALUE = object()

Value = str | datetime.date | datetime.datetime
Record = tuple[int, dict[str | None, Value]]


class TabularError(ValidationError):
    """A file (or some of its rows) was rejected; ``messages`` lists every problem, one per cell."""


class CellError(ValueError):
    """A cell could not be read; ``str(error)`` says why in words, for ``problem()``."""


def max_bytes() -> int:
    """The largest file an import accepts (setting ``QMS_IMPORT_MAX_BYTES``)."""
    return getattr(settings, "QMS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def shown(value) -> str:
    """A cell value as quoted in a message: dates as dd/mm/yyyy, long text cut short."""
    text = as_text(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def problem(line: int, column: str | None, text: str, value=_NO_VALUE) -> str:
    """The one wording of an import error: the line, the column when there is one, the value."""
    params = {"line": line, "column": column, "problem": text}
    if value is _NO_VALUE:
        if column is None:
            return _("Dòng %(line)d: %(problem)s") % params
        return _("Dòng %(line)d, cột «%(column)s»: %(problem)s") % params
    params["value"] = shown(value)
    if column is None:
        return _("Dòng %(line)d: %(problem)s (giá trị «%(value)s»)") % params
    return _("Dòng %(line)d, cột «%(column)s»: %(problem)s (giá trị «%(value)s»)") % params


def extra_cells_problem(line: int, values: dict) -> str | None:
    """The error for a row with more cells than the header, or None when it has none too many."""
    extra = values.get(None)
    if not extra:
        return None
    return problem(line, None, _("dòng có nhiều ô hơn tiêu đề"), " | ".join(extra))


def as_text(value) -> str:
    """A record value as text: an XLSX date cell as dd/mm/yyyy (with the time when it has one)."""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.strftime(DATE_FORMAT)
        return value.strftime(DATE_FORMAT + " %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime(DATE_FORMAT)
    if value is None:
        return ""
    return str(value)


def parse_date(value) -> datetime.date:
    """A date written dd/mm/yyyy (d/m/yyyy too) or an XLSX date cell; CellError says what is wrong."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = nfc(value)
    match = _DATE.fullmatch(text)
    if match is None:
        raise CellError(_("ngày sai định dạng dd/mm/yyyy"))
    day, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise CellError(_("ngày %s không tồn tại") % text) from None


def parse_decimal(value) -> Decimal:
    """A number written with a decimal comma or point ("0,5", "0.5") or an XLSX number cell."""
    if isinstance(value, bool):
        raise CellError(_("không phải số (ví dụ 0,5 hoặc 7)"))
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = nfc(value).replace(" ", "").replace("\u00a0", "")
        if "," in text and "." in text:
            # 1.234,5 or 1,234.5: a thousands separator makes the decimal one a guess.
            raise CellError(
                _("số có cả dấu phẩy và dấu chấm; viết không có dấu phân cách hàng nghìn")
            )
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise CellError(_("không phải số (ví dụ 0,5 hoặc 7)")) from None
    if not number.is_finite():
        raise CellError(_("không phải số (ví dụ 0,5 hoặc 7)"))
    return number


class Table:
    """An opened CSV or XLSX file: ``columns`` (folded header) and its records when iterated."""

    def __init__(self, *, kind, encoding, header_line, header, rows, closers):
        self.format = kind
        self.encoding = encoding  # None for XLSX
        self.header_line = header_line
        self.header = header  # as written, NFC
        self.columns = [fold(cell) for cell in header]
        self._rows = rows
        self._closers = closers

    @property
    def encoding_name(self) -> str | None:
        return ENCODING_NAMES.get(self.encoding)

    def check_columns(self, *, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        """Reject a header with unknown, repeated or missing columns, naming each."""
        required = tuple(required)
        allowed = set(required) | set(optional)
        errors = []
        seen = set()
        for index, (column, cell) in enumerate(zip(self.columns, self.header, strict=True)):
            if not column:
                position = _("số %d") % (index + 1)
                errors.append(problem(self.header_line, position, _("cột không có tên")))
            elif column not in allowed:
                errors.append(problem(self.header_line, cell, _("cột không được hỗ trợ"), cell))
            elif column in seen:
                errors.append(problem(self.header_line, column, _("cột bị lặp"), column))
            seen.add(column)
        for column in required:
            if column not in seen:
                errors.append(problem(self.header_line, column, _("thiếu cột bắt buộc"), ""))
        if errors:
            raise TabularError(errors)

    def __iter__(self) -> Iterator[Record]:
        width = len(self.columns)
        for line, cells in self._rows:
            values: dict[str | None, Value] = dict(
                itertools.zip_longest(self.columns, cells[:width], fillvalue="")
            )
            extra = [as_text(cell) for cell in cells[width:] if cell != ""]
            if extra:
                values[None] = extra
            yield line, values

    def close(self) -> None:
        _close(self._closers)

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def open_table(file, *, limit: int | None = None) -> Table:
    """Open ``file`` (a path, a binary file or an upload) as a Table; TabularError if it is refused.

    The size cap, the format, the encoding and the header are settled here, before any record is
    read, so a caller learns that a file is unusable before it writes anything.
    """
    limit = max_bytes() if limit is None else limit
    closers = []
    try:
        handle = _binary(file, closers)
        size = _size(handle)
        if size > limit:
            raise TabularError(
                [
                    _(
                        "Tệp nặng %(size)s, vượt giới hạn %(limit)s: hãy chia thành nhiều tệp nhỏ hơn."
                    )
                    % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
                ]
            )
        head = handle.read(8)
        handle.seek(0)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise TabularError(
                [
                    _(
                        "Tệp Excel 97-2003 (.xls) hoặc tệp có mật khẩu không đọc được: hãy lưu lại"
                        " dưới dạng .xlsx (không mật khẩu) hoặc CSV UTF-8."
                    )
                ]
            )
        if head.startswith(b"PK\x03\x04"):
            kind, encoding, rows = XLSX, None, _xlsx_rows(handle, limit, closers)
        else:
            kind = CSV
            encoding = _csv_encoding(handle)
            rows = _csv_rows(handle, encoding, closers)
        header_line, header = _header(rows)
        return Table(
            kind=kind,
            encoding=encoding,
            header_line=header_line,
            header=header,
            rows=rows,
            closers=closers,
        )
    except BaseException:
        _close(closers)
        raise


def _close(closers: list) -> None:
    while closers:
        closers.pop()()


def _binary(file, closers) -> BinaryIO:
    """A seekable binary handle at its start; a path is opened (and closed with the table)."""
    if isinstance(file, str | os.PathLike):
        handle = open(file, "rb")  # noqa: SIM115 (closed by Table.close)
        closers.append(handle.close)
        return handle
    if hasattr(file, "open") and hasattr(file, "size"):  # a Django File / UploadedFile
        file.open("rb")
        file = file.file
    if not (hasattr(file, "seekable") and file.seekable()):
        raise TypeError("open_table() needs a path or a seekable binary file")
    file.seek(0)
    return file


def _size(handle) -> int:
    size = getattr(handle, "size", None)
    if isinstance(size, int):
        return size
    size = handle.seek(0, os.SEEK_END)
    handle.seek(0)
    return size


def _header(rows: Iterator[tuple[int, list]]) -> tuple[int, list[str]]:
    try:
        line, cells = next(rows)
    except StopIteration:
        raise TabularError([_("Tệp trống: thiếu dòng tiêu đề.")]) from None
    header = [as_text(cell) for cell in cells]
    while header and not header[-1]:
        header.pop()
    return line, header


def _blank(cells: list) -> bool:
    return all(cell == "" for cell in cells)


# CSV -------------------------------------------------------------------------------------------


def _csv_encoding(handle) -> str:
    """UTF-8 if every line is strictly UTF-8, else Windows-1258 if every line is that; or refuse.

    One pass over the lines before any is parsed, so a bad byte on line 90 000 refuses the file
    before its first record is used. Lines split on b"\\n", which neither encoding uses inside a
    character.
    """
    if handle.read(2) in (b"\xff\xfe", b"\xfe\xff"):
        raise TabularError(
            [_("Tệp mã UTF-16 (Excel “Văn bản Unicode”): hãy lưu lại dưới dạng CSV UTF-8.")]
        )
    handle.seek(0)
    first_bad = first_utf8 = None
    for number, raw in enumerate(handle, start=1):
        if b"\x00" in raw:
            # PostgreSQL refuses NUL in text; a CSV with one is a binary file renamed.
            raise TabularError(
                [problem(number, None, _("dòng chứa ký tự NUL: tệp không phải CSV văn bản"))]
            )
        try:
            raw.decode(UTF8)
        except UnicodeDecodeError:
            if first_bad is None:
                first_bad = number
        else:
            if first_utf8 is None and _UTF8_VIETNAMESE.search(raw):
                first_utf8 = number
        if first_bad is not None and first_utf8 is not None:
            break
    handle.seek(0)
    if first_bad is None:
        return UTF8
    if first_utf8 is not None:
        raise TabularError(
            [
                problem(
                    first_bad,
                    None,
                    _(
                        "dòng này không phải UTF-8 trong khi dòng %(utf8)d là UTF-8: tệp trộn lẫn"
                        " bảng mã hoặc bị hỏng; hãy lưu lại dưới dạng CSV UTF-8"
                    )
                    % {"utf8": first_utf8},
                )
            ]
        )
    for number, raw in enumerate(handle, start=1):
        try:
            raw.decode(WINDOWS_1258)
        except UnicodeDecodeError:
            handle.seek(0)
            raise TabularError(
                [
                    problem(
                        number,
                        None,
                        _(
                            "tệp không phải UTF-8 hay Windows-1258 (dòng này không đọc được theo"
                            " bảng mã nào): hãy lưu lại dưới dạng CSV UTF-8"
                        ),
                    )
                ]
            ) from None
    handle.seek(0)
    return WINDOWS_1258


def _csv_rows(handle, encoding: str, closers) -> Iterator[tuple[int, list]]:
    text = io.TextIOWrapper(
        handle, encoding="utf-8-sig" if encoding == UTF8 else encoding, newline=""
    )
    # The caller's upload must outlive the table: let go of it rather than close it.
    closers.append(text.detach)
    lines = iter(text)
    head = []
    for line in lines:
        head.append(line)
        if line.strip():
            break
    delimiter = _delimiter(head[-1]) if head else ","
    reader = csv.reader(itertools.chain(head, lines), delimiter=delimiter)
    return _csv_records(reader)


def _delimiter(header_line: str) -> str:
    """The candidate that splits the header into the most columns (a comma when none splits it)."""

    def width(delimiter):
        try:
            return len(next(csv.reader([header_line], delimiter=delimiter)))
        except (csv.Error, StopIteration):
            return 0

    return max(DELIMITERS, key=width)


def _csv_records(reader) -> Iterator[tuple[int, list]]:
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TabularError([problem(start, None, _csv_problem(exc))]) from None
        previous_end = reader.line_num
        cells = [nfc(cell) for cell in cells]
        if not _blank(cells):
            yield start, cells


def _csv_problem(exc: csv.Error) -> str:
    message = str(exc)
    if "field larger than field limit" in message:
        return _("một ô dài quá %(limit)s ký tự (có thể thiếu dấu ngoặc kép đóng từ dòng này)") % {
            "limit": f"{csv.field_size_limit():,}".replace(",", ".")
        }
    return _("dòng CSV không đọc được (%s)") % message


# XLSX ------------------------------------------------------------------------------------------


def _xlsx_rows(handle, limit: int, closers) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook

    unreadable = _(
        "Tệp XLSX hỏng hoặc không đọc được: hãy mở và lưu lại bằng Excel, hoặc lưu CSV UTF-8."
    )
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise TabularError([unreadable]) from None
    if "xl/workbook.xml" not in names:
        raise TabularError(
            [_("Tệp nén này không phải bảng tính XLSX: hãy lưu dưới dạng .xlsx hoặc CSV UTF-8.")]
        )
    if unpacked > limit * XLSX_MAX_EXPANSION:
        raise TabularError(
            [
                _("Tệp XLSX giải nén ra %(size)s, vượt giới hạn %(limit)s.")
                % {
                    "size": filesizeformat(unpacked),
                    "limit": filesizeformat(limit * XLSX_MAX_EXPANSION),
                }
            ]
        )
    handle.seek(0)
    try:
        # data_only: a formula cell gives the value Excel last computed, never the formula text.
        workbook = load_workbook(handle, read_only=True, data_only=True)
        closers.append(workbook.close)
        sheet = workbook.worksheets[0]
        # Some writers record a wrong sheet size, which would cut rows short in read-only mode.
        sheet.reset_dimensions()
    except (*_XLSX_ERRORS, IndexError):
        raise TabularError([unreadable]) from None
    return _xlsx_records(sheet.iter_rows(values_only=True), unreadable)


# What openpyxl raises on a damaged file: zip, XML (ParseError is a SyntaxError) and value errors.
_XLSX_ERRORS = (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, TypeError, SyntaxError)


def _xlsx_records(rows, unreadable: str) -> Iterator[tuple[int, list]]:
    line = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except _XLSX_ERRORS:
            raise TabularError([problem(line + 1, None, unreadable)]) from None
        line += 1
        cells = [_xlsx_value(value) for value in row]
        if not _blank(cells):
            yield line, cells


def _xlsx_value(value) -> Value:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return nfc(str(value))
