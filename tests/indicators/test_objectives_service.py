"""Quality objectives: setting them (who, validations), the monthly evaluation (numbers against a
naive query of the dossiers, met / missed / no data), the one nonconformity a miss raises and
its notification, the management review's answer (qms.providers.QUALITY_OBJECTIVES) and the
monthly task.

March 2025 has no holiday; a 3-day TTHC received Mon 03/03/2025 08:00 is due Thu 06/03 08:00
(tests/indicators/test_metrics.py works the clock out by hand)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits.models import Finding, FindingKind, FindingSource, FindingState
from indicators.models import Dossier, ObjectiveEvaluation, ObjectiveMetric, QualityObjective
from indicators.models.dossiers import PENDING_STATES, Channel, Outcome, Timing
from indicators.selectors_objectives import quality_objectives
from indicators.services.dossiers import DossierRecord, upsert
from indicators.services.objectives import evaluate, evaluate_month, objective_save
from qms import providers
from qms.models import AgencyKind, HandlingAgency, Notification, Role
from qms.workcal import get_calendar
from tests import factories

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = dt.date(2025, 3, 1)


def t(day, hour=0, month=3) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, tzinfo=TZ)


def put(*records) -> None:
    rows = [DossierRecord(line=i + 2, **fields) for i, fields in enumerate(records)]
    assert upsert(rows, calendar=get_calendar()).problems == []


class World:
    pass


@pytest.fixture
def w(db):
    s = World()
    s.province = factories.agency(kind=AgencyKind.PROVINCE, code="TP", name="Thành phố Thử")
    s.dept = factories.agency(parent=s.province, code="STP", name="Sở Tư pháp thử")
    s.unit = factories.agency(kind=AgencyKind.UNIT, parent=s.dept, code="STP-HT", name="Phòng HT")
    s.sibling = factories.agency(parent=s.province, code="STC", name="Sở Tài chính thử")
    s.civil = factories.tthc(code="1.000001", working_days=3, agencies=[s.unit])
    s.land = factories.tthc(code="1.000002", working_days=3, agencies=[s.sibling])
    s.leader = factories.member(s.dept, Role.LEADER, username="lanhdao")
    s.officer = factories.member(s.dept, Role.OFFICER, username="daumoi")
    s.staff = factories.member(s.dept, Role.STAFF, username="congchuc")
    s.province_leader = factories.member(s.province, Role.LEADER, username="lanhdaotinh")
    s.sibling_leader = factories.member(s.sibling, Role.LEADER, username="lanhdaostc")

    def d(agency, code, procedure=None, **fields):
        return {
            "agency_id": agency.pk,
            "code": code,
            "procedure_id": (procedure or s.civil).pk,
            "channel": fields.pop("channel", Channel.IN_PERSON),
            "received_at": fields.pop("received_at", t(3, 8)),
            **fields,
        }

    put(
        # The department: 1 early, 1 on time, 2 late (one of them online), one refused early.
        d(s.dept, "H1", resolved_at=t(4, 8), outcome=Outcome.ISSUED),
        d(s.dept, "H2", channel=Channel.ONLINE, resolved_at=t(6, 8), outcome=Outcome.ISSUED),
        d(s.dept, "H3", resolved_at=t(6, 10), outcome=Outcome.ISSUED),
        d(s.dept, "H4", channel=Channel.ONLINE, resolved_at=t(10, 10), outcome=Outcome.ISSUED),
        d(s.dept, "H5", resolved_at=t(5, 8), outcome=Outcome.REFUSED),
        # Pending at the end of March: P1 overdue (due 06/03), P2 not yet due then (due 03/04),
        # P3 resolved in April but overdue at the end of March (due 13/03).
        d(s.dept, "P1"),
        d(s.dept, "P2", received_at=t(31, 8)),
        d(s.dept, "P3", received_at=t(10, 8), resolved_at=t(2, 9, month=4), outcome="issued"),
        # The unit: one early (the department's subtree counts it).
        d(s.unit, "U1", resolved_at=t(4, 9), outcome=Outcome.ISSUED),
        # The sibling: late, never counted for the department.
        d(s.sibling, "S1", procedure=s.land, resolved_at=t(12, 8), outcome=Outcome.ISSUED),
    )
    return s


def objective(s, *, metric=ObjectiveMetric.ON_TIME_RATE, target="95", agency=None, **extra):
    return objective_save(
        actor=extra.pop("actor", s.leader),
        instance=QualityObjective(
            agency=agency or s.dept,
            name=extra.pop("name", "Hồ sơ đúng hạn"),
            metric=metric,
            target=Decimal(target),
            valid_from=extra.pop("valid_from", dt.date(2025, 1, 1)),
            **extra,
        ),
    )


def _naive(agency, start, end):
    """The month's figures straight from the dossiers of the agency's subtree."""
    mine = Dossier.objects.filter(agency__path__startswith=agency.path)
    resolved = mine.filter(resolved_on__range=(start, end), outcome__in=["issued", "refused"])
    timely = resolved.filter(timing__in=[Timing.EARLY, Timing.ON_TIME]).count()
    received = mine.filter(received_on__range=(start, end))
    return {
        "resolved": resolved.count(),
        "timely": timely,
        "late": resolved.filter(timing=Timing.LATE).count(),
        "received": received.count(),
        "online": received.filter(channel=Channel.ONLINE).count(),
    }


def test_evaluation_numbers_equal_a_naive_count(w):
    naive = _naive(w.dept, MARCH, dt.date(2025, 3, 31))
    assert naive["resolved"] == 6 and naive["timely"] == 4 and naive["received"] == 9
    rate = objective(w)
    online = objective(w, metric=ObjectiveMetric.ONLINE_SHARE, target="10", name="Trực tuyến")
    late = objective(w, metric=ObjectiveMetric.LATE_COUNT, target="5", name="Trễ hạn")
    overdue = objective(w, metric=ObjectiveMetric.PENDING_OVERDUE, target="0", name="Quá hạn")

    r = evaluate(rate, MARCH)
    expected = Decimal(naive["timely"] * 100) / naive["resolved"]
    assert r.actual == expected.quantize(Decimal("0.01"))
    assert r.basis == naive["resolved"]
    assert r.period_end == dt.date(2025, 3, 31)
    o = evaluate(online, MARCH)
    assert o.actual == (Decimal(naive["online"] * 100) / naive["received"]).quantize(
        Decimal("0.01")
    )
    assert o.basis == naive["received"] and o.met is True
    lc = evaluate(late, MARCH)
    assert lc.actual == naive["late"] and lc.met is True
    # Pending and overdue at the end of March: P1 and P3 (P2 is not yet due; U1 was resolved).
    po = evaluate(overdue, MARCH)
    end = dt.datetime(2025, 4, 1, tzinfo=TZ)
    subtree = Dossier.objects.filter(agency__path__startswith=w.dept.path, received_at__lt=end)
    pending_then = [
        x for x in subtree if x.state in PENDING_STATES or (x.resolved_at and x.resolved_at >= end)
    ]
    assert po.basis == len(pending_then) == 3
    assert po.actual == sum(1 for x in pending_then if x.due_at < end) == 2
    assert po.met is False


def test_met_missed_and_no_data(w):
    missed = evaluate(objective(w, target="95"), MARCH)
    assert missed.met is False and missed.finding is not None
    met = evaluate(objective(w, target="50", name="Một nửa"), MARCH)
    assert met.met is True and met.finding is None
    # February: nothing received nor resolved anywhere: no data, no finding.
    empty = evaluate(objective(w, target="95", name="Tháng hai"), dt.date(2025, 2, 1))
    assert (empty.met, empty.actual, empty.basis, empty.finding) == (None, None, 0, None)


def test_tthc_objective_counts_only_its_tthc(w):
    HandlingAgency.objects.create(procedure=w.civil, agency=w.sibling)
    civil = objective(w, agency=w.sibling, procedure=w.civil, name="Khai sinh", actor=None)
    land = objective(w, agency=w.sibling, procedure=w.land, name="Đất", actor=None)
    assert evaluate(civil, MARCH).met is None  # no civil dossier at the sibling
    late = evaluate(land, MARCH)
    assert (late.basis, late.actual, late.met) == (1, Decimal("0.00"), False)


def test_a_miss_raises_one_nonconformity_even_evaluated_again(w):
    obj = objective(w, target="95")
    first = evaluate(obj, MARCH, actor=w.leader)
    finding = first.finding
    assert finding.source == FindingSource.OBJECTIVE_BREACH
    assert finding.kind == FindingKind.MINOR_NC
    assert finding.state == FindingState.ACTION_REQUIRED
    assert finding.agency == w.dept
    assert finding.clause.number == "6.2"
    assert finding.code.startswith("PH-")
    for words in (
        "Hồ sơ đúng hạn",
        "03/2025",
        "01/03/2025",
        "31/03/2025",
        "≥ 95\u00a0%",
        "66,67\u00a0%",
        "6 hồ sơ",
    ):
        assert words in finding.description, words
    again = evaluate(obj, MARCH)
    evaluate_month(MARCH)
    assert again.pk == first.pk and again.finding_id == finding.pk
    assert ObjectiveEvaluation.objects.filter(objective=obj).count() == 1
    assert Finding.objects.filter(source=FindingSource.OBJECTIVE_BREACH).count() == 1


def test_the_breach_is_told_to_the_agency_officers_and_leaders(w):
    evaluate(objective(w, target="95"), MARCH)
    code = Finding.objects.get().code
    told = set(
        Notification.objects.filter(title__contains=code).values_list("recipient", flat=True)
    )
    assert told == {w.leader.pk, w.officer.pk}


def test_evaluate_month_runs_every_objective_in_force(w):
    objective(w, target="95")
    objective(w, target="50", name="Một nửa")
    objective(w, name="Sau", valid_from=dt.date(2025, 4, 1))
    objective(w, name="Trước", valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2025, 2, 28))
    results = evaluate_month(MARCH)
    assert sorted(e.objective.name for e in results) == ["Hồ sơ đúng hạn", "Một nửa"]
    assert [e.met for e in sorted(results, key=lambda e: e.objective.name)] == [False, True]


def test_unfinished_month_is_refused(w):
    obj = objective(w, valid_from=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError, match="chưa kết thúc"):
        evaluate(obj, dt.date.today())


# --- Who and validations ------------------------------------------------------------------------


def test_only_leaders_of_the_agency_or_above_set_objectives(w):
    def attempt(actor, agency):
        return objective_save(
            actor=actor,
            instance=QualityObjective(
                agency=agency,
                name="Mục tiêu",
                metric=ObjectiveMetric.ON_TIME_RATE,
                target=Decimal("95"),
                valid_from=dt.date(2025, 1, 1),
            ),
        )

    for actor in (w.officer, w.staff, w.sibling_leader):
        with pytest.raises(PermissionDenied):
            attempt(actor, w.dept)
    assert attempt(w.leader, w.unit).set_by == w.leader
    assert attempt(w.province_leader, w.dept).set_by == w.province_leader
    obj = attempt(w.leader, w.dept)
    obj.target = Decimal("90")
    with pytest.raises(PermissionDenied):
        objective_save(actor=w.sibling_leader, instance=obj)
    obj.target = Decimal("90")
    objective_save(actor=w.province_leader, instance=obj)
    obj.refresh_from_db()
    assert obj.set_by == w.leader and obj.target == Decimal("90")
    assert obj.history.first().history_user == w.province_leader
    with pytest.raises(PermissionDenied):
        evaluate(obj, MARCH, actor=w.staff)


def test_dates_and_name_are_checked(w):
    with pytest.raises(ValidationError) as info:
        objective(w, valid_until=dt.date(2024, 12, 31), name=" ")
    errors = info.value.message_dict
    assert "31/12/2024" in errors["valid_until"][0] and "01/01/2025" in errors["valid_until"][0]
    assert errors["name"]


@pytest.mark.parametrize(
    "metric, target, ok",
    [
        (ObjectiveMetric.ON_TIME_RATE, "120", False),
        (ObjectiveMetric.ON_TIME_RATE, "-1", False),
        (ObjectiveMetric.ON_TIME_RATE, "100", True),
        (ObjectiveMetric.LATE_COUNT, "1.5", False),
        (ObjectiveMetric.PENDING_OVERDUE, "-2", False),
        (ObjectiveMetric.PENDING_OVERDUE, "0", True),
    ],
)
def test_targets(w, metric, target, ok):
    if ok:
        assert objective(w, metric=metric, target=target).pk
        return
    with pytest.raises(ValidationError) as info:
        objective(w, metric=metric, target=target)
    text = " ".join(info.value.message_dict["target"])
    assert target.replace(".", ",") in text


def test_tthc_must_be_handled_in_the_agency_subtree(w):
    assert objective(w, procedure=w.civil).procedure == w.civil  # the unit handles it
    with pytest.raises(ValidationError) as info:
        objective(w, procedure=w.land)
    assert "1.000002" in " ".join(info.value.message_dict["procedure"])


def test_provider_answers_the_management_review(w):
    assert providers.ask_first(providers.QUALITY_OBJECTIVES, w.sibling, MARCH, MARCH) is None
    missed = objective(w, target="95")
    objective(w, target="50", name="Một nửa")
    objective(w, agency=w.unit, target="50", name="Của phòng")
    evaluate_month(MARCH)
    answer = providers.ask_first(
        providers.QUALITY_OBJECTIVES, w.dept, dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    )
    by_name = {item["name"]: item for item in answer}
    assert set(by_name) == {"Hồ sơ đúng hạn", "Một nửa", "Của phòng (Phòng HT — Sở Tư pháp thử)"}
    item = by_name["Hồ sơ đúng hạn"]
    assert item["met"] is False and item["target"] == "≥ 95\u00a0%"
    assert item["actual"].startswith("66,67\u00a0% tháng 03/2025")
    assert item["findings"] == [missed.evaluations.get().finding_id]
    assert by_name["Một nửa"]["met"] is True
    assert by_name["Của phòng (Phòng HT — Sở Tư pháp thử)"]["actual"].startswith("100\u00a0%")
    # Not evaluated in the period: neither met nor missed.
    answer = quality_objectives(w.dept, dt.date(2025, 5, 1), dt.date(2025, 5, 31))
    assert {item["met"] for item in answer} == {None}


def test_the_monthly_task_evaluates_the_previous_month(w):
    from indicators.tasks import objectives_evaluate_previous_month

    objective(w, valid_from=dt.date(2020, 1, 1))
    assert objectives_evaluate_previous_month() == 1
    assert objectives_evaluate_previous_month() == 1
    evaluation = ObjectiveEvaluation.objects.get()
    today = dt.date.today()
    assert evaluation.period_end < today.replace(day=1) <= evaluation.period_end + dt.timedelta(1)


def test_the_monthly_task_is_scheduled_on_day_one_early_morning():
    from qms.celery import app

    entry = app.conf.beat_schedule["indicators-objectives-monthly"]
    assert entry["task"] == "indicators.tasks.objectives_evaluate_previous_month"
    schedule = entry["schedule"]
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ({1}, {3}, {15})
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
