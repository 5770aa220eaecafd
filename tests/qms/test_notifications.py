"""Notifications: inbox rows, the e-mail outbox sent at most once, the inbox page, menu and panel.

How SMTP failures are retried or held is in test_outbox_sending.py."""

import json
import re

import pytest
from django.core import mail
from django.urls import reverse

from qms.models import EmailStatus, Notification, OutboundEmail
from qms.services import notifications
from qms.services.memberships import membership_create
from qms.services.notifications import notification_mark_read, notify, outbox_send_pending
from qms.tasks import send_pending_emails
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    no_mail = factories.user("no_mail")
    no_mail.email = ""
    no_mail.save(update_fields=["email"])
    return {
        "an": factories.user("an"),
        "binh": factories.user("binh"),
        "no_mail": no_mail,
        "gone": factories.user("gone", is_active=False),
    }


def _notify_all(people, **kwargs):
    return notify(
        recipients=[people["an"], people["binh"], people["no_mail"], people["gone"], None],
        title=kwargs.pop("title", "Quy trình mới cần xác nhận"),
        body=kwargs.pop("body", "Vui lòng đọc và xác nhận."),
        url=kwargs.pop("url", "/admin/inbox/"),
        **kwargs,
    )


def test_notify_creates_inbox_rows_and_outbox_emails(people, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://qms.example.test/"
    created = _notify_all(people)

    recipients = {n.recipient.username for n in created}
    assert recipients == {"an", "binh", "no_mail"}  # inactive user and None skipped
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == recipients
    assert not Notification.objects.filter(recipient=people["gone"]).exists()

    emails = OutboundEmail.objects.all()
    assert sorted(e.to for e in emails) == ["an@example.test", "binh@example.test"]
    email = emails.get(to="an@example.test")
    assert email.subject == "Quy trình mới cần xác nhận"
    assert email.body.startswith("Vui lòng đọc và xác nhận.")
    assert email.body.endswith("https://qms.example.test/admin/inbox/")  # absolute link
    assert email.notification.recipient == people["an"]
    assert email.status == EmailStatus.QUEUED
    assert email.claimed_at is None and email.sent_at is None and email.attempts == 0


def test_notify_deduplicates_recipients(people):
    notify(recipients=[people["an"], people["an"]], title="Một lần thôi")
    assert Notification.objects.filter(recipient=people["an"]).count() == 1
    assert OutboundEmail.objects.count() == 1


def test_notify_without_email_flag_queues_nothing(people):
    notify(recipients=[people["an"]], title="Chỉ trong hộp thư", email=False)
    assert Notification.objects.count() == 1
    assert OutboundEmail.objects.count() == 0


def test_emails_are_sent_after_commit(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _notify_all(people)
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["an@example.test", "binh@example.test"]
    assert OutboundEmail.objects.filter(sent_at__isnull=True).count() == 0


def test_sending_twice_sends_each_email_once(people):
    _notify_all(people)
    assert mail.outbox == []  # queued, not yet sent (on_commit did not run)

    first = send_pending_emails.apply().get()
    second = send_pending_emails()

    assert first == 2
    assert second == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["an@example.test", "binh@example.test"]
    assert {m.subject for m in mail.outbox} == {"Quy trình mới cần xác nhận"}
    for email in OutboundEmail.objects.all():
        assert email.status == EmailStatus.SENT
        assert email.claimed_at is not None
        assert email.sent_at is not None
        assert email.attempts == 1
        assert email.last_error == ""


def test_notify_enqueues_even_when_the_broker_is_down(people, monkeypatch):
    """The caller's work is kept (robust on_commit); beat sends the outbox a minute later."""

    def broker_down():
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(notifications.send_pending_emails, "delay", broker_down)
    created = notify(recipients=[people["an"]], title="Giữ lại dù hàng đợi lỗi")
    assert [n.title for n in created] == ["Giữ lại dù hàng đợi lỗi"]
    assert OutboundEmail.objects.get().status == EmailStatus.QUEUED


def test_a_row_claimed_by_another_worker_meanwhile_is_not_sent(people, monkeypatch):
    notify(recipients=[people["an"], people["binh"]], title="Cuộc đua")
    real_claim = notifications._claim
    stolen = OutboundEmail.objects.get(to="an@example.test").pk

    def racing_claim(email_id):
        if email_id == stolen:
            assert real_claim(email_id)  # the other worker wins between listing and claiming
        return real_claim(email_id)

    monkeypatch.setattr(notifications, "_claim", racing_claim)
    assert outbox_send_pending() == 1
    assert [m.to for m in mail.outbox] == [["binh@example.test"]]


def test_mark_read_service_only_touches_own_notifications(people):
    mine = notify(recipients=[people["an"]], title="Của tôi")[0]
    other = notify(recipients=[people["binh"]], title="Của người khác")[0]
    assert notification_mark_read(user=people["an"], notification_ids=[mine.pk, other.pk]) == 1
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None
    assert other.read_at is None


def _login_with_inbox(client, people):
    notify(recipients=[people["an"]], title="Hạn rà soát quy trình", url="/admin/")
    notify(recipients=[people["an"]], title="Phát hiện mới cần xử lý")
    notify(recipients=[people["binh"]], title="Thư riêng của Bình")
    client.force_login(people["an"])
    return Notification.objects.filter(recipient=people["an"])


@pytest.fixture
def an_member(people):
    """Admin pages need access_admin, which a membership gives."""
    membership_create(actor=None, user=people["an"], agency=factories.agency(), role="staff")
    return people["an"]


def test_inbox_page_shows_unread_count_and_titles(client, people, an_member):
    _login_with_inbox(client, people)
    response = client.get(reverse("qms_inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["unread"] == 2
    assert "2 thông báo chưa đọc" in html
    assert "Hạn rà soát quy trình" in html
    assert "Phát hiện mới cần xử lý" in html
    assert "Thư riêng của Bình" not in html


def test_mark_read_post_ignores_other_users_ids(client, people, an_member):
    mine = _login_with_inbox(client, people).get(title="Hạn rà soát quy trình")
    theirs = Notification.objects.get(recipient=people["binh"])

    response = client.post(reverse("qms_inbox_read"), {"id": [str(mine.pk), str(theirs.pk)]})

    assert response.status_code == 302
    assert response["Location"] == reverse("qms_inbox")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None
    assert Notification.objects.get(title="Phát hiện mới cần xử lý").read_at is None
    assert client.get(reverse("qms_inbox")).context["unread"] == 1


def test_mark_all_read_leaves_other_users_alone(client, people, an_member):
    _login_with_inbox(client, people)
    client.post(reverse("qms_inbox_read"))
    assert Notification.objects.unread().filter(recipient=people["an"]).count() == 0
    assert Notification.objects.unread().filter(recipient=people["binh"]).count() == 1


def test_mark_read_redirects_only_to_own_host(client, people, an_member):
    _login_with_inbox(client, people)
    response = client.post(reverse("qms_inbox_read"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("qms_inbox")
    response = client.post(reverse("qms_inbox_read"), {"next": "/admin/"})
    assert response["Location"] == "/admin/"


def test_mark_read_requires_post(client, people, an_member):
    mine = _login_with_inbox(client, people).first()
    assert client.get(reverse("qms_inbox_read"), {"id": mine.pk}).status_code == 405
    mine.refresh_from_db()
    assert mine.read_at is None


def _menu_labels(html: str) -> list[str]:
    return [json.loads(raw) for raw in re.findall(r'"label": ("(?:[^"\\]|\\.)*")', html)]


def test_admin_menu_shows_unread_count(client, people, an_member):
    _login_with_inbox(client, people)
    labels = _menu_labels(client.get(reverse("wagtailadmin_home")).content.decode())
    assert "Thông báo (2)" in labels

    client.post(reverse("qms_inbox_read"))
    labels = _menu_labels(client.get(reverse("wagtailadmin_home")).content.decode())
    assert "Thông báo" in labels
    assert not any(label.startswith("Thông báo (") for label in labels)


def test_dashboard_panel_lists_unread_titles(client, people, an_member):
    notifications_ = _login_with_inbox(client, people)
    notification_mark_read(
        user=people["an"],
        notification_ids=[notifications_.get(title="Phát hiện mới cần xử lý").pk],
    )
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    start = html.index('id="qms-inbox-panel"')
    panel = html[start : html.index("</section>", start)]
    assert "Thông báo chưa đọc (1)" in panel
    assert "Hạn rà soát quy trình" in panel
    assert "Phát hiện mới cần xử lý" not in panel  # already read
    assert "Thư riêng của Bình" not in panel
