"""TTHC catalogue import: load administrative procedures and their time limits from CSV or XLSX.

The file (read by ``qms.tabular``: size cap, UTF-8 or Windows-1258, delimiter) has one row per
(TTHC, time limit): a TTHC whose statutory limit changed over time appears on several rows with
the same code and different ``effective_from``. Every row is checked before
anything is written, and one bad row rejects the whole file (all-or-nothing), so an officer never
has to work out which half of a file went in.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qms import permissions, signals, tabular
from qms.models import (
    AdministrativeProcedure,
    Agency,
    HandlingAgency,
    OnlineLevel,
    ProcedureLevel,
    TimeLimit,
)
from qms.models.catalogue import validate_national_code, validate_quarter_days
from qms.tabular import CellError, TabularError, problem
from qms.text import fold

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

# Procedure-level columns: every row of one code must agree on them.
PROCEDURE_COLUMNS = ("name", "field", "level", "online_level", "handling_agencies")

AGENCY_SEPARATOR = ";"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    time_limits_created: int = 0
    time_limits_updated: int = 0
    rows: int = 0
    dry_run: bool = False
    encoding: str | None = None  # of a CSV file, as assumed by the reader

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
        if self.encoding == tabular.WINDOWS_1258:
            text += " " + _("(Tệp CSV được đọc theo bảng mã Windows-1258.)")
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


def _choice(value: str, choices) -> str | None:
    """The choice value for a value or a Vietnamese label, ignoring case and accents."""
    wanted = fold(value)
    for choice_value, label in choices.choices:
        if wanted in (fold(choice_value), fold(str(label))):
            return choice_value
    return None


def _labels(choices) -> str:
    return ", ".join(f"{value} / {label}" for value, label in choices.choices)


def _parse_row(line: int, values: dict, agencies: dict[str, Agency], errors: list[str]):
    problems_before = len(errors)
    cells = {column: tabular.as_text(value) for column, value in values.items()}

    def bad(column, text):
        errors.append(problem(line, column, text, cells.get(column, "")))

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
            working_days = tabular.parse_decimal(values["working_days"])
        except CellError as exc:
            bad("working_days", str(exc))
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
            effective_from = tabular.parse_date(values["effective_from"])
        except CellError as exc:
            bad("effective_from", str(exc))

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


def _parse(table: tabular.Table) -> list[_Row]:
    """Every row of the file, checked; raises TabularError listing all problems."""
    table.check_columns(required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS)
    errors: list[str] = []
    agencies = {a.code.upper(): a for a in Agency.objects.all()}
    rows: list[_Row] = []
    try:
        for line, values in table:
            too_many = tabular.extra_cells_problem(line, values)
            if too_many:
                errors.append(too_many)
                continue
            row = _parse_row(line, values, agencies, errors)
            if row is not None:
                rows.append(row)
    except TabularError as exc:  # the file stops being readable part-way: report with the rest
        errors.extend(exc.messages)
    if not errors:
        _check_duplicates(rows, errors)
    if errors:
        raise TabularError(errors)
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
                    problem(
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
                problem(
                    row.line,
                    "working_days",
                    _(
                        "thời hạn của mã TTHC %(code)s từ ngày %(date)s đã có ở dòng %(first)d với dữ liệu khác"
                    )
                    % {
                        "code": row.code,
                        "date": tabular.as_text(row.effective_from),
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


def time_limit_announce(limit: TimeLimit, *, previous_working_days) -> None:
    """Tell the apps (``qms.signals.tthc_time_limit_changed``) once the change is committed; a
    rolled-back change (a dry run, a rejected file) announces nothing."""
    transaction.on_commit(
        lambda: signals.tthc_time_limit_changed.send(
            sender=TimeLimit,
            procedure=limit.procedure,
            time_limit=limit,
            previous_working_days=previous_working_days,
        )
    )


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
                # Row by row, so each addition and removal keeps its history with the actor.
                for link in procedure.handling_agency_links.exclude(agency_id__in=wanted):
                    if actor is not None:
                        link._history_user = actor
                    link.delete()
                for agency_id in sorted(wanted - current):
                    _save(HandlingAgency(procedure=procedure, agency_id=agency_id), actor)
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
                time_limit_announce(limit, previous_working_days=None)
                limits[row.effective_from] = limit
                result.time_limits_created += 1
                changed = True
            elif limit.working_days != row.working_days or (
                row.legal_basis is not None and limit.legal_basis != row.legal_basis
            ):
                previous_days = limit.working_days
                limit.working_days = row.working_days
                if row.legal_basis is not None:
                    limit.legal_basis = row.legal_basis
                _save(limit, actor)
                if previous_days != limit.working_days:
                    time_limit_announce(limit, previous_working_days=previous_days)
                result.time_limits_updated += 1
                changed = True

        if created:
            result.created += 1
        elif changed:
            result.updated += 1
        else:
            result.unchanged += 1


def catalogue_import(*, actor, file, dry_run: bool = False) -> ImportResult:
    """Import the TTHC catalogue from a CSV or XLSX file, all or nothing.

    ``file`` is a path, a binary file or an upload (see ``qms.tabular.open_table``); a rejected file
    raises ``TabularError`` listing every problem by line and column. ``actor`` None means the system
    (seed data, management commands); a person must be an administrator, because the catalogue is
    shared by every agency. With ``dry_run`` everything is checked and counted, then rolled back.
    """
    if actor is not None and not permissions.is_admin(actor):
        raise PermissionDenied(_("Chỉ quản trị viên được nhập danh mục thủ tục hành chính."))
    with tabular.open_table(file) as table:
        rows = _parse(table)
    result = ImportResult(rows=len(rows), dry_run=dry_run, encoding=table.encoding)
    with transaction.atomic():
        _apply(rows, actor, result)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _unchanged_in_database(row) -> bool:
    fields = [f.attname for f in row._meta.concrete_fields]
    stored = type(row).objects.filter(pk=row.pk).values(*fields).first()
    return stored == {name: getattr(row, name) for name in fields}


@transaction.atomic
def procedure_admin_save(*, actor, instance: AdministrativeProcedure) -> AdministrativeProcedure:
    """Save a TTHC from the admin form with its inline rows (time limits, handling agencies).

    Saving a cluster writes every inline row again; only the rows that were added or changed
    get a history row, so a TTHC's history says what really changed and who changed it.
    """
    if not permissions.is_admin(actor):
        raise PermissionDenied(_("Chỉ quản trị viên được sửa danh mục thủ tục hành chính."))
    quiet = []
    stored_days = dict(
        TimeLimit.objects.filter(procedure_id=instance.pk).values_list("pk", "working_days")
    )
    for relation in ("time_limits", "handling_agency_links"):
        for row in getattr(instance, relation).all():
            row._history_user = actor
            if row.pk is not None and _unchanged_in_database(row):
                row.skip_history_when_saving = True
                quiet.append(row)
    instance._history_user = actor
    with transaction.atomic():
        try:
            instance.save()
        finally:
            for row in quiet:
                del row.skip_history_when_saving
        for limit in instance.time_limits.all():
            previous = stored_days.get(limit.pk)
            if limit.pk not in stored_days or previous != limit.working_days:
                time_limit_announce(limit, previous_working_days=previous)
    return instance
