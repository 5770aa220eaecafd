"""Journey 1 of DESIGN.md in a real browser, as the demo people: the officer drafts issue 2 with a
new step and submits it; the responsible unit's leader reviews; the agency's leader approves; the
public page shows issue 2, its history highlights the new step, and the PDF downloads."""

import re

import pytest
from django.core.management import call_command

from documents.models import ProcedurePage
from qms.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_STEP = "Lấy ý kiến Hội Công chứng viên thành phố"


@pytest.fixture
def procedure(transactional_db):
    """The demo, and a procedure of the Department of Justice with its first issue in force."""
    from documents import demo

    call_command("seed_demo", verbosity=0)
    spec = {
        **demo.PROCEDURES[0],
        "code": "QT-09/STP",
        "title": "Quy trình đăng ký hoạt động Văn phòng công chứng hợp danh",
        "issues": demo.PROCEDURES[0]["issues"][:1],
    }
    demo.seed_procedure(spec)
    page = ProcedurePage.objects.get(code="QT-09/STP")
    assert page.issues.count() == 1
    return page


def _sign_in(context, base, username):
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.login-form button[type=submit]")
    return page


def _footer_action(page, label):
    """Click a footer action of the page editor, opening the "more actions" menu when needed."""
    button = page.get_by_role("button", name=label, exact=True)
    if not button.is_visible():
        page.get_by_role("button", name="Thao tác khác").click()
    button.click()


def _add_step(page, after_code_field: str):
    """Insert a step after the given one in the step table (the list's own "+" button)."""
    page.evaluate(
        """name => {
            const child = document.querySelector(`[name="${name}"]`)
                .closest('[data-streamfield-child]');
            let el = child.nextElementSibling;
            while (el && !el.matches('button.c-sf-add-button')) el = el.nextElementSibling;
            el.click();
        }""",
        after_code_field,
    )


def test_journey_1_from_draft_to_the_public_page(procedure, live_server, browser, monkeypatch):
    # The checks read the database between browser steps, inside Playwright's event loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = live_server.url
    edit = f"{base}/admin/pages/{procedure.pk}/edit/"

    # The officer drafts issue 2: a new step after step 3, within the TTHC's limit, and submits.
    officer = _sign_in(browser.new_context(locale="vi-VN"), base, "stp-officer")
    officer.goto(edit)
    before = int(officer.input_value("input[name='services-0-value-steps-count']"))
    _add_step(officer, "services-0-value-steps-2-value-code")
    new = f"services-0-value-steps-{before}-value"
    officer.fill(f"input[name='{new}-code']", "Bước 3b")
    officer.fill(f"textarea[name='{new}-content']", NEW_STEP)
    officer.fill(f"input[name='{new}-responsible']", "Phòng Hành chính tư pháp")
    officer.fill(f"input[name='{new}-days']", "0.25")
    officer.fill(
        "textarea[name='change_summary']", "Bổ sung Bước 3b lấy ý kiến Hội Công chứng viên"
    )
    with officer.expect_navigation():
        _footer_action(officer, "Lưu bản nháp")
    assert "Dự thảo" in officer.content() or officer.url.startswith(edit)
    with officer.expect_navigation():
        _footer_action(officer, "Trình duyệt: Phê duyệt quy trình nội bộ")
    procedure.refresh_from_db()
    assert procedure.current_workflow_state is not None

    # The responsible unit's leader reviews it.
    reviewer = _sign_in(browser.new_context(locale="vi-VN"), base, "stp-hctp-leader")
    reviewer.goto(edit)
    with reviewer.expect_navigation():
        _footer_action(reviewer, "Đồng ý (đã xem xét)")

    # The agency's leader approves it: it goes live as issue 2.
    leader = _sign_in(browser.new_context(locale="vi-VN"), base, "stp-leader")
    leader.goto(edit)
    with leader.expect_navigation():
        _footer_action(leader, "Phê duyệt")
    procedure = ProcedurePage.objects.get(pk=procedure.pk)
    issue = procedure.issues.get(number=2)
    assert NEW_STEP in str(issue.services.get().steps)
    assert {issue.drafted_by.username, issue.reviewed_by.username, issue.approved_by.username} == {
        "stp-officer",
        "stp-hctp-leader",
        "stp-leader",
    }

    # The public sees issue 2, the history highlights the new step, and the PDF downloads.
    visitor = browser.new_context(locale="vi-VN").new_page()
    visitor.goto(f"{base}{procedure.url}")
    text = visitor.inner_text("main")
    assert NEW_STEP in text and re.search(r"[Ll]ần ban hành\D{0,20}0?2", text)
    visitor.goto(f"{base}{procedure.url}lich-su/")
    highlighted = visitor.locator("ins", has_text="Hội Công chứng viên")
    assert highlighted.count() >= 1 or visitor.locator(".step--added", has_text=NEW_STEP).count()
    response = visitor.request.get(f"{base}{procedure.url}ban-in/2/")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
