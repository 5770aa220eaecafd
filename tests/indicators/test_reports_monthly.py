"""The monthly report to the leaders (issue [9] item 7): sent on the month's first working day
(in January 2026 that is Monday the 5th: the 1st is New Year's Day and Friday the 2nd was swapped
off), at most once per body and month (a second run sends nothing), a later day catches up a
missed run, each body's report only to that body's own active leaders; its figures against
naive queries over dossiers, findings, actions and complaints."""

import datetime as dt

import pytest
from django.urls import reverse

from audits.models import (
    UNDONE_STATES,
    Complaint,
    ComplaintState,
    CorrectiveAction,
    Finding,
    FindingKind,
    FindingState,
)
from indicators.models import Dossier, MonthlyReport
from indicators.models.dossiers import PENDING_STATES, RESOLVED_STATES
from indicators.reports.monthly import monthly_figures, monthly_message
from indicators.services.reports import first_working_day, monthly_reports_send
from qms.formats.numbers import format_number
from qms.models import Notification, OutboundEmail, Role
from tests import factories
from tests.indicators.reports_setup import TZ, build

pytestmark = pytest.mark.django_db
DECEMBER = dt.date(2025, 12, 1)
FIRST = dt.date(2026, 1, 5)
NOW = dt.datetime(2026, 1, 5, 7, 0, tzinfo=TZ)


@pytest.fixture
def w(monkeypatch):
    w = build(monkeypatch)
    # A second leader of ward A, and a former one whose role ended.
    w["second"] = factories.member(w["ward_a"], Role.LEADER, username="phkt-leader-2")
    w["former"] = factories.member(
        w["ward_a"],
        Role.LEADER,
        username="phkt-leader-old",
        start=dt.date(2024, 1, 1),
        end=dt.date(2025, 6, 30),
    )
    return w


def leaders(w, code):
    found = [w["people"][code, Role.LEADER]]
    return found + ([w["second"]] if code == "PHKT" else [])


def test_the_first_working_day_follows_the_calendar():
    assert first_working_day(2026, 1) == FIRST
    assert first_working_day(2025, 12) == dt.date(2025, 12, 1)  # a Monday
    assert first_working_day(2025, 11) == dt.date(2025, 11, 3)  # Sat 1st, Sun 2nd


def test_nothing_before_the_first_working_day(w):
    for day in (dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 1, 4)):
        assert monthly_reports_send(today=day, now=NOW) == 0
    assert not MonthlyReport.objects.exists() and not Notification.objects.exists()


def test_sent_once_to_each_bodys_own_leaders(w):
    sent = monthly_reports_send(today=FIRST, now=NOW)
    bodies = {"TPT", "PHKT", "PBDT", "STPT"}  # the unit, the ended ward and district: none
    assert sent == len(bodies)
    reports = MonthlyReport.objects.filter(month=DECEMBER)
    assert {r.agency.code for r in reports} == bodies
    assert {r.agency.code: r.recipients for r in reports} == {
        "TPT": 1,
        "PHKT": 2,
        "PBDT": 1,
        "STPT": 1,
    }
    # Again the same day, and on later days: nothing more.
    assert monthly_reports_send(today=FIRST, now=NOW) == 0
    assert monthly_reports_send(today=dt.date(2026, 1, 20), now=NOW) == 0
    assert MonthlyReport.objects.count() == len(bodies)

    for code, name in (
        ("PHKT", "Phường Hoàn Kiếm Thử"),
        ("PBDT", "Phường Ba Đình Thử"),
        ("TPT", "Thành phố Thử"),
    ):
        for leader in leaders(w, code):
            [note] = Notification.objects.filter(recipient=leader)
            assert note.title == f"Báo cáo tháng 12/2025: {name}"
            assert OutboundEmail.objects.filter(notification=note, to=leader.email).count() == 1
    # A ward's leader never receives another ward's report; the former leader nothing.
    ward_b_leader = w["people"]["PBDT", Role.LEADER]
    assert not Notification.objects.filter(recipient=ward_b_leader, title__contains="Hoàn Kiếm")
    assert not Notification.objects.filter(recipient=w["former"]).exists()
    # Officers and staff receive nothing.
    others = [u for (code, role), u in w["people"].items() if role != Role.LEADER]
    assert not Notification.objects.filter(recipient__in=others).exists()


def test_a_missed_first_day_is_caught_up_later_in_the_month(w):
    assert monthly_reports_send(today=dt.date(2026, 1, 14), now=NOW) == 4
    assert set(MonthlyReport.objects.values_list("month", flat=True)) == {DECEMBER}
    # The next month starts over on its own first working day (Mon 2 Feb 2026).
    assert monthly_reports_send(today=dt.date(2026, 1, 31), now=NOW) == 0
    assert monthly_reports_send(today=dt.date(2026, 2, 2), now=NOW) == 4
    assert MonthlyReport.objects.filter(month=dt.date(2026, 1, 1)).count() == 4


def test_a_body_without_leaders_waits_for_one(w):
    from qms.models import Membership

    Membership.objects.filter(agency=w["ward_b"], role=Role.LEADER).delete()
    assert monthly_reports_send(today=FIRST, now=NOW) == 3
    assert not MonthlyReport.objects.filter(agency=w["ward_b"]).exists()
    newcomer = factories.member(w["ward_b"], Role.LEADER, username="pbdt-leader-new")
    assert monthly_reports_send(today=dt.date(2026, 1, 6), now=NOW) == 1
    assert Notification.objects.filter(recipient=newcomer).count() == 1


def test_the_figures_equal_naive_counts(w):
    agencies = [w["ward_a"], w["unit_a"], w["old_ward"]]  # the merged ward counts in ward A
    f = monthly_figures(w["ward_a"], DECEMBER, now=NOW)
    end = dt.date(2025, 12, 31)
    dossiers = list(Dossier.objects.filter(agency__in=agencies))
    in_month = lambda d: d is not None and DECEMBER <= d <= end  # noqa: E731
    resolved = [d for d in dossiers if d.state in RESOLVED_STATES and in_month(d.resolved_on)]
    on_time = sum(1 for d in resolved if d.timing in ("early", "on_time"))
    assert resolved
    assert f.received == sum(1 for d in dossiers if in_month(d.received_on))
    assert (f.resolved, f.on_time) == (len(resolved), on_time)
    assert f.late == sum(1 for d in resolved if d.timing == "late")
    assert f.rate == pytest.approx(100 * on_time / len(resolved))
    assert f.pending_overdue == sum(
        1 for d in dossiers if d.state in PENDING_STATES and d.received_on <= end and d.due_at < NOW
    )
    findings = Finding.objects.filter(agency__in=agencies).exclude(state=FindingState.CLOSED)
    assert f.major_nc == findings.filter(kind=FindingKind.MAJOR_NC).count() == 1
    assert f.minor_nc == findings.filter(kind=FindingKind.MINOR_NC).count() == 2
    today = NOW.date()
    assert f.actions_overdue == sum(
        1
        for a in CorrectiveAction.objects.filter(finding__agency__in=agencies)
        if a.state in UNDONE_STATES and a.due_date < today
    )
    assert f.complaints_open == (
        Complaint.objects.filter(agency__in=agencies, state=ComplaintState.RECEIVED).count()
    )
    assert f.target == 95

    title, body, url = monthly_message(f)
    assert title == "Báo cáo tháng 12/2025: Phường Hoàn Kiếm Thử"
    assert f"- Tiếp nhận: {format_number(f.received)} hồ sơ" in body
    assert (
        f"- Đã giải quyết: {f.resolved}, trong đó trước hạn và đúng hạn: {f.on_time}, "
        f"quá hạn: {f.late}"
    ) in body
    assert "mục tiêu ≥ 95" in body
    assert "- Điểm không phù hợp đang mở: 1 nặng, 2 nhẹ" in body
    assert f"- Hành động khắc phục quá hạn: {f.actions_overdue}" in body
    assert "Tình hình đến ngày 05/01/2026:" in body
    assert "," in body.split("Tỷ lệ đúng hạn: ")[1].split("%")[0] or f.rate == int(f.rate)
    for raw in ("True", "False", "None"):
        assert raw not in body
    assert url.startswith(reverse("indicators_dashboard") + "?")
    assert f"agency={w['ward_a'].pk}" in url and "period=m-2025-12" in url


def test_the_task_runs_daily_at_seven():
    from qms.celery import app

    entry = app.conf.beat_schedule["indicators-monthly-reports"]
    assert entry["task"] == "indicators.tasks.monthly_reports_send"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {0})
    assert len(entry["schedule"].day_of_month) == 31
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
