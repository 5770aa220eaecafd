"""Issue 7 in a real browser: an officer imports an existing procedure from Word (.docx), sees the
one cell it could not read, corrects that step in the draft and submits it for approval; then a
decree replacing one a procedure in force cites makes that procedure due, and the review report
shows it with the new decree's number and the legal deadline (effective date + 3 months).

Screenshots of each step go to var/screens/ (ignored by git) for a person to look at."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from documents.models import ProcedurePage, ProcedureReview, ReviewReason
from qms.models import Role
from tests import factories
from tests.documents import docx_builders as build
from tests.documents.issue_builders import draft, legal, publish, step

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
# The step table as written, with Bước 3's time in words: the one cell the import cannot read.
WRONG = "ba ngày"
STEPS = [
    tuple(WRONG if (i, col) == (2, 3) else text for col, text in enumerate(row))
    for i, row in enumerate(build.STEPS)
]
TABLE = "Bảng 2 (TTHC 1.001806)"
OLD_DECREE, NEW_DECREE = "Nghị định 61/2018/NĐ-CP", "Nghị định 118/2025/NĐ-CP"
EFFECTIVE, EFFECTIVE_TEXT = datetime.date(2025, 7, 1), "01/07/2025"
DUE = "01/10/2025"  # three months after the new decree takes effect


@pytest.fixture
def scene(transactional_db):
    """Made before the browser starts (the sync API runs an event loop in this thread): the
    world's agencies and people, TTHC 1.001806 (10 working days) handled by the Department of
    Justice, and two of its procedures in force, one citing the decree about to be replaced."""
    world = factories.World.build()
    tthc = factories.tthc(
        code="1.001806",
        name="Đăng ký hoạt động Văn phòng công chứng",
        working_days="10",
        agencies=[world.node],
    )
    other = factories.tthc(
        code="1.001193", name="Cấp phiếu lý lịch tư pháp", working_days="10", agencies=[world.node]
    )
    steps = [step("Bước 1", "0.5"), step("Bước 2", "9"), step("Bước 3", None)]
    citing = publish(
        draft(
            world.node,
            tthc=tthc,
            steps=steps,
            code="QT-01/STP",
            title="Quy trình thành lập Văn phòng công chứng",
            legal_basis=[legal(OLD_DECREE, "về thực hiện cơ chế một cửa, một cửa liên thông")],
        )
    )
    unrelated = publish(
        draft(
            world.node,
            tthc=other,
            steps=steps,
            code="QT-02/STP",
            title="Quy trình cấp phiếu lý lịch tư pháp",
            legal_basis=[legal("Luật Lý lịch tư pháp 28/2009/QH12", "Luật Lý lịch tư pháp")],
        )
    )
    return world, citing.procedure, unrelated.procedure


def _sign_in(browser, base, user):
    page = browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.click("form.login-form button[type=submit]")
    return page


def _shot(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"import-review-{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")


def _footer_action(page, label):
    """Click a footer action of the page editor, opening the "more actions" menu when needed."""
    button = page.get_by_role("button", name=label, exact=True)
    if not button.is_visible():
        page.get_by_role("button", name="Thao tác khác").click()
    button.click()


def test_import_correct_submit_then_the_review_report(scene, live_server, browser, monkeypatch):
    from playwright.sync_api import expect  # after the browser fixture's skip

    # The checks read the database between browser steps, inside Playwright's event loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    world, citing, unrelated = scene
    officer = world.users["node", Role.OFFICER]
    base = live_server.url
    ui = _sign_in(browser, base, officer)
    errors = []  # uncaught script errors on any screen passed through
    ui.on("pageerror", lambda exc: errors.append(str(exc)))

    # The agency's page in the page explorer: "Nhập từ Word".
    ui.goto(f"{base}/admin/pages/{world.node.page.pk}/")
    link = ui.get_by_role("link", name="Nhập từ Word")
    if not link.first.is_visible():  # in the header's "more" menu
        ui.get_by_role("button", name="Thao tác").first.click()
        link.first.wait_for(state="visible")
    _shot(ui, "1-explorer")
    with ui.expect_navigation():
        link.first.click()
    assert ui.url.endswith(reverse("documents_docx_import", args=[world.node.page.pk]))
    # Once under admin/documents/, where the sidebar took it for Wagtail's "Tài liệu".
    expect(ui.locator(".sidebar-menu-item--active", has_text="Tài liệu")).to_have_count(0)
    ui.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "QT-05-STP.docx",
                "mimeType": (
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                ),
                "buffer": build.to_bytes(build.procedure_docx(steps=STEPS)),
            }
        ],
    )
    _shot(ui, "2-upload")
    with ui.expect_navigation():
        ui.get_by_role("button", name="Nhập thành bản dự thảo").click()

    # The problems page names the cell.
    problems = ui.inner_text("#docx-import-problems")
    _shot(ui, "3-problems")
    assert f"{TABLE}, dòng 3 (Bước 3), cột Thời gian: “{WRONG}” không đọc được số ngày" in problems
    imported = ProcedurePage.objects.get(code="QT-05/STP")
    assert not imported.live and imported.slug == "qt-05-stp"

    # The draft: Bước 3's time is empty (unread); the officer writes 7 days and saves.
    with ui.expect_navigation():
        ui.click("#docx-import-open")
    assert ui.url.endswith(reverse("wagtailadmin_pages:edit", args=[imported.pk]))
    days = ui.locator("input[name='services-0-value-steps-2-value-days']")
    assert ui.input_value("input[name='services-0-value-steps-2-value-code']") == "Bước 3"
    assert days.input_value() == ""
    days.scroll_into_view_if_needed()
    days.fill("7")
    _shot(ui, "4-corrected")
    with ui.expect_navigation():
        _footer_action(ui, "Lưu bản nháp")
    _shot(ui, "5-saved")
    saved = ProcedurePage.objects.get(pk=imported.pk).get_latest_revision_as_object()
    assert saved.services[0].value["steps"][2]["days"] == Decimal("7")

    # Submitted for approval through the workflow.
    with ui.expect_navigation():
        _footer_action(ui, "Trình duyệt: Phê duyệt quy trình nội bộ")
    _shot(ui, "6-submitted")
    imported = ProcedurePage.objects.get(pk=imported.pk)
    state = imported.current_workflow_state
    assert state is not None and state.status == "in_progress"
    assert not imported.live
    revision = imported.get_latest_revision()
    assert revision.user == officer
    steps = revision.as_object().services[0].value["steps"]
    assert [s["days"] for s in steps] == [
        Decimal(d) if d is not None else None for d in ("0.5", "0.5", "7", "0.5", "1", "0.5", None)
    ]

    # A decree replacing the one QT-01/STP cites, recorded in the register.
    ui.goto(f"{base}{reverse('legal_documents:add')}")
    ui.fill("input[name=number]", NEW_DECREE)
    ui.fill("input[name=title]", "về thực hiện thủ tục hành chính theo cơ chế một cửa")
    ui.fill("input[name=issuer]", "Chính phủ")
    for name, day in (("issued_on", "09/06/2025"), ("effective_on", EFFECTIVE_TEXT)):
        # Typed in the date picker's own format; it opens a moment after the field takes focus,
        # and Tab closes it.
        ui.fill(f"input[name={name}]", day)
        expect(ui.locator(".xdsoft_datetimepicker:visible")).to_have_count(1)
        ui.keyboard.press("Tab")
        expect(ui.locator(".xdsoft_datetimepicker:visible")).to_have_count(0)
    ui.fill("textarea[name=replaces]", OLD_DECREE)
    # The agency recording it: the officer's own, chosen in advance by the form.
    assert ui.input_value("input[name=agency]") == str(world.node.pk)
    _shot(ui, "7-legal-document")
    with ui.expect_navigation():
        ui.get_by_role("button", name="Tạo mới").click()
    _shot(ui, "8-legal-document-saved")
    assert (
        f"1 quy trình trích dẫn văn bản bị sửa đổi, thay thế đến hạn rà soát trước {DUE}."
        in ui.inner_text(".messages")
    )
    review = ProcedureReview.objects.get(reason=ReviewReason.LEGAL_CHANGE)
    assert (review.procedure_id, review.due_on) == (citing.pk, datetime.date(2025, 10, 1))
    decree = review.legal_document
    assert (decree.number, decree.issued_on, decree.effective_on, decree.agency) == (
        NEW_DECREE,
        datetime.date(2025, 6, 9),
        EFFECTIVE,
        world.node,
    )

    # The review report: QT-01/STP due because of the new decree, by its effective date + 3
    # months; QT-02/STP (its periodic review only) and the draft QT-05/STP are not.
    ui.goto(f"{base}{reverse('procedure_reviews:index')}")
    _shot(ui, "9-review-report")
    rows = ui.locator("table.listing tbody tr")
    legal_change = rows.filter(has_text="Văn bản căn cứ được sửa đổi, thay thế")
    assert legal_change.count() == 1
    text = legal_change.inner_text()
    assert "QT-01/STP" in text
    assert "Văn bản căn cứ được sửa đổi, thay thế: Nghị định 118/2025/NĐ-CP" in text
    assert "thay thế Nghị định 61/2018/NĐ-CP" in text
    assert DUE in [cell.strip() for cell in legal_change.locator("td").all_inner_texts()]
    unrelated_rows = rows.filter(has_text="QT-02/STP")
    assert unrelated_rows.count() >= 1
    for row in unrelated_rows.all():
        assert "118/2025" not in row.inner_text()
        assert "Văn bản căn cứ được sửa đổi" not in row.inner_text()
    assert "QT-05/STP" not in ui.inner_text("main")  # a draft is not in force
    assert not ProcedureReview.objects.filter(
        procedure=unrelated, reason=ReviewReason.LEGAL_CHANGE
    ).exists()
    assert errors == []
