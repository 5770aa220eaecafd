"""The one-stop system's export read row by row: its columns and the parse of one row into a
``DossierRecord`` (issue 10 point 4).

Columns are found by header, compared folded (``qms.text.fold``: no accents, lower case; "_" and
"-" read as spaces): the Vietnamese headers of the one-stop exports and English aliases, unless a
source's saved mapping ({field key: header}) names the header of a field. Columns of personal data
(Decree 13/2023/NĐ-CP: names, ID numbers, addresses, phone numbers, e-mail) are recognised and
dropped: only their header names are kept (``Columns.dropped``); their values are never read into a
record, an error message or a model. Any other unknown column is ignored.

Every problem of a row names its line, the file's header of the field and the value, in the one
wording of ``qms.tabular.problem``. A file whose dates only make sense as mm/dd is rejected whole
(``DateOrderScan``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qms import permissions
from qms.models import AdministrativeProcedure, Agency
from qms.tabular import CellError, as_text, problem, shown
from qms.text import fold, nfc

from .models.dossiers import Channel, DossierState, Outcome
from .rules import IMPORT
from .services.dossiers import DossierRecord

# Field key: the headers it is known by, the Vietnamese one of the one-stop exports first (used in
# messages when the file has no such column). English aliases after.
FIELDS: dict[str, tuple[str, ...]] = {
    "agency_code": ("Mã cơ quan", "Mã đơn vị", "agency_code", "agency", "unit_code"),
    "code": ("Mã hồ sơ", "Số hồ sơ", "code", "dossier_code", "dossier_id", "dossier"),
    "procedure": ("Mã TTHC", "Mã thủ tục", "procedure_code", "procedure", "tthc_code"),
    "received_at": ("Ngày tiếp nhận", "received_at", "received", "received_date"),
    "appointment_at": ("Ngày hẹn trả", "appointment_at", "appointment", "appointment_date"),
    "resolved_at": ("Ngày trả kết quả", "resolved_at", "resolved", "resolved_date"),
    "status": ("Trạng thái", "status", "state"),
    "channel": ("Kênh nộp", "Hình thức nộp", "channel", "submission_channel"),
    "supplement_requested_at": (
        "Ngày yêu cầu bổ sung",
        "supplement_requested_at",
        "supplement_requested",
    ),
    "resubmitted_at": ("Ngày nhận đủ hồ sơ bổ sung", "resubmitted_at", "resubmitted"),
    "extended_at": ("Ngày gửi thư xin lỗi", "extended_at", "apology_letter_at", "extended"),
    "extended_due_at": ("Ngày hẹn trả lại", "extended_due_at", "new_appointment_at"),
    "digitised": ("Số hóa", "digitised", "digitized"),
    "e_result": ("Trả kết quả điện tử", "e_result", "electronic_result"),
    "online_payment": ("Thanh toán trực tuyến", "online_payment"),
    "rating": ("Mức độ hài lòng", "Đánh giá", "rating", "satisfaction"),
    "updated_at": ("Ngày cập nhật", "updated_at", "last_updated"),
}
REQUIRED = ("code", "procedure", "received_at", "status", "channel")
DATE_FIELDS = (
    "received_at",
    "appointment_at",
    "resolved_at",
    "supplement_requested_at",
    "resubmitted_at",
    "extended_at",
    "extended_due_at",
    "updated_at",
)
BOOLEAN_FIELDS = ("digitised", "e_result", "online_payment")

# Headers of personal data (Decree 13/2023/NĐ-CP), folded: a header equal to one of these, or
# containing one of PERSONAL_PARTS, is dropped unread.
PERSONAL_HEADERS = frozenset(
    {
        "ho ten",
        "ho va ten",
        "ten nguoi nop",
        "nguoi nop",
        "nguoi nop ho so",
        "chu ho so",
        "ten chu ho so",
        "ten to chuc ca nhan",
        "to chuc ca nhan",
        "ten ca nhan",
        "so cmnd",
        "cmnd",
        "cccd",
        "so cccd",
        "so dinh danh",
        "so dinh danh ca nhan",
        "so giay to",
        "so giay to tuy than",
        "so ho chieu",
        "dia chi",
        "so dien thoai",
        "dien thoai",
        "email",
        "thu dien tu",
        "ngay sinh",
        "name",
        "full name",
        "fullname",
        "applicant",
        "applicant name",
        "owner",
        "owner name",
        "address",
        "phone",
        "phone number",
        "mobile",
        "telephone",
        "e mail",
        "id number",
        "id no",
        "citizen id",
        "national id",
        "passport",
        "passport number",
        "date of birth",
        "birth date",
        "dob",
    }
)
PERSONAL_PARTS = (
    "ho ten",
    "ho va ten",
    "cmnd",
    "cccd",
    "dinh danh",
    "giay to tuy than",
    "ho chieu",
    "dia chi",
    "dien thoai",
    "email",
    "thu dien tu",
    "ngay sinh",
    "nguoi nop",
    "chu ho so",
)

PERSONAL_DATA_NOTE = gettext_lazy(
    "Không lưu dữ liệu cá nhân (Nghị định 13/2023/NĐ-CP): các cột họ tên, số CMND/CCCD, số định "
    "danh, địa chỉ, số điện thoại, thư điện tử của tệp bị bỏ qua khi nhập, giá trị của chúng không "
    "được đọc hay lưu; chỉ tên cột được ghi lại."
)


def header_key(header) -> str:
    """A header as compared: folded, with "_" and "-" read as spaces."""
    return " ".join(re.split(r"[\s_\-]+", fold(header))).strip()


def _aliases(fields: dict) -> dict[str, frozenset[str]]:
    return {key: frozenset(header_key(h) for h in headers) for key, headers in fields.items()}


_ALIASES = _aliases(FIELDS)


def is_personal(header) -> bool:
    key = header_key(header)
    return key in PERSONAL_HEADERS or any(part in key for part in PERSONAL_PARTS)


def columns_help() -> list[dict]:
    """The accepted columns for the import screen: field key, Vietnamese header, other names,
    required or not."""
    return [
        {
            "key": key,
            "header": headers[0],
            "aliases": list(headers[1:]),
            "required": key in REQUIRED,
        }
        for key, headers in FIELDS.items()
    ]


# Values ----------------------------------------------------------------------------------------

# Status (folded) -> an Outcome, a pending DossierState or WAITING. The words are written out (not
# the choices' labels, which are translated). "Chờ bổ sung" is pending; the dossier waits while a
# supplement is requested and not yet received (services.dossiers.state_of).
WAITING = "waiting"
_STATUS_WORDS = {
    Outcome.ISSUED: (
        "Đã trả kết quả",
        "Đã giải quyết",
        "Đã giải quyết trước hạn",
        "Đã giải quyết đúng hạn",
        "Đã giải quyết trễ hạn",
        "Đã giải quyết quá hạn",
        "Hoàn thành",
        "Đã hoàn thành",
        "Trả kết quả",
        "Đã trả",
        "Đã có kết quả",
        "resolved",
        "issued",
        "completed",
        "complete",
        "done",
        "finished",
    ),
    Outcome.REFUSED: (
        "Từ chối giải quyết",
        "Từ chối",
        "Không giải quyết",
        "Trả lại hồ sơ",
        "refused",
        "rejected",
        "denied",
    ),
    Outcome.WITHDRAWN: (
        "Rút hồ sơ",
        "Công dân rút hồ sơ",
        "Đã rút",
        "withdrawn",
        "cancelled by applicant",
    ),
    DossierState.RECEIVED: (
        "Mới tiếp nhận",
        "Tiếp nhận",
        "Đã tiếp nhận",
        "Mới",
        "Chờ tiếp nhận",
        "received",
        "new",
    ),
    DossierState.IN_PROGRESS: (
        "Đang giải quyết",
        "Đang xử lý",
        "Đang giải quyết trong hạn",
        "Đang giải quyết quá hạn",
        "Đang giải quyết trễ hạn",
        "Đang thụ lý",
        "Chờ trả kết quả",
        "in progress",
        "processing",
        "pending",
    ),
    WAITING: (
        "Chờ bổ sung",
        "Chờ bổ sung",
        "Yêu cầu bổ sung",
        "Đang bổ sung",
        "Bổ sung hồ sơ",
        "waiting",
        "supplement requested",
        "awaiting supplement",
    ),
}
STATUSES = {header_key(word): meaning for meaning, words in _STATUS_WORDS.items() for word in words}

_CHANNEL_WORDS = {
    Channel.ONLINE: ("Trực tuyến", "Nộp trực tuyến", "Qua mạng", "online", "internet"),
    Channel.IN_PERSON: (
        "Trực tiếp",
        "Nộp trực tiếp",
        "Tại bộ phận một cửa",
        "in person",
        "direct",
        "counter",
    ),
    Channel.POSTAL: ("Bưu chính", "Qua bưu chính", "Bưu điện", "postal", "post", "mail"),
    Channel.PUBLIC_POSTAL: (
        "Dịch vụ bưu chính công ích",
        "Bưu chính công ích",
        "Qua dịch vụ bưu chính công ích",
        "Dịch vụ BCCI",
        "BCCI",
        "public postal",
        "public postal service",
    ),
}
CHANNELS = {
    header_key(word): meaning for meaning, words in _CHANNEL_WORDS.items() for word in words
}

_TRUE = {"co", "x", "1", "yes", "y", "true", "dung", "da so hoa", "da thanh toan"}
_FALSE = {"khong", "0", "no", "n", "false", "sai", "chua"}
_RATINGS = {
    "rat hai long": 5,
    "hai long": 4,
    "binh thuong": 3,
    "khong hai long": 2,
    "rat khong hai long": 1,
}

_MOMENT = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_DAY_MONTH = re.compile(r"\s*(\d{1,2})/(\d{1,2})/\d{4}")


def parse_moment(value, tz) -> dt.datetime | None:
    """dd/mm/yyyy or dd/mm/yyyy HH:MM[:SS] in local time (an XLSX date cell too); None when empty."""
    if isinstance(value, dt.datetime):
        return timezone.make_aware(value, tz) if timezone.is_naive(value) else value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0, 0), tzinfo=tz)
    text = nfc(value)
    if not text:
        return None
    match = _MOMENT.fullmatch(text)
    if match is None:
        raise CellError(_("ngày giờ sai định dạng dd/mm/yyyy hoặc dd/mm/yyyy HH:MM"))
    day, month, year = (int(part) for part in match.groups()[:3])
    hour, minute, second = (int(part or 0) for part in match.groups()[3:])
    try:
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        raise CellError(_("ngày giờ %s không tồn tại") % text) from None


def parse_boolean(value) -> bool:
    key = header_key(as_text(value))
    if key == "" or key in _FALSE:
        return False
    if key in _TRUE:
        return True
    raise CellError(_("không phải Có/Không (Có, Không, x, 1, 0)"))


def parse_rating(value) -> int | None:
    text = header_key(as_text(value))
    if not text:
        return None
    if text in _RATINGS:
        return _RATINGS[text]
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        number = None
    if number is None or not number.is_integer() or not 1 <= number <= 5:
        raise CellError(_("mức độ hài lòng phải là số nguyên từ 1 đến 5"))
    return int(number)


# Columns ---------------------------------------------------------------------------------------


class FileRejected(Exception):
    """The whole file is refused; ``messages`` say why, each in the wording of problem()."""

    def __init__(self, messages):
        self.messages = [str(m) for m in messages]
        super().__init__("\n".join(self.messages))


@dataclass
class Columns:
    """Where each field is in a table: its key in a record's values and its header as written."""

    keys: dict[str, str]  # field key -> the table's (folded) column
    headers: dict[str, str]  # field key -> the file's header
    dropped: list[str] = field(default_factory=list)  # personal-data headers, as written

    # The kind of file's fields and its date fields (class attributes, not dataclass fields).
    FIELDS = FIELDS
    DATE_FIELDS = DATE_FIELDS

    def header(self, key: str | None) -> str | None:
        if key is None:
            return None
        return self.headers.get(key) or self.FIELDS[key][0]


def resolve_columns(
    table, mapping: dict | None = None, *, fields=None, required=None, columns_class=None
) -> Columns:
    """The fields of ``table`` (an opened ``qms.tabular.Table``): a source's ``mapping`` first, then
    the known headers. FileRejected names a missing required column or a field found twice.
    ``fields``, ``required``, ``columns_class``: another kind of file's (the step sheet's)."""
    fields = FIELDS if fields is None else fields
    required = REQUIRED if required is None else required
    columns_class = columns_class or Columns
    known = _ALIASES if fields is FIELDS else _aliases(fields)
    mapping = {k: header_key(v) for k, v in (mapping or {}).items() if k in fields and v}
    header_line = table.header_line
    repeated = Counter(table.columns)
    keys, headers, dropped, errors = {}, {}, [], []
    candidates: dict[str, list[int]] = {}
    for index, written in enumerate(table.header):
        key = header_key(written)
        if not key:
            continue
        if is_personal(written):
            dropped.append(written)
            continue
        mapped = [name for name, wanted in mapping.items() if wanted == key]
        if mapped:
            for name in mapped:
                candidates.setdefault(name, []).append(index)
            continue
        for name, aliases in known.items():
            if key in aliases and name not in mapping:
                candidates.setdefault(name, []).append(index)
    # A mapped field whose header is not in the file falls back to the known headers.
    for name in mapping:
        if name not in candidates:
            for index, written in enumerate(table.header):
                if header_key(written) in known[name] and not is_personal(written):
                    candidates.setdefault(name, []).append(index)
    for name, indexes in candidates.items():
        column = table.columns[indexes[0]]
        if len(indexes) > 1 or repeated[column] > 1:
            shown_headers = ", ".join(f"«{table.header[i]}»" for i in indexes)
            errors.append(
                problem(
                    header_line,
                    table.header[indexes[0]],
                    _("cột của “%(field)s” xuất hiện nhiều lần (%(headers)s)")
                    % {"field": fields[name][0], "headers": shown_headers},
                )
            )
            continue
        keys[name] = column
        headers[name] = table.header[indexes[0]]
    for name in required:
        if name not in keys and name not in candidates:  # (a repeated one is reported above)
            errors.append(
                problem(
                    header_line,
                    fields[name][0],
                    _("thiếu cột bắt buộc (tên khác được nhận: %(aliases)s)")
                    % {"aliases": ", ".join(fields[name][1:])},
                )
            )
    if errors:
        raise FileRejected(errors)
    return columns_class(keys=keys, headers=headers, dropped=dropped)


class DateOrderScan:
    """Watches the typed dates of a file: when some second component is over 12 and no first one
    is, the file was written mm/dd and is rejected whole (``verdict()``)."""

    def __init__(self, columns: Columns):
        self.columns = columns
        self._date_columns = [
            (name, columns.keys[name]) for name in columns.DATE_FIELDS if name in columns.keys
        ]
        self.day_over_12 = False
        self.example = None  # (line, header, text) of a month over 12

    def see(self, line: int, values: dict) -> None:
        if self.day_over_12:
            return
        for name, column in self._date_columns:
            value = values.get(column)
            if not isinstance(value, str) or not value:
                continue
            match = _DAY_MONTH.match(value)
            if match is None:
                continue
            first, second = int(match.group(1)), int(match.group(2))
            if first > 12:
                self.day_over_12 = True
                return
            if second > 12 and self.example is None:
                self.example = (line, self.columns.header(name), value)

    def verdict(self) -> str | None:
        """The reason to reject the file, or None."""
        if self.day_over_12 or self.example is None:
            return None
        line, header, text = self.example
        return problem(
            line,
            header,
            _(
                "ngày trong tệp được viết theo kiểu tháng/ngày (mm/dd/yyyy): không ngày nào có "
                "phần đầu lớn hơn 12 mà ở đây phần thứ hai lớn hơn 12. Hãy xuất lại tệp với ngày "
                "dạng dd/mm/yyyy; không dòng nào được ghi"
            ),
            text,
        )


# Rows ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem of a row: its line, the file's header of the field (or None), the value as
    shown and the message in the wording of ``qms.tabular.problem``."""

    line: int
    field: str | None
    value: str
    message: str


class RowParser:
    """Parses rows into DossierRecords, chunk by chunk, for one import.

    ``agency``: the agency chosen at upload (rows without an agency code belong to it); ``actor``:
    whose right to import into an agency of the agency-code column is checked (None: the system).
    Lookups of agencies and TTHC are done once per chunk and kept. Duplicate codes are remembered
    across chunks (``seen``): the second line is rejected naming the first.
    """

    def __init__(self, columns: Columns, *, agency: Agency, actor=None, tz=None):
        self.columns = columns
        self.agency = agency
        self.actor = actor
        self.tz = tz or timezone.get_default_timezone()
        self._agencies: dict[str, Agency | None] = {}
        self._allowed: dict[int, bool] = {agency.pk: True}
        self._procedures: dict[str, int | None] = {}
        self.seen: dict[tuple[int, str], int] = {}

    # --- lookups

    def _value(self, values, name):
        column = self.columns.keys.get(name)
        if column is None:
            return ""
        value = values.get(column, "")
        return value if value is not None else ""

    def _load(self, rows) -> None:
        procedures, agencies = set(), set()
        for _line, values in rows:
            code = nfc(as_text(self._value(values, "procedure")))
            if code and code not in self._procedures:
                procedures.add(code)
            agency_code = nfc(as_text(self._value(values, "agency_code"))).upper()
            if agency_code and agency_code not in self._agencies:
                agencies.add(agency_code)
        if procedures:
            found = dict(
                AdministrativeProcedure.objects.filter(code__in=procedures).values_list(
                    "code", "pk"
                )
            )
            for code in procedures:
                self._procedures[code] = found.get(code)
        if agencies:
            found = {a.code: a for a in Agency.objects.filter(code__in=agencies)}
            for code in agencies:
                self._agencies[code] = found.get(code)

    def _may_import_into(self, agency: Agency) -> bool:
        if agency.pk not in self._allowed:
            self._allowed[agency.pk] = self.actor is None or permissions.can_act_on_agency(
                self.actor, IMPORT, permissions.ADD, agency
            )
        return self._allowed[agency.pk]

    def _row_agency(self, values, report) -> Agency | None:
        """The row's agency: its code column when the row has one (reported when unknown or
        outside the uploader's rights, then None), else the agency of the upload."""
        agency_code = nfc(as_text(self._value(values, "agency_code"))).upper()
        if not agency_code:
            return self.agency
        found = self._agencies.get(agency_code)
        if found is None:
            report("agency_code", _("không có cơ quan, đơn vị mang mã này"))
            return None
        if not self._may_import_into(found):
            report(
                "agency_code",
                _("bạn không được nhập dữ liệu hồ sơ cho “%(agency)s”") % {"agency": found.name},
            )
            return None
        return found

    # --- rows

    def parse(self, rows) -> tuple[list[DossierRecord], list[RowError]]:
        """``rows``: (line, values) of one chunk. Returns the good records and every problem;
        a line with a problem gives no record."""
        self._load(rows)
        records, errors = [], []
        for line, values in rows:
            record, row_errors = self._row(line, values)
            if row_errors:
                errors += row_errors
            else:
                records.append(record)
        return records, errors

    def _row(self, line, values):  # noqa: C901 (one check after another, in the file's order)
        errors: list[RowError] = []

        def report(name, text, value=None):
            header = self.columns.header(name)
            shown_value = shown(value if value is not None else self._value(values, name))
            if shown_value:
                message = problem(line, header, text, shown_value)
            else:
                message = problem(line, header, text)
            errors.append(RowError(line, header, shown_value, message))

        if values.get(None):
            # Cells beyond the header: the row is misaligned, and its cells may hold personal
            # data, so their values are not quoted.
            errors.append(
                RowError(line, None, "", problem(line, None, _("dòng có nhiều ô hơn tiêu đề")))
            )
            return None, errors

        agency = self._row_agency(values, report)

        code = nfc(as_text(self._value(values, "code")))
        if not code:
            report("code", _("thiếu mã hồ sơ"))
        elif len(code) > 64:
            report("code", _("mã hồ sơ dài quá 64 ký tự"))

        procedure_code = nfc(as_text(self._value(values, "procedure")))
        procedure_id = None
        if not procedure_code:
            report("procedure", _("thiếu mã TTHC"))
        else:
            procedure_id = self._procedures.get(procedure_code)
            if procedure_id is None:
                report("procedure", _("không có TTHC mang mã này trong danh mục"))

        moments = {}
        for name in DATE_FIELDS:
            if name not in self.columns.keys:
                moments[name] = None
                continue
            try:
                moments[name] = parse_moment(self._value(values, name), self.tz)
            except CellError as exc:
                report(name, str(exc))
                moments[name] = False  # unreadable: checks that need it are skipped
        received = moments["received_at"]
        if received is None:
            report("received_at", _("thiếu ngày tiếp nhận"))

        def known(name):
            return moments[name] not in (None, False)

        if known("received_at"):
            for name in ("resolved_at", "supplement_requested_at", "extended_at"):
                if known(name) and moments[name] < received:
                    report(
                        name,
                        _("trước ngày tiếp nhận %(received)s")
                        % {"received": as_text(received.astimezone(self.tz).replace(tzinfo=None))},
                    )
        if known("resubmitted_at"):
            if moments["supplement_requested_at"] is None:
                report(
                    "resubmitted_at",
                    _("có ngày nhận đủ hồ sơ bổ sung mà không có ngày yêu cầu bổ sung"),
                )
            elif known("supplement_requested_at") and (
                moments["resubmitted_at"] < moments["supplement_requested_at"]
            ):
                report("resubmitted_at", _("trước ngày yêu cầu bổ sung"))
        if known("extended_due_at") and moments["extended_at"] is None:
            report("extended_due_at", _("có ngày hẹn trả lại mà không có ngày gửi thư xin lỗi"))

        status_text = as_text(self._value(values, "status"))
        status = STATUSES.get(header_key(status_text))
        if not header_key(status_text):
            report("status", _("thiếu trạng thái"))
        elif status is None:
            report(
                "status",
                _(
                    "trạng thái không nhận ra (ví dụ: Đang giải quyết, Đã trả kết quả, Từ chối, Rút hồ sơ)"
                ),
            )
        outcome, pending_state = "", DossierState.IN_PROGRESS
        if status in (Outcome.ISSUED, Outcome.REFUSED, Outcome.WITHDRAWN):
            outcome = str(status)
        elif status == DossierState.RECEIVED:
            pending_state = DossierState.RECEIVED
        if status in (Outcome.ISSUED, Outcome.REFUSED) and moments["resolved_at"] is None:
            report(
                "resolved_at" if "resolved_at" in self.columns.keys else "status",
                _("trạng thái «%(status)s» cần ngày trả kết quả") % {"status": status_text},
                "",
            )
        if status in (DossierState.RECEIVED, DossierState.IN_PROGRESS, WAITING) and known(
            "resolved_at"
        ):
            report(
                "resolved_at",
                _("trạng thái «%(status)s» là hồ sơ chưa giải quyết mà có ngày trả kết quả")
                % {"status": status_text},
            )
        if status == WAITING and moments["supplement_requested_at"] is None:
            report(
                "supplement_requested_at"
                if "supplement_requested_at" in self.columns.keys
                else "status",
                _("trạng thái «%(status)s» cần ngày yêu cầu bổ sung") % {"status": status_text},
                "",
            )

        channel_text = as_text(self._value(values, "channel"))
        channel = CHANNELS.get(header_key(channel_text))
        if not header_key(channel_text):
            report("channel", _("thiếu kênh nộp"))
        elif channel is None:
            report(
                "channel",
                _("kênh nộp không nhận ra (Trực tuyến, Trực tiếp, Bưu chính, Bưu chính công ích)"),
            )

        flags = {}
        for name in BOOLEAN_FIELDS:
            try:
                flags[name] = parse_boolean(self._value(values, name))
            except CellError as exc:
                report(name, str(exc))
        rating = None
        try:
            rating = parse_rating(self._value(values, "rating"))
        except CellError as exc:
            report("rating", str(exc))

        if agency is not None and code and not errors:
            first = self.seen.get((agency.pk, code))
            if first is not None and first != line:
                report(
                    "code",
                    _("mã hồ sơ trùng với dòng %(first)d của tệp") % {"first": first},
                    code,
                )
            else:
                self.seen[(agency.pk, code)] = line
        if errors:
            return None, errors
        record = DossierRecord(
            line=line,
            agency_id=agency.pk,
            code=code,
            procedure_id=procedure_id,
            channel=str(channel),
            received_at=received,
            appointment_at=moments["appointment_at"],
            supplement_requested_at=moments["supplement_requested_at"],
            resubmitted_at=moments["resubmitted_at"],
            extended_at=moments["extended_at"],
            extended_due_at=moments["extended_due_at"],
            resolved_at=moments["resolved_at"],
            outcome=outcome,
            pending_state=pending_state,
            rating=rating,
            source_updated_at=moments["updated_at"],
            **flags,
        )
        return record, []
