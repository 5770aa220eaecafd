"""One-stop export files for the import tests: a small Vietnamese-shaped world and the same rows as
CSV (UTF-8, UTF-8 with BOM, Windows-1258) or XLSX (typed text or date cells)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from qms.models import AgencyKind, Role
from tests import factories

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# The personal data of the rows below: none of it may end up anywhere in the database.
PERSONAL_VALUES = (
    "Nguyễn Văn An",
    "Trần Thị Bích",
    "001085012345",
    "079190004321",
    "12 Hàng Bài",
    "0912345678",
    "an.nguyen@example.vn",
    "Lê Văn Cường",
)

HEADER = [
    "STT",
    "Mã hồ sơ",
    "Mã TTHC",
    "Họ và tên",
    "Số CCCD",
    "Địa chỉ",
    "Số điện thoại",
    "Email",
    "Ngày tiếp nhận",
    "Ngày hẹn trả",
    "Ngày trả kết quả",
    "Ngày yêu cầu bổ sung",
    "Ngày nhận đủ hồ sơ bổ sung",
    "Trạng thái",
    "Kênh nộp",
    "Số hóa",
    "Mức độ hài lòng",
]
PERSONAL_HEADERS = ["Họ và tên", "Số CCCD", "Địa chỉ", "Số điện thoại", "Email"]


def row(**values) -> dict:
    return values


# Four good dossiers, each worked out by hand (office hours 07:30-11:30, 13:00-17:00):
# H-0001: Fri 24/01/2025 15:00, 3 days, Tết 2025 crossed: due Wed 05/02/2025 15:00; returned
#         Tue 04/02 09:30, a day before the due day: early.
# H-0002: Mon 03/03/2025 08:00, 3 days (24 office hours: 7.5 on Monday, 8 Tuesday, 8 Wednesday,
#         0.5 Thursday): due Thu 06/03/2025 08:00; pending.
# H-0003: Tue 04/03/2025 14:00, half a day (4 hours: 3 on Tuesday, 1 on Wednesday): due Wed
#         05/03/2025 08:30; refused Wed 10:00, after the due time on the due day: late.
# H-0004: Wed 05/03/2025 09:00, supplement asked Thu 06/03 10:00, complete Mon 10/03 14:00, the
#         3 days restart then (3 Monday, 8 Tuesday, 8 Wednesday, 5 Thursday): due Thu 13/03/2025
#         14:00; pending.
GOOD_ROWS = [
    row(
        stt="1",
        code="H-0001",
        procedure="1.001806",
        name="Nguyễn Văn An",
        cccd="001085012345",
        address="12 Hàng Bài, Hoàn Kiếm, Hà Nội",
        phone="0912345678",
        email="an.nguyen@example.vn",
        received="24/01/2025 15:00",
        appointment="05/02/2025 15:00",
        resolved="04/02/2025 09:30",
        requested="",
        resubmitted="",
        status="Đã trả kết quả",
        channel="Trực tuyến",
        digitised="Có",
        rating="5",
    ),
    row(
        stt="2",
        code="H-0002",
        procedure="1.001806",
        name="Trần Thị Bích",
        cccd="079190004321",
        address="45 Lê Lợi, Huế",
        phone="0987654321",
        email="",
        received="03/03/2025 08:00",
        appointment="06/03/2025",
        resolved="",
        requested="",
        resubmitted="",
        status="Đang giải quyết",
        channel="Trực tiếp",
        digitised="Không",
        rating="",
    ),
    row(
        stt="3",
        code="H-0003",
        procedure="2.000488",
        name="Lê Văn Cường",
        cccd="",
        address="",
        phone="",
        email="",
        received="04/03/2025 14:00",
        appointment="",
        resolved="05/03/2025 10:00",
        requested="",
        resubmitted="",
        status="Từ chối giải quyết",
        channel="Bưu chính",
        digitised="x",
        rating="2",
    ),
    row(
        stt="4",
        code="H-0004",
        procedure="1.001806",
        name="Nguyễn Văn An",
        cccd="001085012345",
        address="",
        phone="",
        email="",
        received="05/03/2025 09:00",
        appointment="13/03/2025 14:00",
        resolved="",
        requested="06/03/2025 10:00",
        resubmitted="10/03/2025 14:00",
        status="Đang giải quyết",
        channel="Bưu chính công ích",
        digitised="1",
        rating="",
    ),
]
KEYS = [
    "stt",
    "code",
    "procedure",
    "name",
    "cccd",
    "address",
    "phone",
    "email",
    "received",
    "appointment",
    "resolved",
    "requested",
    "resubmitted",
    "status",
    "channel",
    "digitised",
    "rating",
]
DATE_KEYS = {"received", "appointment", "resolved", "requested", "resubmitted"}

_TONES = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """``text`` as a Vietnamese office's Windows-1258 file: base letters, then combining tones."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in _TONES)
        out.append(
            unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)) + tones
        )
    return "".join(out).encode("cp1258")


def csv_text(rows, header=HEADER, keys=KEYS, delimiter=",") -> str:
    output = io.StringIO()
    writer = csv.writer(output, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(k, "") for k in keys])
    return output.getvalue()


def csv_bytes(rows, *, encoding="utf-8", header=HEADER, keys=KEYS, delimiter=",") -> bytes:
    text = csv_text(rows, header, keys, delimiter)
    if encoding == "cp1258":
        return windows_1258(text)
    return text.encode(encoding)


def _cell(key, value):
    """A date typed in a text cell stays text; ``date_cells`` makes it an Excel date cell."""
    if key in DATE_KEYS and value and value[:1].isdigit():
        day, _sep, time = value.partition(" ")
        d, m, y = (int(p) for p in day.split("/"))
        hh, mm = (int(p) for p in time.split(":")) if time else (0, 0)
        return dt.datetime(y, m, d, hh, mm)
    return value


def xlsx_bytes(rows, *, header=HEADER, keys=KEYS, date_cells=True) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for r in rows:
        sheet.append([_cell(k, r.get(k, "")) if date_cells else r.get(k, "") or None for k in keys])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def many_rows(n: int) -> list[dict]:
    """``n`` dossiers received one per working hour from Mon 03/03/2025 08:00 (a week per 40),
    every third returned the next day at 16:00, the others pending."""
    rows = []
    for i in range(n):
        day = dt.date(2025, 3, 3) + dt.timedelta(days=(i // 8) % 5 + 7 * (i // 40))
        rows.append(
            dict(
                GOOD_ROWS[1],
                code=f"N-{i:04d}",
                received=f"{day:%d/%m/%Y} {8 + i % 8:02d}:00",
                appointment="",
                status="Đang giải quyết" if i % 3 else "Đã trả kết quả",
                resolved="" if i % 3 else f"{day + dt.timedelta(days=1):%d/%m/%Y} 16:00",
            )
        )
    return rows


def upload(data: bytes, name="ho-so-thang-3.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@dataclass
class ImportWorld:
    province: object
    stp: object  # Sở Tư pháp: the officer's agency
    stp_unit: object  # a unit inside it
    phk: object  # another agency (a ward)
    officer: object  # officer of the Sở Tư pháp
    other_officer: object  # officer of the ward
    leader: object  # leader of the Sở Tư pháp (reads imports, may not confirm them)
    three_days: object  # TTHC 1.001806, 3 working days
    half_day: object  # TTHC 2.000488, 0.5 working day

    @classmethod
    def build(cls) -> ImportWorld:
        province = factories.agency(
            name="Thành phố Hà Nội thử", kind=AgencyKind.PROVINCE, code="HN"
        )
        stp = factories.agency(name="Sở Tư pháp Hà Nội", parent=province, code="STP")
        stp_unit = factories.agency(
            name="Phòng Hành chính tư pháp", kind=AgencyKind.UNIT, parent=stp, code="STP-HCTP"
        )
        phk = factories.agency(name="UBND phường Hoàn Kiếm", parent=province, code="PHK")
        return cls(
            province=province,
            stp=stp,
            stp_unit=stp_unit,
            phk=phk,
            officer=factories.member(stp, Role.OFFICER, username="stp-officer"),
            other_officer=factories.member(phk, Role.OFFICER, username="phk-officer"),
            leader=factories.member(stp, Role.LEADER, username="stp-leader"),
            three_days=factories.tthc(
                code="1.001806",
                name="Cấp phiếu lý lịch tư pháp",
                working_days="3",
                effective_from=dt.date(2024, 1, 1),
            ),
            half_day=factories.tthc(
                code="2.000488",
                name="Chứng thực bản sao từ bản chính",
                working_days="0.5",
                effective_from=dt.date(2024, 1, 1),
            ),
        )


def t(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


DOSSIER_FIELDS = (
    "code",
    "procedure_id",
    "channel",
    "received_at",
    "received_on",
    "state",
    "outcome",
    "limit_days",
    "supplement_rule",
    "supplement_count",
    "supplement_requested_at",
    "resubmitted_at",
    "clock_started_at",
    "clock_credit_seconds",
    "due_at",
    "appointment_at",
    "due_mismatch",
    "extended_at",
    "extended_due_at",
    "resolved_at",
    "resolved_on",
    "timing",
    "processing_days",
    "digitised",
    "e_result",
    "online_payment",
    "rating",
    "calendar_version",
    "source_updated_at",
)


def dossiers_of(agency) -> dict:
    """code -> the dossier's data (everything but its agency, key and import)."""
    from indicators.models import Dossier

    return {
        d["code"]: d
        for d in Dossier.objects.filter(agency=agency).order_by("code").values(*DOSSIER_FIELDS)
    }


def events_of(agency) -> list:
    """The agency's events as (code, kind, at, data), in order."""
    from indicators.models import Dossier, DossierEvent

    codes = dict(Dossier.objects.filter(agency=agency).values_list("pk", "code"))
    return sorted(
        (codes[e.dossier_id], e.kind, e.at, repr(sorted(e.data.items())))
        for e in DossierEvent.objects.filter(agency=agency)
    )


def summaries_of(agency) -> tuple:
    """The agency's summary rows without the agency (to compare two agencies)."""
    from indicators.models import DailySummary, SummaryBin

    def rows(model):
        names = [
            f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "agency_id")
        ]
        return sorted(
            tuple(r[n] for n in names) for r in model.objects.filter(agency=agency).values(*names)
        )

    return rows(DailySummary), rows(SummaryBin)
