"""The process-control sheet file of the one-stop export (issue 11), read row by row: one row per
step of a dossier, recognised by its columns (a step code, a unit, when it was handed in)::

    Mã hồ sơ | [Mã cơ quan] | [Mã TTHC] | Bước | [Nội dung] | Đơn vị xử lý | [Thời hạn] |
    Nhận lúc | Chuyển lúc

as the one-stop systems write it (the XLSX's sheet "Quy trình" saved on its own, or its CSV);
headers compared folded with aliases, as the dossier file's (``indicators.importing``). The rows
of a dossier come together, in order; they attach to a dossier of the agency already imported (the
upload's agency, or the agency-code column's, checked as for dossiers). A row with a problem
rejects its whole sheet (every line of the dossier is reported), so a sheet is never written in
part. Other columns (content, planned days, TTHC) are ignored: the allotted time is the procedure's
in force (``services.steps``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from qms.tabular import CellError, as_text, problem, shown
from qms.text import nfc

from .importing import FIELDS, Columns, RowError, RowParser, header_key, parse_moment
from .models import Dossier
from .services.steps import StepRow, validate_sheet

STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "agency_code": FIELDS["agency_code"],
    "code": FIELDS["code"],
    "step": ("Bước", "Mã bước", "Bước xử lý", "step", "step_code"),
    "unit": (
        "Đơn vị xử lý",
        "Đơn vị thực hiện",
        "Đơn vị, bộ phận xử lý",
        "Bộ phận xử lý",
        "Đơn vị",
        "unit",
        "handler",
        "department",
    ),
    "handed_in_at": (
        "Nhận lúc",
        "Ngày nhận",
        "Thời điểm nhận",
        "Thời gian nhận",
        "handed_in_at",
        "handed_in",
        "started_at",
    ),
    "handed_out_at": (
        "Chuyển lúc",
        "Ngày chuyển",
        "Thời điểm chuyển",
        "Thời gian chuyển",
        "Ngày hoàn thành",
        "handed_out_at",
        "handed_out",
        "finished_at",
    ),
}
STEP_REQUIRED = ("code", "step", "unit", "handed_in_at")
STEP_DATE_FIELDS = ("handed_in_at", "handed_out_at")
_SIGNATURE = ("step", "unit", "handed_in_at")  # the columns that make a file a step sheet
_ROW_FIELD = {
    "code": "step",
    "unit": "unit",
    "handed_in_at": "handed_in_at",
    "handed_out_at": "handed_out_at",
}


class StepColumns(Columns):
    FIELDS = STEP_FIELDS
    DATE_FIELDS = STEP_DATE_FIELDS


def is_step_table(table) -> bool:
    """Whether an opened table is a step sheet: it has a step, a unit and a handed-in column."""
    keys = {header_key(h) for h in table.header}
    return all(keys & {header_key(a) for a in STEP_FIELDS[name]} for name in _SIGNATURE)


def resolve_step_columns(table) -> StepColumns:
    from .importing import resolve_columns

    return resolve_columns(
        table, fields=STEP_FIELDS, required=STEP_REQUIRED, columns_class=StepColumns
    )


def sheet_key(columns: StepColumns, values) -> tuple[str, str]:
    """The dossier a raw row belongs to, as written: (agency code, dossier code)."""
    agency = values.get(columns.keys["agency_code"], "") if "agency_code" in columns.keys else ""
    return (
        nfc(as_text(agency or "")).upper(),
        nfc(as_text(values.get(columns.keys["code"], "") or "")),
    )


class StepRowParser(RowParser):
    """Parses a chunk of step rows into sheets: {dossier id: [(line, StepRow)]}, and the problems.
    A chunk holds whole sheets (``services.imports`` never cuts a dossier's rows); a dossier whose
    rows come apart in the file (another dossier's rows between) is rejected naming its first
    line."""

    def __init__(self, columns, **kwargs):
        super().__init__(columns, **kwargs)
        self._last_key = None
        self._first_line: dict[tuple[int, str], int] = {}

    def parse(self, rows):
        self._load(rows)
        parsed, errors = [], []
        for line, values in rows:
            result, row_errors = self._row(line, values)
            errors += row_errors
            parsed.append((line, result, bool(row_errors)))
        dossiers = self._dossiers([r for _line, r, _bad in parsed if r is not None])
        groups: dict[tuple[int, str], list] = {}
        for line, result, bad in parsed:
            if result is None:
                continue
            key, step = result
            groups.setdefault(key, []).append((line, step, bad))
        sheets = {}
        for key, group in groups.items():
            group_errors = []
            dossier_id = dossiers.get(key)
            first_line = group[0][0]
            if dossier_id is None:
                group_errors.append(
                    self._error(
                        first_line,
                        "code",
                        _("không có hồ sơ mang mã này của cơ quan (hãy nhập dữ liệu hồ sơ trước)"),
                        key[1],
                    )
                )
            good = [(line, step) for line, step, bad in group if not bad]
            if len(good) == len(group):
                for index, field, message in validate_sheet([step for _line, step in good]):
                    line = good[index][0]
                    group_errors.append(self._error(line, _ROW_FIELD.get(field, "step"), message))
            bad_lines = {e.line for e in group_errors} | {line for line, _s, bad in group if bad}
            if bad_lines:
                errors += group_errors
                for line, _step, _bad in group:
                    if line not in bad_lines:
                        errors.append(
                            self._error(
                                line,
                                "code",
                                _(
                                    "phiếu của hồ sơ này có dòng lỗi (dòng %(lines)s): cả phiếu "
                                    "không được ghi"
                                )
                                % {"lines": ", ".join(str(n) for n in sorted(bad_lines))},
                                key[1],
                            )
                        )
                continue
            sheets[dossier_id] = [(line, step) for line, step in good]
        return sheets, errors

    def _error(self, line, name, text, value=None) -> RowError:
        header = self.columns.header(name)
        value = shown(value) if value is not None else ""
        message = problem(line, header, text, value) if value else problem(line, header, text)
        return RowError(line, header, value, message)

    def _dossiers(self, results) -> dict[tuple[int, str], int]:
        codes = {key[1] for key, _step in results}
        agencies = {key[0] for key, _step in results}
        if not codes:
            return {}
        return {
            (agency_id, code): pk
            for pk, agency_id, code in Dossier.objects.filter(
                agency_id__in=agencies, code__in=codes
            ).values_list("pk", "agency_id", "code")
        }

    def _row(self, line, values):
        errors: list[RowError] = []

        def report(name, text, value=None):
            errors.append(
                self._error(
                    line, name, text, value if value is not None else self._value(values, name)
                )
            )

        if values.get(None):
            errors.append(
                RowError(line, None, "", problem(line, None, _("dòng có nhiều ô hơn tiêu đề")))
            )
            return None, errors
        agency = self._row_agency(values, report)
        if agency is None:
            return None, errors
        code = nfc(as_text(self._value(values, "code")))
        if not code:
            report("code", _("thiếu mã hồ sơ"))
            return None, errors
        key = (agency.pk, code)
        first = self._first_line.get(key)
        if first is not None and self._last_key != key:
            report(
                "code",
                _(
                    "các dòng của một hồ sơ phải liền nhau: hồ sơ này đã có ở dòng %(first)d, "
                    "có dòng của hồ sơ khác xen giữa"
                )
                % {"first": first},
                code,
            )
        self._first_line.setdefault(key, line)
        self._last_key = key
        moments = {}
        for name in STEP_DATE_FIELDS:
            try:
                moments[name] = parse_moment(self._value(values, name), self.tz)
            except CellError as exc:
                report(name, str(exc))
                moments[name] = None
        step = StepRow(
            code=nfc(as_text(self._value(values, "step"))),
            unit=nfc(as_text(self._value(values, "unit"))),
            handed_in_at=moments["handed_in_at"],
            handed_out_at=moments["handed_out_at"],
        )
        return (key, step), errors
