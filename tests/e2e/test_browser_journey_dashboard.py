"""Journey 4 in a real browser (DESIGN.md §1, issue 12): the city's leader logs in on the demo,
opens the leadership dashboard, changes the period to this year, clicks the worst body (first
row: most red cells), goes from its scorecard to its TTHC, follows the TTHC's late and overdue
dossiers to a late dossier, reads the step that made it late, and downloads the annual QMS
report (a PDF whose text names the body and the year).

Screenshots go to var/screens/ (ignored by git)."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from qms.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"


@pytest.fixture
def scene(transactional_db):
    """The demo, and what the leader should reach: the worst body of the city this year, a TTHC
    of it with a late dossier received this year whose sheet names the late step."""
    from indicators.dashboard_filter import DashboardFilter
    from indicators.models import Dossier, DossierStep
    from indicators.selectors_scorecard import scorecard
    from indicators.selectors_steps import late_step
    from qms.models import Agency
    from qms.models.agencies import subtree_q

    call_command("seed_demo", verbosity=0)
    today = timezone.localdate()
    city = Agency.objects.get(code="HN")
    year = DashboardFilter(
        agency=city,
        start=today.replace(month=1, day=1),
        end=today.replace(month=12, day=31),
        period=f"y-{today.year}",
    )
    worst = scorecard(year).rows[0].body.agency
    sheets = DossierStep.objects.values_list("dossier_id", flat=True)
    late = Dossier.objects.filter(
        subtree_q([worst.path], "agency__path"),
        timing="late",
        received_on__gte=year.start,
        pk__in=sheets,
    ).select_related("procedure")
    dossier = next((d for d in late.order_by("-received_on") if late_step(d) is not None), None)
    assert dossier is not None, f"the demo has no late dossier with a sheet at {worst}"
    return {
        "leader": "hn-leader",
        "year": today.year,
        "worst": worst,
        "dossier": dossier,
        "step": late_step(dossier),
    }


def _shot(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENS / f"dashboard-{name}.png"), full_page=True, animations="disabled"
    )


def test_journey_4_the_leader_goes_from_the_scorecard_to_the_late_step_and_the_report(
    scene, live_server, browser, monkeypatch
):
    from playwright.sync_api import expect  # after the browser fixture's skip
    from pypdf import PdfReader

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = live_server.url
    page = browser.new_context(
        locale="vi-VN", viewport={"width": 1400, "height": 1000}, accept_downloads=True
    ).new_page()
    page.set_default_timeout(60_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", scene["leader"])
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.login-form button[type=submit]")

    # 1. The home's panel leads to the dashboard, opened on the city and this month.
    expect(page.locator("#indicators-leader-scorecard")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Mở bảng điều khiển").click()
    expect(page.locator("h1")).to_contain_text("Bảng điều khiển lãnh đạo")
    expect(page.locator("main")).to_contain_text("Ủy ban nhân dân thành phố Hà Nội")
    _shot(page, "1-month")

    # 2. The period becomes this year; the URL holds it.
    page.select_option("select[name=period]", f"y-{scene['year']}")
    with page.expect_navigation():
        page.get_by_role("button", name="Xem", exact=True).click()
    assert f"period=y-{scene['year']}" in page.url
    expect(page.locator("main")).to_contain_text(f"01/01/{scene['year']}")
    _shot(page, "2-year")

    # 3. The worst body is the first row; its name opens its own scorecard.
    worst = scene["worst"]
    first = page.locator("tr.qms-dashboard-row").first.locator("th a")
    expect(first).to_have_text(worst.display_name)
    with page.expect_navigation():
        first.click()
    assert f"agency={worst.pk}" in page.url and f"period=y-{scene['year']}" in page.url

    # 4. Its TTHC; the TTHC of the late dossier; its late and overdue dossiers.
    with page.expect_navigation():
        page.get_by_role("link", name="Theo thủ tục hành chính").click()
    dossier = scene["dossier"]
    expect(page.locator("main")).to_contain_text(dossier.procedure.code)
    _shot(page, "3-procedures")
    row = page.locator("tr", has_text=dossier.procedure.code).first
    with page.expect_navigation():
        row.get_by_role("link", name="Hồ sơ quá hạn").click()
    expect(page.locator("main")).to_contain_text(dossier.code)
    _shot(page, "4-late-dossiers")

    # 5. The late dossier: its timeline and the step that made it late.
    with page.expect_navigation():
        page.get_by_role("link", name=dossier.code, exact=True).first.click()
    late = page.locator(".qms-late-step")
    expect(late).to_be_visible()
    expect(late).to_contain_text(scene["step"].unit)
    _shot(page, "5-late-step")

    # 6. Back to the body's scorecard: the annual QMS report, downloaded as a PDF.
    page.goto(f"{base}/admin/indicators/dashboard/?agency={worst.pk}&period=y-{scene['year']}")
    with page.expect_navigation():
        page.get_by_role("link", name="Báo cáo HTQLCL năm (PDF)").click()
    expect(page.locator("select[name=agency]")).to_have_value(str(worst.pk))
    with page.expect_download(timeout=180_000) as download:
        page.get_by_role("button", name="Tải báo cáo (PDF)").click()
    path = download.value.path()
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert worst.name in text and str(scene["year"]) in text
    assert errors == []
