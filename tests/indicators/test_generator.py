"""The synthetic data generator (bench.generate, issue 10 point 6): reproducible, realistic shapes
(limits 0.25-30 days, seasons and Tết, about 3 % late, supplements, pending, channels), results
placed honestly against the due time the clock computes, step sheets, and files that carry the
same dossiers as the direct database path (personal columns dropped by the importer)."""

import csv
import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest

from bench import generate
from bench.generate import (
    AgencySpec,
    agency_tree,
    catalogue_create,
    lives,
    load,
    observed,
    procedure_specs,
    records,
    tet,
    write_csv,
    write_xlsx,
)
from bench.generate import files as generated_files
from bench.generate.catalogue import assign
from bench.generate.dossiers import day_weights
from indicators import importing
from indicators.clock import compute_many
from indicators.services import summaries
from qms import tabular
from qms.workcal import WorkingCalendar, get_calendar

FIRST, LAST = dt.date(2024, 11, 1), dt.date(2025, 10, 31)


@pytest.fixture(scope="module")
def calendar():
    return WorkingCalendar()


@pytest.fixture(scope="module")
def catalogue():
    agencies = [
        AgencySpec(code=f"S{i}", id=10 + i, reception=f"S{i}-MC", units=(f"S{i}-P1",),
                   kind="department")
        for i in range(4)
    ] + [
        AgencySpec(code=f"X{i}", id=20 + i, valid_from=dt.date(2025, 7, 1), kind="commune")
        for i in range(3)
    ]  # fmt: skip
    return assign(agencies, procedure_specs(30, seed=7), seed=8)


@pytest.fixture(scope="module")
def sample(catalogue, calendar):
    return list(
        lives(20_000, seed=11, catalogue=catalogue, first=FIRST, last=LAST, calendar=calendar)
    )


def fingerprint(life):
    return (
        life.code,
        life.handling.agency.code,
        life.handling.procedure.code,
        life.channel,
        life.received_at,
        life.due_at,
        life.requested_at,
        life.resubmitted_at,
        life.extended_at,
        life.end_at,
        life.outcome,
        life.timing,
        life.digitised,
        life.rating,
    )


def test_the_same_seed_gives_the_same_dossiers_and_another_seed_others(catalogue, calendar):
    def run(seed, block):
        return [
            fingerprint(life)
            for life in lives(
                3000,
                seed=seed,
                catalogue=catalogue,
                first=FIRST,
                last=LAST,
                calendar=calendar,
                block=block,
            )  # fmt: skip
        ]

    first = run(5, 20_000)
    assert len(first) == 3000
    assert run(5, 500) == first  # blocks do not change the randomness
    assert run(6, 20_000) != first
    assert len({row[0] for row in first}) == 3000  # codes unique


def test_the_catalogue_has_limits_of_a_quarter_to_thirty_days_some_changed_some_pausing():
    specs = procedure_specs(200, seed=3)
    limits = [days for spec in specs for _day, days in spec.limits]
    assert min(limits) >= Decimal("0.25") and max(limits) <= 30
    assert all(days * 4 == int(days * 4) for days in limits)
    assert Decimal("0.25") in limits and Decimal(30) in limits
    changed = [spec for spec in specs if len(spec.limits) == 2]
    assert 20 <= len(changed) <= 60
    assert all(a[0] < b[0] and a[1] != b[1] for spec in changed for a, b in [spec.limits])
    assert 5 <= sum(spec.rule == "pause" for spec in specs) <= 40
    assert all(re.fullmatch(r"9\.\d{6}", spec.code) for spec in specs)


def test_volume_follows_the_seasons_and_dips_after_tet(calendar, sample):
    assert tet(2025) == dt.date(2025, 1, 29) and tet(2026) == dt.date(2026, 2, 17)
    days, weights = day_weights(FIRST, LAST, calendar)
    share = dict(zip(days, weights, strict=True))
    assert share[dt.date(2025, 1, 29)] < share[dt.date(2025, 1, 21)] / 50  # Tết itself, a day off
    per_week = Counter(life.received_at.date().isocalendar()[:2] for life in sample)
    week = lambda day: per_week[day.isocalendar()[:2]]  # noqa: E731
    before = week(dt.date(2025, 1, 20))  # the rush of the week before Tết
    holiday = week(dt.date(2025, 1, 27))  # Tết 27/01-01/02
    after = week(dt.date(2025, 2, 3))  # the quiet week after
    usual = week(dt.date(2025, 3, 10))
    assert before > usual > after > holiday
    assert holiday < usual / 5
    # Days off get only online dossiers, a trickle.
    weekend = [life for life in sample if not calendar.is_working_day(life.received_at.date())]
    assert 0 < len(weekend) < 0.05 * len(sample)
    assert {life.channel for life in weekend} == {"online"}


def test_shares_are_realistic(sample):
    n = len(sample)
    resolved = [life for life in sample if life.outcome in ("issued", "refused")]
    timing = Counter(life.timing for life in resolved)
    assert 0.015 < timing["late"] / len(resolved) < 0.05  # about 3 %
    assert timing["early"] > timing["on_time"] > timing["late"]
    channels = Counter(life.channel for life in sample)
    assert 0.3 < channels["online"] / n < 0.6
    assert channels["in_person"] > channels["public_postal"] > 0 and channels["postal"] > 0
    supplemented = [life for life in sample if life.requested_at is not None]
    assert 0.03 < len(supplemented) / n < 0.15
    assert any(life.resubmitted_at for life in supplemented)
    assert any(life.resubmitted_at is None for life in supplemented)  # papers never came
    outcomes = Counter(life.outcome for life in sample)
    assert outcomes["withdrawn"] > 0 and outcomes["refused"] > 0 and outcomes[""] > 0  # stuck
    assert any(life.extended_at for life in sample)
    assert 0 < sum(life.rating is not None for life in sample) < 0.3 * n
    assert any(life.digitised for life in sample) and any(life.e_result for life in sample)
    # Communes receive nothing before they exist.
    assert all(
        life.received_at.date() >= dt.date(2025, 7, 1)
        for life in sample
        if life.handling.agency.code.startswith("X")
    )
    # A changed limit is the one in force on the receipt day.
    for life in sample[:2000]:
        assert life.limit_days == life.handling.procedure.limit_on(life.received_at.date())


def test_results_are_placed_honestly_against_the_clocks_due_time(sample, calendar):
    """The clock of indicators (the upsert's array path) gives every dossier the due time and
    the class the generator placed its result by."""
    ended = [life for life in sample if life.end_at is not None]
    clocks = compute_many(
        calendar,
        received_at=[life.received_at for life in ended],
        limit_days=[life.limit_days for life in ended],
        rule=[life.handling.procedure.rule for life in ended],
        requested_at=[life.requested_at for life in ended],
        resubmitted_at=[life.resubmitted_at for life in ended],
        resolved_at=[life.end_at for life in ended],
        outcome=[life.outcome for life in ended],
    )
    assert clocks.due_at == [life.due_at for life in ended]
    assert clocks.timing == [life.timing for life in ended]
    for life in ended:
        assert life.received_at <= life.end_at
        if life.requested_at:
            assert life.received_at <= life.requested_at
        if life.resubmitted_at:
            assert life.requested_at <= life.resubmitted_at
        if life.extended_at:
            assert life.timing == "late" and life.extended_at <= life.due_at
            assert life.extended_due_at >= life.end_at
        assert life.received_at.second == 0 and life.end_at.second == 0  # minutes, as exports


def test_a_snapshot_shows_what_happened_by_then(sample):
    now = dt.datetime(2025, 10, 31, 12, 0, tzinfo=sample[0].received_at.tzinfo)
    statuses = Counter()
    for life in sample:
        seen = observed(life, now)
        if seen is None:
            assert life.received_at > now
            continue
        statuses[seen.status] += 1
        if seen.resolved_at is None:
            assert seen.status in ("received", "in_progress", "waiting")
            assert life.end_at is None or life.end_at > now
        else:
            assert seen.status == life.outcome and seen.resolved_at <= now
        if seen.status == "waiting":
            assert seen.requested_at <= now and seen.resubmitted_at is None
    assert statuses["in_progress"] > 0 and statuses["waiting"] > 0
    overdue = [
        life
        for life in sample
        if (seen := observed(life, now))
        and seen.resolved_at is None
        and life.due_at is not None
        and life.due_at < now
    ]
    assert overdue  # pending past the due time


def test_step_sheets_cover_each_dossier_in_order(catalogue, calendar):
    sheets = list(
        lives(
            2000, seed=4, catalogue=catalogue, first=FIRST, last=LAST, calendar=calendar, steps=True
        )  # fmt: skip
    )
    for life in sheets:
        steps = life.steps
        assert steps[0].code == "B1" and steps[0].handed_in == life.received_at
        for step in steps:
            assert step.handed_out is None or step.handed_in <= step.handed_out
        for a, b in zip(steps, steps[1:], strict=False):
            assert a.handed_out == b.handed_in or b.code == "B5"
        if life.outcome == "issued":
            assert [s.code for s in steps] == ["B1", "B2", "B3", "B4", "B5"]
            assert steps[3].handed_out == life.end_at == steps[4].handed_in
            planned = sum(s.planned_days for s in steps if s.planned_days is not None)
            assert planned == life.limit_days and steps[4].planned_days is None
        if life.outcome == "":
            assert steps[-1].handed_out is None  # stuck in a unit


def _read_records(path, *, tz):
    from qms.models import Agency

    with tabular.open_table(path) as table:
        columns = importing.resolve_columns(table)
        parser = importing.RowParser(columns, agency=Agency.objects.first(), tz=tz)
        found, errors = parser.parse(list(table))
    return columns, found, errors


@pytest.mark.django_db
def test_files_carry_the_same_dossiers_as_the_database_path(tmp_path):
    province = agency_tree(departments=2, units_per_department=1, communes=2, code_prefix="T")
    catalogue = catalogue_create(province, procedures=12, seed=9)
    calendar = get_calendar()
    now = dt.datetime(2025, 10, 31, 12, 0, tzinfo=calendar.tz)

    def generated():
        return lives(400, seed=12, catalogue=catalogue, first=dt.date(2025, 8, 1),
                     last=dt.date(2025, 10, 31), calendar=calendar, steps=True)  # fmt: skip

    direct = [vars(r) | {"line": 0} for r in records(generated(), now)]
    csv_path, steps_path = tmp_path / "mot_cua.csv", tmp_path / "quy_trinh.csv"
    written = write_csv(csv_path, generated(), now, tz=calendar.tz, agency_column=True,
                        steps_path=steps_path)  # fmt: skip
    assert written == len(direct)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:4] == ["STT", "Mã hồ sơ", "Mã cơ quan", "Mã TTHC"]
    assert {"Họ tên người nộp", "Số điện thoại", "Ngày nhận đủ hồ sơ bổ sung"} <= set(header)
    body = raw.decode("utf-8-sig")
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", body)
    assert set(re.findall(r",(Đã trả kết quả|Đang xử lý|Chờ bổ sung|Từ chối|Rút hồ sơ),", body))

    columns, from_csv, errors = _read_records(csv_path, tz=calendar.tz)
    assert errors == []
    assert set(columns.dropped) == {"Họ tên người nộp", "Số điện thoại", "Địa chỉ"}
    assert [vars(r) | {"line": 0} for r in from_csv] == direct

    xlsx_path = tmp_path / "mot_cua.xlsx"
    write_xlsx(xlsx_path, generated(), now, tz=calendar.tz, agency_column=True)
    _columns, from_xlsx, errors = _read_records(xlsx_path, tz=calendar.tz)
    assert errors == []
    assert [vars(r) | {"line": 0} for r in from_xlsx] == direct

    with open(steps_path, encoding="utf-8-sig", newline="") as handle:
        steps = list(csv.DictReader(handle))
    assert list(steps[0]) == list(generated_files.STEP_HEADERS)
    assert {row["Bước"] for row in steps} == {"B1", "B2", "B3", "B4", "B5"}
    assert "Không tính thời gian" in {row["Thời hạn (ngày làm việc)"] for row in steps}

    loaded = load(generated(), now, chunk=150)
    assert loaded.problems == [] and loaded.new == len(direct)
    assert load(generated(), now).unchanged == len(direct)  # the same source twice: no change
    assert summaries.drifts() == []


def test_xlsx_refuses_more_rows_than_a_sheet_holds(monkeypatch, tmp_path, catalogue, calendar):
    monkeypatch.setattr(generated_files, "XLSX_MAX_ROWS", 10)
    now = dt.datetime(2025, 10, 31, 23, 0, tzinfo=calendar.tz)
    many = lives(50, seed=1, catalogue=catalogue, first=FIRST, last=LAST, calendar=calendar)
    with pytest.raises(ValueError, match="CSV"):
        write_xlsx(tmp_path / "big.xlsx", many, now, tz=calendar.tz)


def test_the_earlier_helpers_still_work(calendar):
    moments = generate.random_moments(5, seed=1, tz=calendar.tz)
    assert len(moments) == 5 and moments == generate.random_moments(5, seed=1, tz=calendar.tz)
    days = generate.random_day_counts(50, seed=2)
    assert all(0 <= d <= 30 and d * 4 == int(d * 4) for d in days)
