"""TTHC catalogue import: load administrative procedures and their time limits from a CSV file.

The file has one row per (TTHC, time limit): a TTHC whose statutory limit changed over time appears
on several rows with the same code and different ``effective_from``. Every row is checked before
anything is written, and one bad row rejects the whole file (all-or-nothing), so an officer never
has to work out which half of a file went in.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qms import permissions
from qms.models import AdministrativeProcedure, Agency, OnlineLevel, ProcedureLevel, TimeLimit
from qms.models.catalogue import validate_national_code, validate_quarter_days
from qms.text import fold, nfc

REQUIRED_COLUMNS = (
    "code",
    "name",
    "field",
    "level",
    "online_level",
    "working_days",
    "effective_from",
)
# Optional: when the column is absent the stored value is left as it is (an import of limits only
# must not wipe the agencies someone linked by hand).
OPTIONAL_COLUMNS = ("legal_basis", "handling_agencies")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# Procedure-level columns: every row of one code must agree on them.
PROCEDURE_COLUMNS = ("name", "field", "level", "online_level", "handling_agencies")

AGENCY_SEPARATOR = ";"
DATE_FORMAT = "%d/%m/%Y"


class CatalogueImportError(ValidationError):
    """The file was rejected; ``messages`` lists every problem, one per cell."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    time_limits_created: int = 0
    time_limits_updated: int = 0
    rows: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        text = _(
            "%(rows)d dòng: %(created)d TTHC tạo mới, %(updated)d cập nhật, %(unchanged)d không đổi;"
            " %(tl_created)d thời hạn thêm mới, %(tl_updated)d thời hạn sửa."
        ) % {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "tl_created": self.time_limits_created,
            "tl_updated": self.time_limits_updated,
        }
        if self.dry_run:
            text += " " + _("(Chạy thử: không ghi gì vào cơ sở dữ liệu.)")
        return text


@dataclass
class _Row:
    line: int
    code: str
    name: str
    field: str
    level: str
    online_level: str
    working_days: Decimal
    effective_from: datetime.date
    legal_basis: str | None  # None: column absent
    agency_codes: tuple[str, ...] | None  # None: column absent


def _problem(line: int, column: str, problem: str, value) -> str:
    return _("Dòng %(line)d, cột «%(column)s»: %(problem)s (giá trị «%(value)s»)") % {
        "line": line,
        "column": column,
        "problem": problem,
        "value": value,
    }


def _read_text(file) -> str:
    """The file's text whether given a path, a binary upload or a text stream; BOM removed."""
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            data = handle.read()
    else:
        data = file.read()
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise CatalogueImportError(
                [
                    _problem(
                        line,
                        "—",
                        _("tệp không phải văn bản UTF-8, hãy lưu lại dưới dạng CSV UTF-8"),
                        data[exc.start : exc.start + 8].hex(" "),
                    )
                ]
            ) from exc
    return data.removeprefix("\ufeff")


def _delimiter(text: str) -> str:
    # Excel in a Vietnamese locale (decimal comma) saves "CSV" with semicolons.
    header = text.split("\n", 1)[0]
    return ";" if ";" in header and "," not in header else ","


def _records(text: str):
    """(line where the record starts, cells) for each non-blank record after the header."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    previous_end = 0
    for cells in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        yield start, cells


def _choice(value: str, choices) -> str | None:
    """The choice value for a value or a Vietnamese label, ignoring case and accents."""
    wanted = fold(value)
    for choice_value, label in choices.choices:
        if wanted in (fold(choice_value), fold(str(label))):
            return choice_value
    return None


def _labels(choices) -> str:
    return ", ".join(f"{value} / {label}" for value, label in choices.choices)


def _parse_row(line: int, cells: dict[str, str], agencies: dict[str, Agency], errors: list[str]):
    problems_before = len(errors)

    def bad(column, problem):
        errors.append(_problem(line, column, problem, cells.get(column, "")))

    # An empty level is reported once, by the choice check below, with the accepted values.
    for column in REQUIRED_COLUMNS:
        if column not in ("level", "online_level") and not cells[column]:
            bad(column, _("không được để trống"))

    code = cells["code"]
    if code:
        try:
            validate_national_code(code)
        except ValidationError:
            bad("code", _("mã TTHC không đúng dạng mã quốc gia (ví dụ 1.001806)"))
    for column, limit in (("name", 500), ("field", 200), ("legal_basis", 255)):
        if len(cells.get(column) or "") > limit:
            bad(column, _("dài quá %(limit)d ký tự") % {"limit": limit})

    level = _choice(cells["level"], ProcedureLevel)
    if level is None:
        bad("level", _("cấp thực hiện không hợp lệ; dùng một trong: %s") % _labels(ProcedureLevel))
    online_level = _choice(cells["online_level"], OnlineLevel)
    if online_level is None:
        bad(
            "online_level",
            _("mức độ trực tuyến không hợp lệ; dùng một trong: %s") % _labels(OnlineLevel),
        )

    working_days = None
    if cells["working_days"]:
        try:
            # Vietnamese documents write "0,5 ngày"; both separators are accepted.
            working_days = Decimal(cells["working_days"].replace(",", "."))
            if not working_days.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            bad("working_days", _("không phải số ngày làm việc (ví dụ 0,5 hoặc 7)"))
        else:
            if working_days >= 10000:
                bad("working_days", _("thời hạn quá lớn"))
                working_days = None
            else:
                try:
                    validate_quarter_days(working_days)
                except ValidationError:
                    bad(
                        "working_days",
                        _("phải là số không âm, bội số của 0,25 ngày làm việc"),
                    )
                    working_days = None

    effective_from = None
    if cells["effective_from"]:
        try:
            effective_from = datetime.datetime.strptime(cells["effective_from"], DATE_FORMAT).date()
        except ValueError:
            bad("effective_from", _("ngày không đúng dạng dd/mm/yyyy"))

    agency_codes = None
    if "handling_agencies" in cells:
        agency_codes = tuple(
            sorted(
                {
                    part.strip().upper()
                    for part in cells["handling_agencies"].split(AGENCY_SEPARATOR)
                    if part.strip()
                }
            )
        )
        unknown = [c for c in agency_codes if c not in agencies]
        if unknown:
            bad(
                "handling_agencies",
                _("không có cơ quan mang mã %s") % ", ".join(unknown),
            )

    if len(errors) > problems_before:
        return None
    return _Row(
        line=line,
        code=code,
        name=cells["name"],
        field=cells["field"],
        level=level,
        online_level=online_level,
        working_days=working_days.quantize(Decimal("0.01")),
        effective_from=effective_from,
        legal_basis=cells.get("legal_basis"),
        agency_codes=agency_codes,
    )


def _parse(text: str) -> list[_Row]:
    """Every row of the file, checked; raises CatalogueImportError listing all problems."""
    errors: list[str] = []
    records = _records(text)
    try:
        header_line, header = next(records)
    except StopIteration:
        raise CatalogueImportError([_("Tệp trống: thiếu dòng tiêu đề.")]) from None
    columns = [fold(cell) for cell in header]
    for column, cell in zip(columns, header, strict=True):
        if column not in COLUMNS:
            errors.append(_problem(header_line, cell, _("cột không được hỗ trợ"), cell))
    seen = set()
    for column in columns:
        if column in seen:
            errors.append(_problem(header_line, column, _("cột bị lặp"), column))
        seen.add(column)
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            errors.append(_problem(header_line, column, _("thiếu cột bắt buộc"), ""))
    if errors:
        raise CatalogueImportError(errors)

    agencies = {a.code.upper(): a for a in Agency.objects.all()}
    rows: list[_Row] = []
    for line, raw in records:
        if len(raw) > len(columns):
            errors.append(_problem(line, "—", _("dòng có nhiều ô hơn tiêu đề"), " | ".join(raw)))
            continue
        cells = {column: nfc(raw[i]) if i < len(raw) else "" for i, column in enumerate(columns)}
        row = _parse_row(line, cells, agencies, errors)
        if row is not None:
            rows.append(row)
    if not errors:
        _check_duplicates(rows, errors)
    if errors:
        raise CatalogueImportError(errors)
    return rows


def _check_duplicates(rows: list[_Row], errors: list[str]) -> None:
    """Rows of one code must describe the same TTHC; one (code, date) must give one limit."""
    first_of_code: dict[str, _Row] = {}
    first_of_limit: dict[tuple[str, datetime.date], _Row] = {}
    for row in rows:
        first = first_of_code.setdefault(row.code, row)
        for column in PROCEDURE_COLUMNS:
            attr = "agency_codes" if column == "handling_agencies" else column
            if getattr(row, attr) != getattr(first, attr):
                errors.append(
                    _problem(
                        row.line,
                        column,
                        _("mã TTHC %(code)s đã có ở dòng %(first)d với dữ liệu khác")
                        % {"code": row.code, "first": first.line},
                        _display(getattr(row, attr)),
                    )
                )
        limit = first_of_limit.setdefault((row.code, row.effective_from), row)
        if limit is not row and (
            limit.working_days != row.working_days or limit.legal_basis != row.legal_basis
        ):
            errors.append(
                _problem(
                    row.line,
                    "working_days",
                    _(
                        "thời hạn của mã TTHC %(code)s từ ngày %(date)s đã có ở dòng %(first)d với dữ liệu khác"
                    )
                    % {
                        "code": row.code,
                        "date": row.effective_from.strftime(DATE_FORMAT),
                        "first": limit.line,
                    },
                    row.working_days,
                )
            )


def _display(value) -> str:
    if isinstance(value, tuple):
        return AGENCY_SEPARATOR.join(value)
    return str(value)


def _save(obj, actor) -> None:
    if actor is not None:
        obj._history_user = actor
    obj.save()


def _apply(rows: list[_Row], actor, result: ImportResult) -> None:
    agencies = {a.code.upper(): a for a in Agency.objects.all()}
    by_code: dict[str, list[_Row]] = {}
    for row in rows:
        by_code.setdefault(row.code, []).append(row)

    existing = {p.code: p for p in AdministrativeProcedure.objects.filter(code__in=by_code)}
    for code, code_rows in by_code.items():
        first = code_rows[0]
        values = {
            "name": first.name,
            "field": first.field,
            "level": first.level,
            "online_level": first.online_level,
        }
        procedure = existing.get(code)
        created = procedure is None
        changed = False
        if created:
            procedure = AdministrativeProcedure(code=code, **values)
            procedure.full_clean(exclude=["handling_agencies"])
            _save(procedure, actor)
        elif any(getattr(procedure, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(procedure, key, value)
            procedure.full_clean()
            _save(procedure, actor)
            changed = True

        if first.agency_codes is not None:
            wanted = {agencies[c].pk for c in first.agency_codes}
            current = set(procedure.handling_agencies.values_list("pk", flat=True))
            if wanted != current:
                if actor is not None:
                    procedure._history_user = actor  # read by simple-history's m2m handler
                procedure.handling_agencies.set(wanted)
                changed = True

        limits = {t.effective_from: t for t in procedure.time_limits.all()}
        for row in code_rows:
            limit = limits.get(row.effective_from)
            if limit is None:
                limit = TimeLimit(
                    procedure=procedure,
                    working_days=row.working_days,
                    effective_from=row.effective_from,
                    legal_basis=row.legal_basis or "",
                )
                _save(limit, actor)
                limits[row.effective_from] = limit
                result.time_limits_created += 1
                changed = True
            elif limit.working_days != row.working_days or (
                row.legal_basis is not None and limit.legal_basis != row.legal_basis
            ):
                limit.working_days = row.working_days
                if row.legal_basis is not None:
                    limit.legal_basis = row.legal_basis
                _save(limit, actor)
                result.time_limits_updated += 1
                changed = True

        if created:
            result.created += 1
        elif changed:
            result.updated += 1
        else:
            result.unchanged += 1


def catalogue_import_csv(*, actor, file, dry_run: bool = False) -> ImportResult:
    """Import the TTHC catalogue from a CSV file, all or nothing.

    ``file`` is a path, a binary file (an upload) or a text stream. ``actor`` None means the system
    (seed data, management commands); a person must be an administrator, because the catalogue is
    shared by every agency. With ``dry_run`` everything is checked and counted, then rolled back.
    """
    if actor is not None and not permissions.is_admin(actor):
        raise PermissionDenied(_("Chỉ quản trị viên được nhập danh mục thủ tục hành chính."))
    rows = _parse(_read_text(file))
    result = ImportResult(rows=len(rows), dry_run=dry_run)
    with transaction.atomic():
        _apply(rows, actor, result)
        if dry_run:
            transaction.set_rollback(True)
    return result
