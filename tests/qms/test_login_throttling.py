"""Login throttling: per username and address together, a Vietnamese lock-out on Wagtail's login
page (for the Django admin's login too), and a limit on password-reset e-mails per address."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

LOCKED = "Tài khoản tạm khóa do đăng nhập sai quá nhiều lần"


@pytest.fixture
def people(settings):
    settings.AXES_FAILURE_LIMIT = 10
    officer = factories.member(factories.agency(), "officer", username="an")
    colleague = factories.member(officer.memberships.get().agency, "staff", username="binh")
    return officer, colleague


def _login(client, url, username, password, address="10.0.0.7"):
    return client.post(
        url, {"username": username, "password": password}, REMOTE_ADDR=address, follow=False
    )


def _fail(client, url, username, times, address="10.0.0.7"):
    for _ in range(times):
        response = _login(client, url, username, "wrong-password", address)
        assert response.status_code == 200  # the form again, with Wagtail's own error


def test_ten_failures_lock_the_username_on_that_address(client, people):
    officer, colleague = people
    url = reverse("wagtailadmin_login")
    _fail(client, url, officer.username, 9)
    assert _login(client, url, officer.username, factories.PASSWORD).status_code == 302
    client.logout()  # a success clears the count (AXES_RESET_ON_SUCCESS)

    _fail(client, url, officer.username, 9)
    assert _login(client, url, officer.username, "wrong-password").status_code == 429  # 10th
    response = _login(client, url, officer.username, factories.PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html
    assert "thử lại sau 30 phút hoặc liên hệ quản trị viên" in html
    assert 'name="password"' in html  # Wagtail's login page, not a bare text
    assert "_auth_user_id" not in client.session

    # a colleague in the same office (same address) still signs in
    response = _login(client, url, colleague.username, factories.PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    client.logout()

    # and the locked user from another address is not refused
    response = _login(client, url, officer.username, factories.PASSWORD, address="10.0.0.8")
    assert response.status_code == 302


def test_the_django_admin_login_is_throttled_too(client, people):
    officer, _ = people
    admin = factories.user("root", superuser=True)
    url = reverse("admin:login")
    _fail(client, url, admin.username, 9)
    assert _login(client, url, admin.username, "wrong-password").status_code == 429  # 10th
    response = _login(client, url, admin.username, factories.PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # the count is per username: the same user is locked on Wagtail's login as well
    response = _login(client, reverse("wagtailadmin_login"), admin.username, factories.PASSWORD)
    assert response.status_code == 429


@pytest.fixture
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_password_reset_emails_are_limited_per_address(client, people, settings, clean_cache):
    settings.PASSWORD_RESET_LIMIT = 3
    officer, _ = people
    url = reverse("wagtailadmin_password_reset")
    for _ in range(3):
        response = client.post(url, {"email": officer.email}, REMOTE_ADDR="10.0.0.7")
        assert response.status_code == 302
    assert len(mail.outbox) == 3

    response = client.post(url, {"email": officer.email}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 429
    assert "quá nhiều yêu cầu đặt lại mật khẩu" in response.content.decode()
    assert len(mail.outbox) == 3

    # another address is not affected
    response = client.post(url, {"email": officer.email}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302
    assert len(mail.outbox) == 4
