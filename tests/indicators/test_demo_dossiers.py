"""The demo's dossiers (issue 10 point 8): 18 months up to today for the demo city's agencies,
with late results, supplements and pending dossiers past their due time, the summary tables
right; seeding again adds nothing. And the committed one-month import file: real-shaped (the
one-stop headers, personal-data columns the import drops), its bad rows each reported with line
and field, the rest accepted, and rebuilt exactly by the generator. Issue 11 on the same seeded
demo (one seeding for the module, it takes a while): the process-control sheets, a few hundred demo
dossiers following the step table in force with one unit consistently late, blamed on a late
dossier's page; the quality objectives of Hà Nội and Sở Tư pháp, set by their leaders, evaluated
for last month with exactly one breach and its nonconformity, shown in the review inputs and the
programme's priority."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from audits.models import Finding, FindingSource
from indicators import demo, demo_objectives, demo_steps, importing
from indicators.models import Dossier, DossierStep, ObjectiveEvaluation, QualityObjective
from indicators.selectors_steps import late_step, step_stats
from indicators.services import summaries
from indicators.services.dossiers import upsert
from indicators.services.objectives import previous_month
from qms import providers, tabular
from qms.models import Agency
from qms.text import fold
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


# --- Issue 11: process-control sheets ---------------------------------------------------------


def test_demo_sheets_with_one_late_unit(seeded):
    demo_ids = Dossier.objects.filter(code__startswith=demo.DEMO_PREFIX).values("pk")
    sheets = DossierStep.objects.filter(dossier_id__in=demo_ids)
    assert 200 <= sheets.values("dossier_id").distinct().count() <= demo_steps.MAX_SHEETS + 150
    assert sheets.filter(issue_service__isnull=False).count() == sheets.count()
    assert len({a for a in sheets.values_list("agency_id", flat=True)}) >= 2

    stp = Agency.objects.get(code="STP")
    today = timezone.localdate()
    stats = step_stats(stp, today.replace(year=today.year - 2), today)
    late_units = {fold(r.unit) for r in stats if r.measured and r.late * 2 > r.measured}
    assert late_units == {fold(demo_steps.LATE_UNIT)}

    late = Dossier.objects.filter(
        agency=stp, timing="late", pk__in=sheets.values("dossier_id")
    ).first()
    assert late is not None
    assert fold(late_step(late).unit) == fold(demo_steps.LATE_UNIT)


def test_seeding_the_sheets_again_adds_nothing(seeded):
    before = DossierStep.objects.count()
    assert demo_steps.seed() == {}
    assert DossierStep.objects.count() == before


# --- Issue 11: quality objectives -------------------------------------------------------------


def test_demo_objectives_with_exactly_one_breach(seeded):
    city = Agency.objects.get(code="HN")
    justice = Agency.objects.get(code="STP")
    objectives = QualityObjective.objects.filter(agency__in=[city, justice])
    assert objectives.count() == 3
    assert objectives.filter(procedure__isnull=False).count() == 1
    # Each set by its agency's demo leader (the page says who set it).
    setters = {o.agency.code: o.set_by.username for o in objectives.select_related("set_by")}
    assert setters == {"HN": "hn-leader", "STP": "stp-leader"}
    last = previous_month()
    evaluations = ObjectiveEvaluation.objects.filter(period_start=last)
    assert evaluations.count() == 3
    missed = evaluations.filter(met=False)
    assert missed.count() == 1
    finding = missed.get().finding
    assert finding.source == FindingSource.OBJECTIVE_BREACH
    assert Finding.objects.filter(source=FindingSource.OBJECTIVE_BREACH).count() == 1
    assert demo_objectives.seed() == {}
    assert QualityObjective.objects.count() == 3

    # The management review's inputs: real on-time figures and the objectives' results.
    year = (last.replace(month=1, day=1), last)
    performance = providers.ask_first(providers.ON_TIME_PERFORMANCE, city, *year)
    assert performance["resolved"] > 0
    answer = providers.ask_first(providers.QUALITY_OBJECTIVES, city, *year)
    assert len(answer) == 3
    assert [item["met"] for item in answer].count(False) == 1


def test_review_inputs_and_programme_show_the_results(seeded):
    import datetime as dt

    from audits.selectors_reviews import review_inputs

    city = Agency.objects.get(code="HN")
    last = previous_month()
    breach = ObjectiveEvaluation.objects.get(met=False).objective
    inputs = str(review_inputs(city, last.replace(month=1, day=1), last, dt.date.today()))
    assert "Chưa có số liệu" not in inputs
    assert breach.name in inputs and "không đạt" in inputs

    # The audit programme's priority of the breached agency names the breach's nonconformity.
    from audits.models import ProgrammeEntry

    code = ObjectiveEvaluation.objects.get(met=False).finding.code
    breached = ObjectiveEvaluation.objects.get(met=False).objective.agency
    entries = [
        e for e in ProgrammeEntry.objects.select_related("auditee") if breached.is_within(e.auditee)
    ]
    assert entries
    for entry in entries:
        assert entry.priority == "high" and code in " ".join(map(str, entry.priority_reasons))


def test_demo_public_statistics_of_the_months_already_due(seeded):
    """The demo publishes what the daily task would have: each month of the last six whose 5th
    (or next working day) has come, for the reporting bodies with dossiers; the snapshot's
    totals equal a naive count of the month's resolved dossiers of the body's subtree."""
    from indicators.models import PublishedStatistic
    from indicators.services.publication import publication_date
    from qms.models.agencies import subtree_q

    today = timezone.localdate()
    due = previous_month(today)
    if publication_date(due) > today:
        due = previous_month(due)
    stp = Agency.objects.get(code=demo.FILE_AGENCY)
    snapshot = PublishedStatistic.objects.get(agency=stp, month=due)
    last = (due.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    resolved = Dossier.objects.filter(
        subtree_q([stp.path], "agency__path"),
        state__in=("resolved", "refused"),
        resolved_on__range=(due, last),
    )
    total = snapshot.figures["total"]
    assert total["resolved"] == resolved.count() > 0
    assert total["late"] == resolved.filter(timing="late").count()
    # Not the district (abolished), not a unit: only reporting bodies publish.
    kinds = set(PublishedStatistic.objects.values_list("agency__kind", flat=True))
    assert kinds <= {"province", "department", "commune"}
    assert PublishedStatistic.objects.filter(month__gt=previous_month(today)).count() == 0
