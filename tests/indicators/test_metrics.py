"""On-time metrics from the summary tables (issue [7] item 5, DESIGN.md §5).

Dossiers are written through the one upsert, so the summary tables are kept as imports keep them.
Dates worked by hand (office hours 07:30-11:30, 13:00-17:00, 8 h a working day; March 2025 has
no holiday): a 3-day TTHC received Mon 03/03/2025 08:00 is due Thu 06/03/2025 08:00
(Mon 08:00-17:00 is 7,5 h, Tue 07:30-08:00 0,5 h: one day at Tue 08:00).
"""

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Dossier
from indicators.models.dossiers import Channel, DossierState, Outcome, Timing
from indicators.selectors import (
    GROUPINGS,
    MONTH,
    metrics,
    on_time_performance,
    percentile_90,
    period_start,
)
from indicators.services.dossiers import DossierRecord, upsert
from indicators.services.summaries import processing_bin
from qms import providers
from qms.models import AgencyKind
from qms.workcal import get_calendar
from tests import factories

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
NOW = dt.datetime(2025, 3, 10, 12, 0, tzinfo=TZ)


def t(day, hour=0, minute=0, month=3, year=2025) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def put(*records) -> None:
    """Write ``records`` (dicts of DossierRecord fields) through the upsert."""
    rows = [DossierRecord(line=i + 2, **fields) for i, fields in enumerate(records)]
    result = upsert(rows, calendar=get_calendar())
    assert result.problems == []


def dossier(agency, procedure, code, *, channel=Channel.IN_PERSON, **fields) -> dict:
    return {
        "agency_id": agency.pk,
        "code": code,
        "procedure_id": procedure.pk,
        "channel": channel,
        **fields,
    }


@pytest.fixture
def tree(db):
    province = factories.agency(kind=AgencyKind.PROVINCE, code="TP", name="Thành phố Thử")
    department = factories.agency(parent=province, code="STP", name="Sở Tư pháp thử")
    unit = factories.agency(
        kind=AgencyKind.UNIT, parent=department, code="STP-HT", name="Phòng Hộ tịch"
    )
    sibling = factories.agency(parent=province, code="STC", name="Sở Tài chính thử")
    return province, department, unit, sibling


@pytest.fixture
def tthc(db):
    civil = factories.tthc(code="1.000001", name="Đăng ký khai sinh", working_days=3)
    land = factories.tthc(code="1.000002", name="Cấp giấy phép", working_days=3, field="Đất đai")
    return civil, land


@pytest.fixture
def march(tree, tthc):
    """The department's March, by hand:

    - H1 in person, resolved Tue 04/03 08:00: early, 1 working day;
    - H2 online, digitised, resolved Thu 06/03 08:00 (the due moment): on time, 3 days;
    - H3 in person, resolved Thu 06/03 10:00: late, 3,25 days;
    - H4 online (land), refused Wed 05/03 08:00: early, 2 days (refused counts as resolved);
    - H5 in person, withdrawn Wed 05/03: out of the rates;
    - H6 in person, pending, due Thu 06/03 08:00: overdue at Mon 10/03 12:00;
    - H7 online, received Mon 10/03 08:00, pending, due Thu 13/03 08:00: not overdue;
    - H8 in person, supplement asked Tue 04/03 09:00, still waiting: pending, supplemented.
    The unit (inside the department) has U1, online, resolved Wed 05/03 08:00: early, 2 days.
    The sibling has S1, late (resolved Fri 07/03 08:00: 4 days).
    """
    province, department, unit, sibling = tree
    civil, land = tthc
    received = t(3, 8)
    put(
        dossier(
            department, civil, "H1", received_at=received, resolved_at=t(4, 8), outcome="issued"
        ),
        dossier(
            department,
            civil,
            "H2",
            channel=Channel.ONLINE,
            digitised=True,
            received_at=received,
            resolved_at=t(6, 8),
            outcome=Outcome.ISSUED,
        ),
        dossier(
            department,
            civil,
            "H3",
            received_at=received,
            resolved_at=t(6, 10),
            outcome=Outcome.ISSUED,
        ),
        dossier(
            department,
            land,
            "H4",
            channel=Channel.ONLINE,
            received_at=received,
            resolved_at=t(5, 8),
            outcome=Outcome.REFUSED,
        ),
        dossier(
            department,
            civil,
            "H5",
            received_at=received,
            resolved_at=t(5, 8),
            outcome=Outcome.WITHDRAWN,
        ),
        dossier(department, civil, "H6", received_at=received),
        dossier(department, civil, "H7", channel=Channel.ONLINE, received_at=t(10, 8)),
        dossier(
            department,
            civil,
            "H8",
            received_at=received,
            supplement_requested_at=t(4, 9),
        ),
        dossier(
            unit,
            civil,
            "U1",
            channel=Channel.ONLINE,
            received_at=received,
            resolved_at=t(5, 8),
            outcome=Outcome.ISSUED,
        ),
        dossier(sibling, land, "S1", received_at=received, resolved_at=t(7, 8), outcome="issued"),
    )
    return tree


def test_the_hand_made_dossiers_are_classed_as_worked_out(march):
    timing = dict(Dossier.objects.values_list("code", "timing"))
    days = dict(Dossier.objects.values_list("code", "processing_days"))
    assert timing == {
        "H1": Timing.EARLY,
        "H2": Timing.ON_TIME,
        "H3": Timing.LATE,
        "H4": Timing.EARLY,
        "H5": "",
        "H6": "",
        "H7": "",
        "H8": "",
        "U1": Timing.EARLY,
        "S1": Timing.LATE,
    }
    assert {code: days[code] for code in ("H1", "H2", "H3", "H4", "U1", "S1")} == {
        "H1": Decimal(1),
        "H2": Decimal(3),
        "H3": Decimal("3.25"),
        "H4": Decimal(2),
        "U1": Decimal(2),
        "S1": Decimal(4),
    }
    assert Dossier.objects.get(code="H8").state == DossierState.WAITING


def test_the_department_alone(march):
    _province, department, _unit, _sibling = march
    [row] = metrics(department, *MARCH, subtree=False, now=NOW)
    assert row.label == "Sở Tư pháp thử"
    assert (row.received, row.resolved, row.early, row.on_time, row.late) == (8, 4, 2, 1, 1)
    assert (row.refused, row.withdrawn, row.pending, row.pending_overdue) == (1, 1, 3, 1)
    assert (row.supplemented, row.online, row.digitised) == (1, 3, 1)
    assert row.on_time_rate == Decimal(3) / Decimal(4)
    # (1 + 3 + 3,25 + 2) / 4 = 2,3125 working days.
    assert row.mean_processing_days == Decimal("2.3125")
    # Bins 4, 8, 12, 13: the 4th of 4 reaches 90 %: the bin (3; 3,25], upper edge 3,25.
    assert row.p90 == Decimal("3.25")
    assert row.supplement_rate == Decimal(1) / Decimal(8)
    assert row.online_share == Decimal(3) / Decimal(8)
    assert row.digitised_share == Decimal(1) / Decimal(8)


def test_the_subtree_adds_its_units_and_the_province_adds_counts_then_divides(march):
    province, department, unit, sibling = march
    [row] = metrics(department, *MARCH, now=NOW)
    assert (row.received, row.resolved, row.early, row.on_time, row.late) == (9, 5, 3, 1, 1)
    assert row.on_time_rate == Decimal(4) / Decimal(5)
    [top] = metrics(province, *MARCH, now=NOW)
    assert (top.received, top.resolved, top.early, top.on_time, top.late) == (10, 6, 3, 1, 2)
    # Σ (early + on time) / Σ resolved = 4/6, not the mean of the departments' rates (0,8 and 0).
    assert top.on_time_rate == Decimal(4) / Decimal(6)
    assert (top.pending, top.pending_overdue, top.withdrawn) == (3, 1, 1)


def test_grouped_by_child_agencies(march):
    province, department, unit, sibling = march
    rows = metrics(province, *MARCH, group_by="agency", now=NOW)
    # The province has no dossier of its own: only its departments, each with its units.
    assert [r.label for r in rows] == ["Sở Tài chính thử", "Sở Tư pháp thử"]
    by_label = {r.label: r for r in rows}
    assert by_label["Sở Tư pháp thử"].received == 9
    assert by_label["Sở Tư pháp thử"].agency == department
    assert (by_label["Sở Tài chính thử"].resolved, by_label["Sở Tài chính thử"].late) == (1, 1)
    rows = metrics(department, *MARCH, group_by="agency", now=NOW)
    assert [(r.label, r.received, r.resolved) for r in rows] == [
        ("Sở Tư pháp thử (hồ sơ của chính cơ quan)", 8, 4),
        ("Phòng Hộ tịch — Sở Tư pháp thử", 1, 1),
    ]


def test_grouped_by_tthc_field_and_channel(march):
    _province, department, _unit, _sibling = march
    rows = metrics(department, *MARCH, group_by="procedure", now=NOW)
    assert [(r.label, r.received, r.resolved, r.pending) for r in rows] == [
        ("1.000001 · Đăng ký khai sinh", 8, 4, 3),
        ("1.000002 · Cấp giấy phép", 1, 1, 0),
    ]
    rows = metrics(department, *MARCH, group_by="field", now=NOW)
    assert [(r.label, r.received, r.refused) for r in rows] == [
        ("Đất đai", 1, 1),
        ("Hộ tịch", 8, 0),
    ]
    rows = metrics(department, *MARCH, group_by="channel", now=NOW)
    assert [(r.label, r.received, r.resolved, r.pending) for r in rows] == [
        ("Trực tuyến", 4, 3, 1),
        ("Trực tiếp", 5, 2, 2),
        ("Bưu chính", 0, 0, 0),
        ("Dịch vụ bưu chính công ích", 0, 0, 0),
    ]
    assert rows[0].on_time_rate == Decimal(1)  # U1 and H4 early, H2 on time
    assert rows[2].on_time_rate is None  # nothing resolved: no rate


def test_grouped_by_day_and_month(march):
    _province, department, _unit, _sibling = march
    rows = metrics(department, dt.date(2025, 3, 3), dt.date(2025, 3, 7), group_by="day", now=NOW)
    assert [r.label for r in rows] == [
        "03/03/2025",
        "04/03/2025",
        "05/03/2025",
        "06/03/2025",
        "07/03/2025",
    ]
    assert [(r.received, r.resolved, r.withdrawn) for r in rows] == [
        (8, 0, 0),
        (0, 1, 0),
        (0, 2, 1),
        (0, 2, 0),
        (0, 0, 0),
    ]
    # Pending per period: those received in it (H7 came on 10/03, outside these days).
    assert [r.pending for r in rows] == [2, 0, 0, 0, 0]
    rows = metrics(department, dt.date(2025, 2, 1), dt.date(2025, 4, 30), group_by="month")
    assert [r.label for r in rows] == ["Tháng 02/2025", "Tháng 03/2025", "Tháng 04/2025"]
    assert [(r.received, r.resolved) for r in rows] == [(0, 0), (9, 5), (0, 0)]
    assert rows[1].period == (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    [quarter] = metrics(department, *MARCH, group_by="quarter")
    assert (quarter.label, quarter.received, quarter.period) == (
        "Quý 1/2025",
        9,
        (dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
    )
    [year] = metrics(department, *MARCH, group_by="year")
    assert (year.label, year.resolved) == ("Năm 2025", 5)


def test_received_and_resolved_count_on_their_own_days(march):
    """A period that holds the result but not the receipt counts the result only."""
    _province, department, _unit, _sibling = march
    [row] = metrics(department, dt.date(2025, 3, 5), dt.date(2025, 3, 5), now=NOW)
    assert (row.received, row.resolved, row.withdrawn) == (0, 2, 1)
    # Pending: received by the end of the period, still pending now.
    assert (row.pending, row.pending_overdue) == (2, 1)
    [before] = metrics(department, dt.date(2025, 2, 1), dt.date(2025, 2, 28), now=NOW)
    assert before.is_empty and before.on_time_rate is None and before.p90 is None


def test_percentile_90_is_the_upper_edge_of_the_bin_reaching_90_percent(tree):
    """Ten dossiers of a 5-day TTHC received Mon 03/03/2025 07:30, processing times by hand:
    five of 0,25 day (Mon 09:30), three of 1 day (Mon 17:00), one of 1,8 days (Tue 15:24:
    Mon 8 h + Tue 07:30-11:30 4 h + 13:00-15:24 2,4 h = 14,4 h) and one of 4,5 days
    (Fri 07/03 11:30). Cumulative: 5 by bin 1, 8 by bin 4, 9 by bin 8 (1,8 lies in (1,75; 2]):
    the 90th percentile is 2 working days, the bin's upper edge, not 1,8."""
    _province, department, _unit, _sibling = tree
    procedure = factories.tthc(working_days=5)
    ends = [t(3, 9, 30)] * 5 + [t(3, 17)] * 3 + [t(4, 15, 24), t(7, 11, 30)]
    put(
        *(
            dossier(
                department,
                procedure,
                f"P{i}",
                received_at=t(3, 7, 30),
                resolved_at=end,
                outcome=Outcome.ISSUED,
            )
            for i, end in enumerate(ends)
        )
    )
    days = sorted(Dossier.objects.values_list("processing_days", flat=True))
    assert days == [Decimal("0.25")] * 5 + [Decimal(1)] * 3 + [Decimal("1.8"), Decimal("4.5")]
    [row] = metrics(department, *MARCH)
    assert row.resolved == 10
    assert row.p90 == Decimal(2)
    assert row.mean_processing_days == Decimal("1.055")  # (1,25 + 3 + 1,8 + 4,5) / 10


def test_percentile_90_by_hand():
    assert percentile_90({}) is None
    assert percentile_90({0: 1}) == Decimal(0)
    assert percentile_90({1: 9, 40: 1}) == Decimal("0.25")  # 9 of 10 is 90 %
    assert percentile_90({1: 8, 40: 2}) == Decimal(10)
    assert percentile_90({3: 90, 5: 9, 7: 1}) == Decimal("0.75")


def test_the_core_question_is_answered(march):
    province, department, _unit, sibling = march
    answer = providers.ask_first(
        providers.ON_TIME_PERFORMANCE, department, dt.date(2025, 3, 1), dt.date(2025, 3, 31)
    )
    assert answer is not None
    assert {k: answer[k] for k in ("resolved", "early", "on_time", "late")} == {
        "resolved": 5,
        "early": 3,
        "on_time": 1,
        "late": 1,
    }
    # H6 and H7 are overdue now (the present is long past March 2025); H8 waits for papers.
    assert answer["pending_overdue"] == 2
    lonely = factories.agency(parent=province, code="SXD")
    assert on_time_performance(lonely, *MARCH) is None  # no dossier: no data, not a 0 % rate


def test_unknown_grouping_is_refused(tree):
    with pytest.raises(ValueError):
        metrics(tree[0], *MARCH, group_by="week")


# --- Equal to a naive count of the dossiers ------------------------------------------------------


def _naive(agency, start, end, group_of, now, *, by_time=False):
    """Every figure of every group counted one dossier at a time (no summary table). Pending:
    received by ``end`` (by period: received within the period asked)."""
    rows = defaultdict(Counter)
    days = defaultdict(Decimal)
    for d in Dossier.objects.filter(agency__path__startswith=agency.path).select_related(
        "procedure", "agency"
    ):
        if start <= d.received_on <= end:
            row = rows[group_of(d, d.received_on)]
            row["received"] += 1
            row["supplemented"] += bool(d.supplement_count)
            row["online"] += d.channel == Channel.ONLINE
            row["digitised"] += d.digitised
        if d.resolved_on and start <= d.resolved_on <= end:
            row = rows[group_of(d, d.resolved_on)]
            if d.state == DossierState.WITHDRAWN:
                row["withdrawn"] += 1
            else:
                row["resolved"] += 1
                row[d.timing] += 1
                row["refused"] += d.state == DossierState.REFUSED
                days[group_of(d, d.resolved_on)] += d.processing_days
        if d.pending and d.received_on <= end and not (by_time and d.received_on < start):
            row = rows[group_of(d, d.received_on)]
            row["pending"] += 1
            row["pending_overdue"] += d.due_at is not None and d.due_at < now
    return rows, days


def _generate(agencies, procedures, n, seed=7):
    rng = random.Random(seed)
    records = []
    for i in range(n):
        received = dt.datetime(2025, 1, 2, 7, 30, tzinfo=TZ) + dt.timedelta(
            days=rng.randrange(0, 150), minutes=rng.randrange(0, 600)
        )
        fields = {
            "received_at": received,
            "digitised": rng.random() < 0.4,
        }
        if rng.random() < 0.2:
            fields["supplement_requested_at"] = received + dt.timedelta(hours=rng.randrange(2, 30))
            if rng.random() < 0.7:
                fields["resubmitted_at"] = fields["supplement_requested_at"] + dt.timedelta(
                    days=rng.randrange(1, 6)
                )
        if rng.random() < 0.8 and (
            "supplement_requested_at" not in fields or "resubmitted_at" in fields
        ):
            last = fields.get("resubmitted_at", received)
            fields["resolved_at"] = last + dt.timedelta(hours=rng.randrange(1, 24 * 12))
            fields["outcome"] = rng.choice(
                [Outcome.ISSUED] * 8 + [Outcome.REFUSED, Outcome.WITHDRAWN]
            )
        records.append(
            dossier(
                rng.choice(agencies),
                rng.choice(procedures),
                f"G{i:05d}",
                channel=rng.choice(list(Channel)),
                **fields,
            )
        )
    put(*records)


@pytest.mark.parametrize("group_by", GROUPINGS)
def test_every_grouping_equals_a_naive_count(tree, tthc, group_by):
    province, department, unit, sibling = tree
    extra = factories.tthc(working_days="0.5", field="Hộ tịch")
    _generate([province, department, unit, sibling], [*tthc, extra], 300)
    start, end = dt.date(2025, 2, 1), dt.date(2025, 4, 30)
    now = dt.datetime(2025, 4, 15, 9, tzinfo=TZ)

    def group_of(d, day):
        if group_by == "agency":
            if d.agency_id == province.pk:
                return province.pk
            return department.pk if d.agency.is_within(department) else sibling.pk
        if group_by == "procedure":
            return d.procedure_id
        if group_by == "field":
            return d.procedure.field
        if group_by == "channel":
            return d.channel
        if group_by in ("day", "month", "quarter", "year"):
            return period_start(group_by, day)
        return "total"

    by_time = group_by in ("day", "month", "quarter", "year")
    want, want_days = _naive(province, start, end, group_of, now, by_time=by_time)
    rows = metrics(province, start, end, group_by=group_by, now=now)
    got = {row.key: row for row in rows}
    for key, counts in want.items():
        row = got[key]
        for name in (
            "received",
            "supplemented",
            "online",
            "digitised",
            "resolved",
            "refused",
            "withdrawn",
            "pending",
            "pending_overdue",
        ):
            assert getattr(row, name) == counts[name], (group_by, key, name)
        assert (row.early, row.on_time, row.late) == (
            counts[Timing.EARLY],
            counts[Timing.ON_TIME],
            counts[Timing.LATE],
        )
        assert row.processing_days_total == want_days[key]
    for key, row in got.items():
        if key not in want:
            assert row.is_empty, (group_by, key)
    if group_by == "agency":
        # The province's own dossiers first, then each department with its units.
        assert list(got) == [province.pk, sibling.pk, department.pk]
    if group_by == MONTH:
        assert list(got) == [dt.date(2025, 2, 1), dt.date(2025, 3, 1), dt.date(2025, 4, 1)]


def test_p90_of_a_group_equals_the_dossiers_own_bins(tree, tthc):
    province, department, unit, sibling = tree
    _generate([department, unit], list(tthc), 300, seed=11)
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    for row in metrics(department, start, end, group_by="procedure"):
        bins = Counter(
            processing_bin(days)
            for days in Dossier.objects.filter(
                procedure_id=row.key,
                state__in=(DossierState.RESOLVED, DossierState.REFUSED),
            ).values_list("processing_days", flat=True)
        )
        assert row.p90 == percentile_90(bins)
        assert row.p90 is not None


# --- A fixed number of queries -------------------------------------------------------------------


def _queries(agency, group_by) -> int:
    with CaptureQueriesContext(connection) as captured:
        metrics(agency, dt.date(2025, 1, 1), dt.date(2025, 6, 30), group_by=group_by)
    return len(captured)


@pytest.mark.parametrize("group_by", GROUPINGS)
def test_the_query_count_does_not_grow_with_rows(tree, tthc, group_by):
    province, department, unit, sibling = tree
    put(
        dossier(
            department, tthc[0], "Q1", received_at=t(3, 8), resolved_at=t(4, 8), outcome="issued"
        )
    )
    few = _queries(province, group_by)
    more = [factories.tthc(field=f"Lĩnh vực {i}") for i in range(6)]
    for i in range(4):
        factories.agency(parent=province, code=f"X{i}")
    _generate([department, unit, sibling], [*tthc, *more], 250, seed=3)
    many = _queries(province, group_by)
    assert many == few
    # The day rows, the bins, the pending dossiers, the successions of the reform roll-up; by
    # agency also the nodes that make the rows (the children, the bodies rolled into them), by
    # TTHC their names.
    assert few <= (5 if group_by in ("agency", "procedure") else 4)
