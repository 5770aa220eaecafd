"""Journey 3's end in a real browser (DESIGN.md §1, issue 11): the leader of a department sets a
quality objective in the admin (on-time rate ≥ 95 % each month), asks for last month's evaluation
("Đánh giá tháng …"), reads the miss on the objective's page, follows its link to the
nonconformity in the audits admin, and finds it in the findings list with its source "Không đạt
mục tiêu chất lượng".

Last month's dossiers (written by the upsert, as an import does) are all late: the objective is
missed whatever the day the test runs. Screenshots go to var/screens/ (ignored by git)."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from audits.models import Finding, FindingSource
from indicators.models import ObjectiveEvaluation, QualityObjective
from indicators.services.dossiers import DossierRecord, upsert
from indicators.services.objectives import previous_month
from qms.management.commands.seed_demo import DEMO_PASSWORD
from qms.models import Role
from qms.workcal import get_calendar
from tests import factories

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NAME = "Hồ sơ giải quyết đúng hạn hằng tháng"


@pytest.fixture
def scene(transactional_db):
    agency = factories.agency(code="STP", name="Sở Tư pháp")
    leader = factories.member(agency, Role.LEADER, username="stp-lanhdao")
    leader.set_password(DEMO_PASSWORD)
    leader.save()
    factories.member(agency, Role.OFFICER, username="stp-daumoi")
    civil = factories.tthc(code="1.001806", working_days=3, agencies=[agency])
    last = previous_month()
    records = [
        DossierRecord(
            line=2 + n,
            agency_id=agency.pk,
            code=f"H26.THU.{n}",
            procedure_id=civil.pk,
            channel="online",
            received_at=dt.datetime(last.year, last.month, 1, 8, tzinfo=TZ),
            resolved_at=dt.datetime(last.year, last.month, 25 + n, 9, tzinfo=TZ),
            outcome="issued",
        )
        for n in range(3)
    ]
    with transaction.atomic():
        assert upsert(records, calendar=get_calendar()).problems == []
    return leader, last


def _shot(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENS / f"objectives-{name}.png"), full_page=True, animations="disabled"
    )


def test_a_leader_sets_an_objective_and_its_breach_shows_in_the_audits_admin(
    scene, live_server, browser, monkeypatch
):
    from playwright.sync_api import expect  # after the browser fixture's skip

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    leader, last = scene
    base = live_server.url
    page = browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(20_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", leader.username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.login-form button[type=submit]")

    # The leader sets the objective.
    page.goto(f"{base}/admin/quality_objectives/new/")
    page.fill("input[name=name]", NAME)
    page.select_option("select[name=metric]", "on_time_rate")
    page.fill("input[name=target]", "95")
    page.fill("input[name=valid_from]", "01/01/2025")
    _shot(page, "1-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Tạo mới", exact=True).click()
    expect(page.get_by_text(NAME).first).to_be_visible()
    objective = QualityObjective.objects.get()
    assert objective.set_by_id == leader.pk and objective.agency.code == "STP"

    # Last month's evaluation, asked for from the objective's page.
    page.goto(f"{base}/admin/quality_objectives/inspect/{objective.pk}/")
    with page.expect_navigation():
        page.locator("#objective-evaluations a", has_text="Đánh giá tháng").click()
    expect(page.locator("select[name=month]")).to_have_value(last.isoformat())
    _shot(page, "2-evaluate")
    with page.expect_navigation():
        page.locator("form button[type=submit]", has_text="Đánh giá tháng").click()

    evaluation = ObjectiveEvaluation.objects.get()
    finding = Finding.objects.get(source=FindingSource.OBJECTIVE_BREACH)
    assert evaluation.met is False and evaluation.finding_id == finding.pk
    table = page.locator("#objective-evaluations table")
    expect(table).to_contain_text(f"{last:%m/%Y}")
    expect(table).to_contain_text("Không đạt")
    _shot(page, "3-missed")

    # Its nonconformity in the audits admin, with its source.
    with page.expect_navigation():
        table.get_by_role("link", name=finding.code).click()
    assert f"/admin/audit_findings/inspect/{finding.pk}/" in page.url
    expect(page.locator("main")).to_contain_text("Không đạt mục tiêu chất lượng")
    expect(page.locator("main")).to_contain_text(NAME)
    _shot(page, "4-finding")
    page.goto(f"{base}/admin/audit_findings/")
    row = page.locator("tr", has_text=finding.code)
    expect(row).to_contain_text("Không đạt mục tiêu chất lượng")
    _shot(page, "5-findings")
    assert errors == []
