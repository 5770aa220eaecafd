"""The system as a whole in a real browser, as the demo people (issue 9): the city's leader opens
next year's audit programme (a draft prepared by the city's ISO officer), sees its coverage
gaps (units × clauses and the TTHC no planned audit reaches) and approves it; the officer then
opens this year's planned management review, sees its inputs of 9.3.2 compiled from the data and
records the meeting as held, which freezes them.

Screenshots of each step go to var/screens/ (ignored by git) for a person to look at."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audits.models import AuditProgramme, ManagementReview, ProgrammeState, ReviewState
from audits.selectors_programme import coverage
from audits.selectors_reviews import review_inputs
from qms.management.commands.seed_demo import DEMO_PASSWORD
from qms.models import Agency

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
DEMO_USERS = ("hn-leader", "hn-officer")
DECISIONS = "Giao Văn phòng bổ sung đánh giá nội bộ các đơn vị còn khoảng trống trong quý I."


@pytest.fixture
def scene(transactional_db):
    """The demo (made before the browser starts): next year's draft programme of Hà Nội and
    this year's planned management review."""
    call_command("seed_demo", verbosity=0)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_USERS)}
    city = Agency.objects.get(code="HN")
    year = timezone.localdate().year + 1
    programme = AuditProgramme.objects.get(agency=city, year=year)
    review = ManagementReview.objects.get(agency=city, state=ReviewState.PLANNED)
    return users, programme, review


def _sign_in(browser, base, user):
    page = browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.login-form button[type=submit]")
    return page


def _shot(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"system-{name}.png"), full_page=True, animations="disabled")


def _header_action(page, label):
    """Click an action of the object's header, opening its "more" menu when needed."""
    link = page.locator("header").get_by_role("link", name=label, exact=True)
    if not link.first.is_visible():
        page.locator("header").get_by_role("button", name="Thao tác").first.click()
        link.first.wait_for(state="visible")
    with page.expect_navigation():
        link.first.click()


def _submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def _fill_date(page, name, day):
    """Type a date in the admin's picker format; wait for the picker, then Tab closes it."""
    from playwright.sync_api import expect

    page.fill(f"input[name={name}]", day.strftime("%d/%m/%Y"))
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_have_count(1)
    page.keyboard.press("Tab")
    expect(page.locator(".xdsoft_datetimepicker:visible")).to_have_count(0)


def test_leader_approves_the_programme_and_officer_records_the_review(
    scene, live_server, browser, monkeypatch
):
    from playwright.sync_api import expect  # after the browser fixture's skip

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    users, programme, review = scene
    leader, officer = users["hn-leader"], users["hn-officer"]
    base = live_server.url
    today = timezone.localdate()
    errors = []
    gaps = coverage(programme)
    assert gaps.unit_gaps and gaps.procedure_gaps, "the demo programme leaves a gap"

    # 1. The leader finds the draft in the list and opens it: the gaps are listed by name.
    ui = _sign_in(browser, base, leader)
    ui.on("pageerror", lambda exc: errors.append(str(exc)))
    ui.goto(f"{base}{reverse('audit_programmes:index')}")
    ui.get_by_role("link", name=str(programme.year), exact=True).first.click()
    ui.wait_for_url(f"**{reverse('audit_programmes:inspect', args=[programme.pk])}")
    matrix = ui.locator(".qms-programme-coverage")
    expect(matrix).to_be_visible()
    agency, clause = gaps.unit_gaps[0]
    expect(ui.locator(".qms-unit-gaps")).to_contain_text(agency.display_name)
    expect(matrix).to_contain_text(gaps.procedure_gaps[0].code)
    assert ui.locator("td.qms-gap").count() == len(gaps.unit_gaps)
    _shot(ui, "1-programme-gaps")

    # 2. Approved with a note: the leader did not prepare it (hn-officer did).
    _header_action(ui, "Phê duyệt")
    ui.fill("textarea[name=note]", "Đồng ý; bổ sung các đơn vị còn khoảng trống vào quý I.")
    _submit(ui, "Phê duyệt")
    programme.refresh_from_db()
    assert programme.state == ProgrammeState.APPROVED
    assert programme.approved_by == leader and programme.created_by != leader
    expect(ui.locator("main")).to_contain_text("Đã phê duyệt")
    expect(ui.locator(".qms-unit-gaps")).to_contain_text(agency.display_name)
    _shot(ui, "2-programme-approved")

    # 3. The officer opens this year's planned review: its inputs are compiled from the data.
    ui = _sign_in(browser, base, officer)
    ui.on("pageerror", lambda exc: errors.append(str(exc)))
    ui.goto(f"{base}{reverse('management_reviews:inspect', args=[review.pk])}")
    main = ui.locator("main")
    expect(main).to_contain_text("Tổng hợp đến hôm nay")
    live = review_inputs(review.agency, review.period_start, review.period_end, today)
    for section in live["sections"]:
        expect(main).to_contain_text(section["title"])
    _shot(ui, "3-review-inputs")

    # 4. Recorded as held today: the inputs are frozen as they were.
    _header_action(ui, "Ghi nhận cuộc họp")
    _fill_date(ui, "held_on", today)
    ui.fill("textarea[name=decisions]", DECISIONS)
    _submit(ui, "Ghi nhận cuộc họp")
    review.refresh_from_db()
    assert review.state == ReviewState.HELD and review.held_on == today
    assert review.decisions == DECISIONS
    assert review.inputs == live
    assert review.history.first().history_user == officer
    expect(ui.locator("main")).to_contain_text("Đầu vào đã chốt")
    _shot(ui, "4-review-held")
    assert errors == []
