"""Generated dossiers as one-stop export files, streamed (any number of rows, bounded memory).

The dossier sheet (CSV, UTF-8 with BOM, or the first sheet of an XLSX written in openpyxl's
write-only mode) has one row per dossier with the Vietnamese headers of the one-stop exports::

    STT | Mã hồ sơ | [Mã cơ quan] | Mã TTHC | Họ tên người nộp | Số điện thoại | Địa chỉ |
    Ngày tiếp nhận | Ngày hẹn trả | Ngày trả kết quả | Trạng thái | Kênh nộp |
    Ngày yêu cầu bổ sung | Ngày nhận đủ hồ sơ bổ sung | Ngày gửi thư xin lỗi | Ngày hẹn trả lại |
    Số hóa | Trả kết quả điện tử | Thanh toán trực tuyến | Mức độ hài lòng

Moments are dd/mm/yyyy HH:MM local time; booleans Có/Không; the rating 1-5 or empty; statuses
``Mới tiếp nhận``, ``Đang xử lý``, ``Chờ bổ sung``, ``Đã trả kết quả``, ``Từ chối``, ``Rút hồ sơ``
(a withdrawal's date is in ``Ngày trả kết quả``); channels ``Trực tuyến``, ``Trực tiếp``,
``Bưu chính``, ``Bưu chính công ích``. The personal-data columns (name, phone, address) hold
invented values, for the importer to drop; phone numbers use the 11-digit 0129 prefix retired in
2018, so none can be dialled.

The process-control step sheet (issue [8]; nothing reads it yet) is long, one row per step of a
dossier, in the XLSX's second sheet "Quy trình" or a CSV of its own (``steps_path``)::

    Mã hồ sơ | Mã cơ quan | Mã TTHC | Bước | Nội dung | Đơn vị thực hiện |
    Thời hạn (ngày làm việc) | Ngày nhận | Ngày chuyển

``Bước`` is B1 … B5; ``Đơn vị thực hiện`` an agency code (the one-stop desk, a unit, the body's
leadership); ``Thời hạn`` the step's planned working days ("0,5", or "Không tính thời gian" for
handing over the result); ``Ngày nhận`` when the unit got the dossier, ``Ngày chuyển`` when it
handed it on (empty while it holds it).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterable
from contextlib import ExitStack
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from .dossiers import Life
from .records import Observed, observed

STATUS = {
    "received": "Mới tiếp nhận",
    "in_progress": "Đang xử lý",
    "waiting": "Chờ bổ sung",
    "issued": "Đã trả kết quả",
    "refused": "Từ chối",
    "withdrawn": "Rút hồ sơ",
}
CHANNEL = {
    "online": "Trực tuyến",
    "in_person": "Trực tiếp",
    "postal": "Bưu chính",
    "public_postal": "Bưu chính công ích",
}
YES, NO = "Có", "Không"
PERSONAL = ("Họ tên người nộp", "Số điện thoại", "Địa chỉ")
AGENCY = "Mã cơ quan"
HEADERS = (
    "STT",
    "Mã hồ sơ",
    "Mã TTHC",
    *PERSONAL,
    "Ngày tiếp nhận",
    "Ngày hẹn trả",
    "Ngày trả kết quả",
    "Trạng thái",
    "Kênh nộp",
    "Ngày yêu cầu bổ sung",
    "Ngày nhận đủ hồ sơ bổ sung",
    "Ngày gửi thư xin lỗi",
    "Ngày hẹn trả lại",
    "Số hóa",
    "Trả kết quả điện tử",
    "Thanh toán trực tuyến",
    "Mức độ hài lòng",
)
STEP_HEADERS = (
    "Mã hồ sơ",
    AGENCY,
    "Mã TTHC",
    "Bước",
    "Nội dung",
    "Đơn vị thực hiện",
    "Thời hạn (ngày làm việc)",
    "Ngày nhận",
    "Ngày chuyển",
)
XLSX_MAX_ROWS = 1_048_575  # an Excel sheet's rows, less the header

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương")
MIDDLE = ("Văn", "Thị", "Đức", "Ngọc", "Minh", "Thu", "Quang", "Thanh", "Hữu", "Kim")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Long",
         "Mai", "Nam", "Phong", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Vân", "Yến")  # fmt: skip
STREETS = ("Hàng Bạc", "Hàng Đào", "Lý Thái Tổ", "Tràng Tiền", "Phan Đình Phùng", "Kim Mã",
           "Đội Cấn", "Nguyễn Thái Học", "Trần Hưng Đạo", "Lê Duẩn")  # fmt: skip


def headers(*, agency_column: bool = False, personal: bool = True) -> list[str]:
    result = [h for h in HEADERS if personal or h not in PERSONAL]
    if agency_column:
        result.insert(2, AGENCY)
    return result


def moment(value: dt.datetime | None, tz) -> str:
    """dd/mm/yyyy HH:MM in ``tz`` ("" for None); by hand, strftime is several times slower."""
    if value is None:
        return ""
    if value.tzinfo is not tz:
        value = value.astimezone(tz)
    return f"{value.day:02d}/{value.month:02d}/{value.year} {value.hour:02d}:{value.minute:02d}"


@lru_cache(maxsize=1024)
def days_text(days: Decimal | None) -> str:
    if days is None:
        return "Không tính thời gian"
    text = format(Decimal(days).normalize(), "f")
    return text.replace(".", ",")


class Person:
    """Invented personal data, from a seeded generator (the same file every run)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def __call__(self) -> dict:
        rng = self.rng
        return {
            "Họ tên người nộp": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            "Số điện thoại": f"0129{rng.randrange(10**7):07d}",
            "Địa chỉ": f"Số {rng.randint(1, 199)} phố {rng.choice(STREETS)}, Hà Nội",
        }


def export_row(seen: Observed, *, number: int, tz, person=None, agency_column=False) -> dict:
    """One dossier as a row of the one-stop export (header -> text)."""
    life = seen.life
    row = {
        "STT": str(number),
        "Mã hồ sơ": life.code,
        "Mã TTHC": life.procedure.code,
        "Ngày tiếp nhận": moment(life.received_at, tz),
        "Ngày hẹn trả": moment(seen.appointment_at, tz),
        "Ngày trả kết quả": moment(seen.resolved_at, tz),
        "Trạng thái": STATUS[seen.status],
        "Kênh nộp": CHANNEL[life.channel],
        "Ngày yêu cầu bổ sung": moment(seen.requested_at, tz),
        "Ngày nhận đủ hồ sơ bổ sung": moment(seen.resubmitted_at, tz),
        "Ngày gửi thư xin lỗi": moment(seen.extended_at, tz),
        "Ngày hẹn trả lại": moment(seen.extended_due_at, tz),
        "Số hóa": YES if life.digitised else NO,
        "Trả kết quả điện tử": YES if seen.e_result else NO,
        "Thanh toán trực tuyến": YES if life.online_payment else NO,
        "Mức độ hài lòng": str(seen.rating) if seen.rating else "",
    }
    if agency_column:
        row[AGENCY] = life.agency.code
    if person is not None:
        row.update(person())
    return row


def step_rows(seen: Observed, tz) -> list[list[str]]:
    life = seen.life
    return [
        [
            life.code,
            life.agency.code,
            life.procedure.code,
            step.code,
            step.content,
            step.unit,
            days_text(step.planned_days),
            moment(step.handed_in, tz),
            moment(step.handed_out, tz),
        ]
        for step in seen.steps or ()
    ]


def rows(lives: Iterable[Life], now: dt.datetime, *, tz, seed: int = 0, personal=True,
         agency_column=False):  # fmt: skip
    """(export row, observed) of each dossier received by ``now``."""
    person = Person(seed) if personal else None
    number = 0
    for life in lives:
        seen = observed(life, now)
        if seen is None:
            continue
        number += 1
        yield (
            export_row(seen, number=number, tz=tz, person=person, agency_column=agency_column),
            seen,
        )


def write_csv(
    path: Path,
    lives: Iterable[Life],
    now: dt.datetime,
    *,
    tz,
    seed: int = 0,
    personal: bool = True,
    agency_column: bool = False,
    steps_path: Path | None = None,
) -> int:
    """Stream the export to ``path`` (UTF-8 with BOM), the step sheet to ``steps_path`` when
    given; returns the number of dossier rows."""
    names = headers(agency_column=agency_column, personal=personal)
    count = 0
    with ExitStack() as files:
        writer = csv.writer(files.enter_context(open(path, "w", encoding="utf-8-sig", newline="")))
        writer.writerow(names)
        steps_writer = None
        if steps_path is not None:
            steps_file = files.enter_context(
                open(steps_path, "w", encoding="utf-8-sig", newline="")
            )
            steps_writer = csv.writer(steps_file)
            steps_writer.writerow(STEP_HEADERS)
        for row, seen in rows(lives, now, tz=tz, seed=seed, personal=personal,
                              agency_column=agency_column):  # fmt: skip
            writer.writerow([row[name] for name in names])
            if steps_writer is not None:
                steps_writer.writerows(step_rows(seen, tz))
            count += 1
    return count


def write_xlsx(
    path: Path,
    lives: Iterable[Life],
    now: dt.datetime,
    *,
    tz,
    seed: int = 0,
    personal: bool = True,
    agency_column: bool = False,
    steps: bool = True,
) -> int:
    """Stream the export to an XLSX (openpyxl write-only): the dossiers on the first sheet "Hồ sơ",
    the step sheet on the second, "Quy trình". Excel holds 1,048,575 rows a sheet: larger exports
    are CSV."""
    from openpyxl import Workbook

    names = headers(agency_column=agency_column, personal=personal)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Hồ sơ")
    step_sheet = workbook.create_sheet("Quy trình") if steps else None
    sheet.append(names)
    if step_sheet is not None:
        step_sheet.append(STEP_HEADERS)
    count = 0
    for row, seen in rows(lives, now, tz=tz, seed=seed, personal=personal,
                          agency_column=agency_column):  # fmt: skip
        count += 1
        if count > XLSX_MAX_ROWS:
            for written in workbook.worksheets:
                written.close()  # finish the temporary files before giving up
            raise ValueError(f"an XLSX sheet holds {XLSX_MAX_ROWS:,} rows: write a CSV instead")
        sheet.append([row[name] for name in names])
        if step_sheet is not None:
            for step in step_rows(seen, tz):
                step_sheet.append(step)
    workbook.save(path)
    return count
