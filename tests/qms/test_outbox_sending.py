"""The outbox over SMTP: retried before DATA, failed on a permanent refusal, uncertain after DATA
or when a claim goes stale, never sent twice; an administrator's deliberate resend.

SMTP is a scripted fake server: ``smtplib.SMTP`` replaced by a subclass whose socket layer answers
from a script, so smtplib's own protocol code (and Django's backend around it) runs unchanged.
"""

import datetime
import smtplib
from collections import deque

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from qms.models import EmailStatus, OutboundEmail
from qms.services import notifications
from qms.services.notifications import notify, outbox_resend, outbox_send_pending
from tests import factories

pytestmark = pytest.mark.django_db

DISCONNECT = "disconnect"
_DEFAULT_REPLIES = {
    "ehlo": (250, b"fake.test\nSIZE 10000000\n8BITMIME\nAUTH PLAIN LOGIN"),
    "helo": (250, b"fake.test"),
    "mail": (250, b"ok"),
    "rcpt": (250, b"ok"),
    "data": (354, b"go ahead"),
    "dot": (250, b"queued as 1"),
    "rset": (250, b"ok"),
    "noop": (250, b"ok"),
    "quit": (221, b"bye"),
}


class FakeSMTP(smtplib.SMTP):
    """One scripted SMTP session per connection: ``FakeSMTP.scripts`` holds, for each next
    connection, the replies that differ from a willing server ({command: (code, text) or
    DISCONNECT}, or {"connect": an exception to raise})."""

    scripts: deque = deque()
    sessions: list = []
    delivered: list = []

    def connect(self, host="localhost", port=0, source_address=None):
        self.script = FakeSMTP.scripts.popleft() if FakeSMTP.scripts else {}
        self.commands = []
        FakeSMTP.sessions.append(self.commands)
        if "connect" in self.script:
            raise self.script["connect"]
        self.sock = object()  # smtplib only checks that there is one; send() below never uses it
        self._pending, self._in_data = None, False
        return (220, b"fake.test ready")

    def send(self, s):
        if not self.sock:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        if self._in_data:
            self._in_data, self._pending, self._message = False, "dot", s
            return
        text = s.decode() if isinstance(s, bytes) else s
        self._pending = text.split()[0].lower()
        self.commands.append(self._pending)

    def getreply(self):
        reply = self.script.get(self._pending) or _DEFAULT_REPLIES[self._pending]
        if reply == DISCONNECT:
            self.close()
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        if self._pending == "data" and reply[0] == 354:
            self._in_data = True
        if self._pending == "dot" and reply[0] == 250:
            FakeSMTP.delivered.append(self._message)
        return reply

    def close(self):
        self.sock = None
        self.file = None


@pytest.fixture
def smtp(monkeypatch, settings):
    settings.EMAIL_BACKEND = "qms.mail.EmailBackend"
    settings.EMAIL_HOST = "mail.example.test"
    settings.EMAIL_MAX_ATTEMPTS = 3
    settings.EMAIL_RETRY_DELAY = 60
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.scripts = deque()
    FakeSMTP.sessions = []
    FakeSMTP.delivered = []
    return FakeSMTP


@pytest.fixture
def queued():
    user = factories.user("an")
    notify(recipients=[user], title="Hạn rà soát quy trình", body="Nội dung thư")
    return OutboundEmail.objects.get()


def _make_due(email):
    OutboundEmail.objects.filter(pk=email.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_a_willing_server_gets_the_message_once(smtp, queued):
    assert outbox_send_pending() == 1
    assert outbox_send_pending() == 0
    queued.refresh_from_db()
    assert queued.status == EmailStatus.SENT and queued.sent_at is not None
    assert queued.attempts == 1
    assert len(smtp.delivered) == 1
    assert b"Subject: =?utf-8?" in smtp.delivered[0]  # the real message went through DATA
    assert smtp.sessions == [["ehlo", "mail", "rcpt", "data", "quit"]]


@pytest.mark.parametrize(
    "script",
    [
        {"rcpt": (421, b"try again later")},
        {"mail": (451, b"local error")},
        {"connect": ConnectionRefusedError(111, "Connection refused")},
        {"connect": TimeoutError("timed out")},
        {"ehlo": DISCONNECT},
        {"rcpt": DISCONNECT},
    ],
    ids=["421-at-rcpt", "451-at-mail", "connection-refused", "timeout", "ehlo-drop", "rcpt-drop"],
)
def test_a_transient_failure_before_data_is_retried_and_sent_once(smtp, queued, script):
    smtp.scripts.append(script)
    before = timezone.now()

    assert outbox_send_pending() == 0
    queued.refresh_from_db()
    assert queued.status == EmailStatus.QUEUED
    assert queued.attempts == 1
    assert queued.last_error
    # waits EMAIL_RETRY_DELAY (60 s) before the next attempt, and is not due before that
    assert queued.next_attempt_at >= before + datetime.timedelta(seconds=60)
    assert outbox_send_pending() == 0
    assert smtp.delivered == []

    _make_due(queued)
    assert outbox_send_pending() == 1
    queued.refresh_from_db()
    assert queued.status == EmailStatus.SENT
    assert queued.attempts == 2
    assert len(smtp.delivered) == 1
    assert outbox_send_pending() == 0
    assert len(smtp.delivered) == 1


def test_authentication_failure_is_retried(smtp, queued, settings):
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "qms", "wrong"
    smtp.scripts.append({"auth": (535, b"authentication failed")})
    assert outbox_send_pending() == 0
    queued.refresh_from_db()
    assert queued.status == EmailStatus.QUEUED
    assert "SMTPAuthenticationError" in queued.last_error


def test_retries_back_off_and_stop_at_the_limit(smtp, queued):
    for _ in range(3):
        smtp.scripts.append({"rcpt": (450, b"mailbox busy")})
    delays = []
    for _ in range(3):
        before = timezone.now()
        outbox_send_pending()
        queued.refresh_from_db()
        if queued.next_attempt_at:
            delays.append((queued.next_attempt_at - before).total_seconds())
        _make_due(queued)
    assert queued.status == EmailStatus.FAILED  # EMAIL_MAX_ATTEMPTS = 3
    assert queued.attempts == 3
    assert [round(d, -1) for d in delays[:2]] == [60, 120]  # doubling
    assert len(smtp.sessions) == 3
    assert outbox_send_pending() == 0
    assert len(smtp.sessions) == 3 and smtp.delivered == []


@pytest.mark.parametrize(
    "script",
    [{"rcpt": (550, b"no such user")}, {"mail": (553, b"sender refused")}],
    ids=["550-at-rcpt", "553-at-mail"],
)
def test_a_permanent_refusal_fails_without_retry(smtp, queued, script):
    smtp.scripts.append(script)
    assert outbox_send_pending() == 0
    queued.refresh_from_db()
    assert queued.status == EmailStatus.FAILED
    assert queued.attempts == 1
    assert "refused" in queued.last_error.lower()
    _make_due(queued)
    assert outbox_send_pending() == 0
    assert len(smtp.sessions) == 1
    assert smtp.delivered == []


@pytest.mark.parametrize(
    "script",
    [{"dot": (554, b"transaction failed")}, {"dot": DISCONNECT}, {"data": (451, b"later")}],
    ids=["554-after-data", "drop-after-data", "451-at-data"],
)
def test_an_error_from_data_on_is_uncertain_and_not_resent(smtp, queued, script):
    smtp.scripts.append(script)
    assert outbox_send_pending() == 0
    queued.refresh_from_db()
    assert queued.status == EmailStatus.UNCERTAIN
    assert "SMTPDataError" in queued.last_error or "Disconnected" in queued.last_error
    _make_due(queued)
    assert outbox_send_pending() == 0
    assert len(smtp.sessions) == 1
    assert smtp.sessions[0][:4] == ["ehlo", "mail", "rcpt", "data"]


class ExplodingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise RuntimeError("unknown failure")


def test_a_failure_at_an_unknown_stage_is_uncertain(settings, queued):
    settings.EMAIL_BACKEND = f"{__name__}.ExplodingBackend"
    assert outbox_send_pending() == 0
    queued.refresh_from_db()
    assert queued.status == EmailStatus.UNCERTAIN
    assert "RuntimeError: unknown failure" in queued.last_error


def test_one_refused_message_does_not_stop_the_others(smtp):
    notify(recipients=[factories.user("an"), factories.user("binh")], title="Hai thư")
    smtp.scripts.append({"rcpt": (550, b"no such user")})
    assert outbox_send_pending() == 1
    statuses = dict(OutboundEmail.objects.values_list("to", "status"))
    assert statuses == {"an@example.test": EmailStatus.FAILED, "binh@example.test": "sent"}
    assert len(smtp.delivered) == 1


def test_messages_of_one_run_share_a_connection(smtp):
    notify(recipients=[factories.user("an"), factories.user("binh")], title="Một kết nối")
    assert outbox_send_pending() == 2
    assert len(smtp.sessions) == 1
    assert smtp.sessions[0].count("data") == 2


def test_a_stale_claim_is_marked_uncertain(smtp, settings, queued):
    settings.EMAIL_CLAIM_TIMEOUT = 900
    fresh = OutboundEmail.objects.create(to="binh@example.test", subject="Đang gửi", body="x")
    now = timezone.now()
    OutboundEmail.objects.filter(pk=queued.pk).update(
        status=EmailStatus.SENDING, claimed_at=now - datetime.timedelta(seconds=901), attempts=1
    )
    OutboundEmail.objects.filter(pk=fresh.pk).update(
        status=EmailStatus.SENDING, claimed_at=now - datetime.timedelta(seconds=60), attempts=1
    )

    assert outbox_send_pending() == 0
    queued.refresh_from_db()
    fresh.refresh_from_db()
    assert queued.status == EmailStatus.UNCERTAIN
    assert "15 phút" in queued.last_error
    assert fresh.status == EmailStatus.SENDING  # another worker may still be sending it
    assert smtp.sessions == []


def test_two_claims_of_the_same_row_only_one_wins(queued):
    assert notifications._claim(queued.pk) is not None
    assert notifications._claim(queued.pk) is None
    queued.refresh_from_db()
    assert queued.status == EmailStatus.SENDING and queued.attempts == 1


# --- resend -------------------------------------------------------------------------------------


def _uncertain(email):
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.UNCERTAIN, attempts=1, last_error="SMTPDataError: (554, 'x')"
    )
    email.refresh_from_db()
    return email


def test_an_administrator_resends_an_uncertain_email(
    smtp, queued, django_capture_on_commit_callbacks
):
    admin = factories.user("root", superuser=True)
    email = _uncertain(queued)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outbox_resend(actor=admin, email=email)
    assert len(callbacks) == 1  # sending enqueued after commit (run eagerly here)
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT
    assert email.attempts == 1  # counted afresh
    assert len(smtp.delivered) == 1
    entry = ModelLogEntry.objects.get(action="qms.email_resend")
    assert entry.user == admin
    assert entry.object_id == str(email.pk)
    assert entry.data["previous_status"] == "uncertain"


def test_resend_is_refused_to_anyone_but_an_administrator(queued):
    email = _uncertain(queued)
    officer = factories.member(factories.agency(), "officer")
    with pytest.raises(PermissionDenied):
        outbox_resend(actor=officer, email=email)
    email.refresh_from_db()
    assert email.status == EmailStatus.UNCERTAIN
    assert not ModelLogEntry.objects.filter(action="qms.email_resend").exists()


def test_only_failed_or_uncertain_emails_are_resent(queued):
    admin = factories.user("root", superuser=True)
    OutboundEmail.objects.filter(pk=queued.pk).update(status=EmailStatus.SENT)
    with pytest.raises(ValidationError, match="an@example.test"):
        outbox_resend(actor=admin, email=queued)


# --- the outbox in the admin --------------------------------------------------------------------


def test_administrator_sees_the_outbox_and_resends_from_it(client, queued):
    admin = factories.user("root", superuser=True)
    email = _uncertain(queued)
    OutboundEmail.objects.create(to="c@example.test", subject="Thư đã gửi", body="x", status="sent")
    client.force_login(admin)

    html = client.get(reverse("outbox:index")).content.decode()
    assert "Hạn rà soát quy trình" in html and "Thư đã gửi" in html
    assert "chưa chắc đã gửi" in html
    resend = reverse("outbox:transition", args=[email.pk, "resend"])
    assert resend in html

    filtered = client.get(reverse("outbox:index"), {"status": "uncertain"}).content.decode()
    assert "Hạn rà soát quy trình" in filtered and "Thư đã gửi" not in filtered

    confirm = client.get(resend)
    assert confirm.status_code == 200
    assert "có thể đã đến người nhận" in confirm.content.decode()

    response = client.post(resend)
    assert response.status_code == 302
    assert response["Location"] == reverse("outbox:inspect", args=[email.pk])
    email.refresh_from_db()
    assert email.status in (EmailStatus.QUEUED, EmailStatus.SENT)
    assert ModelLogEntry.objects.filter(action="qms.email_resend", user=admin).count() == 1

    history = client.get(reverse("outbox:history", args=[email.pk])).content.decode()
    assert "Gửi lại thư" in history


def test_the_outbox_is_hidden_from_members(client, queued):
    email = _uncertain(queued)
    officer = factories.member(factories.agency(), "officer")
    client.force_login(officer)
    assert client.get(reverse("outbox:index")).status_code in (302, 403)
    response = client.post(reverse("outbox:transition", args=[email.pk, "resend"]))
    assert response.status_code in (302, 403, 404)
    email.refresh_from_db()
    assert email.status == EmailStatus.UNCERTAIN


def test_site_history_links_a_resent_email_to_its_read_only_page(client, queued):
    admin = factories.user("root", superuser=True)
    email = _uncertain(queued)
    client.force_login(admin)
    client.post(reverse("outbox:transition", args=[email.pk, "resend"]))
    response = client.get(reverse("qms_site_history"))
    assert response.status_code == 200
    assert reverse("outbox:inspect", args=[email.pk]) in response.content.decode()
    history = client.get(reverse("outbox:history", args=[email.pk])).content.decode()
    assert "/admin/outbox/edit/" not in history  # no edit view, no "Edit" button
