"""Demo dossiers for ``manage.py seed_demo`` (found by the core as ``<app>/demo.py``).

``seed()``: 18 months of dossiers up to today for the demo city's departments and wards (and the
old district before the reform), a few thousand, from the shared generator (``bench.generate``)
on the catalogue ``seed_demo`` loaded (which agency handles which TTHC, their limits), written
through the one upsert so the summary tables are right: early, on-time and late results,
supplements (resubmitted, and some still waited for), apology letters, refusals, withdrawals,
pending dossiers past their due time. Idempotent: when the demo's dossiers are there it adds
nothing.

``import_file_path()``: one month's one-stop export of Sở Tư pháp, shaped like a real one (the
Vietnamese headers, personal-data columns the import drops, a step sheet, and a handful of bad
rows of different kinds), for the browser test of journey 3. It is committed; ``write_import_file``
rebuilds it from the generator and the catalogue fixture (no database involved)::

    .venv/bin/python manage.py shell -c "from indicators.demo import write_import_file; write_import_file()"
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from django.db import transaction
from django.utils import timezone

# One-stop codes of the demo ("H26" is Hà Nội's code in the national systems) and of the file.
DEMO_PREFIX = "H26.DEMO."
FILE_PREFIX = "H26.MC."
COUNT = 3000
SEED = 20_250_701
MONTHS = 18
# Departments get fewer, longer procedures than wards: weigh them up so they have dossiers to see.
DEPARTMENT_WEIGHT = 8.0
FORMER_DISTRICT = "QHOANKIEM"
SUCCESSOR_WARD = "PHOANKIEM"

FIXTURES = Path(__file__).resolve().parent / "fixtures"
IMPORT_FILE = FIXTURES / "demo_mot_cua_2026_10.xlsx"
FILE_AGENCY = "STP"
FILE_MONTH = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
FILE_EXPORTED_AT = (2026, 11, 2, 8, 0)  # local time the one-stop system exported it
FILE_ROWS = 300
FILE_SEED = 20_261_102


def import_file_path() -> Path:
    """The demo's one-month one-stop export (XLSX) of Sở Tư pháp, for the browser test."""
    return IMPORT_FILE


def _months_back(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, 1)


def seed() -> dict:
    created = _dossiers()
    # The process-control sheets of some demo dossiers, then the objectives evaluated on them.
    from . import demo_objectives, demo_steps

    for module in (demo_steps, demo_objectives):
        for key, count in module.seed().items():
            created[key] = created.get(key, 0) + count
    published = _published()
    if published:
        created["published_statistics"] = published
    return created


PUBLISHED_MONTHS = 6


def _published() -> int:
    """The public statistics of the last months already due (as the daily task would have
    published them on each 5th), so the public pages of the demo are not empty."""
    from django.utils import timezone

    from .services.objectives import previous_month
    from .services.publication import publication_date, publish_month

    today = timezone.localdate()
    month, made = previous_month(today), 0
    for _i in range(PUBLISHED_MONTHS):
        if publication_date(month) <= today:
            made += len(publish_month(month=month, today=today))
        month = previous_month(month)
    return made


def _dossiers() -> dict:
    from bench.generate import catalogue_from_db, lives, load, tree_agencies
    from qms.models import Agency, HandlingAgency
    from qms.workcal import get_calendar

    from .models import Dossier

    if Dossier.objects.filter(code__startswith=DEMO_PREFIX).exists():
        return {}
    city = Agency.objects.filter(code="HN").first()
    if city is None:
        return {}
    agencies = tree_agencies(city)
    # Before the reform the district handled the procedures its wards handle now.
    ward_procedures = HandlingAgency.objects.filter(agency__code=SUCCESSOR_WARD).values_list(
        "procedure__code", flat=True
    )
    catalogue = catalogue_from_db(
        agencies, extra=[(FORMER_DISTRICT, code) for code in ward_procedures]
    )
    catalogue = [
        replace(h, weight=h.weight * DEPARTMENT_WEIGHT) if h.agency.kind == "department" else h
        for h in catalogue
    ]
    if not catalogue:
        return {}
    now = timezone.now()
    today = timezone.localdate(now)
    generated = lives(
        COUNT,
        seed=SEED,
        catalogue=catalogue,
        first=_months_back(today, MONTHS),
        last=today,
        calendar=get_calendar(),
        code_prefix=DEMO_PREFIX,
    )
    with transaction.atomic():
        loaded = load(generated, now)
    if loaded.problems:
        raise RuntimeError(f"demo dossiers refused: {loaded.problems[:5]}")
    return {"dossiers": loaded.new}


# The import file -------------------------------------------------------------------------------

# Bad rows of the file: (what is wrong, the row's changes). Each is reported with its line and
# field by the import's dry run; the rest of the file is good.
BAD_ROWS = (
    ("unknown TTHC", {"Mã TTHC": "1.999999"}),
    ("date that does not exist", {"Ngày tiếp nhận": "31/09/2026 08:15"}),
    (
        "result before receipt",
        {"Trạng thái": "Đã trả kết quả", "Ngày trả kết quả": "01/10/2026 07:45"},
    ),
    ("unknown status", {"Trạng thái": "Chờ phê duyệt"}),
    ("unknown channel", {"Kênh nộp": "Fax"}),
    ("result issued without its date", {"Trạng thái": "Đã trả kết quả", "Ngày trả kết quả": ""}),
    ("rating out of range", {"Mức độ hài lòng": "7"}),
    ("not yes or no", {"Số hóa": "Có lẽ"}),
    ("missing dossier code", {"Mã hồ sơ": ""}),
    ("dossier code twice", None),  # the code of the row before, other values its own
)
# Where they go: every 30th row from the 17th.
BAD_EVERY, BAD_FIRST = 30, 17


def file_rows() -> tuple[list[str], list[dict], dict[int, str], list[list[str]]]:
    """The file's headers, its rows (header -> text), {line: kind} of the bad rows (lines as the
    import counts them: the header is line 1) and the rows of its step sheet."""
    from bench.generate import AgencySpec, catalogue_from_fixture, lives
    from bench.generate.files import headers, rows, step_rows
    from qms.management.commands.seed_demo import FIXTURE
    from qms.workcal import WorkingCalendar

    calendar = WorkingCalendar()  # holidays.Vietnam and default hours: no database involved
    agency = AgencySpec(
        code=FILE_AGENCY, reception="STP-MC", units=("STP-HCTP", "STP-VP"), kind="department"
    )
    catalogue = catalogue_from_fixture(FIXTURE, [agency])
    first, last = FILE_MONTH
    exported = dt.datetime(*FILE_EXPORTED_AT, tzinfo=calendar.tz)
    generated = lives(
        FILE_ROWS,
        seed=FILE_SEED,
        catalogue=catalogue,
        first=first,
        last=last,
        calendar=calendar,
        code_prefix=FILE_PREFIX,
        steps=True,
    )
    good, steps = [], []
    for row, seen in rows(generated, exported, tz=calendar.tz, seed=FILE_SEED):
        good.append(row)
        steps += step_rows(seen, calendar.tz)
    names = headers()
    result, bad = [], {}
    kinds = iter(BAD_ROWS)
    for row in good:
        line = len(result) + 2
        if line >= BAD_FIRST and (line - BAD_FIRST) % BAD_EVERY == 0:
            kind = next(kinds, None)
            if kind is not None:
                name, changes = kind
                broken = dict(row)
                if changes is None:
                    broken["Mã hồ sơ"] = result[-1]["Mã hồ sơ"]
                else:
                    broken.update(changes)
                result.append(broken)
                bad[line] = name
                continue
        result.append(row)
    for number, row in enumerate(result, start=1):
        row["STT"] = str(number)
    return names, result, bad, steps


def write_import_file(path: Path | None = None) -> Path:
    """Write the demo's import file (XLSX: the dossiers, then the step sheet "Quy trình")."""
    from openpyxl import Workbook

    from bench.generate.files import STEP_HEADERS

    path = path or IMPORT_FILE
    names, rows_, _bad, step_rows_ = file_rows()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Hồ sơ")
    sheet.append(names)
    for row in rows_:
        sheet.append([row[name] for name in names])
    steps = workbook.create_sheet("Quy trình")
    steps.append(STEP_HEADERS)
    for step in step_rows_:
        steps.append(step)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
