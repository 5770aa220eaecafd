"""The demo's dossiers (issue 10 point 8): 18 months up to today for the demo city's agencies,
with late results, supplements and pending dossiers past their due time, the summary tables
right; seeding again adds nothing. And the committed one-month import file: real-shaped (the
one-stop headers, personal-data columns the import drops), its bad rows each reported with line
and field, the rest accepted, and rebuilt exactly by the generator."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from indicators import demo, importing
from indicators.models import Dossier
from indicators.services import summaries
from indicators.services.dossiers import upsert
from qms import tabular
from qms.models import Agency
from qms.workcal import get_calendar

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_eighteen_months_of_dossiers_with_late_supplemented_and_overdue_ones(seeded):
    dossiers = Dossier.objects.filter(code__startswith=demo.DEMO_PREFIX)
    total = dossiers.count()
    assert 2000 <= total <= 4000
    today = timezone.localdate()
    first = min(dossiers.values_list("received_on", flat=True))
    last = max(dossiers.values_list("received_on", flat=True))
    assert (today - first).days > 500 and (today - last).days <= 7
    agencies = set(dossiers.values_list("agency__code", flat=True).distinct())
    assert {"STP", "STC", "SXD", "PHOANKIEM", "XSOCSON"} <= agencies
    # The old district's dossiers end with it; the wards' begin with the reform.
    district = dossiers.filter(agency__code=demo.FORMER_DISTRICT)
    if district.exists():
        assert max(district.values_list("received_on", flat=True)) <= dt.date(2025, 6, 30)
    assert not dossiers.filter(agency__code="PHOANKIEM", received_on__lt=dt.date(2025, 7, 1))

    states = {state for state in dossiers.values_list("state", flat=True).distinct()}
    assert {"resolved", "refused", "withdrawn", "in_progress"} <= states
    late = dossiers.filter(timing="late").count()
    resolved = dossiers.filter(state__in=("resolved", "refused")).count()
    assert 0.01 * resolved < late < 0.1 * resolved
    assert dossiers.filter(timing="early").count() > 0.3 * resolved
    assert dossiers.filter(supplement_count__gt=0, resubmitted_at__isnull=False).exists()
    assert dossiers.filter(extended_at__isnull=False).exists()
    overdue = dossiers.filter(
        state__in=("received", "in_progress", "waiting"), due_at__lt=timezone.now()
    )
    assert overdue.exists()
    online = dossiers.filter(channel="online").count()
    assert 0.25 * total < online < 0.7 * total
    assert summaries.drifts() == []


def test_seeding_again_adds_nothing(seeded):
    before = Dossier.objects.count()
    assert demo.seed() == {}
    call_command("seed_demo", verbosity=0)
    assert Dossier.objects.count() == before


def _read(path):
    with tabular.open_table(path) as table:
        columns = importing.resolve_columns(table)
        return table.header, columns, list(table), table.columns


def test_the_import_file_is_real_shaped_and_its_bad_rows_are_reported(seeded):
    path = demo.import_file_path()
    assert path.exists() and path.suffix == ".xlsx"
    header, columns, rows, _folded = _read(path)
    assert columns.dropped == ["Họ tên người nộp", "Số điện thoại", "Địa chỉ"]
    assert 250 <= len(rows) <= 400
    _names, _rows, bad, _steps = demo.file_rows()
    stp = Agency.objects.get(code=demo.FILE_AGENCY)
    calendar = get_calendar()
    parser = importing.RowParser(columns, agency=stp, tz=calendar.tz)
    records, errors = parser.parse(rows)
    reported = {}
    for error in errors:
        reported.setdefault(error.line, set()).add(error.field)
    assert set(reported) == set(bad)
    expected_field = {
        "unknown TTHC": "Mã TTHC",
        "date that does not exist": "Ngày tiếp nhận",
        "result before receipt": "Ngày trả kết quả",
        "unknown status": "Trạng thái",
        "unknown channel": "Kênh nộp",
        "result issued without its date": "Ngày trả kết quả",
        "rating out of range": "Mức độ hài lòng",
        "not yes or no": "Số hóa",
        "missing dossier code": "Mã hồ sơ",
        "dossier code twice": "Mã hồ sơ",
    }
    for line, kind in bad.items():
        assert expected_field[kind] in reported[line], (line, kind, reported[line])
    # No personal value reaches a message.
    assert not any("0129" in e.message for e in errors)
    # The good rows are all new dossiers the upsert accepts.
    result = upsert(records, calendar=calendar, dry_run=True)
    assert result.problems == []
    assert len(result.new) == len(records) == len(rows) - len(bad)


def test_the_committed_file_is_what_the_generator_builds():
    header, _columns, rows, folded = _read(demo.import_file_path())
    names, expected, _bad, _steps = demo.file_rows()
    assert header == names
    read = [
        {name: tabular.as_text(values[column]) for name, column in zip(header, folded, strict=True)}
        for _line, values in rows
    ]
    assert read == expected
