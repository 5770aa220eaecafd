"""Step-by-step measurement (issue 11): each step of a dossier's process-control sheet measured
against the step table in force on its receipt date, the variant whose step codes the sheet uses;
the step that made a late dossier late; the numbers per step and unit; the dossier's page.

By hand (office hours 07:30-11:30, 13:00-17:00; Mon 10/03/2025 … no holidays that fortnight):
received Mon 10/03 08:00 (a 5-day TTHC: due Mon 17/03 08:00), resolved Fri 21/03 16:00, late.
B1 Mon 08:00 → Mon 11:30 (3,5 h = 0,4375 day; allotted 0,5: due Mon 11:30 + … on time, same
day); B2 Mon 13:00 → Tue 18/03 13:00 (6 working days; allotted 3: due Thu 13/03 13:00, late,
overrun 3); B3 Tue 18/03 13:00 → Thu 20/03 13:00 (2 days, allotted 1, late, overrun 1); B4
Thu 13:00 → Fri 16:00 (not counted).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from documents.selectors import variant_for_codes, variants_in_force
from indicators.models import DossierStep
from indicators.models.dossiers import Timing
from indicators.selectors_steps import late_step, step_stats
from indicators.services.steps import StepRow, record_sheets, validate_sheet
from qms.models import Role
from qms.workcal import get_calendar
from tests import factories

from .steps_setup import D2, dossier, issue_procedures, t

pytestmark = pytest.mark.django_db


@pytest.fixture
def tthc(db):
    return factories.tthc(code="1.STEP01", name="Cấp phiếu thử", working_days=5)


def late_sheet(day=10, month=3):
    return [
        StepRow("B1", "Bộ phận một cửa", t(2025, month, day, 8), t(2025, month, day, 11, 30)),
        StepRow("B2", "Phòng Hộ tịch", t(2025, month, day, 13), t(2025, month, day + 8, 13)),
        StepRow("B3", "Lãnh đạo Sở", t(2025, month, day + 8, 13), t(2025, month, day + 10, 13)),
        StepRow(
            "B4", "Bộ phận một cửa", t(2025, month, day + 10, 13), t(2025, month, day + 11, 16)
        ),
    ]


def steps_of(d):
    return list(DossierStep.objects.filter(dossier_id=d.pk).order_by("position"))


def test_a_dossier_late_because_of_one_units_step_is_attributed_to_that_step(
    world, tthc, monkeypatch
):
    [issue] = issue_procedures(world.node, tthc, monkeypatch, revise=False)
    late = dossier(world.node, tthc, "HS-TRE", t(2025, 3, 10, 8), t(2025, 3, 21, 16))
    assert late.timing == Timing.LATE
    record_sheets({late.pk: late_sheet()}, calendar=get_calendar())

    b1, b2, b3, b4 = steps_of(late)
    assert [s.allotted_days for s in (b1, b2, b3, b4)] == [
        Decimal("0.5"), Decimal("3"), Decimal("1"), None]  # fmt: skip
    assert b1.used_days == Decimal("0.4375") and b1.timing == Timing.ON_TIME
    assert b2.used_days == Decimal("6") and b2.overrun_days == Decimal("3")
    assert b2.timing == Timing.LATE and b3.timing == Timing.LATE
    assert b3.overrun_days == Decimal("1")
    assert b4.timing == "" and b4.overrun_days is None and b4.used_days is not None
    assert {s.issue_service.issue_id for s in (b1, b2, b3, b4)} == {issue.pk}
    assert b1.issue_service.variant == "a) Cấp mới"
    cause = late_step(late)
    assert (cause.code, cause.unit) == ("B2", "Phòng Hộ tịch")

    # On time overall: no step is blamed, even with a late step.
    quick = dossier(world.node, tthc, "HS-DUNG", t(2025, 3, 10, 8), t(2025, 3, 11, 8))
    record_sheets({quick.pk: late_sheet()}, calendar=get_calendar())
    assert late_step(quick) is None
    # No sheet: nothing.
    bare = dossier(world.node, tthc, "HS-KHONG", t(2025, 3, 10, 8), t(2025, 3, 31, 8))
    assert late_step(bare) is None

    # A sheet sent again replaces the rows.
    record_sheets({late.pk: late_sheet()[:2]}, calendar=get_calendar())
    assert [s.code for s in steps_of(late)] == ["B1", "B2"]


def test_the_variant_is_the_one_whose_step_codes_the_sheet_uses(world, tthc, monkeypatch):
    issue_procedures(world.node, tthc, monkeypatch, revise=False)
    again = dossier(world.node, tthc, "HS-LAI", t(2025, 3, 10, 8), t(2025, 3, 12, 8))
    # Codes written otherwise (case, accents, spaces) still match "Bước 1", "Bước 2".
    sheet = [
        StepRow("BUOC  1", "Bộ phận một cửa", t(2025, 3, 10, 8), t(2025, 3, 11, 8)),
        StepRow("bước 2", "Phòng Hộ tịch", t(2025, 3, 11, 8), t(2025, 3, 12, 8)),
    ]
    record_sheets({again.pk: sheet}, calendar=get_calendar())
    first, second = steps_of(again)
    assert first.issue_service.variant == "b) Cấp lại"
    assert (first.allotted_days, second.allotted_days) == (Decimal("1"), Decimal("2"))
    assert first.timing == Timing.ON_TIME and second.timing == Timing.EARLY

    # No code in common with any variant: the first as listed, nothing allotted.
    variants = variants_in_force(world.node, tthc.pk, dt.date(2025, 3, 10))
    assert [v.variant for v in variants] == ["a) Cấp mới", "b) Cấp lại"]
    assert variant_for_codes(variants, ["X1"]).variant == "a) Cấp mới"
    # A tie (one code of each): the first as listed.
    assert variant_for_codes(variants, ["B1", "Bước 1"]).variant == "a) Cấp mới"
    # The unit's own desk works by its body's procedure.
    assert [v.pk for v in variants_in_force(world.unit, tthc.pk, dt.date(2025, 3, 10))] == [
        v.pk for v in variants
    ]
    # Before the first issue: none in force; the steps are recorded unmeasured.
    early = dossier(world.node, tthc, "HS-SOM", t(2025, 2, 24, 8), t(2025, 2, 25, 8))
    record_sheets({early.pk: sheet}, calendar=get_calendar())
    assert {(s.issue_service_id, s.allotted_days, s.timing) for s in steps_of(early)} == {
        (None, None, "")
    }


def test_a_procedure_revised_mid_period_measures_each_dossier_against_its_receipt_dates_issue(
    world, tthc, monkeypatch
):
    first, second = issue_procedures(world.node, tthc, monkeypatch)
    before = dossier(world.node, tthc, "HS-TRUOC", t(2025, 3, 10, 8), t(2025, 3, 21, 16))
    after = dossier(world.node, tthc, "HS-SAU", t(2025, 6, 9, 8), t(2025, 6, 20, 16))
    cache = {}
    assert variants_in_force(world.node, tthc.pk, D2, cache=cache)[0].issue_id == second.pk
    record_sheets(
        {before.pk: late_sheet(10, 3), after.pk: late_sheet(9, 6)}, calendar=get_calendar()
    )
    b2_before, b2_after = (steps_of(d)[1] for d in (before, after))
    assert b2_before.issue_service.issue_id == first.pk
    assert b2_before.allotted_days == Decimal("3") and b2_before.overrun_days == Decimal("3")
    assert b2_after.issue_service.issue_id == second.pk
    assert b2_after.allotted_days == Decimal("2") and b2_after.overrun_days == Decimal("4")


def test_the_procedure_lookups_are_cached_per_agency_tthc_and_day(
    world, tthc, monkeypatch, django_assert_max_num_queries
):
    issue_procedures(world.node, tthc, monkeypatch, revise=False)
    dossiers = [
        dossier(world.node, tthc, f"HS-{i}", t(2025, 3, 10, 8), t(2025, 3, 21, 16))
        for i in range(30)
    ]
    sheets = {d.pk: late_sheet() for d in dossiers}
    calendar = get_calendar()
    # dossiers, agencies, the agency's levels and one lookup; delete and insert (+ savepoint).
    with django_assert_max_num_queries(10):
        record_sheets(sheets, calendar=calendar)
    assert DossierStep.objects.count() == 120


def test_a_sheet_is_checked_row_by_row():
    naive = dt.datetime(2025, 3, 10, 8)
    problems = validate_sheet(
        [
            StepRow("", "Bộ phận một cửa", t(2025, 3, 10, 8), None),
            StepRow("B2", " ", t(2025, 3, 10, 8), t(2025, 3, 11, 8)),
            StepRow("B3", "Phòng Hộ tịch", t(2025, 3, 12, 8), t(2025, 3, 11, 8)),
            StepRow("B4", "Phòng Hộ tịch", naive, None),
            StepRow("B" * 41, "Phòng Hộ tịch", t(2025, 3, 10, 8), None),
        ]
    )
    assert [(i, f) for i, f, _m in problems] == [
        (0, "code"),
        (1, "unit"),
        (2, "handed_out_at"),
        (3, "handed_in_at"),
        (4, "code"),
    ]
    assert "11/03/2025 08:00" in problems[2][2] and "12/03/2025 08:00" in problems[2][2]
    assert "không có múi giờ" in problems[3][2]
    assert validate_sheet(late_sheet()) == []
    assert validate_sheet([]) != []


def test_numbers_per_step_and_unit_match_a_naive_count(world, tthc, monkeypatch):
    issue_procedures(world.node, tthc, monkeypatch, revise=False)
    sheets = {}
    for i in range(8):
        d = dossier(world.node, tthc, f"HS-N{i}", t(2025, 3, 10, 8), t(2025, 3, 21, 16))
        sheet = late_sheet()
        if i % 2:  # half of B2 handled by another unit, on time
            sheet[1] = StepRow("B2", "Phòng Tư pháp", t(2025, 3, 10, 13), t(2025, 3, 11, 13))
        sheets[d.pk] = sheet
    elsewhere = dossier(world.sibling, tthc, "HS-X", t(2025, 3, 10, 8), t(2025, 3, 21, 16))
    sheets[elsewhere.pk] = late_sheet()
    record_sheets(sheets, calendar=get_calendar())

    stats = step_stats(world.node, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    rows = DossierStep.objects.filter(agency=world.node)
    naive = {}
    for s in rows:
        entry = naive.setdefault((s.code, s.unit), {"count": 0, "measured": 0, "good": 0,
                                                     "late": 0, "overrun": []})  # fmt: skip
        entry["count"] += 1
        if s.timing:
            entry["measured"] += 1
            entry["good"] += s.timing in (Timing.EARLY, Timing.ON_TIME)
            entry["late"] += s.timing == Timing.LATE
            entry["overrun"].append(s.overrun_days)
    assert {(r.code, r.unit) for r in stats} == set(naive)
    for r in stats:
        n = naive[r.code, r.unit]
        assert (r.count, r.measured, r.late) == (n["count"], n["measured"], n["late"])
        if n["measured"]:
            assert r.on_time_share == Decimal(n["good"]) / n["measured"]
            assert r.mean_overrun == pytest.approx(sum(n["overrun"]) / len(n["overrun"]))
        else:
            assert r.on_time_share is None and r.mean_overrun is None
    by_key = {(r.code, r.unit): r for r in stats}
    assert by_key["B2", "Phòng Hộ tịch"].late == 4
    assert by_key["B2", "Phòng Tư pháp"].on_time_share == 1
    # One TTHC, another TTHC, another period, the agency alone.
    assert step_stats(world.node, dt.date(2025, 3, 1), dt.date(2025, 3, 31), procedure_id=tthc.pk)
    other = factories.tthc(working_days=2)
    assert step_stats(world.node, dt.date(2025, 3, 1), dt.date(2025, 3, 31),
                      procedure_id=other.pk) == []  # fmt: skip
    assert step_stats(world.node, dt.date(2025, 4, 1), dt.date(2025, 4, 30)) == []
    parent_stats = step_stats(world.parent, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert sum(r.count for r in parent_stats) == 36
    assert step_stats(world.parent, dt.date(2025, 3, 1), dt.date(2025, 3, 31), subtree=False) == []


def test_the_dossier_page_shows_the_sheet_and_the_late_step(world, tthc, monkeypatch, client):
    issue_procedures(world.node, tthc, monkeypatch, revise=False)
    late = dossier(world.node, tthc, "HS-TRE", t(2025, 3, 10, 8), t(2025, 3, 21, 16))
    record_sheets({late.pk: late_sheet()}, calendar=get_calendar())
    client.force_login(world.users["node", Role.OFFICER])
    html = client.get(reverse("dossiers:inspect", args=[late.pk])).content.decode()
    assert "Phiếu kiểm soát quá trình" in html
    assert "Bước làm hồ sơ trễ hạn" in html
    assert "B2 · Phòng Hộ tịch" in html
    assert "QT-STEP/01" in html and "a) Cấp mới" in html
    assert "10/03/2025 11:30" in html and "Không tính thời gian" in html

    bare = dossier(world.node, tthc, "HS-KHONG", t(2025, 3, 10, 8), t(2025, 3, 11, 8))
    html = client.get(reverse("dossiers:inspect", args=[bare.pk])).content.decode()
    assert "Hồ sơ chưa có phiếu kiểm soát quá trình." in html
    assert "Bước làm hồ sơ trễ hạn" not in html


def _page_queries(client, url, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Once before counting: writing dossiers between two counts makes the next request redo the
    # person's rights of the day (not the page's cost).
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), response


def test_the_steps_page_and_its_export_cost_the_same_queries_for_few_and_many_rows(
    world, tthc, monkeypatch, client
):
    issue_procedures(world.node, tthc, monkeypatch, revise=False)
    d = dossier(world.node, tthc, "HS-1", t(2025, 3, 10, 8), t(2025, 3, 21, 16))
    record_sheets({d.pk: late_sheet()}, calendar=get_calendar())
    client.force_login(world.users["node", Role.LEADER])
    url = reverse("indicators_steps")
    params = {"agency": world.node.pk, "scope": "subtree", "period": "y-2025"}
    few, response = _page_queries(client, url, params)
    html = response.content.decode()
    assert "Phòng Hộ tịch" in html and "Theo bước xử lý" in html
    sheets = {}
    for i in range(20):
        other = dossier(world.node, tthc, f"HS-M{i}", t(2025, 3, 10, 8), t(2025, 3, 21, 16))
        sheet = late_sheet()
        sheet[1] = StepRow("B2", f"Tổ {i}", t(2025, 3, 10, 13), t(2025, 3, 18, 13))
        sheets[other.pk] = sheet
    record_sheets(sheets, calendar=get_calendar())
    many, response = _page_queries(client, url, params)
    assert "Tổ 19" in response.content.decode()
    assert many == few
    response = client.get(url, {**params, "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [row for row in book.active.iter_rows(values_only=True)]
    assert ("B2", "Phòng Hộ tịch", 1, 1, 0, 0, 1, 0.0, 3.0) in cells
    # A sibling's officer is not offered the node.
    client.force_login(world.users["sibling", Role.OFFICER])
    response = client.get(url, params)
    assert "Phòng Hộ tịch" not in response.content.decode()
