"""In a real browser, the screens a newcomer opens first raise no error in the console: the account
page (once "RangeError: Invalid time zone specified: localtime"), the dashboard, a TTHC's detail
page and its edit form with the agency chooser, the public home with the person signed in."""

import datetime

import pytest

from qms.models import AdministrativeProcedure, TimeLimit
from tests import factories

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def people(transactional_db):
    """Created before the browser starts (the sync API runs an event loop in this thread)."""
    department = factories.agency(name="Sở Thử nghiệm")
    officer = factories.member(department, "officer", last_name="Nguyễn Văn", first_name="An")
    admin = factories.user("root", superuser=True)
    procedure = AdministrativeProcedure.objects.create(
        code="1.001193", name="Thủ tục đăng ký khai sinh", field="Hộ tịch", level="commune"
    )
    TimeLimit.objects.create(
        procedure=procedure, working_days=0.5, effective_from=datetime.date(2025, 7, 1)
    )
    return {"officer": officer, "admin": admin, "procedure": procedure}


def _sign_in(page, base, user):
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.click("form.login-form button[type=submit]")


def _open(page, url, errors) -> None:
    errors.clear()
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.status < 400, url
    assert errors == [], f"{url}: {errors}"


def test_first_screens_raise_no_console_error(people, live_server, browser, tmp_path):
    # One test for both people: a transactional test flushes what the migrations created.
    for who in ("officer", "admin"):
        context = browser.new_context(locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors = []
        page.on(
            "console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None
        )
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        base = live_server.url
        _sign_in(page, base, people[who])
        procedure = people["procedure"].pk

        _open(page, f"{base}/admin/account/", errors)
        _open(page, f"{base}/admin/", errors)
        assert page.locator("#qms-next-steps-panel").is_visible()
        _open(page, f"{base}/admin/tthc/inspect/{procedure}/", errors)
        assert page.get_by_text("0,5 ngày làm việc").first.is_visible()
        if who == "admin":
            _open(page, f"{base}/admin/tthc/edit/{procedure}/", errors)
            page.get_by_text("Thêm cơ quan giải quyết").click()
            page.wait_for_selector(".modal input[type=checkbox]")
            assert page.get_by_text("Sở Thử nghiệm").first.is_visible()
            assert errors == []
        _open(page, f"{base}/", errors)
        assert page.locator("header").get_by_text("Đăng xuất").is_visible()
        page.screenshot(path=str(tmp_path / f"{who}.png"), full_page=True)
        context.close()
