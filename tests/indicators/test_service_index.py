"""The national service index (Decision 766/QĐ-TTg) computed at home (issue [9] item 2).

Every computed part is compared with a naive query written here over the dossiers and the
complaints (never the summaries or the selectors), on a factory world and on a generated data
set; the entered indicators carry who entered them; a newer scheme applies from its date; a
merged predecessor's dossiers count in its successor's index."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.models import Complaint
from audits.models.complaints import ComplaintKind, ComplaintState
from indicators.dashboard_filter import DashboardFilter
from indicators.models import Dossier
from indicators.models.dossiers import Channel, DossierState, Outcome, Timing
from indicators.models.index import IndexGroup, IndexIndicator, IndexScheme
from indicators.selectors_index import (
    FORMULAS,
    index_by_body,
    index_trend,
    parse_formula,
    scheme_for,
    service_index,
)
from indicators.services.dossiers import DossierRecord, upsert
from indicators.services.index import index_entry_save
from qms.models import Agency, AgencyKind, Role
from qms.models.agencies import AgencySuccession, SuccessionKind, subtree_q
from qms.workcal import get_calendar
from tests import factories as f

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
TODAY = dt.date(2025, 12, 31)
REFORM = dt.date(2025, 7, 1)
# indicator code -> formula key of the 766 scheme written by the data migration
COMPUTED = {
    "2.1": "on_time",
    "2.2": "late_apology",
    "3.1": "e_result",
    "3.2": "digitised",
    "4.3": "online",
    "4.5": "online_payment",
    "5.1": "complaints_on_time",
    "5.3": "satisfied",
}


def t(day, hour=8, minute=0, month=3) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, minute, tzinfo=TZ)


def put(*records) -> None:
    rows = [DossierRecord(line=i + 2, **fields) for i, fields in enumerate(records)]
    result = upsert(rows, calendar=get_calendar())
    assert result.problems == []


def dossier(agency, procedure, code, **fields) -> dict:
    return {
        "agency_id": agency.pk,
        "code": code,
        "procedure_id": procedure.pk,
        "channel": Channel.IN_PERSON,
        **fields,
    }


def complaint(agency, code, received_on, due_on, answered_on=None, withdrawn=False):
    state = ComplaintState.RECEIVED
    if withdrawn:
        state = ComplaintState.WITHDRAWN
    elif answered_on is not None:
        state = ComplaintState.ANSWERED
    return Complaint.objects.create(
        agency=agency,
        code=code,
        kind=ComplaintKind.FEEDBACK,
        received_on=received_on,
        due_on=due_on,
        answered_on=answered_on,
        state=state,
        content="Nội dung",
    )


# --- The naive reading ---------------------------------------------------------------------------


def naive_shares(agency_ids, start, end, today=TODAY) -> dict[str, Decimal | None]:
    """Each computed indicator's share, straight from the dossiers and complaints."""
    dossiers = Dossier.objects.filter(agency_id__in=agency_ids)
    received = [d for d in dossiers if start <= d.received_on <= end]
    resolved = [
        d
        for d in dossiers
        if d.state in (DossierState.RESOLVED, DossierState.REFUSED)
        and d.resolved_on is not None
        and start <= d.resolved_on <= end
    ]
    late = [d for d in resolved if d.timing == Timing.LATE]
    rated = [d for d in resolved if d.rating is not None]
    complaints = [
        c
        for c in Complaint.objects.filter(agency_id__in=agency_ids)
        if start <= c.received_on <= end and c.state != ComplaintState.WITHDRAWN
    ]
    decided = [
        c
        for c in complaints
        if (c.state == ComplaintState.ANSWERED and c.answered_on) or c.due_on < today
    ]

    def share(part, whole):
        return Decimal(len(part)) / Decimal(len(whole)) if whole else None

    return {
        "on_time": share(
            [d for d in resolved if d.timing in (Timing.EARLY, Timing.ON_TIME)], resolved
        ),  # fmt: skip
        "late_apology": share([d for d in late if d.extended_at is not None], late),
        "e_result": share([d for d in resolved if d.e_result], resolved),
        "digitised": share([d for d in received if d.digitised], received),
        "online": share([d for d in received if d.channel == Channel.ONLINE], received),
        "online_payment": share([d for d in resolved if d.online_payment], resolved),
        "complaints_on_time": share(
            [c for c in decided if c.answered_on and c.answered_on <= c.due_on], decided
        ),
        "satisfied": share([d for d in rated if d.rating >= 4], rated),
    }


def assert_matches_naive(result, expected: dict):
    by_code = {i.code: i for i in result.indicators}
    for code, key in COMPUTED.items():
        indicator = by_code[code]
        assert indicator.share == expected[key], (code, key)
        assert not indicator.entered
        if expected[key] is None:
            assert indicator.points is None and indicator.lost is None
        else:
            _key, threshold = parse_formula(IndexIndicator.objects.get(
                group__scheme__code="QD766-2022", code=code).formula)  # fmt: skip
            scored = min(Decimal(1), expected[key] / (threshold or Decimal(1)))
            points = (indicator.points_max * scored).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert indicator.points == points
            assert indicator.lost == indicator.points_max - points
    for group in result.groups:
        known = [i.points for i in group.indicators if i.points is not None]
        assert group.points == (sum(known) if known else None)
    known = [g.points for g in result.groups if g.points is not None]
    assert result.total == (sum(known) if known else None)


# --- The scheme ----------------------------------------------------------------------------------


def test_the_766_scheme_is_data_with_five_groups_out_of_100():
    scheme = IndexScheme.objects.get(code="QD766-2022")
    assert scheme.valid_from == dt.date(2022, 6, 23)
    assert "766/QĐ-TTg" in scheme.legal_source
    groups = list(scheme.groups.order_by("number"))
    assert [(g.number, g.max_points) for g in groups] == [
        (1, 18), (2, 20), (3, 22), (4, 22), (5, 18)
    ]  # fmt: skip
    assert [g.name for g in groups] == [
        "Công khai, minh bạch",
        "Tiến độ, kết quả giải quyết",
        "Số hóa hồ sơ",
        "Cung cấp dịch vụ trực tuyến",
        "Mức độ hài lòng",
    ]
    for group in groups:
        indicators = list(group.indicators.all())
        assert sum(i.points for i in indicators) == group.max_points
        for indicator in indicators:
            assert indicator.legal_source.startswith("Phụ lục Quyết định 766/QĐ-TTg")
            assert indicator.formula_text
            key, _threshold = parse_formula(indicator.formula)
            assert key == "entered" or key in FORMULAS
    codes = {i.code: parse_formula(i.formula)[0] for g in groups for i in g.indicators.all()}
    assert {c: k for c, k in codes.items() if k != "entered"} == COMPUTED
    assert scheme_for(dt.date(2022, 6, 22)) is None
    assert scheme_for(dt.date(2022, 6, 23)) == scheme


# --- A factory world -----------------------------------------------------------------------------


@pytest.fixture
def city():
    city = f.agency(name="Thành phố", kind=AgencyKind.PROVINCE, code="TP")
    ward_a = f.agency(name="Phường A", kind=AgencyKind.COMMUNE, parent=city, code="PA")
    ward_b = f.agency(name="Phường B", kind=AgencyKind.COMMUNE, parent=city, code="PB")
    old_ward = f.agency(
        name="Phường cũ", kind=AgencyKind.COMMUNE, parent=city, code="PCU",
        valid_to=dt.date(2025, 6, 30),
    )  # fmt: skip
    ward_c = f.agency(
        name="Phường C", kind=AgencyKind.COMMUNE, parent=city, code="PC", valid_from=REFORM
    )
    AgencySuccession.objects.create(
        predecessor=old_ward, successor=ward_c, kind=SuccessionKind.MERGE, effective_date=REFORM
    )
    civil = f.tthc(code="1.000001", name="Đăng ký khai sinh", working_days=3)
    put(
        # Ward A: early online with everything, on time digitised, late with an apology, late
        # without, refused (counts as resolved), withdrawn (out), pending.
        dossier(ward_a, civil, "A1", channel=Channel.ONLINE, received_at=t(3),
                resolved_at=t(4), outcome=Outcome.ISSUED, digitised=True, e_result=True,
                online_payment=True, rating=5),
        dossier(ward_a, civil, "A2", received_at=t(3), resolved_at=t(6), outcome=Outcome.ISSUED,
                digitised=True, rating=4),
        dossier(ward_a, civil, "A3", received_at=t(3), extended_at=t(5, 16),
                extended_due_at=t(10), resolved_at=t(7, 10), outcome=Outcome.ISSUED, rating=2),
        dossier(ward_a, civil, "A4", received_at=t(3), resolved_at=t(12), outcome=Outcome.ISSUED),
        dossier(ward_a, civil, "A5", channel=Channel.ONLINE, received_at=t(4),
                resolved_at=t(5), outcome=Outcome.REFUSED),
        dossier(ward_a, civil, "A6", received_at=t(4), resolved_at=t(5), outcome=Outcome.WITHDRAWN),
        dossier(ward_a, civil, "A7", received_at=t(20), digitised=True),
        # Ward B: one online dossier, on time, e-result.
        dossier(ward_b, civil, "B1", channel=Channel.ONLINE, received_at=t(10),
                resolved_at=t(11), outcome=Outcome.ISSUED, e_result=True, rating=3),
        # The former ward (merged into C on 01/07/2025): two in March.
        dossier(old_ward, civil, "O1", received_at=t(3), resolved_at=t(4),
                outcome=Outcome.ISSUED, digitised=True),
        dossier(old_ward, civil, "O2", received_at=t(3), resolved_at=t(14),
                outcome=Outcome.ISSUED),
        # Ward C itself, in August.
        dossier(ward_c, civil, "C1", channel=Channel.ONLINE,
                received_at=dt.datetime(2025, 8, 4, 8, tzinfo=TZ),
                resolved_at=dt.datetime(2025, 8, 5, 8, tzinfo=TZ), outcome=Outcome.ISSUED),
    )  # fmt: skip
    d = dt.date
    complaint(ward_a, "K1", d(2025, 3, 3), d(2025, 3, 10), answered_on=d(2025, 3, 7))
    complaint(ward_a, "K2", d(2025, 3, 3), d(2025, 3, 10), answered_on=d(2025, 3, 12))
    complaint(ward_a, "K3", d(2025, 3, 5), d(2025, 3, 12))  # unanswered, past due: late
    complaint(ward_a, "K4", d(2025, 3, 5), d(2025, 3, 12), withdrawn=True)
    complaint(ward_b, "K5", d(2025, 3, 5), d(2026, 3, 12))  # not yet due: not decided
    complaint(old_ward, "K6", d(2025, 3, 5), d(2025, 3, 12), answered_on=d(2025, 3, 6))
    return locals()


def test_a_ward_s_computed_parts_equal_the_naive_reading(city):
    ward_a = city["ward_a"]
    result = service_index(ward_a, *MARCH, today=TODAY)
    expected = naive_shares([ward_a.pk], *MARCH)
    # by hand too: 4 of 5 resolved classed early or on time? A1 early, A2 on time, A3 late,
    # A4 late, A5 refused early: 3/5; one of two late dossiers apologised.
    assert expected["on_time"] == Decimal(3) / 5
    assert expected["late_apology"] == Decimal(1) / 2
    assert expected["complaints_on_time"] == Decimal(1) / 3
    assert expected["satisfied"] == Decimal(2) / 3
    assert_matches_naive(result, expected)
    assert result.scheme.code == "QD766-2022"
    assert result.max_total == 100
    # The entered indicators are not entered: no points, no loss, "chưa nhập".
    entered = [i for i in result.indicators if i.entered]
    assert entered and all(i.share is None and i.points is None for i in entered)
    # Where the points are lost, most first.
    lost = result.by_points_lost()
    assert lost[0].code == "2.1" and lost[0].lost == Decimal(8)
    assert [i.lost for i in lost] == sorted((i.lost for i in lost), reverse=True)


def test_the_city_index_rolls_up_its_wards_and_the_merged_predecessor(city):
    c = city
    ids = [c[k].pk for k in ("city", "ward_a", "ward_b", "old_ward", "ward_c")]
    assert_matches_naive(service_index(c["city"], *YEAR, today=TODAY), naive_shares(ids, *YEAR))
    # The successor's own index counts the merged predecessor's history.
    ward_c = service_index(c["ward_c"], *YEAR, today=TODAY)
    assert_matches_naive(ward_c, naive_shares([c["ward_c"].pk, c["old_ward"].pk], *YEAR))
    on_time = {i.code: i for i in ward_c.indicators}["2.1"]
    assert on_time.share == Decimal(2) / 3  # O1 early, O2 late, C1 early


def test_index_by_body_rows_worst_first_in_fixed_queries(city, django_assert_max_num_queries):
    c = city
    flt = DashboardFilter(agency=c["city"], start=YEAR[0], end=YEAR[1], period="y-2025")
    rows = index_by_body(flt, today=TODAY)
    by_name = {body.agency.name: result for body, result in rows}
    assert "Phường cũ" not in by_name  # rolled into Phường C
    assert_matches_naive(by_name["Phường C"], naive_shares([c["ward_c"].pk, c["old_ward"].pk],
                                                            *YEAR))  # fmt: skip
    assert_matches_naive(by_name["Phường A"], naive_shares([c["ward_a"].pk], *YEAR))
    assert_matches_naive(by_name["Phường B"], naive_shares([c["ward_b"].pk], *YEAR))
    totals = [r.total for _b, r in rows if r.total is not None]
    assert totals == sorted(totals)
    assert [r.total for _b, r in rows][-1] is None  # the city's own row: no dossier

    with CaptureQueriesContext(connection) as few:
        index_by_body(flt, today=TODAY)
    for n in range(8):
        ward = f.agency(name=f"Phường mới {n}", kind=AgencyKind.COMMUNE, parent=c["city"])
        put(dossier(ward, c["civil"], f"N{n}", received_at=t(3), resolved_at=t(4),
                    outcome=Outcome.ISSUED))  # fmt: skip
        complaint(ward, f"KN{n}", dt.date(2025, 3, 3), dt.date(2025, 3, 10))
    with CaptureQueriesContext(connection) as many:
        rows = index_by_body(flt, today=TODAY)
    assert len(rows) == 12
    assert len(many) == len(few)


def test_entered_indicator_with_who_and_when(city):
    c = city
    officer = f.member(c["ward_a"], Role.OFFICER, username="canbo_a")
    scheme = IndexScheme.objects.get(code="QD766-2022")
    synced = IndexIndicator.objects.get(group__scheme=scheme, code="1.4")
    entry = index_entry_save(actor=officer, indicator=synced, agency=c["ward_a"],
                             month=dt.date(2025, 3, 15), value=90, source="Cổng DVCQG")  # fmt: skip
    assert entry.month == dt.date(2025, 3, 1) and entry.entered_by == officer
    index_entry_save(actor=officer, indicator=synced, agency=c["ward_a"],
                     month=dt.date(2025, 2, 1), value="70")  # fmt: skip
    march = {i.code: i for i in service_index(c["ward_a"], *MARCH, today=TODAY).indicators}
    assert march["1.4"].entered and march["1.4"].share == Decimal("0.9")
    assert march["1.4"].points == Decimal("5.40") and march["1.4"].lost == Decimal("0.60")
    assert march["1.4"].entered_by == officer and march["1.4"].entered_at is not None
    quarter = service_index(c["ward_a"], dt.date(2025, 1, 1), dt.date(2025, 3, 31), today=TODAY)
    q = {i.code: i for i in quarter.indicators}["1.4"]
    assert q.share == Decimal("0.8") and q.months_entered == 2  # mean of 90 and 70
    # Changing a month keeps one row and its history.
    index_entry_save(actor=officer, indicator=synced, agency=c["ward_a"],
                     month=dt.date(2025, 3, 1), value=100)  # fmt: skip
    entry.refresh_from_db()
    assert entry.value == 100 and entry.history.count() == 2
    # A computed indicator, a value out of 0..100, another ward: refused.
    on_time = IndexIndicator.objects.get(group__scheme=scheme, code="2.1")
    with pytest.raises(ValidationError):
        index_entry_save(actor=officer, indicator=on_time, agency=c["ward_a"],
                         month=dt.date(2025, 3, 1), value=50)  # fmt: skip
    with pytest.raises(ValidationError):
        index_entry_save(actor=officer, indicator=synced, agency=c["ward_a"],
                         month=dt.date(2025, 3, 1), value=101)  # fmt: skip
    with pytest.raises(PermissionDenied):
        index_entry_save(actor=officer, indicator=synced, agency=c["ward_b"],
                         month=dt.date(2025, 3, 1), value=50)  # fmt: skip
    staff = f.member(c["ward_a"], Role.STAFF, username="nhanvien_a")
    with pytest.raises(PermissionDenied):
        index_entry_save(actor=staff, indicator=synced, agency=c["ward_a"],
                         month=dt.date(2025, 4, 1), value=50)  # fmt: skip
    # The entry is the agency's own: the city's index does not take the ward's entries.
    city_index = {i.code: i for i in service_index(c["city"], *MARCH, today=TODAY).indicators}
    assert city_index["1.4"].share is None


def test_a_newer_scheme_applies_from_its_date(city):
    c = city
    newer = IndexScheme.objects.create(
        code="TEST-2025", name="Bộ chỉ số thử", legal_source="Thử", valid_from=REFORM
    )
    group = IndexGroup.objects.create(scheme=newer, number=1, name="Tiến độ", max_points=100)
    IndexIndicator.objects.create(group=group, code="1", name="Đúng hạn", points=100,
                                  formula="on_time")  # fmt: skip
    assert scheme_for(dt.date(2025, 6, 30)).code == "QD766-2022"
    assert scheme_for(REFORM) == newer
    june = service_index(c["ward_a"], dt.date(2025, 6, 1), dt.date(2025, 6, 30), today=TODAY)
    assert june.scheme.code == "QD766-2022" and len(june.groups) == 5
    # A period that ends after the change is scored by the newer scheme, whole.
    crossing = service_index(c["ward_a"], *YEAR, today=TODAY)
    assert crossing.scheme == newer and crossing.max_total == 100
    assert crossing.total == Decimal(60)  # 3 of 5 on time
    trend = index_trend(c["ward_a"], dt.date(2025, 12, 31), today=TODAY)
    assert [m for m, _r in trend][0] == dt.date(2025, 1, 1) and len(trend) == 12
    assert [r.scheme.code for _m, r in trend] == ["QD766-2022"] * 6 + ["TEST-2025"] * 6


def test_the_trend_equals_each_month_s_index(city, django_assert_max_num_queries):
    c = city
    with django_assert_max_num_queries(12):
        trend = index_trend(c["city"], dt.date(2025, 8, 20), today=TODAY)
    assert [m for m, _r in trend] == [dt.date(2024, m, 1) for m in (9, 10, 11, 12)] + [
        dt.date(2025, m, 1) for m in range(1, 9)
    ]
    for month, result in trend:
        last = min((month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1),
                   dt.date(2025, 8, 20))  # fmt: skip
        alone = service_index(c["city"], month, last, today=TODAY)
        assert result.total == alone.total
        assert [i.share for i in result.indicators] == [i.share for i in alone.indicators]


# --- A generated data set ------------------------------------------------------------------------


def test_generated_data_set_equals_the_naive_reading():
    from bench.generate import agency_tree, catalogue_create, lives, load

    province = agency_tree(departments=2, units_per_department=1, communes=2, code_prefix="GX")
    catalogue = catalogue_create(province, procedures=10, seed=5)
    calendar = get_calendar()
    now = dt.datetime(2025, 10, 31, 12, 0, tzinfo=calendar.tz)
    generated = lives(600, seed=21, catalogue=catalogue, first=dt.date(2025, 7, 1),
                      last=dt.date(2025, 10, 31), calendar=calendar)  # fmt: skip
    assert load(generated, now).problems == []
    quarter = (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    ids = list(Agency.objects.filter(subtree_q([province.path])).values_list("pk", flat=True))
    expected = naive_shares(ids, *quarter)
    assert expected["on_time"] is not None and expected["satisfied"] is not None
    assert expected["e_result"] and expected["online"]
    assert_matches_naive(service_index(province, *quarter, today=TODAY), expected)
    flt = DashboardFilter(agency=province, start=quarter[0], end=quarter[1], period="q-2025-3")
    from indicators.selectors_bodies import reporting_bodies

    bodies = reporting_bodies(province, *quarter)
    mine = {b.key: b for b in bodies.rows}
    rows = index_by_body(flt, today=TODAY)
    assert len(rows) == 5  # the province's own row, two departments, two communes
    for body, result in rows:
        assert_matches_naive(result, naive_shares(bodies.members(mine[body.key]), *quarter))
