"""The scorecard on the demo city and on a generated data set, every figure against a naive
count (tests/indicators/scorecard_naive.py). The demo is seeded once for the module (it takes a
while); the split Hoàn Kiếm district (QHOANKIEM) is its own ended row under the city with its
pre-reform dossiers, which no ward's row holds; a ward's leader sees only their ward."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from indicators.dashboard_filter import DashboardFilter
from indicators.models import Dossier
from indicators.selectors_scorecard import procedure_rows, scorecard
from qms.models import Agency
from tests.indicators.scorecard_naive import assert_row_matches, naive_row, subtree_members

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

REFORM = dt.date(2025, 7, 1)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def _members(row) -> set[int]:
    return {row.body.agency.pk} if row.body.own else subtree_members(row.body.agency)


def _check(flt, now, today):
    card = scorecard(flt, now=now, today=today)
    for row in card.rows:
        assert_row_matches(row, naive_row(_members(row), flt, now=now, today=today))
    assert_row_matches(
        card.total, naive_row(subtree_members(flt.agency), flt, now=now, today=today)
    )
    return card


def test_demo_city_every_figure_and_the_split_district(seeded):
    now, today = timezone.now(), timezone.localdate()
    city = Agency.objects.get(code="HN")
    flt = DashboardFilter(agency=city, start=dt.date(2025, 1, 1), end=today, period="range")
    card = _check(flt, now, today)
    by_code = {row.body.agency.code: row for row in card.rows}
    district = by_code["QHOANKIEM"]
    assert district.body.ended and "đã kết thúc hoạt động" in district.body.label
    before = Dossier.objects.filter(
        agency__code="QHOANKIEM",
        state__in=("resolved", "refused"),
        resolved_on__gte=flt.start,
    ).count()
    assert district.cells["on_time_month"].denominator == before > 0
    for code in ("PHOANKIEM", "PCUANAM"):
        assert not Dossier.objects.filter(
            agency__path__startswith=by_code[code].body.agency.path, received_on__lt=REFORM
        ).exists()
    # This year and this month too (the district has no row once it holds no data).
    for period, start in (
        (f"y-{today.year}", today.replace(month=1, day=1)),
        (f"m-{today:%Y-%m}", today.replace(day=1)),
    ):
        _check(DashboardFilter(agency=city, start=start, end=today, period=period), now, today)
    # The drill-down of a department against a naive count.
    stp = Agency.objects.get(code="STP")
    flt = DashboardFilter(agency=stp, start=today.replace(month=1, day=1), end=today, period="y")
    for row in procedure_rows(flt, now=now):
        done = Dossier.objects.filter(
            agency__path__startswith=stp.path,
            procedure=row.procedure,
            state__in=("resolved", "refused"),
            resolved_on__range=(flt.start, flt.end),
        )
        assert (row.resolved, row.late) == (done.count(), done.filter(timing="late").count())


def test_demo_ward_leader_sees_only_their_ward(seeded, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="phoankiem-leader"))
    others = [a.name for a in Agency.objects.filter(code__in=("PCUANAM", "PBADINH", "XSOCSON"))]
    assert others
    for name in ("indicators_dashboard", "indicators_dashboard_procedures"):
        for export in ("", "csv"):
            response = client.get(reverse(name), {"export": export} if export else {})
            assert response.status_code == 200
            text = response.content.decode("utf-8-sig")
            assert not [other for other in others if other in text]
        ward = Agency.objects.get(code="PCUANAM")
        response = client.get(reverse(name), {"agency": ward.pk, "period": "y-2025"})
        assert ward.name not in response.content.decode()


def test_generated_data_set(db):
    from bench.generate import agency_tree, catalogue_create, lives, load
    from qms.workcal import get_calendar

    province = agency_tree(departments=3, units_per_department=2, communes=3, code_prefix="SC")
    catalogue = catalogue_create(province, procedures=10, seed=4)
    calendar = get_calendar()
    now = dt.datetime(2025, 10, 31, 12, 0, tzinfo=calendar.tz)
    loaded = load(
        lives(
            1500,
            seed=21,
            catalogue=catalogue,
            first=dt.date(2025, 1, 1),
            last=dt.date(2025, 10, 31),
            calendar=calendar,
            steps=True,
        ),
        now,
    )
    assert loaded.problems == []
    today = now.date()
    for period, start in (("m-2025-10", dt.date(2025, 10, 1)), ("q-2025-3", dt.date(2025, 7, 1))):
        end = today if period.startswith("m") else dt.date(2025, 9, 30)
        flt = DashboardFilter(agency=province, start=start, end=end, period=period)
        card = _check(flt, now, today)
        assert len(card.rows) >= 6
        assert card.total.cells["on_time_month"].denominator > 100
        for extra in ({"channel": "online"},):
            _check(
                DashboardFilter(agency=province, start=start, end=end, period=period, **extra),
                now,
                today,
            )
        rows = procedure_rows(flt, now=now)
        for row in rows:
            done = Dossier.objects.filter(
                procedure=row.procedure,
                state__in=("resolved", "refused"),
                resolved_on__range=(flt.start, flt.end),
            )
            assert (row.resolved, row.late) == (done.count(), done.filter(timing="late").count())


def test_demo_index_parts_and_chart_tables_equal_naive_queries(seeded):
    """On the demo city this year: each body's computed index parts against the dossiers and
    complaints read naively, and the on-time trend and late-TTHC tables against naive counts."""
    from collections import Counter

    from indicators.charts import table_of
    from indicators.models.dossiers import Timing
    from indicators.selectors_index import service_index
    from tests.indicators.test_service_index import assert_matches_naive, naive_shares

    today = timezone.localdate()
    now = timezone.now()
    city = Agency.objects.get(code="HN")
    start, end = today.replace(month=1, day=1), today
    flt = DashboardFilter(agency=city, start=start, end=end, period=f"y-{today.year}")
    checked = 0
    for row in scorecard(flt, now=now, today=today).rows:
        if row.body.own:
            continue
        members = subtree_members(row.body.agency)
        result = service_index(row.body.agency, start, end, today=today)
        assert_matches_naive(result, naive_shares(members, start, end, today=today))
        checked += 1
    assert checked >= 5

    resolved = [
        d
        for d in Dossier.objects.filter(agency_id__in=subtree_members(city))
        if d.state in ("resolved", "refused") and d.resolved_on and start <= d.resolved_on <= end
    ]
    trend = {r[0]: r for r in table_of("on_time_trend", flt, now).rows}
    by_month = Counter(f"{d.resolved_on:%m/%Y}" for d in resolved)
    good = Counter(
        f"{d.resolved_on:%m/%Y}" for d in resolved if d.timing in (Timing.EARLY, Timing.ON_TIME)
    )
    for label, count in by_month.items():
        assert (trend[label][1], trend[label][2]) == (count, good[label]), label
    late = Counter(d.procedure.code for d in resolved if d.timing == Timing.LATE)
    pareto = table_of("late_pareto", flt, now)
    # Rows "code – name" (the top TTHC), then the rest summed: every late dossier once.
    shown = {r[0].split(" – ")[0]: r[1] for r in pareto.rows if " – " in r[0]}
    assert shown and all(shown[code] == late[code] for code in shown)
    assert sum(r[1] for r in pareto.rows) == sum(late.values())
