"""The leadership scorecard on a small factory world across the 2025 reform: every figure against
a naive count (tests/indicators/scorecard_naive.py), thresholds, Σ/Σ totals, the split district's
ended row and the merged ward rolled into its successor, worst first, flat query counts."""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.models import (
    ActionState,
    Audit,
    AuditProgramme,
    AuditState,
    Complaint,
    ComplaintKind,
    ComplaintState,
    CorrectiveAction,
    Finding,
    FindingKind,
    FindingSource,
    FindingState,
    ProgrammeEntry,
)
from documents.models import ProcedureReview
from indicators.dashboard_filter import DashboardFilter
from indicators.models import QualityObjective, ScorecardThreshold
from indicators.models.dossiers import Channel, Outcome
from indicators.selectors_scorecard import (
    AMBER,
    GREEN,
    RED,
    procedure_rows,
    scorecard,
)
from indicators.services.dossiers import DossierRecord, upsert
from qms.models import AgencyKind, Role
from qms.models.agencies import AgencySuccession, SuccessionKind
from qms.workcal import get_calendar
from tests import factories as f
from tests.indicators.scorecard_naive import assert_row_matches, naive_row

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ENDED, REFORM = dt.date(2025, 6, 30), dt.date(2025, 7, 1)
NOW = dt.datetime(2026, 1, 15, 10, 0, tzinfo=TZ)
TODAY = NOW.date()


def at(day, hour=9):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def make_dossiers(place, procedures, first, last, n, rng, prefix):
    records = []
    span = (last - first).days
    for i in range(n):
        received = at(first + dt.timedelta(days=rng.randrange(span + 1)), rng.choice((8, 10, 14)))
        fate = rng.random()
        fields = {}
        if fate < 0.75:
            fields = {
                "resolved_at": received + dt.timedelta(days=rng.choice((1, 2, 3, 4, 6, 9))),
                "outcome": Outcome.REFUSED if rng.random() < 0.1 else Outcome.ISSUED,
            }
        elif fate < 0.8:
            fields = {"resolved_at": received + dt.timedelta(days=2), "outcome": Outcome.WITHDRAWN}
        records.append(
            DossierRecord(
                line=i + 2,
                agency_id=place.pk,
                code=f"{prefix}-{i:04d}",
                procedure_id=rng.choice(procedures).pk,
                channel=rng.choice(list(Channel.values)),
                received_at=received,
                **fields,
            )
        )
    result = upsert(records, calendar=get_calendar())
    assert result.problems == []


@pytest.fixture
def tree(monkeypatch):
    from tests.indicators.steps_setup import issue_procedures

    city = f.agency(name="Thành phố Thử", kind=AgencyKind.PROVINCE, code="TPT")
    district = f.agency(
        name="Quận Cũ", kind=AgencyKind.DISTRICT, parent=city, code="QCU", valid_to=ENDED
    )
    old_ward = f.agency(
        name="Phường Cũ", kind=AgencyKind.COMMUNE, parent=district, code="PCU", valid_to=ENDED
    )
    ward_a = f.agency(
        name="Phường An", kind=AgencyKind.COMMUNE, parent=city, code="PAN", valid_from=REFORM
    )
    unit_a = f.agency(name="Bộ phận một cửa", kind=AgencyKind.ONE_STOP, parent=ward_a, code="PAN1")
    ward_b = f.agency(
        name="Phường Bình", kind=AgencyKind.COMMUNE, parent=city, code="PBI", valid_from=REFORM
    )
    dept = f.agency(name="Sở Tư pháp Thử", parent=city, code="STPT")
    for successor in (ward_a, ward_b):
        AgencySuccession.objects.create(
            predecessor=district,
            successor=successor,
            kind=SuccessionKind.SPLIT,
            effective_date=REFORM,
        )
    AgencySuccession.objects.create(
        predecessor=old_ward, successor=ward_a, kind=SuccessionKind.MERGE, effective_date=REFORM
    )
    civil = f.tthc(code="1.900001", name="Đăng ký khai sinh thử", working_days=5)
    copy = f.tthc(code="1.900002", name="Chứng thực thử", working_days=2, field="Chứng thực")
    rng = random.Random(5)
    procs = [civil, copy]
    make_dossiers(district, procs, dt.date(2025, 1, 2), ENDED, 30, rng, "QCU")
    make_dossiers(old_ward, procs, dt.date(2025, 1, 2), ENDED, 40, rng, "PCU")
    make_dossiers(ward_a, procs, REFORM, dt.date(2025, 12, 31), 50, rng, "PAN")
    make_dossiers(unit_a, procs, REFORM, dt.date(2025, 12, 31), 30, rng, "PAN1")
    make_dossiers(ward_b, procs, REFORM, dt.date(2025, 12, 31), 40, rng, "PBI")
    make_dossiers(dept, procs, dt.date(2025, 1, 2), dt.date(2025, 12, 31), 60, rng, "STPT")

    people = {
        (place.code, role): f.member(place, role, username=f"{place.code.lower()}-{role}")
        for place in (city, ward_a, ward_b, dept)
        for role in (Role.LEADER, Role.STAFF, Role.AUDITOR)
    }
    # A procedure of ward A, its review overdue.
    issues = issue_procedures(ward_a, civil, monkeypatch, revise=False)
    page = issues[0].procedure
    # Its issue opened the periodic review: make it overdue.
    reviews = ProcedureReview.objects.filter(procedure=page)
    assert reviews.count() == 1
    reviews.update(due_on=dt.date(2025, 12, 1))

    lead = people["STPT", Role.AUDITOR]
    audits = {}
    for place, code, start, state in (
        (ward_a, "DG-A", dt.date(2025, 9, 10), AuditState.CLOSED),
        (unit_a, "DG-A1", dt.date(2025, 10, 10), AuditState.PLANNED),
        (ward_b, "DG-B", dt.date(2025, 10, 1), AuditState.REPORTED),
        (old_ward, "DG-C", dt.date(2025, 3, 5), AuditState.CLOSED),
    ):
        audits[code] = Audit.objects.create(
            agency=place,
            code=code,
            title=f"Đánh giá nội bộ {place.name}",
            objectives="Đánh giá sự phù hợp",
            criteria="TCVN ISO 9001:2015",
            planned_start=start,
            planned_end=start + dt.timedelta(days=2),
            state=state,
            lead_auditor=lead,
        )
    programme = AuditProgramme.objects.create(agency=ward_a, year=2025)
    for auditee, quarter, audit in (
        (ward_a, 3, audits["DG-A"]),
        (unit_a, 4, audits["DG-A1"]),
        (unit_a, 4, None),
    ):
        ProgrammeEntry.objects.create(
            programme=programme, auditee=auditee, quarter=quarter, audit=audit
        )
    programme_b = AuditProgramme.objects.create(agency=ward_b, year=2025)
    ProgrammeEntry.objects.create(
        programme=programme_b, auditee=ward_b, quarter=4, audit=audits["DG-B"]
    )
    AuditProgramme.objects.create(agency=dept, year=2024)  # another year: no data for 2025

    n = 0

    def finding(place, kind, state=FindingState.ACTION_REQUIRED):
        nonlocal n
        n += 1
        return Finding.objects.create(
            agency=place,
            code=f"PH-T-{n:03d}",
            kind=kind,
            source=FindingSource.INTERNAL_AUDIT,
            description=f"Phát hiện {n}",
            raised_on=dt.date(2025, 9, 11),
            state=state,
        )

    major = finding(ward_a, FindingKind.MAJOR_NC)
    minor = finding(unit_a, FindingKind.MINOR_NC, FindingState.OPEN)
    finding(ward_a, FindingKind.MINOR_NC, FindingState.CLOSED)
    finding(ward_a, FindingKind.OBSERVATION, FindingState.OPEN)
    finding(old_ward, FindingKind.MINOR_NC)
    finding(district, FindingKind.MAJOR_NC)
    b_minor = finding(ward_b, FindingKind.MINOR_NC)
    owner = people["PAN", Role.STAFF]
    for i, (nc, state, due) in enumerate(
        (
            (major, ActionState.ACTION_PLANNED, dt.date(2025, 12, 1)),  # overdue
            (major, ActionState.IMPLEMENTED, dt.date(2025, 10, 1)),  # done, not overdue
            (minor, ActionState.OPEN, dt.date(2026, 3, 1)),  # not yet due
            (minor, ActionState.CAUSE_ANALYSED, dt.date(2026, 1, 14)),  # overdue
            (b_minor, ActionState.CLOSED, dt.date(2025, 11, 1)),
        )
    ):
        CorrectiveAction.objects.create(
            finding=nc,
            code=f"HD-T-{i}",
            state=state,
            owner=owner,
            owner_unit=ward_a,
            due_date=due,
        )
    for i, (place, state) in enumerate(
        (
            (ward_a, ComplaintState.RECEIVED),
            (unit_a, ComplaintState.RECEIVED),
            (ward_a, ComplaintState.ANSWERED),
            (ward_b, ComplaintState.WITHDRAWN),
            (dept, ComplaintState.RECEIVED),
        )
    ):
        Complaint.objects.create(
            agency=place,
            code=f"PA-T-{i}",
            kind=ComplaintKind.FEEDBACK,
            received_on=dt.date(2025, 12, 1),
            due_on=dt.date(2025, 12, 15),
            answered_on=dt.date(2025, 12, 10) if state == ComplaintState.ANSWERED else None,
            state=state,
            content="Phản ánh",
        )
    QualityObjective.objects.create(
        agency=ward_a,
        name="Đúng hạn phường An",
        metric="on_time_rate",
        target=99,
        valid_from=dt.date(2025, 7, 1),
    )
    QualityObjective.objects.create(
        agency=ward_b,
        name="Đúng hạn phường Bình (cũ)",
        metric="on_time_rate",
        target=80,
        valid_from=dt.date(2025, 1, 1),
        valid_until=dt.date(2025, 6, 30),
    )
    return locals()


def year_filter(agency, **extra):
    return DashboardFilter(
        agency=agency,
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
        period="y-2025",
        **extra,
    )


# Which agencies' records each row of the city holds, written out by hand.
def city_members(t):
    return {
        "Thành phố Thử": {t["city"].pk},
        "Quận Cũ": {t["district"].pk},
        "Phường An": {t["ward_a"].pk, t["unit_a"].pk, t["old_ward"].pk},
        "Phường Bình": {t["ward_b"].pk},
        "Sở Tư pháp Thử": {t["dept"].pk},
    }


def test_every_figure_of_the_city_equals_a_naive_count(tree):
    t = tree
    flt = year_filter(t["city"])
    card = scorecard(flt, now=NOW, today=TODAY)
    members = city_members(t)
    by_name = {row.body.agency.name: row for row in card.rows}
    # The city's own row has no record: left out; the ended district has data: shown.
    assert set(by_name) == {"Quận Cũ", "Phường An", "Phường Bình", "Sở Tư pháp Thử"}
    for name, row in by_name.items():
        assert_row_matches(row, naive_row(members[name], flt, now=NOW, today=TODAY))
    every = set().union(*members.values())
    assert_row_matches(card.total, naive_row(every, flt, now=NOW, today=TODAY))
    # Spot checks of the hand-made records.
    ward_a = by_name["Phường An"].cells
    assert ward_a["reviews_overdue"].value == 1
    assert float(ward_a["audits_done"].value) == pytest.approx(100 / 3)
    assert ward_a["major_nc"].value == 1 and ward_a["minor_nc"].value == 2  # incl. old ward's
    assert ward_a["actions_overdue"].value == 2
    assert ward_a["complaints_open"].value == 2
    assert by_name["Phường Bình"].cells["audits_done"].value == 100
    assert by_name["Sở Tư pháp Thử"].cells["audits_done"].value is None  # no 2025 programme
    assert by_name["Sở Tư pháp Thử"].cells["audits_done"].colour == ""
    assert by_name["Quận Cũ"].cells["major_nc"].value == 1


def test_the_index_cell_is_the_bodys_service_index(tree):
    """Each body's cell holds its index for the period (the body with the bodies rolled into
    it), coloured by the thresholds; the total holds the node's."""
    from indicators.models import ScorecardThreshold
    from indicators.selectors_bodies import reporting_bodies
    from indicators.selectors_index import service_index

    t = tree
    flt = year_filter(t["city"])
    card = scorecard(flt, now=NOW, today=TODAY)
    members = city_members(t)
    compared = 0
    for row in card.rows:
        alone = reporting_bodies(row.body.agency, flt.start, flt.end).agency_ids()
        if alone != members[row.body.agency.name]:
            # The district read alone keeps its old ward, which the city reads in Phường An.
            assert row.body.agency == t["district"]
            continue
        cell = row.cells["service_index"]
        expected = service_index(row.body.agency, flt.start, flt.end, today=TODAY).total
        assert cell.value == expected, row.body.label
        compared += 1
    assert compared == 3
    total = card.total.cells["service_index"]
    assert total.value == service_index(t["city"], flt.start, flt.end, today=TODAY).total
    assert total.value is not None
    ScorecardThreshold.objects.filter(measure="service_index").update(
        green=total.value + 1, amber=total.value
    )
    assert scorecard(flt, now=NOW, today=TODAY).total.cells["service_index"].colour == "amber"
    ScorecardThreshold.objects.filter(measure="service_index").update(
        green=total.value + 2, amber=total.value + 1
    )
    assert scorecard(flt, now=NOW, today=TODAY).total.cells["service_index"].colour == "red"


def test_field_and_channel_narrow_the_dossier_figures_only(tree):
    t = tree
    for extra in ({"field": "Chứng thực"}, {"channel": "online"}):
        flt = year_filter(t["city"], **extra)
        card = scorecard(flt, now=NOW, today=TODAY)
        members = city_members(t)
        for row in card.rows:
            assert_row_matches(
                row, naive_row(members[row.body.agency.name], flt, now=NOW, today=TODAY)
            )


def test_a_month_and_the_year_to_date(tree):
    t = tree
    flt = DashboardFilter(
        agency=t["city"], start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 31), period="m-2025-10"
    )
    card = scorecard(flt, now=NOW, today=TODAY)
    members = city_members(t)
    names = {row.body.agency.name for row in card.rows}
    # The district ended before October but still holds open findings: shown as ended.
    assert "Quận Cũ" in names
    for row in card.rows:
        assert_row_matches(row, naive_row(members[row.body.agency.name], flt, now=NOW, today=TODAY))


def test_reform_split_district_keeps_its_history_merged_ward_rolls_into_successor(tree):
    t = tree
    flt = DashboardFilter(
        agency=t["city"], start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30), period="range"
    )
    card = scorecard(flt, now=NOW, today=TODAY)
    by_name = {row.body.agency.name: row for row in card.rows}
    district = by_name["Quận Cũ"]
    year = scorecard(year_filter(t["city"]), now=NOW, today=TODAY).rows
    ended = next(row for row in year if row.body.agency == t["district"])
    assert ended.body.ended and "đã kết thúc hoạt động" in ended.body.label
    from indicators.models import Dossier

    own = Dossier.objects.filter(
        agency=t["district"], state__in=("resolved", "refused"), resolved_on__lte=ENDED
    ).count()
    assert district.cells["on_time_month"].denominator == own > 0
    # The old ward (under the district) rolls into ward A, not into the district.
    old = Dossier.objects.filter(
        agency=t["old_ward"], state__in=("resolved", "refused"), resolved_on__lte=ENDED
    ).count()
    assert by_name["Phường An"].cells["on_time_month"].denominator == old > 0
    assert [a.name for a in by_name["Phường An"].body.absorbed] == ["Phường Cũ"]
    # Ward B has no dossier before the reform: no pre-reform figure of the district in it.
    assert by_name["Phường Bình"].cells["on_time_month"].denominator == 0
    # Nothing counts twice: the total is the sum of the rows.
    total = card.total.cells["on_time_month"]
    assert total.denominator == sum(r.cells["on_time_month"].denominator for r in card.rows)


def test_total_rate_is_sum_over_sum_not_a_mean_of_rates(tree):
    t = tree
    card = scorecard(year_filter(t["city"]), now=NOW, today=TODAY)
    cells = [row.cells["on_time_month"] for row in card.rows if row.cells["on_time_month"].value]
    numerator = sum(c.numerator for c in cells)
    denominator = sum(c.denominator for c in cells)
    total = card.total.cells["on_time_month"]
    assert (total.numerator, total.denominator) == (numerator, denominator)
    assert float(total.value) == pytest.approx(100 * numerator / denominator)
    mean = sum(float(c.value) for c in cells) / len(cells)
    assert abs(float(total.value) - mean) > 0.01  # the data make them differ


def test_thresholds_and_objectives_colour_the_cells(tree):
    t = tree
    flt = year_filter(t["city"])
    row = next(r for r in scorecard(flt, now=NOW, today=TODAY).rows if r.body.agency == t["ward_a"])
    complaints = row.cells["complaints_open"]
    assert complaints.value == 2 and complaints.colour == AMBER  # defaults: green 0, amber 3
    ScorecardThreshold.objects.update_or_create(
        measure="complaints_open", defaults={"green": 2, "amber": 4}
    )
    row = next(r for r in scorecard(flt, now=NOW, today=TODAY).rows if r.body.agency == t["ward_a"])
    assert row.cells["complaints_open"].colour == GREEN
    ScorecardThreshold.objects.filter(measure="complaints_open").update(green=0, amber=1)
    row = next(r for r in scorecard(flt, now=NOW, today=TODAY).rows if r.body.agency == t["ward_a"])
    assert row.cells["complaints_open"].colour == RED
    # Ward A's objective (99 %) is its on-time target; ward B's ended before the period's end.
    on_time = row.cells["on_time_month"]
    assert on_time.objective.name == "Đúng hạn phường An" and on_time.target == 99
    rate = on_time.value
    assert on_time.colour == (GREEN if rate >= 99 else AMBER if rate >= 90 else RED)
    ScorecardThreshold.objects.update_or_create(
        measure="on_time_month", defaults={"green": 0, "amber": 0}
    )
    row = next(r for r in scorecard(flt, now=NOW, today=TODAY).rows if r.body.agency == t["ward_a"])
    # Green still needs the objective; the thresholds now make any other value amber.
    assert row.cells["on_time_month"].colour == (GREEN if rate >= 99 else AMBER)
    row_b = next(
        r for r in scorecard(flt, now=NOW, today=TODAY).rows if r.body.agency == t["ward_b"]
    )
    assert row_b.cells["on_time_month"].objective is None
    assert row_b.cells["on_time_month"].target == 0  # the green threshold set above


def test_worst_first(tree):
    t = tree
    rows = scorecard(year_filter(t["city"]), now=NOW, today=TODAY).rows
    keys = [(-r.colours(RED), -r.colours(AMBER), r.on_time is None, r.on_time or 0) for r in rows]
    assert keys == sorted(keys)
    assert rows[0].colours(RED) >= rows[-1].colours(RED)


def test_a_ward_reads_its_own_records_and_units(tree):
    t = tree
    flt = year_filter(t["ward_a"])
    card = scorecard(flt, now=NOW, today=TODAY)
    labels = [row.body.agency.name for row in card.rows]
    assert labels[0] == "Phường An" or "Bộ phận một cửa" in labels
    own = next(row for row in card.rows if row.body.own)
    assert_row_matches(
        own, naive_row({t["ward_a"].pk, t["old_ward"].pk}, flt, now=NOW, today=TODAY)
    )
    unit = next(row for row in card.rows if row.body.agency == t["unit_a"])
    assert_row_matches(unit, naive_row({t["unit_a"].pk}, flt, now=NOW, today=TODAY))
    assert "Phường Bình" not in {row.body.agency.name for row in card.rows}


def test_procedure_rows_equal_naive_counts(tree):
    t = tree
    from indicators.models import Dossier

    flt = year_filter(t["city"])
    rows = procedure_rows(flt, now=NOW)
    assert [r.late for r in rows] == sorted((r.late for r in rows), reverse=True)
    for row in rows:
        dossiers = Dossier.objects.filter(procedure=row.procedure)
        done = dossiers.filter(
            state__in=("resolved", "refused"), resolved_on__range=(flt.start, flt.end)
        )
        assert row.resolved == done.count()
        assert row.late == done.filter(timing="late").count()
        assert row.on_time == done.filter(timing__in=("early", "on_time")).count()
        assert (
            row.pending_overdue
            == dossiers.filter(
                state__in=("received", "in_progress", "waiting"),
                received_on__lte=flt.end,
                due_at__lt=NOW,
            ).count()
        )


def test_query_count_does_not_grow_with_bodies(tree):
    t = tree

    def count(flt):
        with CaptureQueriesContext(connection) as queries:
            scorecard(flt, now=NOW, today=TODAY)
        return len(queries)

    few = count(year_filter(t["ward_b"]))
    for i in range(8):
        unit = f.agency(name=f"Phòng {i}", kind=AgencyKind.UNIT, parent=t["dept"], code=f"P{i}")
        f.member(unit, Role.STAFF, username=f"p{i}-staff")
    many = count(year_filter(t["dept"]))
    assert few == many
    with CaptureQueriesContext(connection) as queries:
        procedure_rows(year_filter(t["ward_b"]), now=NOW)
    small = len(queries)
    with CaptureQueriesContext(connection) as queries:
        procedure_rows(year_filter(t["city"]), now=NOW)
    assert len(queries) == small
