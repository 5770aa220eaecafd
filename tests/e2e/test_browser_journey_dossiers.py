"""Journey 3 in a real browser (DESIGN.md §1, issue 10): the officer of the Department of Justice
uploads the month's export of the one-stop system (the demo file: real-shaped, with personal-data
columns and a handful of bad rows), watches the dry run's progress, reads the rejected rows with
their line and column, confirms "good rows only", watches the progress bar of the writing reach the
end, and finds the on-time rate per TTHC of that month updated at once.

The import's tasks run in this process where the test says so (a worker would run them): the check
and the writing are called after the page is open, and after each committed chunk the test waits
until the page's progress bar, which polls the server, shows that chunk's progress.

Screenshots of each step go to var/screens/ (ignored by git) for a person to look at."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from indicators import demo
from indicators.models import Dossier, DossierImport, ImportState
from indicators.selectors import metrics
from indicators.services import imports as import_services
from qms.formats.numbers import format_percent
from qms.management.commands.seed_demo import DEMO_PASSWORD
from qms.models import Agency

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
OFFICER = "stp-officer"
CHUNK = 60  # rows per chunk: the demo file's 300 rows are written in five steps


@pytest.fixture
def scene(transactional_db, settings):
    call_command("seed_demo", verbosity=0)
    settings.QMS_IMPORT_CHUNK = CHUNK
    officer = get_user_model().objects.get(username=OFFICER)
    agency = Agency.objects.get(code=demo.FILE_AGENCY)
    return officer, agency


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
    page.screenshot(
        path=str(SCREENS / f"dossiers-{name}.png"), full_page=True, animations="disabled"
    )


def _bar(page) -> int:
    return page.evaluate(
        "() => { const b = document.querySelector('[data-progress=bar]'); return b ? b.value : -1; }"
    )


def test_journey_3_import_the_month_and_read_the_on_time_rate(
    scene, live_server, browser, monkeypatch
):
    from playwright.sync_api import expect  # after the browser fixture's skip

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    officer, agency = scene
    base = live_server.url
    errors = []
    # The tasks are queued, not run, by the requests: this test plays the worker below.
    queued = []
    monkeypatch.setattr(import_services, "_schedule", lambda name, pk: queued.append((name, pk)))
    first, last = demo.FILE_MONTH
    before = {row.key: row for row in metrics(agency, first, last, group_by="procedure")}

    # 1. The upload page says which columns are read and that personal data is dropped.
    ui = _sign_in(browser, base, officer)
    ui.on("pageerror", lambda exc: errors.append(str(exc)))
    ui.goto(f"{base}{reverse('dossier_imports:add')}")
    main = ui.locator("main")
    expect(main).to_contain_text("Mã hồ sơ")
    expect(main).to_contain_text("13/2023")
    ui.select_option("select[name=agency]", str(agency.pk))
    ui.set_input_files("input[name=file]", str(demo.import_file_path()))
    _shot(ui, "1-upload")
    with ui.expect_navigation():
        ui.get_by_role("button", name="Tải lên và kiểm tra").click()
    imp = DossierImport.objects.get()
    assert queued == [("import_check", imp.pk)]
    assert imp.state == ImportState.UPLOADED and _bar(ui) == 0

    # 2. The dry run (a worker's job): the page follows it and shows the rejected rows.
    import_services.import_check(imp.pk)
    imp.refresh_from_db()
    assert imp.state == ImportState.CHECKED and imp.rejected_count > 0
    expect(ui.locator("[data-progress=state_label]")).to_have_text(str(ImportState.CHECKED.label))
    expect(ui.locator("#import-actions")).to_be_visible()
    bad = imp.row_errors.order_by("line").first()
    expect(main).to_contain_text(bad.message)
    for column in imp.dropped_columns:
        expect(main).to_contain_text(column)
    assert not Dossier.objects.filter(code__startswith=demo.FILE_PREFIX).exists()
    _shot(ui, "2-checked")

    # 3. Good rows only; the writing runs chunk by chunk and the bar follows each chunk.
    seen = []

    def after_chunk():
        current = DossierImport.objects.get(pk=imp.pk)
        target = current.percent
        ui.wait_for_function(
            "t => { const b = document.querySelector('[data-progress=bar]');"
            " return b && b.value >= t; }",
            arg=target,
        )
        seen.append(_bar(ui))

    with ui.expect_navigation():
        ui.get_by_role("button", name="Chỉ ghi các dòng hợp lệ").click()
    assert queued[-1] == ("import_apply", imp.pk)
    expect(ui.locator("[data-progress=state_label]")).to_have_text(str(ImportState.APPLYING.label))
    monkeypatch.setattr(import_services, "_test_hook_after_chunk", after_chunk)
    import_services.import_apply(imp.pk)
    imp.refresh_from_db()
    assert imp.state == ImportState.APPLIED
    expect(ui.locator("[data-progress=state_label]")).to_have_text(str(ImportState.APPLIED.label))
    expect(ui.locator("[data-progress=bar]")).to_have_attribute("value", "100")
    assert len(seen) >= 3 and seen == sorted(seen), seen
    assert any(0 < value < 100 for value in seen), seen
    written = Dossier.objects.filter(code__startswith=demo.FILE_PREFIX).count()
    assert written == imp.written_new > 0
    assert written == imp.total_rows - imp.rejected_count
    _shot(ui, "3-applied")

    # 4. The month's on-time rate per TTHC, read from the summaries, moved at once.
    after = {row.key: row for row in metrics(agency, first, last, group_by="procedure")}
    changed = [
        key
        for key, row in after.items()
        if row.resolved and (key not in before or before[key].resolved != row.resolved)
    ]
    assert changed, "the import resolved dossiers of the month"
    row = max((after[key] for key in changed), key=lambda r: r.resolved)
    query = f"agency={agency.pk}&scope=subtree&period=m-{first:%Y-%m}&group_by=procedure"
    ui.goto(f"{base}{reverse('indicators_metrics')}?{query}")
    table_row = ui.locator("tr", has_text=row.label).first
    expect(table_row).to_be_visible()
    expect(table_row).to_contain_text(format_percent(row.on_time_rate, 1, ratio=True))
    _shot(ui, "4-metrics")
    assert errors == []
