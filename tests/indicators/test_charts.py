"""The dashboard's charts (issue [9] item 3): each chart's data table against a naive query over
dossiers, steps, findings and actions written here; each chart drawn (PNG size, not blank);
Vietnamese formatting in the SVG; the cache per data version (drawn once, redrawn when the data
changes); scoping of the page and of the files."""

import datetime as dt
import io
import random
from collections import Counter, defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Clause, CorrectiveAction, Finding, FindingKind
from audits.models.actions import ActionState
from audits.models.findings import FindingState
from indicators.charts import CHARTS, render, render_table, table_of
from indicators.charts.data import AGE_BANDS, trend_months
from indicators.dashboard_filter import DashboardFilter
from indicators.models import ChartImage, Dossier, DossierStep, QualityObjective
from indicators.models.dossiers import RESOLVED_STATES, Channel, Outcome, Timing
from indicators.models.objectives import ObjectiveMetric
from indicators.services.dossiers import DossierRecord, upsert
from qms.models import AgencyKind, Role
from qms.models.agencies import path_within
from qms.workcal import get_calendar
from tests import factories

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2025, 6, 16, 12, 0, tzinfo=TZ)
MAY = ("m-2025-05", dt.date(2025, 5, 1), dt.date(2025, 5, 31))


def _filter(agency, period=MAY, **extra) -> DashboardFilter:
    value, start, end = period
    return DashboardFilter(agency=agency, start=start, end=end, period=value, **extra)


@pytest.fixture
def tree(db):
    province = factories.agency(kind=AgencyKind.PROVINCE, code="TP", name="Thành phố Thử")
    ward_a = factories.agency(
        parent=province, kind=AgencyKind.COMMUNE, code="PA", name="Phường An Bình"
    )
    unit = factories.agency(kind=AgencyKind.UNIT, parent=ward_a, code="PA-MC", name="Bộ phận MC")
    ward_b = factories.agency(
        parent=province, kind=AgencyKind.COMMUNE, code="PB", name="Phường Bến Nghé"
    )
    return province, ward_a, unit, ward_b


def _generate(agencies, procedures, n, seed=3):
    rng = random.Random(seed)
    records = []
    for i in range(n):
        received = dt.datetime(2024, 7, 1, 7, 30, tzinfo=TZ) + dt.timedelta(
            days=rng.randrange(0, 330), minutes=rng.randrange(0, 600)
        )
        fields = {"received_at": received, "digitised": rng.random() < 0.4}
        if rng.random() < 0.85:
            fields["resolved_at"] = received + dt.timedelta(hours=rng.randrange(1, 24 * 9))
            fields["outcome"] = rng.choice(
                [Outcome.ISSUED] * 8 + [Outcome.REFUSED, Outcome.WITHDRAWN]
            )
        place = rng.choice(agencies)
        records.append(
            DossierRecord(
                line=i + 2,
                agency_id=place.pk,
                code=f"C{i:05d}",
                procedure_id=rng.choice(procedures).pk,
                channel=rng.choice(list(Channel)),
                **fields,
            )
        )
    result = upsert(records, calendar=get_calendar())
    assert result.problems == []


@pytest.fixture
def data(tree):
    """Dossiers of July 2024 – May 2025 in both wards and the unit, step sheets, findings and
    corrective actions of every age."""
    province, ward_a, unit, ward_b = tree
    procedures = [
        factories.tthc(code="1.0001", name="Đăng ký khai sinh", working_days=1),
        factories.tthc(code="1.0002", name="Chứng thực bản sao", working_days="0.5"),
        factories.tthc(code="1.0003", name="Cấp phép xây dựng", working_days=3, field="Xây dựng"),
    ]
    _generate([ward_a, unit, ward_b, province], procedures, 400)
    rng = random.Random(5)
    units = ["Bộ phận một cửa", "Phòng Tư pháp", "Lãnh đạo UBND"]
    for dossier in Dossier.objects.order_by("pk")[:150]:
        late = rng.random() < 0.35
        DossierStep.objects.create(
            dossier_id=dossier.pk,
            agency_id=dossier.agency_id,
            procedure_id=dossier.procedure_id,
            received_on=dossier.received_on,
            position=1,
            code="B2",
            unit=rng.choice(units),
            handed_in_at=dossier.received_at,
            handed_out_at=dossier.received_at + dt.timedelta(hours=2),
            timing=Timing.LATE if late else rng.choice(["", Timing.ON_TIME, Timing.EARLY]),
            overrun_days=Decimal(rng.randrange(1, 12)) / 4 if late else Decimal("-0.25"),
        )
    clauses = list(Clause.objects.filter(number__in=["7.5.3", "8.5.1", "9.1.3", "10.2"]))
    owners = {
        place.pk: factories.member(place, Role.STAFF, username=f"owner_{place.code}")
        for place in (ward_a, unit, ward_b)
    }
    from audits.services.actions import action_open

    for i in range(24):
        place = [ward_a, unit, ward_b][i % 3]
        finding = Finding.objects.create(
            agency=place,
            code=f"PH-{i:03d}",
            kind=[FindingKind.MAJOR_NC, FindingKind.MINOR_NC, FindingKind.OBSERVATION][i % 3],
            clause=clauses[i % len(clauses)] if i % 5 else None,
            description="Phát hiện thử",
            raised_on=dt.date(2025, 5, 1 + i),
        )
        if finding.is_nonconformity:
            action = action_open(
                actor=None,
                finding=finding,
                owner=owners[place.pk],
                due_date=timezone.localdate() + dt.timedelta(days=30),
            )
            CorrectiveAction.objects.filter(pk=action.pk).update(
                created_at=NOW - dt.timedelta(days=i * 6),
                state=list(ActionState)[i % len(ActionState)],
            )
        if i % 4 == 3:
            Finding.objects.filter(pk=finding.pk).update(state=FindingState.CLOSED)
    return tree


# --- Naive figures --------------------------------------------------------------------------


def _under(agency, root) -> bool:
    return path_within(agency.path, root.path)


def _resolved(root, start, end):
    return [
        d
        for d in Dossier.objects.select_related("agency")
        if d.state in RESOLVED_STATES
        and d.resolved_on is not None
        and start <= d.resolved_on <= end
        and _under(d.agency, root)
    ]


def _rate(good, total):
    return Decimal(good) / Decimal(total) if total else None


def test_on_time_trend_equals_a_naive_count_with_the_target_line(data):
    province, ward_a, unit, ward_b = data
    table = table_of("on_time_trend", _filter(province), NOW)
    months = trend_months(dt.date(2025, 5, 31))
    assert [row[0] for row in table.rows] == [f"{m:%m/%Y}" for m in months]
    assert table.rows[0][0] == "06/2024" and table.rows[-1][0] == "05/2025"
    by_month = defaultdict(Counter)
    for d in _resolved(province, months[0], dt.date(2025, 5, 31)):
        key = f"{d.resolved_on:%m/%Y}"
        by_month[key]["resolved"] += 1
        by_month[key]["good"] += d.timing in (Timing.EARLY, Timing.ON_TIME)
        by_month[key]["late"] += d.timing == Timing.LATE
    for label, resolved, good, late, rate, target in table.rows:
        naive = by_month[label]
        assert (resolved, good, late) == (naive["resolved"], naive["good"], naive["late"])
        assert rate == _rate(naive["good"], naive["resolved"])
        assert target == Decimal("0.95")  # the scorecard's green threshold
    assert sum(r[1] for r in table.rows) > 100

    QualityObjective.objects.create(
        agency=province,
        name="Đúng hạn",
        metric=ObjectiveMetric.ON_TIME_RATE,
        target=Decimal("97.5"),
        valid_from=dt.date(2025, 3, 1),
    )
    table = table_of("on_time_trend", _filter(province), NOW)
    assert [r[5] for r in table.rows][-3:] == [Decimal("0.975")] * 3
    assert table.rows[-4][5] == Decimal("0.95")


def test_online_and_digitised_shares_equal_a_naive_count(data):
    province, ward_a, unit, ward_b = data
    table = table_of("online_digitised", _filter(ward_a), NOW)
    counts = defaultdict(Counter)
    for d in Dossier.objects.select_related("agency"):
        if _under(d.agency, ward_a) and dt.date(2024, 6, 1) <= d.received_on <= MAY[2]:
            key = f"{d.received_on:%m/%Y}"
            counts[key]["received"] += 1
            counts[key]["online"] += d.channel == Channel.ONLINE
            counts[key]["digitised"] += d.digitised
    for label, received, online, digitised, online_share, digitised_share in table.rows:
        naive = counts[label]
        assert (received, online, digitised) == (
            naive["received"],
            naive["online"],
            naive["digitised"],
        )
        assert online_share == _rate(online, received)
        assert digitised_share == _rate(digitised, received)


def test_ranking_equals_a_naive_count_per_child_best_first(data):
    province, ward_a, unit, ward_b = data
    start = dt.date(2025, 1, 1)
    year = ("y-2025", start, dt.date(2025, 12, 31))
    table = table_of("ranking", _filter(province, year), NOW)
    naive = {}
    for label, root, own in (
        ("Thành phố Thử (hồ sơ của chính cơ quan)", province, True),
        ("Phường An Bình", ward_a, False),
        ("Phường Bến Nghé", ward_b, False),
    ):
        dossiers = [
            d
            for d in _resolved(root, start, dt.date(2025, 12, 31))
            if not own or d.agency_id == root.pk
        ]
        good = sum(d.timing in (Timing.EARLY, Timing.ON_TIME) for d in dossiers)
        naive[label] = [label, len(dossiers), good, _rate(good, len(dossiers))]
    assert sorted(table.rows) == sorted(naive.values())
    rates = [row[3] for row in table.rows]
    assert rates == sorted(rates, reverse=True)
    assert table.links[table.column(0).index("Phường An Bình")].endswith(
        f"agency={ward_a.pk}&period=y-2025"
    )


def test_late_pareto_equals_a_naive_count_with_the_cumulative_share(data):
    province = data[0]
    year = ("y-2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    table = table_of("late_pareto", _filter(province, year), NOW)
    late = Counter(
        f"{d.procedure.code} – {d.procedure.name}"
        for d in _resolved(province, year[1], year[2])
        if d.timing == Timing.LATE
    )
    assert {row[0]: row[1] for row in table.rows} == dict(late)
    assert [row[1] for row in table.rows] == sorted(late.values(), reverse=True)
    assert table.rows[-1][3] == 1
    assert table.rows[0][2] == Decimal(table.rows[0][1]) / sum(late.values())


def test_bottleneck_equals_a_naive_count_of_late_steps_per_unit(data):
    province, ward_a, unit, ward_b = data
    year = ("y-2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    table = table_of("bottleneck", _filter(ward_a, year), NOW)
    naive = defaultdict(lambda: [0, 0, Decimal(0)])
    for step in DossierStep.objects.select_related("agency"):
        if _under(step.agency, ward_a) and year[1] <= step.received_on <= year[2]:
            row = naive[f"{step.unit} ({step.agency.name})"]
            row[0] += step.timing != ""
            row[1] += step.timing == Timing.LATE
            row[2] += step.overrun_days if step.timing == Timing.LATE else 0
    expected = {k: v for k, v in naive.items() if v[1]}
    assert {r[0]: [r[1], r[2], r[3]] for r in table.rows} == expected
    assert all("Bến Nghé" not in r[0] for r in table.rows)
    assert [r[2] for r in table.rows] == sorted((r[2] for r in table.rows), reverse=True)


def test_findings_by_clause_equal_a_naive_count(data):
    province, ward_a, unit, ward_b = data
    table = table_of("findings_by_clause", _filter(ward_a), NOW)
    naive = defaultdict(lambda: [0, 0])
    for finding in Finding.objects.select_related("agency", "clause"):
        if _under(finding.agency, ward_a) and MAY[1] <= finding.raised_on <= MAY[2]:
            label = (
                f"{finding.clause.number} {finding.clause.title_vi}"
                if finding.clause
                else "Chưa gắn điều khoản"
            )
            naive[label][0] += 1
            naive[label][1] += finding.state != FindingState.CLOSED
    assert {r[0]: [r[1], r[2]] for r in table.rows} == dict(naive)
    assert table.rows[-1][0] == "Chưa gắn điều khoản"
    assert [r[0].split()[0] for r in table.rows[:-1]] == sorted(
        (r[0].split()[0] for r in table.rows[:-1]), key=lambda n: [int(p) for p in n.split(".")]
    )


def test_actions_by_age_equal_a_naive_count(data):
    province = data[0]
    table = table_of("actions_by_age", _filter(province), NOW)
    today = NOW.date()
    states = [s for s in ActionState if s != ActionState.CLOSED]
    naive = Counter()
    for action in CorrectiveAction.objects.exclude(state=ActionState.CLOSED):
        age = (today - timezone.localtime(action.created_at).date()).days
        band = next(
            i
            for i, (low, high) in enumerate(AGE_BANDS)
            if age >= low and (high is None or age <= high)
        )
        naive[band, action.state] += 1
    for index, row in enumerate(table.rows):
        assert row[1:-1] == [naive[index, s.value] for s in states]
        assert row[-1] == sum(row[1:-1])
    assert sum(r[-1] for r in table.rows) == sum(naive.values()) > 0
    assert table.rows[0][0] == "0–30 ngày" and table.rows[-1][0] == "Trên 90 ngày"


def test_document_review_counts_procedures_in_force_by_review_status(tree, monkeypatch):
    from documents.models import ProcedureReview
    from documents.models.review import ReviewReason
    from tests.indicators.steps_setup import issue_procedures

    province, ward_a, unit, ward_b = tree
    tthc = factories.tthc(working_days=5)
    [issue] = issue_procedures(ward_a, tthc, monkeypatch, revise=False)
    ProcedureReview.objects.filter(procedure=issue.procedure).delete()  # the periodic one
    today = timezone.localdate()
    table = table_of("document_review", _filter(province), timezone.now())
    assert table.rows == [["Phường An Bình", 1, 0, 0, 1]]
    review = ProcedureReview.objects.create(
        procedure=issue.procedure,
        issue=issue,
        reason=ReviewReason.PERIODIC,
        due_on=today + dt.timedelta(days=10),
    )
    table = table_of("document_review", _filter(province), timezone.now())
    assert table.rows == [["Phường An Bình", 0, 1, 0, 1]]
    ProcedureReview.objects.filter(pk=review.pk).update(due_on=today - dt.timedelta(days=1))
    table = table_of("document_review", _filter(province), timezone.now())
    assert table.rows == [["Phường An Bình", 0, 0, 1, 1]]
    _png_check(render_table(table)["png"])
    assert table_of("document_review", _filter(ward_b), timezone.now()).rows == []


# --- Drawings -------------------------------------------------------------------------------


def _png_check(png: bytes):
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (800, 450)
    colours = image.getcolors(maxcolors=1_000_000)
    assert len(colours) > 2
    white = sum(count for count, colour in colours if colour == (255, 255, 255))
    assert white / (800 * 450) < 0.985


@pytest.mark.parametrize("key", [k for k in CHARTS if k != "document_review"])
def test_each_chart_is_drawn_to_size_and_not_blank(data, key):
    """(document_review is drawn in its own test, which issues a procedure.)"""
    province = data[0]
    year = ("y-2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    f = _filter(province, year) if key != "findings_by_clause" else _filter(province)
    table = table_of(key, f, NOW)
    assert table.rows, key
    drawn = render_table(table)
    _png_check(drawn["png"])
    assert drawn["svg"].startswith(b"<svg")
    assert drawn["pdf"].startswith(b"%PDF")


@pytest.mark.parametrize("key", list(CHARTS))
def test_an_empty_chart_is_drawn_too(tree, key):
    png = render(key, _filter(tree[3]), "png", now=NOW)
    from PIL import Image

    assert Image.open(io.BytesIO(png)).size == (800, 450)


def test_the_svg_speaks_vietnamese_numbers_and_dates(data):
    province = data[0]
    svg = render("on_time_trend", _filter(province), "svg", now=NOW).decode()
    assert "05/2025" in svg and "06/2024" in svg
    assert "Tỷ lệ giải quyết đúng hạn theo tháng" in svg
    assert "<?xml" not in svg
    import re

    assert re.search(r"\d+,\d\u00a0%", svg)  # a value label with the decimal comma
    svg = render(
        "bottleneck",
        _filter(province, ("y-2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
        "svg",
        now=NOW,
    ).decode()
    assert re.search(r"\d+,\d\d ngày vượt", svg)


# --- The page, the cache, the files ------------------------------------------------------------


def _page(client, agency, period="m-2025-05", **extra):
    return client.get(
        reverse("indicators_charts"), {"agency": agency.pk, "period": period, **extra}
    )


@pytest.fixture
def leader(tree):
    return factories.member(tree[1], Role.LEADER, username="leader_a")


def test_the_first_view_draws_the_second_reuses_new_data_redraws(
    client, data, leader, django_capture_on_commit_callbacks, monkeypatch
):
    province, ward_a, unit, ward_b = data
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = _page(client, ward_a, "y-2025")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Biểu đồ đang được vẽ" in text
    assert "<caption>" in text
    images = {i.chart: i for i in ChartImage.objects.all()}
    assert set(images) == set(CHARTS)
    params = _filter(ward_a, ("y-2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31))).query()
    assert {i.params for i in images.values()} == {params}

    import indicators.services.charts as service

    def refuse(*args, **kwargs):
        raise AssertionError("drawn again")

    monkeypatch.setattr(service, "render_table", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        response = _page(client, ward_a, "y-2025")
    text = response.content.decode()
    assert "Biểu đồ đang được vẽ" not in text and "đang vẽ lại" not in text
    assert text.count('<svg role="img"') == len(CHARTS)
    assert {i.chart: i.rendered_at for i in ChartImage.objects.all()} == {
        k: i.rendered_at for k, i in images.items()
    }
    monkeypatch.undo()

    upsert(
        [
            DossierRecord(
                line=2,
                agency_id=ward_a.pk,
                code="MOI-1",
                procedure_id=Dossier.objects.first().procedure_id,
                channel=Channel.ONLINE,
                received_at=dt.datetime(2025, 2, 3, 8, tzinfo=TZ),
                resolved_at=dt.datetime(2025, 2, 28, 8, tzinfo=TZ),
                outcome=Outcome.ISSUED,
            )
        ],
        calendar=get_calendar(),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _page(client, ward_a, "y-2025")
    assert "đang vẽ lại theo số liệu mới" in response.content.decode()
    assert callbacks  # a drawing was asked
    for callback in callbacks:
        callback()
    redrawn = {i.chart: i for i in ChartImage.objects.all()}
    assert redrawn["on_time_trend"].data_hash != images["on_time_trend"].data_hash
    assert redrawn["findings_by_clause"].rendered_at == images["findings_by_clause"].rendered_at


def test_files_and_xlsx_of_a_chart(client, data, leader):
    ward_a = data[1]
    client.force_login(leader)
    query = {"agency": ward_a.pk, "period": "y-2025"}
    for fmt, start in (("png", b"\x89PNG"), ("pdf", b"%PDF"), ("svg", b"<svg")):
        url = reverse("indicators_chart_file", kwargs={"key": "ranking", "fmt": fmt})
        response = client.get(url, query)
        assert response.status_code == 200
        assert response.content.startswith(start)
    assert ChartImage.objects.filter(chart="ranking").count() == 1
    url = reverse("indicators_chart_file", kwargs={"key": "late_pareto", "fmt": "xlsx"})
    response = client.get(url, query)
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "Hồ sơ quá hạn" in cells
    missing = reverse("indicators_chart_file", kwargs={"key": "nothing", "fmt": "png"})
    assert client.get(missing, query).status_code == 404


def test_a_ward_leader_sees_only_their_ward(client, data, leader):
    province, ward_a, unit, ward_b = data
    client.force_login(leader)
    response = _page(client, ward_a, "y-2025")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Bến Nghé" not in text and "Phòng Tư pháp (Phường An Bình)" in text
    response = _page(client, ward_b, "y-2025")
    assert "Bến Nghé" not in response.content.decode()  # the form refuses the other ward
    for fmt in ("png", "xlsx"):
        url = reverse("indicators_chart_file", kwargs={"key": "ranking", "fmt": fmt})
        response = client.get(url, {"agency": ward_b.pk, "period": "y-2025"})
        assert response.status_code in (302, 403)  # Wagtail sends a refusal home
        assert not response.get("Content-Disposition")


def test_service_index_parts_are_the_index_of_the_body(data):
    from indicators.selectors_index import service_index

    province, ward_a, unit, ward_b = data
    f = _filter(ward_a)
    table = table_of("service_index", f, NOW)
    result = service_index(ward_a, f.start, f.end, today=NOW.date())
    assert len(result.groups) == 5
    assert table.rows[:-1] == [
        [f"{g.number}. {g.name}", g.max_points, g.points, g.lost] for g in result.groups
    ]
    assert table.rows[-1][1:] == [result.max_total, result.total, result.lost]
    assert sum(r[1] for r in table.rows[:-1]) == 100


# --- A generated data set (bench.generate) ----------------------------------------------------


def _naive_trend(root, end):
    months = trend_months(end)
    found = defaultdict(Counter)
    for d in _resolved(root, months[0], end):
        found[f"{d.resolved_on:%m/%Y}"]["resolved"] += 1
        found[f"{d.resolved_on:%m/%Y}"]["good"] += d.timing in (Timing.EARLY, Timing.ON_TIME)
        found[f"{d.resolved_on:%m/%Y}"]["late"] += d.timing == Timing.LATE
    return [
        [f"{m:%m/%Y}", found[f"{m:%m/%Y}"]["resolved"], found[f"{m:%m/%Y}"]["good"],
         found[f"{m:%m/%Y}"]["late"]]
        for m in months
    ]  # fmt: skip


def test_charts_of_a_generated_data_set_equal_naive_queries():
    from bench.generate import agency_tree, catalogue_create, lives, load

    province = agency_tree(departments=2, units_per_department=1, communes=2, code_prefix="GC")
    catalogue = catalogue_create(province, procedures=10, seed=4)
    calendar = get_calendar()
    now = dt.datetime(2025, 6, 30, 17, 0, tzinfo=calendar.tz)
    generated = lives(
        600, seed=21, catalogue=catalogue, first=dt.date(2025, 1, 1), last=dt.date(2025, 6, 30),
        calendar=calendar, steps=True,
    )  # fmt: skip
    assert load(generated, now).problems == []
    half = ("range", dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    f = _filter(province, half)

    trend = table_of("on_time_trend", f, now)
    assert [row[:4] for row in trend.rows] == _naive_trend(province, half[2])
    assert sum(row[1] for row in trend.rows) > 200

    resolved = _resolved(province, half[1], half[2])
    late = Counter(
        f"{d.procedure.code} – {d.procedure.name}" for d in resolved if d.timing == Timing.LATE
    )
    pareto = table_of("late_pareto", f, now)
    if len(late) <= 15:
        assert {r[0]: r[1] for r in pareto.rows} == dict(late)
    assert sum(r[1] for r in pareto.rows) == sum(late.values())

    ranking = table_of("ranking", f, now)
    from qms.models import Agency

    children = Agency.objects.filter(parent=province)
    naive = {}
    for child in children:
        mine = [d for d in resolved if _under(d.agency, child)]
        if mine:
            good = sum(d.timing in (Timing.EARLY, Timing.ON_TIME) for d in mine)
            naive[child.display_name] = [len(mine), good, _rate(good, len(mine))]
    own = [d for d in resolved if d.agency_id == province.pk]
    if own:
        good = sum(d.timing in (Timing.EARLY, Timing.ON_TIME) for d in own)
        naive[f"{province.display_name} (hồ sơ của chính cơ quan)"] = [
            len(own), good, _rate(good, len(own))
        ]  # fmt: skip
    assert {r[0]: r[1:] for r in ranking.rows} == naive

    # (bench.generate.load writes dossiers, not their step sheets: the bottleneck chart is
    # checked on the factory world above.)
    online = table_of("online_digitised", f, now)
    received = [
        d for d in Dossier.objects.select_related("agency") if half[1] <= d.received_on <= half[2]
    ]
    assert sum(r[1] for r in online.rows) == len(received)
    assert sum(r[2] for r in online.rows) == sum(d.channel == Channel.ONLINE for d in received)
    assert sum(r[3] for r in online.rows) == sum(d.digitised for d in received)
    for key in ("on_time_trend", "ranking", "online_digitised"):
        table = table_of(key, f, now)
        if table.rows:
            _png_check(render_table(table)["png"])
