"""In a real browser: an officer signs in through the form, lands on the dashboard, opens the inbox."""

import pytest

from qms.models import Notification
from tests import factories

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def officer(transactional_db):
    """Created before the browser starts: the sync API runs an event loop in this thread, and
    ORM calls beside it would be refused (or, allowed, open a connection nothing closes)."""
    user = factories.member(factories.agency(name="Sở Thử nghiệm"), "officer")
    Notification.objects.create(recipient=user, title="Hồ sơ sắp đến hạn", url="/admin/")
    return user


def test_officer_signs_in_and_opens_inbox(officer, live_server, browser, tmp_path):
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.click("form.login-form button[type=submit]")

    assert page.url == f"{live_server.url}/admin/"
    assert page.locator("input[name=password]").count() == 0
    assert page.locator("main").count() == 1

    page.goto(f"{live_server.url}/admin/inbox/")
    assert page.title().startswith("Thông báo")
    assert page.get_by_text("Hồ sơ sắp đến hạn").first.is_visible()

    shot = tmp_path / "inbox.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    context.close()
